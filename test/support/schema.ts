import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface SchemaFailure {
  readonly index: number;
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly error: string;
}

const script = join(__dirname, '..', '..', 'scripts', 'validate-manifests.mjs');

/**
 * Validates synthesized objects (e.g. `Testing.synth(chart)`) against the Kubernetes and CRD
 * schemas from kubernetes-models. Returns the failures; an object with no known schema is one.
 */
export function schemaFailures(objects: readonly unknown[]): { checked: number; failures: SchemaFailure[] } {
  const run = spawnSync(process.execPath, [script], { input: JSON.stringify(objects), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0 && run.status !== 1) throw new Error(`schema validator crashed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}
