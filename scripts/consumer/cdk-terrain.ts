import * as fs from 'fs';
import * as path from 'path';
import { run } from './shell';
import { copyTemplate, TEMPLATES } from './templates';

/**
 * CDK Terrain, the community continuation of cdktf (deprecated 2025-12-10), installed under the
 * names the library imports: `cdktf` → cdktn, `@cdktf/provider-aws` → @cdktn/provider-aws.
 * The Helm and Kubernetes providers have no @cdktn build; the @cdktf ones run on the alias.
 * npm `overrides` make the aliases satisfy the peers of modelserve and those providers.
 */
export const CDK_TERRAIN = {
  cdktn: '0.24.0',
  providerAws: '25.7.0',
  constructs: '10.7.2', // cdktn 0.24 wants constructs >=10.6 <10.8
} as const;

/** What the infra app's package.json gets instead of cdktf (README: "cdktf is deprecated"). */
export function cdkTerrainPackageChanges(): { dependencies: Record<string, string>; devDependencies: Record<string, string>; overrides: Record<string, string> } {
  return {
    dependencies: {
      cdktf: `npm:cdktn@${CDK_TERRAIN.cdktn}`,
      cdktn: CDK_TERRAIN.cdktn, // @cdktn/provider-aws imports it by its own name
      '@cdktf/provider-aws': `npm:@cdktn/provider-aws@${CDK_TERRAIN.providerAws}`,
      constructs: CDK_TERRAIN.constructs,
    },
    devDependencies: { 'cdktn-cli': CDK_TERRAIN.cdktn },
    overrides: { cdktf: '$cdktf', '@cdktf/provider-aws': '$@cdktf/provider-aws' },
  };
}

/** Installs the infra app on CDK Terrain, runs its test and `npx cdktn synth`, compares the stack. */
export function checkCdkTerrain(repo: string, work: string, tarball: string, cdktfOutput: string): void {
  const template = TEMPLATES.find((t) => t.side === 'aws')!;
  const app = path.join(work, `${template.folder}-cdktn`);
  fs.rmSync(app, { recursive: true, force: true });
  copyTemplate(repo, template, app);
  const manifestPath = path.join(app, 'package.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; overrides?: Record<string, string> };
  const changes = cdkTerrainPackageChanges();
  Object.assign(manifest.dependencies, changes.dependencies);
  delete manifest.devDependencies['cdktf-cli'];
  Object.assign(manifest.devDependencies, changes.devDependencies);
  manifest.overrides = changes.overrides;
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  run(`npm install --no-audit --no-fund --prefer-offline ${tarball}`, { cwd: app });
  run('npm test', { cwd: app });
  run('npx cdktn synth', { cwd: app });
  const stackFile = path.join('stacks', 'modelserve-production', 'cdk.tf.json');
  const [cdktf, cdktn] = [cdktfOutput, path.join(app, template.outdir)].map((outdir) => withoutEngineVersions(fs.readFileSync(path.join(outdir, stackFile), 'utf8')));
  if (cdktf !== cdktn) throw new Error(`the stack on cdktn differs from the one on cdktf beyond the engine and provider versions (compare ${cdktfOutput} and ${app}/${template.outdir})`);
}

/**
 * The stack without what names the engine: cdktf's version in the metadata, and the AWS provider's
 * source and version (cdktf 0.21's provider-aws 21 pins hashicorp/aws 6.25, cdktn's 25.7 pins 6.66).
 */
export function withoutEngineVersions(stackJson: string): string {
  const stack = JSON.parse(stackJson) as { '//'?: { metadata?: { version?: string } }; terraform?: { required_providers?: { aws?: Record<string, unknown> } } };
  delete stack['//']?.metadata?.version;
  delete stack.terraform?.required_providers?.aws?.source;
  delete stack.terraform?.required_providers?.aws?.version;
  return JSON.stringify(stack, null, 2);
}
