import * as fs from 'fs';
import * as path from 'path';
import { Side } from './readme-blocks';

/** One of the first apps under templates/, and how its CLI is driven. */
export interface Template {
  readonly folder: 'infra-app' | 'serving-app';
  readonly side: Exclude<Side, 'catalog'>;
  /**
   * The package entry points (keys of package.json `exports`) an app of this side imports, each
   * with the peer dependencies it may load: an app that imports it needs those and no others.
   */
  readonly entries: Readonly<Record<string, readonly string[]>>;
  /**
   * Peers an entry point loads today beyond its own list. The consumer test fails when one is no
   * longer loaded, so that the exception is deleted the day it stops being true.
   */
  readonly loadsTodayToo?: Readonly<Record<string, readonly string[]>>;
  /** `npx <cli> synth`. */
  readonly cli: 'cdktf' | 'cdk8s';
  /** Output folder of the CLI (cdktf.json `output`, cdk8s.yaml `output`). */
  readonly outdir: string;
  /** The environment variable through which the CLI tells the app where to write. */
  readonly outdirVariable: 'CDKTF_OUTDIR' | 'CDK8S_OUTDIR';
  /** The CLI's config file, which names the app command. */
  readonly config: 'cdktf.json' | 'cdk8s.yaml';
  /** Node flags of the app command (the template's config file carries the same). */
  readonly nodeFlags: string;
  /** A prop that every version of the API refuses, and the one-line message it gets. */
  readonly broken: { readonly source: string; readonly message: RegExp; readonly line: RegExp };
}

/**
 * The entry points each side loads. When package.json gains an entry point, add it to a side
 * here with the peers it needs (the consumer test refuses an entry point that no side loads).
 */
export const TEMPLATES: readonly Template[] = [
  {
    folder: 'infra-app',
    side: 'aws',
    entries: {
      '.': [],
      './aws': ['cdktf', 'constructs', '@cdktf/provider-aws'],
      './addons': ['cdktf', 'constructs', '@cdktf/provider-aws', '@cdktf/provider-helm', '@cdktf/provider-kubernetes'],
    },
    cli: 'cdktf',
    outdir: 'cdktf.out',
    outdirVariable: 'CDKTF_OUTDIR',
    config: 'cdktf.json',
    nodeFlags: '--enable-source-maps --disable-warning=DEP0044',
    broken: {
      source: [
        "import { App, TerraformStack } from 'cdktf';",
        "import { NodePools } from 'modelserve';",
        '',
        'const app = new App();',
        "new TerraformStack(app, 'broken');",
        "NodePools.spot({ instanceTypes: ['m7i.2xlarge'] });",
        'app.synth();',
      ].join('\n'),
      message: /^NodePools\.spot\(spot\): instanceTypes \(\["m7i\.2xlarge"\]\) has a single type, .*; list two or more instance types .*\)$/,
      line: /^ {4}at broken\.ts:6:\d+$/,
    },
  },
  {
    folder: 'serving-app',
    side: 'k8s',
    entries: { '.': [], './k8s': ['cdk8s', 'cdk8s-plus-27', 'constructs'] },
    cli: 'cdk8s',
    outdir: 'dist',
    outdirVariable: 'CDK8S_OUTDIR',
    config: 'cdk8s.yaml',
    nodeFlags: '--enable-source-maps',
    broken: {
      source: [
        "import { App } from 'cdk8s';",
        "import { NodePools } from 'modelserve';",
        "import { ModelService, ServingChart } from 'modelserve/k8s';",
        '',
        'const app = new App();',
        "const chart = new ServingChart(app, 'serving', { environment: 'production', nodePools: [NodePools.general()], modelStoreUri: 's3://models' });",
        "new ModelService(chart, 'resnet', {",
        "  model: { id: 'resnet50', version: '1.0.0' },",
        "  image: 'nvcr.io/nvidia/tritonserver:24.08-py3',",
        '  resources: { cpu: 2, memoryGiB: 8 },',
        '  autoscaling: { minReplicas: 12, maxReplicas: 6 },',
        '});',
        'app.synth();',
      ].join('\n'),
      message: /^serving\/resnet: autoscaling\.minReplicas \(12\) is greater than maxReplicas \(6\); .+$/,
      line: /^ {4}at broken\.ts:7:\d+$/,
    },
  },
];

/** Copies a template folder as a user would start from it: without installed or generated files. */
export function copyTemplate(repoRoot: string, template: Template, destination: string): void {
  const source = path.join(repoRoot, 'templates', template.folder);
  fs.cpSync(source, destination, {
    recursive: true,
    filter: (file) => !['node_modules', 'build', template.outdir].includes(path.basename(file)),
  });
}
