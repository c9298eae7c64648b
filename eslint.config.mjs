import tseslint from 'typescript-eslint';

const providerRoot = {
  paths: [
    { name: '@cdktf/provider-aws', message: 'Import the resource by deep path (@cdktf/provider-aws/lib/<resource>): the package root loads 2,200 modules.' },
    { name: '@cdktf/provider-aws/lib', message: 'Import the resource by deep path (@cdktf/provider-aws/lib/<resource>).' },
    { name: '@cdktf/provider-aws/lib/index', message: 'Import the resource by deep path (@cdktf/provider-aws/lib/<resource>).' },
    // The Helm and Kubernetes providers' roots load every resource too (the kubernetes one, hundreds).
    ...['@cdktf/provider-helm', '@cdktf/provider-kubernetes'].flatMap((pkg) => [pkg, `${pkg}/lib`, `${pkg}/lib/index`].map((name) => (
      { name, message: `Import the resource by deep path (${pkg}/lib/<resource>): the package root loads every resource of the provider.` }
    ))),
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'build/', 'cdktf.out/', 'dist/', 'coverage/'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', providerRoot],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Planners of one concern and readable lines (aws-cdk's limit): a constructor that reads as what
    // it builds, a planner short enough to review. Messages are strings, so they may run long.
    files: ['lib/**/*.ts'],
    rules: {
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
      'max-len': ['error', { code: 150, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true }],
    },
  },
  {
    // Tests read synthesized JSON, whose shape the assertions themselves check.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The catalog is plain data shared by both engines: it imports neither.
    files: ['lib/catalog/**/*.ts', 'lib/check/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { ...providerRoot, patterns: [{ group: ['cdktf', 'cdktf/*', '@cdktf/*', 'cdk8s', 'cdk8s-plus-27', 'cdk8s/*'], message: 'lib/catalog and lib/check are engine-free data.' }] }],
    },
  },
  {
    // A cdk8s app must not load cdktf or the AWS provider.
    files: ['lib/k8s/**/*.ts', 'examples/serving/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { ...providerRoot, patterns: [{ group: ['cdktf', 'cdktf/*', '@cdktf/*', '**/aws', '**/aws/*'], message: 'The Kubernetes side must not load cdktf or the AWS provider.' }] }],
    },
  },
  {
    // A cdktf app must not load cdk8s.
    files: ['lib/aws/**/*.ts', 'examples/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { ...providerRoot, patterns: [{ group: ['cdk8s', 'cdk8s-plus-27', 'cdk8s/*', '**/k8s', '**/k8s/*'], message: 'The AWS side must not load cdk8s.' }] }],
    },
  },
);
