import { setTimeout as sleep } from 'node:timers/promises';
import { DefinitionStep, PipelineDefinition } from './definition';
import { Logger } from './log';
import { PipelineMetrics } from './pipeline-metrics';
import { Lease, RunError, RunOutcome, RunStore, StepMeta } from './run-store';
import { callStep, CallOutcome } from './step-call';
import { runResult, stepInput } from './step-io';

/** The part of a stored run its execution needs. */
export interface RunToExecute {
  readonly id: string;
  readonly input: string;
  readonly createdAt: number;
  readonly deadlineAt: number;
  /** Responses of steps a previous worker finished: they are not called again. */
  readonly responses: Readonly<Record<string, string>>;
}

export interface ExecutionSettings {
  readonly maxResponseBytes: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly leaseMs: number;
}

/** Why an execution stopped without finishing its run. */
export type StopReason = 'lost' | 'ended-elsewhere' | 'shutdown';
export type ExecutionEnd = { readonly kind: 'finished'; readonly state: 'succeeded' | 'failed' } | { readonly kind: 'stopped'; readonly reason: StopReason };

type StepResult = { kind: 'ok'; body: string; meta: StepMeta } | { kind: 'fail'; error: RunError; meta: StepMeta } | { kind: 'aborted' };

/**
 * One worker's attempt at one run: calls every step whose dependencies have answered, side by
 * side, saves each response under the lease before starting the steps that take it, and
 * finishes the run. Stops without writing when the lease is lost, the run ended elsewhere
 * (cancelled) or the replica shuts down; whoever claims the run next starts from the saved steps.
 */
export class RunExecution {
  /** The run's stop: set by the worker (lease lost, cancelled, shutdown). */
  private stopReason?: StopReason;
  /** Stops the calls in flight: the run's stop, a failed step or the deadline. */
  private readonly calls = new AbortController();
  /** True from the moment the final write is sent: the run's own "finished" event must not stop it. */
  public finishing = false;
  /** Local time of the last write or renewal Redis accepted under the lease. */
  public leaseConfirmedAt = Date.now();

  constructor(
    private readonly store: RunStore,
    private readonly definition: PipelineDefinition,
    private readonly settings: ExecutionSettings,
    private readonly metrics: PipelineMetrics,
    private readonly log: Logger,
    public readonly lease: Lease,
    private readonly run: RunToExecute,
  ) {}

  stop(reason: StopReason): void {
    if (this.stopReason !== undefined || this.finishing) return;
    this.stopReason = reason;
    this.calls.abort();
  }

  async execute(): Promise<ExecutionEnd> {
    const responses = new Map(Object.entries(this.run.responses));
    const deadline = setTimeout(() => this.calls.abort(), Math.max(0, this.run.deadlineAt - Date.now()));
    try {
      const failure = await this.runSteps(responses);
      if (this.stopReason !== undefined) return { kind: 'stopped', reason: this.stopReason };
      if (failure) return this.finish({ state: 'failed', error: failure.error, step: { name: failure.error.step!, meta: failure.meta } });
      if (this.definition.steps.every((s) => responses.has(s.name))) return this.finish({ state: 'succeeded', result: runResult(this.definition, responses) });
      // Steps stop early for three reasons: a stop, a failure (both handled above) and the deadline.
      const waiting = this.definition.steps.filter((s) => !responses.has(s.name)).map((s) => s.name);
      const message = `timed out: the pipeline's timeoutSeconds (${this.definition.timeoutSeconds}) passed before ${waiting.join(', ')} answered`;
      return this.finish({ state: 'failed', error: { message } });
    } finally {
      clearTimeout(deadline);
    }
  }

  /** Runs the steps to the end; returns the failure that ended them, if one did. */
  private async runSteps(responses: Map<string, string>): Promise<{ error: RunError; meta: StepMeta } | undefined> {
    const running = new Map<string, Promise<void>>();
    let failure: { error: RunError; meta: StepMeta } | undefined;
    const pending = this.definition.steps.filter((s) => !responses.has(s.name));
    for (;;) {
      if (!failure && !this.calls.signal.aborted) {
        for (const step of pending.filter((s) => !running.has(s.name) && s.dependsOn.every((d) => responses.has(d)))) {
          running.set(step.name, this.runStep(step, responses).then(async (r) => {
            if (r.kind === 'ok') {
              if (await this.save(step.name, r.body, r.meta)) responses.set(step.name, r.body);
              else this.stop('lost');
            } else if (r.kind === 'fail' && !failure) {
              failure = { error: r.error, meta: r.meta };
              this.calls.abort();
            }
            running.delete(step.name);
            pending.splice(pending.indexOf(step), 1);
          }));
        }
      }
      if (running.size === 0) return failure;
      await Promise.race(running.values());
    }
  }

