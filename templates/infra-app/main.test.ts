// `npm test`: runs main.ts into a temporary folder and checks the facts this app relies on.
// node:test on the compiled JavaScript: no ts-node or ts-jest, which do not run on TypeScript 7.
import { deepEqual, equal } from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const outdir = mkdtempSync(join(tmpdir(), 'infra-app-'));
// What `cdktf synth` would pass the app: the output folder, and cdktf.json's Terraform target,
// which CDK Terrain checks write-only attributes against (Terraform 1.11+).
const { targetVersions } = JSON.parse(readFileSync('cdktf.json', 'utf8'));
const context = JSON.stringify({ targetVersions });
execFileSync(process.execPath, ['--disable-warning=DEP0044', join('build', 'main.js')], { env: { ...process.env, CDKTF_OUTDIR: outdir, CDKTF_CONTEXT_JSON: context } });
const stack = (name: string) => JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));

test('production: an EKS cluster private but for the deployers, with one node group per pool', () => {
  const platform = stack('modelserve-production');
  const [cluster, ...others] = Object.values(platform.resource.aws_eks_cluster) as { vpc_config: { endpoint_private_access: boolean; public_access_cidrs: string[] } }[];
  equal(others.length, 0);
  equal(cluster.vpc_config.endpoint_private_access, true);
  deepEqual(cluster.vpc_config.public_access_cidrs, ['198.51.100.0/24']);
  equal(Object.keys(platform.resource.aws_eks_node_group).length, 4);
});

test('the add-ons: a stack of their own, after the platform, reading the cluster by name', () => {
  const addons = stack('modelserve-production-addons');
  equal(Object.keys(addons.resource.helm_release).length > 10, true);
  deepEqual(Object.values(addons.data.aws_eks_cluster).map((c) => (c as { name: string }).name), ['modelserve-prod']);
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
  deepEqual(manifest.stacks['modelserve-production-addons'].dependencies, ['modelserve-production']);
});
