import { createHash, timingSafeEqual } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Config } from './config';
import { PipelineDefinition } from './definition';
import { ApiError, readJsonBody } from './http-body';
import { Logger } from './log';
import { PipelineMetrics } from './pipeline-metrics';
import { FINISHED_STATES, isRunId, RunStore, sha256, StoredRun } from './run-store';
import { runSummary, runView } from './run-view';
import { RunWaiters } from './run-waiters';
import { Worker } from './worker';

export interface ApiDeps {
  readonly config: Config;
  readonly definition: PipelineDefinition;
  readonly store: RunStore;
  readonly worker: Worker;
  readonly waiters: RunWaiters;
  readonly metrics: PipelineMetrics;
  readonly log: Logger;
  /** Why the replica cannot take runs now (Redis down, shutting down), or nothing when it can. */
  readonly unhealthy: () => Promise<string | undefined>;
  /** False once the replica shuts down: no new run, and waiting clients get the state as it is. */
  readonly accepting: () => boolean;
}

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The REST API. Every answer is JSON; every refusal a 4xx with `{"error": {"code", "message"}}`
 * whose message says what to send instead; Redis trouble a 503 with Retry-After. Nothing a
 * client sends can throw past `handle`.
 */
export function createApi(deps: ApiDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { config, metrics } = deps;
  const tokenDigest = config.apiToken === undefined ? undefined : digest(config.apiToken);
  return (req, res) => {
    const started = Date.now();
    let route = 'unknown';
    void (async (): Promise<Reply> => {
      const url = new URL(req.url ?? '/', 'http://orchestrator');
      const path = url.pathname;
      if (req.method === 'GET' && path === config.livenessPath) return (route = 'liveness', json(200, { status: 'alive' }));
      if (req.method === 'GET' && path === config.healthPath) return (route = 'health', health(deps));
      if (req.method === 'GET' && path === '/metrics') {
        route = 'metrics';
        await deps.worker.refreshGauges();
        return { status: 200, body: metrics.render(), headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' } };
      }
      if (!path.startsWith('/v1/')) throw new ApiError(404, 'not_found', `no such path ${path}; the API is under /v1/runs`);
      if (tokenDigest !== undefined) authenticate(req, tokenDigest);
      const match = matchRoute(req.method ?? 'GET', path);
      route = match.route;
      return match.handler(deps, req, url, match.params);
    })()
      .catch((e: unknown) => errorReply(e, deps.log, route))
      .then((reply) => {
        metrics.httpRequests.inc({ route, code: String(reply.status) });
        if (res.headersSent || res.destroyed) return;
        res.writeHead(reply.status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...reply.headers });
        res.end(reply.body);
        if (reply.status >= 500) deps.log.warn('request failed', { route, status: reply.status, ms: Date.now() - started });
      });
  };
}

type Handler = (deps: ApiDeps, req: IncomingMessage, url: URL, params: Readonly<Record<string, string>>) => Promise<Reply>;

function matchRoute(method: string, path: string): { route: string; handler: Handler; params: Record<string, string> } {
  let parts: string[];
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new ApiError(400, 'bad_path', `the path ${path} has a broken %-escape`);
  }
  const routes: Array<[string, string[], Handler]> = [
    ['POST', ['v1', 'runs'], createRun],
    ['GET', ['v1', 'runs'], listRuns],
    ['GET', ['v1', 'runs', ':id'], getRun],
    ['POST', ['v1', 'runs', ':id', 'cancel'], cancelRun],
    ['GET', ['v1', 'runs', ':id', 'steps', ':step'], getStep],
    ['GET', ['v1', 'pipeline'], getPipeline],
  ];
  const shaped = routes.filter(([, pattern]) => pattern.length === parts.length && pattern.every((p, i) => p.startsWith(':') || p === parts[i]));
  if (shaped.length === 0) throw new ApiError(404, 'not_found', `no such path ${path}; see GET /v1/pipeline, POST /v1/runs, GET /v1/runs/{id}`);
  const found = shaped.find(([m]) => m === method);
  if (!found) {
    const allow = shaped.map(([m]) => m).join(', ');
    throw new ApiError(405, 'method_not_allowed', `${method} is not allowed on ${path}; use ${allow}`, { allow });
  }
  const [m, pattern, handler] = found;
  const params: Record<string, string> = {};
  pattern.forEach((p, i) => {
    if (p.startsWith(':')) params[p.slice(1)] = parts[i];
  });
  return { route: `${m} /${pattern.join('/')}`, handler, params };
}

