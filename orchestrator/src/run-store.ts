import { createHash, randomBytes } from 'node:crypto';
import { RedisConnection, RedisReply } from './redis-connection';
import { ReplicaBarrier } from './replica-barrier';
import { CANCEL_RUN, CLAIM_RUN, CLAIMABLE_RUNS, CREATE_RUN, FINISH_RUN, RELEASE_RUN, RENEW_LEASE, SAVE_STEP } from './run-scripts';

export type RunState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export const FINISHED_STATES: readonly RunState[] = ['succeeded', 'failed', 'cancelled'];

/** What went wrong with a run, as the API shows it. */
export interface RunError {
  readonly message: string;
  readonly step?: string;
  /** The step's HTTP status, when it answered. */
  readonly status?: number;
}

/** A step's record: kept beside its response once it succeeded, or alone when it failed the run. */
export interface StepMeta {
  readonly state: 'succeeded' | 'failed';
  readonly attempts: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly error?: string;
}

export interface StoredRun {
  readonly id: string;
  readonly pipeline: string;
  readonly state: RunState;
  /** The input, as the JSON text the client sent. */
  readonly input: string;
  readonly inputSha: string;
  readonly idempotencyKey?: string;
  readonly createdAt: number;
  readonly deadlineAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly owner?: string;
  readonly fence: number;
  readonly claims: number;
  /** The result as JSON text, once succeeded. */
  readonly result?: string;
  readonly error?: RunError;
  /** Responses of the steps that succeeded, as JSON text. */
  readonly responses: Readonly<Record<string, string>>;
  readonly steps: Readonly<Record<string, StepMeta>>;
}

export type CreateOutcome =
  | { readonly kind: 'created'; readonly id: string; readonly createdAt: number; readonly confirmed: boolean }
  | { readonly kind: 'exists'; readonly id: string }
  | { readonly kind: 'full'; readonly unfinished: number };

export type CancelOutcome = { readonly kind: 'cancelled' } | { readonly kind: 'finished'; readonly state: RunState } | { readonly kind: 'missing' };

/** How a worker ends a run: its result, or the error (and the step that failed, with its record). */
export type RunOutcome =
  | { readonly state: 'succeeded'; readonly result: string }
  | { readonly state: 'failed'; readonly error: RunError; readonly step?: { readonly name: string; readonly meta: StepMeta } };

/** A lease on a run: the fence every later write of this worker must carry. */
export interface Lease {
  readonly id: string;
  readonly fence: string;
  /** 1 when this claim is the run's first. */
  readonly claims: number;
}

export interface NewRun {
  readonly input: string;
  readonly idempotencyKey?: string;
  /** Claim the run for this worker at once (it has capacity), or leave it queued. */
  readonly owner?: string;
}

export interface RunStoreOptions {
  readonly keyPrefix: string;
  readonly pipeline: string;
  readonly timeoutMs: number;
  readonly resultTtlMs: number;
  readonly leaseMs: number;
  readonly maxUnfinishedRuns: number;
  readonly maxClaims: number;
}

/**
 * Runs and their step results in Redis. Every method is one round trip (a script or a read);
 * the writes a client or a later worker relies on (a new run, a step's response, a run's end)
 * are confirmed by the replica barrier before they count as stored.
 */
export class RunStore {
  public readonly eventsChannel: string;
  private readonly leases: string;
  private readonly index: string;

  constructor(
    private readonly redis: RedisConnection,
    private readonly barrier: ReplicaBarrier,
    private readonly o: RunStoreOptions,
  ) {
    this.leases = `${o.keyPrefix}leases`;
    this.index = `${o.keyPrefix}runs`;
    this.eventsChannel = `${o.keyPrefix}events`;
  }

  private runKey(id: string): string {
    return `${this.o.keyPrefix}run:${id}`;
  }

  private stepsKey(id: string): string {
    return `${this.o.keyPrefix}run:${id}:steps`;
  }