  private async runStep(step: DefinitionStep, responses: ReadonlyMap<string, string>): Promise<StepResult> {
    const body = stepInput(step, this.run.input, responses);
    const startedAt = Date.now();
    const labels = { pipeline: this.definition.name, step: step.name };
    for (let attempt = 1; ; attempt++) {
      const timeoutMs = Math.min(step.timeoutSeconds * 1000, this.run.deadlineAt - Date.now());
      if (timeoutMs <= 0 || this.calls.signal.aborted) return { kind: 'aborted' };
      const began = performance.now();
      const outcome = await this.call(step, body, timeoutMs);
      const last = outcome.kind !== 'retry' || attempt > step.retries;
      if (outcome.kind !== 'aborted') {
        const label = outcome.kind === 'ok' ? 'ok' : last ? 'failed' : 'retried';
        this.metrics.stepDuration.observe({ ...labels, outcome: label }, (performance.now() - began) / 1000);
      }
      const meta = (state: StepMeta['state'], error?: string): StepMeta => ({ state, attempts: attempt, startedAt, finishedAt: Date.now(), error });
      if (outcome.kind === 'ok') return { kind: 'ok', body: outcome.body, meta: meta('succeeded') };
      if (outcome.kind === 'aborted') return { kind: 'aborted' };
      if (last) {
        const tries = attempt === 1 ? '' : ` (after ${attempt} attempts)`;
        const message = `step ${step.name} (${step.url}) ${outcome.message}${tries}`;
        this.log.warn('step failed', { step: step.name, attempts: attempt, status: outcome.status, error: outcome.message });
        return { kind: 'fail', error: { message, step: step.name, status: outcome.status }, meta: meta('failed', outcome.message) };
      }
      this.metrics.stepRetries.inc({ ...labels, reason: outcome.reason });
      this.log.info('step retried', { step: step.name, attempt, reason: outcome.reason, error: outcome.message });
      if (!(await this.backoff(attempt, outcome.retryAfterMs))) return { kind: 'aborted' };
    }
  }

  private call(step: DefinitionStep, body: string, timeoutMs: number): Promise<CallOutcome> {
    return callStep({
      url: step.url,
      body,
      timeoutMs,
      maxResponseBytes: this.settings.maxResponseBytes,
      retryStatuses: this.definition.retryOn.statuses,
      signal: this.calls.signal,
      headers: {
        // The same key on every attempt and after a takeover: a service that remembers keys can
        // answer a repeated call without running the model again.
        'idempotency-key': `${this.run.id}/${step.name}`,
        'x-modelserve-pipeline': this.definition.name,
        'x-modelserve-run-id': this.run.id,
        'x-modelserve-step': step.name,
      },
    });
  }

  /** Exponential backoff with full jitter, or the service's Retry-After; false when stopped meanwhile. */
  private async backoff(attempt: number, retryAfterMs: number | undefined): Promise<boolean> {
    const exp = Math.min(this.settings.retryMaxMs, this.settings.retryBaseMs * 2 ** (attempt - 1));
    const wait = Math.min(retryAfterMs ?? Math.random() * exp, this.settings.retryMaxMs, Math.max(0, this.run.deadlineAt - Date.now()));
    try {
      await sleep(wait, undefined, { signal: this.calls.signal });
      return true;
    } catch {
      return false;
    }
  }

  private save(step: string, body: string, meta: StepMeta): Promise<boolean> {
    return this.underLease(() => this.store.saveStep(this.lease, step, body, meta));
  }

  private async finish(outcome: RunOutcome): Promise<ExecutionEnd> {
    this.finishing = true;
    const done = await this.underLease(() => this.store.finish(this.lease, outcome));
    if (!done) return { kind: 'stopped', reason: this.stopReason ?? 'lost' };
    return { kind: 'finished', state: outcome.state };
  }

  /**
   * A write under the lease, retried while Redis is unreachable for as long as the lease may
   * still be ours; false once it is not (another worker may hold the run by then).
   */
  private async underLease(write: () => Promise<boolean>): Promise<boolean> {
    for (;;) {
      try {
        const ok = await write();
        if (ok) this.leaseConfirmedAt = Date.now();
        return ok;
      } catch (e) {
        if (Date.now() - this.leaseConfirmedAt > this.settings.leaseMs * 0.8) {
          this.log.warn('run handed over: Redis unreachable for most of the lease', { error: (e as Error).message });
          return false;
        }
        await sleep(100);
      }
    }
  }
}
