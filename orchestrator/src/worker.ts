import { setTimeout as sleep } from 'node:timers/promises';
import { PipelineDefinition } from './definition';
import { Logger } from './log';
import { PipelineMetrics } from './pipeline-metrics';
import { ExecutionSettings, RunExecution, RunToExecute } from './run-execution';
import { Lease, RunStore } from './run-store';
import { RunWaiters } from './run-waiters';

export interface WorkerSettings extends ExecutionSettings {
  readonly instanceId: string;
  /** The longest a run's keys can live: the pipeline's timeout plus the result TTL. */
  readonly runLifetimeMs: number;
  readonly maxConcurrentRuns: number;
  readonly pollMs: number;
}

/**
 * Executes runs on this replica: the ones its API created with itself as owner, and any run no
 * worker holds, which it claims from Redis (queued over another replica's capacity, or left by
 * a replica that stopped: its lease ran out). It renews the leases of its runs every third of
 * the lease, and stops a run the moment its lease is not its own any more.
 */
export class Worker {
  private readonly active = new Map<string, RunExecution>();
  private readonly done = new Set<Promise<void>>();
  private stopping = false;
  private pollTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  private nextTrim = 0;
  private polling = false;

  constructor(
    private readonly store: RunStore,
    private readonly definition: PipelineDefinition,
    private readonly settings: WorkerSettings,
    private readonly waiters: RunWaiters,
    private readonly metrics: PipelineMetrics,
    private readonly log: Logger,
  ) {}

  get hasCapacity(): boolean {
    return !this.stopping && this.active.size < this.settings.maxConcurrentRuns;
  }

  get activeRuns(): number {
    return this.active.size;
  }

  start(): void {
    const poll = (delay: number) => {
      this.pollTimer = setTimeout(() => void this.poll().finally(() => poll(this.settings.pollMs)), delay);
    };
    poll(0);
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), Math.max(100, Math.floor(this.settings.leaseMs / 3)));
  }

  /** A run this replica's API created and claimed in the same write. */
  adopt(lease: Lease, run: RunToExecute): void {
    this.execute(lease, run);
  }

  /** A run ended in Redis (finished, cancelled, abandoned): stop it here if this replica runs it. */
  onRunEnded(id: string): void {
    this.active.get(id)?.stop('ended-elsewhere');
  }

  /** Claims free runs up to this replica's capacity; also refreshes the queue gauges. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const room = this.stopping ? 0 : this.settings.maxConcurrentRuns - this.active.size;
      const ids = await this.readQueue(room > 0 ? room * 2 : 0);
      await this.trimIndex();
      // Replicas poll the same sorted set: starting at different places spreads their claims.
      for (const id of shuffle(ids)) {
        if (!this.hasCapacity) break;
        if (this.active.has(id)) continue;
        await this.claim(id);
      }
    } catch (e) {
      this.metrics.setRedisUp(false);
      this.log.debug('poll failed', { error: (e as Error).message });
    } finally {
      this.polling = false;
    }
  }

  /** Sets the queue gauges from Redis (the scrape calls it too, so they are never a poll old). */
  async refreshGauges(): Promise<void> {
    try {
      await this.readQueue(0);
    } catch {
      this.metrics.setRedisUp(false);
    }
  }

  private async readQueue(limit: number): Promise<string[]> {
    const { waiting, unfinished, ids } = await this.store.claimable(limit);
    const p = { pipeline: this.definition.name };
    this.metrics.queueDepth.set(p, waiting);
    this.metrics.unfinishedRuns.set(p, unfinished);
    this.metrics.setRedisUp(true);
    return ids;
  }

  /** Once a minute, any replica: the listing index must not grow with every run ever made. */
  private async trimIndex(): Promise<void> {
    if (Date.now() < this.nextTrim) return;
    this.nextTrim = Date.now() + 60_000;
    // A day past the latest a finished run can still exist: the listing only ever skips what is gone.
    const dropped = await this.store.trimIndex(this.settings.runLifetimeMs + 86_400_000);
    if (dropped > 0) this.log.info('listing index trimmed', { dropped });
  }

  private async claim(id: string): Promise<void> {
    const lease = await this.store.claim(id, this.settings.instanceId);
    if (lease === 'abandoned') {
      this.metrics.runsFinished.inc({ pipeline: this.definition.name, state: 'failed' });
      this.log.error('run abandoned: too many workers stopped while running it', { runId: id });
      return;
    }
    if (lease === undefined) return;
    const run = await this.store.get(id);
    if (run === undefined) return;
    this.execute(lease, run);
  }

  private execute(lease: Lease, run: RunToExecute): void {
    const log = this.log.child({ runId: run.id });
    const execution = new RunExecution(this.store, this.definition, this.settings, this.metrics, log, lease, run);
    const p = { pipeline: this.definition.name };
    this.active.set(run.id, execution);
    this.metrics.activeRuns.set(p, this.active.size);
    if (lease.claims === 1) {
      this.metrics.runsStarted.inc(p);
      log.info('run started', { fence: lease.fence });
    } else {
      this.metrics.runsResumed.inc(p);
      log.info('run resumed', { fence: lease.fence, claims: lease.claims, stepsDone: Object.keys(run.responses) });
    }
    const finished = execution.execute().then(
      (end) => {
        if (end.kind === 'finished') {
          this.metrics.runsFinished.inc({ ...p, state: end.state });
          this.metrics.runDuration.observe({ ...p, state: end.state }, (Date.now() - run.createdAt) / 1000);
          log.info('run finished', { state: end.state, durationMs: Date.now() - run.createdAt });
          this.waiters.notify(run.id);
        } else {
          log.info('run stopped here', { reason: end.reason });
        }
        return end.kind === 'stopped' && end.reason === 'shutdown' ? this.handBack(lease) : undefined;
      },
      (e: Error) => log.error('run execution crashed', { error: e.message, stack: e.stack }),
    ).finally(() => {
      this.active.delete(run.id);
      this.metrics.activeRuns.set(p, this.active.size);
      this.done.delete(finished);
    });
    this.done.add(finished);
  }

  private async handBack(lease: Lease): Promise<void> {
    try {
      if (await this.store.release(lease)) this.log.info('run handed back for another replica', { runId: lease.id });
    } catch (e) {
      // Its lease runs out instead; another replica claims it then.
      this.log.warn('could not hand a run back', { runId: lease.id, error: (e as Error).message });
    }
  }

  private async heartbeat(): Promise<void> {
    await Promise.all([...this.active.values()].map(async (execution) => {
      if (execution.finishing) return;
      try {
        if (await this.store.renew(execution.lease)) execution.leaseConfirmedAt = Date.now();
        else execution.stop('lost');
      } catch (e) {
        // Redis unreachable: keep going while the lease may still be ours, stop before it can be another's.
        if (Date.now() - execution.leaseConfirmedAt > this.settings.leaseMs * 0.8) {
          this.log.warn('run stopped here: its lease could not be renewed', { runId: execution.lease.id, error: (e as Error).message });
          execution.stop('lost');
        }
      }
    }));
  }

  /**
   * Stops claiming, lets the runs in flight finish for up to `graceMs`, then stops the rest and
   * hands them back so another replica resumes them without waiting for their leases to expire.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    const deadline = Date.now() + graceMs;
    while (this.active.size > 0 && Date.now() < deadline) await sleep(Math.min(100, Math.max(1, deadline - Date.now())));
    for (const execution of this.active.values()) execution.stop('shutdown');
    await Promise.all([...this.done]);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
  }
}

function shuffle<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
