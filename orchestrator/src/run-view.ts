import { PipelineDefinition } from './definition';
import { StoredRun } from './run-store';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * A run as the API shows it: its state, times, each step's state and, once succeeded, the
 * result (the JSON text as the steps answered it, spliced in without re-serializing). A step
 * not answered yet is `pending`, whether it waits for its dependencies or is being called.
 */
export function runView(run: StoredRun, definition: PipelineDefinition, options: { readonly withResult: boolean }): string {
  const steps: Record<string, unknown> = {};
  for (const step of definition.steps) {
    const meta = run.steps[step.name];
    steps[step.name] = meta
      ? { state: meta.state, attempts: meta.attempts, durationMs: meta.finishedAt - meta.startedAt, ...(meta.error ? { error: meta.error } : {}) }
      : { state: 'pending' };
  }
  const view = {
    id: run.id,
    pipeline: run.pipeline,
    state: run.state,
    ...(run.idempotencyKey !== undefined ? { idempotencyKey: run.idempotencyKey } : {}),
    createdAt: iso(run.createdAt),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    deadlineAt: iso(run.deadlineAt),
    steps,
    ...(run.error ? { error: run.error } : {}),
  };
  const json = JSON.stringify(view);
  if (!options.withResult || run.result === undefined) return json;
  return `${json.slice(0, -1)},"result":${run.result}}`;
}

/** One line of the listing: no steps, no result. */
export function runSummary(run: StoredRun): Record<string, unknown> {
  const error = run.error ? { error: run.error.message } : {};
  return { id: run.id, state: run.state, createdAt: iso(run.createdAt), finishedAt: iso(run.finishedAt), ...error };
}
