// `npm test`: runs main.ts into a temporary folder and checks the facts this app relies on.
// node:test on the compiled JavaScript: no ts-node or ts-jest, which do not run on TypeScript 7.
import { equal } from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

test('production: a private EKS cluster with one node group per pool', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'infra-app-'));
  execFileSync(process.execPath, ['--disable-warning=DEP0044', join('build', 'main.js')], { env: { ...process.env, CDKTF_OUTDIR: outdir } });
  const stack = JSON.parse(readFileSync(join(outdir, 'stacks', 'modelserve-production', 'cdk.tf.json'), 'utf8'));
  const [cluster, ...others] = Object.values(stack.resource.aws_eks_cluster) as { vpc_config: { endpoint_public_access: boolean } }[];
  equal(others.length, 0);
  equal(cluster.vpc_config.endpoint_public_access, false);
  equal(Object.keys(stack.resource.aws_eks_node_group).length, 4);
});