  async create(run: NewRun): Promise<CreateOutcome> {
    const id = newRunId();
    const inputSha = sha256(run.input);
    const keys = [this.runKey(id), this.leases, this.index];
    if (run.idempotencyKey !== undefined) keys.push(`${this.o.keyPrefix}idem:${sha256(run.idempotencyKey)}`);
    const reply = await CREATE_RUN.run<string[]>(this.redis, keys, [
      id, this.o.pipeline, run.input, inputSha, run.idempotencyKey ?? '', this.o.timeoutMs, run.owner ?? '', this.o.leaseMs,
      this.o.maxUnfinishedRuns, this.o.timeoutMs + this.o.resultTtlMs, this.o.keyPrefix,
    ]);
    if (reply[0] === 'exists') return { kind: 'exists', id: reply[1] };
    if (reply[0] === 'full') return { kind: 'full', unfinished: Number(reply[1]) };
    const confirmed = await this.barrier.confirm();
    return { kind: 'created', id, createdAt: Number(reply[2]), confirmed };
  }

  async get(id: string): Promise<StoredRun | undefined> {
    if (!isRunId(id)) return undefined;
    const [run, steps] = await Promise.all([
      this.redis.command<string[]>(['HGETALL', this.runKey(id)]),
      this.redis.command<string[]>(['HGETALL', this.stepsKey(id)]),
    ]);
    if (run.length === 0) return undefined;
    return toStoredRun(pairs(run), pairs(steps));
  }

  /** Newest first; `after` is the last id of the previous page. Runs that expired meanwhile are skipped. */
  async list(limit: number, after?: string): Promise<{ readonly runs: StoredRun[]; readonly next?: string }> {
    const start = after !== undefined && isRunId(after) ? `(${after}` : '+';
    const ids = await this.redis.command<string[]>(['ZRANGE', this.index, start, '-', 'BYLEX', 'REV', 'LIMIT', '0', String(limit)]);
    const found = await Promise.all(ids.map((id) => this.get(id)));
    const gone = ids.filter((_, i) => found[i] === undefined);
    if (gone.length > 0) await this.redis.command(['ZREM', this.index, ...gone]);
    return { runs: found.filter((r): r is StoredRun => r !== undefined), next: ids.length === limit ? ids[ids.length - 1] : undefined };
  }

  async cancel(id: string, reason: string): Promise<CancelOutcome> {
    if (!isRunId(id)) return { kind: 'missing' };
    const error: RunError = { message: `cancelled: ${reason}` };
    const keys = [this.runKey(id), this.stepsKey(id), this.leases];
    const reply = await CANCEL_RUN.run<string[]>(this.redis, keys, [id, JSON.stringify(error), this.o.resultTtlMs, this.eventsChannel]);
    if (reply[0] === 'cancelled') await this.barrier.confirm();
    if (reply[0] === 'finished') return { kind: 'finished', state: reply[1] as RunState };
    return reply[0] === 'missing' ? { kind: 'missing' } : { kind: 'cancelled' };
  }

  /** Runs no worker holds (queued, or whose lease expired): how many, how many unfinished, and some ids. */
  async claimable(limit: number): Promise<{ readonly waiting: number; readonly unfinished: number; readonly ids: string[] }> {
    const reply = await CLAIMABLE_RUNS.run<RedisReply[]>(this.redis, [this.leases], [limit]);
    return { waiting: Number(reply[0]), unfinished: Number(reply[1]), ids: reply.slice(2) as string[] };
  }

  /** Takes a run whose lease is free; undefined when another worker was first or it has finished. */
  async claim(id: string, owner: string): Promise<Lease | 'abandoned' | undefined> {
    const error: RunError = { message: `abandoned: ${this.o.maxClaims} workers stopped while running it (see the logs for this runId); it was not resumed again` };
    const reply = await CLAIM_RUN.run<string[]>(this.redis, [this.leases, this.runKey(id), this.stepsKey(id)], [
      id, owner, this.o.leaseMs, this.o.maxClaims, this.o.resultTtlMs, this.eventsChannel, JSON.stringify(error),
    ]);
    if (reply[0] === 'abandoned') return 'abandoned';
    return reply[0] === 'claimed' ? { id, fence: reply[1], claims: Number(reply[2]) } : undefined;
  }

