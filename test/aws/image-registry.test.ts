import { ImageRegistry, ImageRegistryProps } from '../../lib/aws/image-registry';
import { awsStack, expectRejectedBeforeSynth, Json, synth } from '../support/aws-stack';

const base: ImageRegistryProps = { environment: 'production', repositoryNames: ['model-servers/triton', 'resnet'] };

function build(props: Partial<ImageRegistryProps> = {}) {
  const stack = awsStack();
  const registry = new ImageRegistry(stack, 'registry', { ...base, ...props });
  return { registry, out: synth(stack) };
}

function expectRejected(props: Partial<ImageRegistryProps>, message: string | RegExp): void {
  expectRejectedBeforeSynth((stack) => new ImageRegistry(stack, 'registry', { ...base, ...props }), message, { stack: awsStack });
}

describe('ImageRegistry', () => {
  const { out, registry } = build();
  const repositories = Object.values(out.resources('aws_ecr_repository'));

  test('creates one repository per name', () => {
    expect(repositories.map((r) => r.name)).toEqual(['model-servers/triton', 'resnet']);
  });

  test('makes tags immutable, scans on push and encrypts with the customer key', () => {
    for (const repository of repositories) {
      expect(repository).toMatchObject({
        image_tag_mutability: 'IMMUTABLE',
        image_scanning_configuration: { scan_on_push: true },
        force_delete: false,
      });
      expect(repository.encryption_configuration).toEqual([{ encryption_type: 'KMS', kms_key: expect.stringMatching(/^\$\{aws_kms_key\.registry_key_\w+\.arn\}$/) }]);
    }
  });

  test('expires untagged images after 7 days and keeps the newest 50 tagged ones', () => {
    const policies = Object.values(out.resources('aws_ecr_lifecycle_policy'));
    expect(policies).toHaveLength(2);
    const { rules } = JSON.parse(policies[0].policy) as { rules: Json[] };
    expect(rules[0]).toMatchObject({ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' } });
    expect(rules[1]).toMatchObject({ rulePriority: 2, selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 50 } });
  });

  test('grants no public or cross-account access', () => {
    expect(out.resources('aws_ecr_repository_policy')).toEqual({});
  });

  test('exposes URLs and ARNs by repository name', () => {
    expect(Object.keys(registry.repositoryUrls)).toEqual(['model-servers/triton', 'resnet']);
    expect(registry.repositoryUrls.resnet).toMatch(/TfToken/);
    expect(Object.keys(registry.repositoryArns)).toEqual(['model-servers/triton', 'resnet']);
  });

  test('takes another count of tagged images to keep', () => {
    const policy = Object.values(build({ keepTaggedImages: 10 }).out.resources('aws_ecr_lifecycle_policy'))[0];
    expect(JSON.parse(policy.policy).rules[1].selection.countNumber).toBe(10);
  });

  test('allows mutable tags in development when asked for by name', () => {
    const repository = Object.values(build({ environment: 'development', mutableTags: true }).out.resources('aws_ecr_repository'))[0];
    expect(repository.image_tag_mutability).toBe('MUTABLE');
  });
});

describe('ImageRegistry refuses', () => {
  test.each([
    ['Triton', 'upper case'],
    ['a', 'too short'],
    ['model-servers//triton', 'an empty path segment'],
    ['triton-', 'a trailing separator'],
    ['_triton', 'a leading separator'],
    ['triton:latest', 'a tag in the name'],
  ])('a repository name ECR rejects: %s (%s)', (name) => {
    expectRejected({ repositoryNames: ['resnet', name] }, new RegExp(`^test/registry: repositoryNames\\[1\\] \\(${JSON.stringify(name)}\\) is not a valid name: 2 to 256 lowercase`));
  });

  test('the same repository twice', () => {
    expectRejected({ repositoryNames: ['resnet', 'resnet'] }, /repositoryNames \(\["resnet","resnet"\]\) lists "resnet" twice/);
  });

  test('no repositories', () => {
    expectRejected({ repositoryNames: [] }, /repositoryNames \(\[\]\) needs at least 1 entry/);
  });

  test('mutable tags in production', () => {
    expectRejected({ mutableTags: true }, /^test\/registry: mutableTags \(true\) would let a tag point at a different image, but production deploys pinned images; /);
  });

  test('force delete in production', () => {
    expectRejected({ forceDelete: true }, /forceDelete \(true\) would let terraform destroy delete every image in production/);
  });
});