async function createRun(deps: ApiDeps, req: IncomingMessage, url: URL): Promise<Reply> {
  const { store, worker, config, definition, metrics } = deps;
  const waitMs = waitParameter(url, definition);
  const key = req.headers['idempotency-key'];
  if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
    throw new ApiError(400, 'bad_idempotency_key', 'Idempotency-Key must be 1 to 255 printable ASCII characters without spaces, e.g. a UUID');
  }
  const input = await readJsonBody(req, config.maxInputBytes);
  if (!deps.accepting()) throw new ApiError(503, 'shutting_down', 'this replica is shutting down; retry, another replica takes the run', { 'retry-after': '1', connection: 'close' });
  const owner = worker.hasCapacity ? config.instanceId : undefined;
  const outcome = await store.create({ input, idempotencyKey: key, owner });
  if (outcome.kind === 'full') {
    throw new ApiError(503, 'too_many_runs', `${outcome.unfinished} runs are unfinished (PIPELINE_MAX_UNFINISHED_RUNS ${config.maxUnfinishedRuns}); retry later`, { 'retry-after': '5' });
  }
  if (outcome.kind === 'exists') {
    const existing = await store.get(outcome.id);
    if (existing === undefined) throw new ApiError(503, 'unavailable', 'the run of this Idempotency-Key expired while it was read; retry', { 'retry-after': '1' });
    if (existing.inputSha !== sha256(input)) {
      throw new ApiError(422, 'idempotency_key_reused', `Idempotency-Key ${key} belongs to run ${existing.id}, started with a different input; use a new key for a new input`);
    }
    return runReply(deps, waitMs > 0 ? await waitForEnd(deps, existing.id, waitMs) ?? existing : existing, 200, waitMs > 0);
  }
  metrics.runsCreated.inc({ pipeline: definition.name });
  const createdAt = outcome.createdAt;
  if (owner !== undefined) {
    worker.adopt({ id: outcome.id, fence: '1', claims: 1 }, { id: outcome.id, input, createdAt, deadlineAt: createdAt + definition.timeoutSeconds * 1000, responses: {} });
  }
  const location = { location: `/v1/runs/${outcome.id}` };
  if (!outcome.confirmed) {
    throw new ApiError(503, 'not_replicated', `run ${outcome.id} is stored on the Redis primary but no replica confirmed it within REDIS_WAIT_TIMEOUT_MS; `
      + 'it runs, but a failover now could lose it: retry with the same Idempotency-Key to get it', { ...location, 'retry-after': '1' });
  }
  // A run created a moment ago has not ended: wait first, read after.
  const run = waitMs > 0 ? await waitForEnd(deps, outcome.id, waitMs, true) : await store.get(outcome.id);
  if (run === undefined) return json(201, { id: outcome.id, state: owner ? 'running' : 'queued' }, location);
  return runReply(deps, run, 201, waitMs > 0, location);
}

function runReply(deps: ApiDeps, run: StoredRun, status: number, waited: boolean, headers: Record<string, string> = {}): Reply {
  // A wait that ended before the run did answers 202: the client polls the Location.
  const unfinished = waited && !FINISHED_STATES.includes(run.state);
  return { status: unfinished ? 202 : status, body: runView(run, deps.definition, { withResult: true }), headers: { location: `/v1/runs/${run.id}`, ...headers } };
}

async function getRun(deps: ApiDeps, _req: IncomingMessage, url: URL, params: Readonly<Record<string, string>>): Promise<Reply> {
  const waitMs = waitParameter(url, deps.definition);
  const run = waitMs > 0 ? await waitForEnd(deps, params.id, waitMs) : await deps.store.get(params.id);
  if (run === undefined) throw notFound(params.id, deps);
  return { status: 200, body: runView(run, deps.definition, { withResult: true }) };
}

async function listRuns(deps: ApiDeps, _req: IncomingMessage, url: URL): Promise<Reply> {
  const limitText = url.searchParams.get('limit') ?? '20';
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > 100) throw new ApiError(400, 'bad_limit', `limit (${limitText}) must be a whole number from 1 to 100`);
  const after = url.searchParams.get('after') ?? undefined;
  if (after !== undefined && !isRunId(after)) throw new ApiError(400, 'bad_cursor', `after (${after}) is not a run id; pass the "next" value of the previous page`);
  const page = await deps.store.list(limit, after);
  return json(200, { runs: page.runs.map(runSummary), ...(page.next ? { next: page.next } : {}) });
}

