/**
 * The pipeline definition ModelPipeline mounts at PIPELINE_DEFINITION_PATH (see the library's
 * lib/k8s/pipeline/pipeline-definition.ts, which writes it). This file has no imports so that
 * the library's own tests can check that what it writes is what this service accepts.
 */

export interface DefinitionStep {
  readonly name: string;
  readonly service: string;
  readonly method: 'POST';
  readonly url: string;
  /** Steps whose responses make this step's request; empty: the run's input. */
  readonly dependsOn: readonly string[];
  readonly timeoutSeconds: number;
  readonly retries: number;
}

export interface PipelineDefinition {
  readonly apiVersion: 'modelserve.io/v1alpha1';
  readonly kind: 'PipelineDefinition';
  readonly name: string;
  readonly namespace: string;
  readonly timeoutSeconds: number;
  readonly resultTtlSeconds: number;
  /** In dependency order. */
  readonly steps: readonly DefinitionStep[];
  readonly outputs: readonly string[];
  readonly retryOn: { readonly statuses: readonly number[]; readonly timeouts: true; readonly connectionErrors: true };
}

/** A definition that cannot run: `<source>: <field> (<value>) <problem>; <fix>`, as the library words its errors. */
export class DefinitionError extends Error {
  constructor(source: string, field: string, value: unknown, problem: string, fix: string) {
    super(`${source}: ${field} (${show(value)}) ${problem}; ${fix}`);
    this.name = 'DefinitionError';
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'not set';
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return String(value);
  }
}

const STEP_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const REGENERATE = 'synthesize the pipeline again with ModelPipeline (cdk8s synth) and apply it';

/**
 * Parses and checks a definition; `source` names where it came from in messages (the path).
 * Everything the executor relies on is checked here, so that a bad file stops the process at
 * start with one clear line instead of failing runs later.
 */
export function parseDefinition(text: string, source: string): PipelineDefinition {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new DefinitionError(source, 'file', text.slice(0, 40), `is not JSON (${(e as Error).message})`, REGENERATE);
  }
  const fail = (field: string, value: unknown, problem: string, fix = REGENERATE): never => {
    throw new DefinitionError(source, field, value, problem, fix);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('file', raw, 'is not a JSON object');
  const d = raw as Record<string, unknown>;
  if (d.apiVersion !== 'modelserve.io/v1alpha1') fail('apiVersion', d.apiVersion, 'is not modelserve.io/v1alpha1, the version this orchestrator reads', 'run an orchestrator image that matches the library version, or regenerate the definition');
  if (d.kind !== 'PipelineDefinition') fail('kind', d.kind, 'is not PipelineDefinition');
  if (typeof d.name !== 'string' || d.name === '') fail('name', d.name, 'is not a pipeline name');
  if (typeof d.namespace !== 'string') fail('namespace', d.namespace, 'is not a namespace name');
  wholeSeconds(fail, 'timeoutSeconds', d.timeoutSeconds, 1, 86_400);
  wholeSeconds(fail, 'resultTtlSeconds', d.resultTtlSeconds, 1, 90 * 86_400);
  if (!Array.isArray(d.steps) || d.steps.length === 0) fail('steps', d.steps, 'is not a non-empty list of steps');
  const steps = (d.steps as unknown[]).map((s, i) => parseStep(fail, s, i, d.steps as unknown[]));
  if (!Array.isArray(d.outputs) || d.outputs.length === 0) fail('outputs', d.outputs, 'is not a non-empty list of step names');
  const names = new Set(steps.map((s) => s.name));
  (d.outputs as unknown[]).forEach((o, i) => {
    if (typeof o !== 'string' || !names.has(o)) fail(`outputs[${i}]`, o, 'names no step of the pipeline');
  });
  const retryOn = d.retryOn as Record<string, unknown> | undefined;
  if (typeof retryOn !== 'object' || retryOn === null || !Array.isArray(retryOn.statuses)) fail('retryOn.statuses', retryOn?.statuses, 'is not a list of HTTP statuses');
  (retryOn!.statuses as unknown[]).forEach((s, i) => {
    if (!Number.isInteger(s) || (s as number) < 400 || (s as number) > 599) fail(`retryOn.statuses[${i}]`, s, 'is not an HTTP error status (400-599)');
  });
  return {
    apiVersion: 'modelserve.io/v1alpha1',
    kind: 'PipelineDefinition',
    name: d.name as string,
    namespace: d.namespace as string,
    timeoutSeconds: d.timeoutSeconds as number,
    resultTtlSeconds: d.resultTtlSeconds as number,
    steps,
    outputs: [...(d.outputs as string[])],
    retryOn: { statuses: [...(retryOn!.statuses as number[])], timeouts: true, connectionErrors: true },
  };
}

type Fail = (field: string, value: unknown, problem: string, fix?: string) => never;

function wholeSeconds(fail: Fail, field: string, value: unknown, min: number, max: number): void {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) fail(field, value, `must be a whole number of seconds from ${min} to ${max}`);
}

function parseStep(fail: Fail, value: unknown, i: number, all: readonly unknown[]): DefinitionStep {
  const at = `steps[${i}]`;
  if (typeof value !== 'object' || value === null) fail(at, value, 'is not a step object');
  const s = value as Record<string, unknown>;
  if (typeof s.name !== 'string' || !STEP_NAME.test(s.name)) fail(`${at}.name`, s.name, 'is not a step name (lowercase letters, digits and "-")');
  const name = s.name as string;
  if (all.slice(0, i).some((o) => (o as Record<string, unknown>)?.name === name)) fail(`${at}.name`, name, 'is the name of an earlier step too');
  if (typeof s.service !== 'string') fail(`${at}.service`, s.service, 'is not a service name');
  if (s.method !== 'POST') fail(`${at}.method`, s.method, 'is not POST, the only method a step uses');
  if (typeof s.url !== 'string' || !isHttpUrl(s.url)) fail(`${at}.url`, s.url, 'is not an http or https URL');
  if (!Array.isArray(s.dependsOn)) fail(`${at}.dependsOn`, s.dependsOn, 'is not a list of step names');
  const earlier = new Set(all.slice(0, i).map((o) => (o as Record<string, unknown>).name));
  (s.dependsOn as unknown[]).forEach((dep, k) => {
    // Dependency order is the definition's promise: a step never waits on a later one, so no cycle.
    if (typeof dep !== 'string' || !earlier.has(dep)) fail(`${at}.dependsOn[${k}]`, dep, 'names no earlier step (steps are listed in dependency order)');
  });
  wholeSeconds(fail, `${at}.timeoutSeconds`, s.timeoutSeconds, 1, 3600);
  if (!Number.isInteger(s.retries) || (s.retries as number) < 0 || (s.retries as number) > 10) fail(`${at}.retries`, s.retries, 'must be a whole number from 0 to 10');
  return {
    name,
    service: s.service as string,
    method: 'POST',
    url: s.url as string,
    dependsOn: [...(s.dependsOn as string[])],
    timeoutSeconds: s.timeoutSeconds as number,
    retries: s.retries as number,
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}
