// `npm test`: runs main.ts into a temporary folder and checks the facts this app relies on.
// node:test on the compiled JavaScript: no ts-node or ts-jest, which do not run on TypeScript 7.
import { Yaml } from 'cdk8s';
import { deepEqual, equal } from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

interface KubeObject { kind: string; metadata: { name: string }; spec: Record<string, any> }

test('resnet: a 10 % canary on one A100 per pod', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'serving-app-'));
  execFileSync(process.execPath, [join('build', 'main.js')], { env: { ...process.env, CDK8S_OUTDIR: outdir } });
  const objects = Yaml.load(join(outdir, 'serving.k8s.yaml')) as KubeObject[];
  const route = objects.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'resnet')!.spec.http[0].route;
  deepEqual(route.map((r: { weight: number }) => r.weight), [90, 10]);
  const pods = objects.filter((o) => o.kind === 'Deployment').map((d) => d.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']);
  deepEqual(pods, [1, 1]);
});