  /** False once the lease is no longer this worker's (taken over, cancelled, finished). */
  async renew(lease: Lease): Promise<boolean> {
    return (await RENEW_LEASE.run<number>(this.redis, [this.leases, this.runKey(lease.id)], [lease.id, lease.fence, this.o.leaseMs])) === 1;
  }

  async saveStep(lease: Lease, step: string, response: string, meta: StepMeta): Promise<boolean> {
    const saved = await SAVE_STEP.run<number>(this.redis, [this.runKey(lease.id), this.stepsKey(lease.id), this.leases], [
      lease.id, lease.fence, step, response, JSON.stringify(meta), this.o.leaseMs,
    ]);
    if (saved === 1) await this.barrier.confirm();
    return saved === 1;
  }

  async finish(lease: Lease, outcome: RunOutcome): Promise<boolean> {
    const args = outcome.state === 'succeeded'
      ? ['succeeded', outcome.result, '', '', '']
      : ['failed', '', JSON.stringify(outcome.error), outcome.step?.name ?? '', outcome.step ? JSON.stringify(outcome.step.meta) : ''];
    const [state, result, error, step, stepMeta] = args;
    const done = await FINISH_RUN.run<number>(this.redis, [this.runKey(lease.id), this.stepsKey(lease.id), this.leases], [
      lease.id, lease.fence, state, result, error, this.o.resultTtlMs, this.eventsChannel, step, stepMeta,
    ]);
    if (done === 1) await this.barrier.confirm();
    return done === 1;
  }

  /**
   * Drops from the listing index the runs created more than `ageMs` ago: their keys have expired
   * (finished runs live `resultTtlSeconds` after their end, which is at most the pipeline's timeout
   * after their start), and ids sort by creation time. Returns how many were dropped.
   */
  async trimIndex(ageMs: number, now = Date.now()): Promise<number> {
    const cutoff = newRunId(now - ageMs).slice(0, 10);
    return this.redis.command<number>(['ZREMRANGEBYLEX', this.index, '-', `(${cutoff}`]);
  }

  /** Hands a run back so that another worker claims it at once (shutdown). */
  async release(lease: Lease): Promise<boolean> {
    return (await RELEASE_RUN.run<number>(this.redis, [this.leases, this.runKey(lease.id)], [lease.id, lease.fence])) === 1;
  }
}

function pairs(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}

function toStoredRun(h: Record<string, string>, stepFields: Record<string, string>): StoredRun {
  const responses: Record<string, string> = {};
  const steps: Record<string, StepMeta> = {};
  for (const [field, value] of Object.entries(stepFields)) {
    if (field.endsWith(':meta')) steps[field.slice(0, -5)] = JSON.parse(value) as StepMeta;
    else responses[field] = value;
  }
  const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
  return {
    id: h.id,
    pipeline: h.pipeline,
    state: h.state as RunState,
    input: h.input,
    inputSha: h.inputSha,
    idempotencyKey: h.idempotencyKey,
    createdAt: Number(h.createdAt),
    deadlineAt: Number(h.deadlineAt),
    startedAt: num(h.startedAt),
    finishedAt: num(h.finishedAt),
    owner: h.owner || undefined,
    fence: Number(h.fence ?? 0),
    claims: Number(h.claims ?? 0),
    result: h.result,
    error: h.error ? (JSON.parse(h.error) as RunError) : undefined,
    responses,
    steps,
  };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
const RUN_ID = /^[0-9a-hjkmnp-tv-z]{26}$/;

/**
 * 26 characters of Crockford base32: 10 of milliseconds since 1970, 16 random (80 bits). Sorting
 * ids sorts runs by creation, which is what the listing pages through.
 */
export function newRunId(now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += CROCKFORD[bytes[i] % 32];
  return time + rand;
}

export function isRunId(value: string): boolean {
  return RUN_ID.test(value);
}