async function cancelRun(deps: ApiDeps, _req: IncomingMessage, _url: URL, params: Readonly<Record<string, string>>): Promise<Reply> {
  const outcome = await deps.store.cancel(params.id, 'by an API request');
  if (outcome.kind === 'missing') throw notFound(params.id, deps);
  if (outcome.kind === 'finished') throw new ApiError(409, 'run_finished', `run ${params.id} already ${outcome.state}; only a queued or running run can be cancelled`);
  deps.metrics.runsFinished.inc({ pipeline: deps.definition.name, state: 'cancelled' });
  deps.worker.onRunEnded(params.id);
  deps.waiters.notify(params.id);
  deps.log.info('run cancelled', { runId: params.id });
  const run = await deps.store.get(params.id);
  return { status: 200, body: run ? runView(run, deps.definition, { withResult: false }) : JSON.stringify({ id: params.id, state: 'cancelled' }) };
}

async function getStep(deps: ApiDeps, _req: IncomingMessage, _url: URL, params: Readonly<Record<string, string>>): Promise<Reply> {
  if (!deps.definition.steps.some((s) => s.name === params.step)) {
    throw new ApiError(404, 'no_such_step', `pipeline ${deps.definition.name} has no step ${params.step}; its steps are ${deps.definition.steps.map((s) => s.name).join(', ')}`);
  }
  const run = await deps.store.get(params.id);
  if (run === undefined) throw notFound(params.id, deps);
  const meta = run.steps[params.step];
  const response = run.responses[params.step];
  const head = JSON.stringify({ run: run.id, step: params.step, ...(meta ?? { state: 'pending' }) });
  return { status: 200, body: response === undefined ? head : `${head.slice(0, -1)},"response":${response}}` };
}

async function getPipeline(deps: ApiDeps): Promise<Reply> {
  return json(200, deps.definition);
}

async function health(deps: ApiDeps): Promise<Reply> {
  const problem = await deps.unhealthy();
  return problem === undefined ? json(200, { status: 'ready', pipeline: deps.definition.name }) : json(503, { status: 'unready', reason: problem });
}

/** `wait=true` (up to the pipeline's timeout and 5 s more) or `wait=<seconds>`; 0 when absent. */
function waitParameter(url: URL, definition: PipelineDefinition): number {
  const raw = url.searchParams.get('wait');
  if (raw === null || raw === 'false') return 0;
  const cap = (definition.timeoutSeconds + 5) * 1000;
  if (raw === 'true' || raw === '') return cap;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new ApiError(400, 'bad_wait', `wait (${raw}) must be true, false or whole seconds from 1`);
  return Math.min(Number(raw) * 1000, cap);
}

async function waitForEnd(deps: ApiDeps, id: string, ms: number, justCreated = false): Promise<StoredRun | undefined> {
  const until = Date.now() + ms;
  if (justCreated) await deps.waiters.wait(id, Math.min(2000, ms));
  for (;;) {
    const run = await deps.store.get(id);
    if (run === undefined || FINISHED_STATES.includes(run.state) || Date.now() >= until || !deps.accepting()) return run;
    await deps.waiters.wait(id, Math.min(2000, until - Date.now()));
  }
}

function notFound(id: string, deps: ApiDeps): ApiError {
  const ttl = deps.config.resultTtlSeconds ?? deps.definition.resultTtlSeconds;
  return new ApiError(404, 'no_such_run', `run ${id} does not exist or expired (finished runs are kept ${ttl} s)`);
}

function authenticate(req: IncomingMessage, expected: Buffer): void {
  const header = req.headers.authorization;
  const challenge = { 'www-authenticate': 'Bearer realm="pipeline"' };
  if (header === undefined) throw new ApiError(401, 'unauthenticated', 'this orchestrator needs Authorization: Bearer <token> (PIPELINE_API_TOKEN)', challenge);
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  // Digests of equal length let timingSafeEqual compare without leaking the token's length.
  if (token === undefined || !timingSafeEqual(digest(token), expected)) {
    throw new ApiError(401, 'unauthenticated', 'the bearer token is not this orchestrator\'s', { 'www-authenticate': 'Bearer realm="pipeline", error="invalid_token"' });
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, body: JSON.stringify(value), headers };
}

function errorReply(e: unknown, log: Logger, route: string): Reply {
  if (e instanceof ApiError) return json(e.status, { error: { code: e.code, message: e.message } }, { ...e.headers });
  const err = e as Error;
  // Redis down or slow: the client may retry; nothing was half-done that a retry could double
  // (a run is created in one script, and an Idempotency-Key makes the retry find it).
  if (/Redis|ECONN|socket|closed|offline|NOSCRIPT|LOADING|READONLY|MASTERDOWN/i.test(`${err.name} ${err.message}`)) {
    log.warn('redis unavailable for a request', { route, error: err.message });
    return json(503, { error: { code: 'redis_unavailable', message: `Redis is unavailable (${err.message}); retry` } }, { 'retry-after': '1' });
  }
  log.error('request crashed', { route, error: err.message, stack: err.stack });
  return json(500, { error: { code: 'internal', message: 'the orchestrator failed on this request; see its logs' } });
}
