import { OrchestratorProcess, writeDefinition } from './support/orchestrator-process';
import { contractEnv, documentServices, DOCUMENTS, PATHS, pointedAt } from './support/pipelines';
import { describeWithRedis, RedisServer } from './support/redis-server';
import { answer, StubServices } from './support/stub-services';

/**
 * The fault tests: orchestrators killed (SIGKILL) and paused mid-run, Redis killed and started
 * again from its AOF, several replicas at once. After each, every acknowledged run finishes,
 * and the stubs' counts show that no step whose response was saved is called again and that
 * no run is executed by two workers.
 */
describeWithRedis()('recovery after failures', () => {
  let redis: RedisServer;
  let stubs: StubServices;
  let definitionPath: string;
  let definition: any;
  const started: OrchestratorProcess[] = [];

  beforeEach(async () => {
    redis = await RedisServer.start({ appendfsyncAlways: true });
    stubs = documentServices(await StubServices.start());
    definition = pointedAt(DOCUMENTS, stubs.origin);
    definitionPath = writeDefinition(definition);
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((o) => o.kill()));
    await stubs.stop();
    await redis.stop();
  });

  /** Replicas of one pipeline: the same key prefix, so the same runs. */
  function replicaEnv(extra: Record<string, string> = {}): Record<string, string> {
    return contractEnv(redis, definitionPath, definition, { REDIS_KEY_PREFIX: 'modelserve:test:documents:', PIPELINE_RETRY_BASE_MS: '20', ...extra });
  }

  async function replica(extra: Record<string, string> = {}): Promise<OrchestratorProcess> {
    const o = await OrchestratorProcess.start(replicaEnv(extra));
    started.push(o);
    return o;
  }

  const runKey = (id: string) => `modelserve:test:documents:run:${id}`;

  async function createRuns(o: OrchestratorProcess, count: number, tag: string): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const r = await o.request('POST', '/v1/runs', { page: `${tag}-${i}` });
      expect(r.status).toBe(201);
      ids.push(r.json.id);
    }
    return ids;
  }

  async function waitAllSucceeded(o: OrchestratorProcess, ids: readonly string[]): Promise<any[]> {
    return Promise.all(ids.map(async (id) => {
      const r = await o.request('GET', `/v1/runs/${id}?wait=60`);
      expect(r.json).toMatchObject({ id, state: 'succeeded' });
      return r.json;
    }));
  }

  /** Each step of each run answered exactly once; `resent` steps may have one more call that was dropped unanswered. */
  function expectEachStepAnsweredOnce(ids: readonly string[], resent: readonly string[] = []): void {
    for (const id of ids) {
      for (const step of ['resnet', 'ocr', 'bert-ner']) {
        const calls = stubs.callsOf(id, step);
        expect({ id, step, answered: calls.filter((c) => c.answered).length }).toEqual({ id, step, answered: 1 });
        expect({ id, step, calls: calls.length }).toEqual({ id, step, calls: resent.includes(step) ? 2 : 1 });
      }
    }
  }

  test('an orchestrator killed mid-run: two other replicas resume each of its runs exactly once, from the last saved step', async () => {
    stubs.on(PATHS.ner, () => 'hang');
    const a = await replica({ PIPELINE_LEASE_MS: '1500', PIPELINE_POLL_MS: '100' });
    const ids = await createRuns(a, 10, 'kill');
    await stubs.waitFor(() => stubs.hanging === 10, 'every run to reach NER');

    await a.kill();
    await stubs.waitFor(() => stubs.hanging === 0, 'the killed replica\'s calls to drop');
    documentServices(stubs);
    const [b, c] = await Promise.all([replica({ PIPELINE_LEASE_MS: '1500', PIPELINE_POLL_MS: '100' }), replica({ PIPELINE_LEASE_MS: '1500', PIPELINE_POLL_MS: '100' })]);
    const runs = await waitAllSucceeded(b, ids);

    expect(runs.map((r) => r.result['bert-ner'])).toEqual(ids.map((_, i) => ({ entities: [`text of kill-${i}`] })));
    // resnet and OCR were saved before the kill: never called again. NER was in flight: called
    // again once, answered once.
    expectEachStepAnsweredOnce(ids, ['bert-ner']);
    // Claimed twice each (A at creation, then one of B and C): never by both.
    expect(ids.map((id) => redis.cli('HGET', runKey(id), 'claims'))).toEqual(ids.map(() => '2'));
    const resumed = [...b.logLines, ...c.logLines].filter((l) => l.msg === 'run resumed').map((l) => l.runId);
    expect(resumed.sort()).toEqual([...ids].sort());
    expect(resumed.every((id) => [...b.logLines, ...c.logLines].some((l) => l.msg === 'run resumed' && l.runId === id && [...l.stepsDone].sort().join() === 'ocr,resnet'))).toBe(true);
  });

  test('several replicas share queued runs without ever running one twice', async () => {
    const replicas = await Promise.all([1, 2, 3].map(() => replica({ PIPELINE_MAX_CONCURRENT_RUNS: '2', PIPELINE_POLL_MS: '50' })));
    stubs.on(PATHS.ocr, async (call) => {
      await new Promise((r) => setTimeout(r, 50));
      return { status: 200, body: JSON.stringify({ text: `text of ${JSON.parse(call.body).page}` }) };
    });
    const ids = (await Promise.all(replicas.map((o, k) => createRuns(o, 10, `share-${k}`)))).flat();
    await waitAllSucceeded(replicas[0], ids);

    expectEachStepAnsweredOnce(ids);
    expect(ids.map((id) => redis.cli('HGET', runKey(id), 'claims'))).toEqual(ids.map(() => '1'));
    // More runs than the replicas took at creation: the rest were claimed from the queue.
    const claimed = replicas.map((o) => o.logLines.filter((l) => l.msg === 'run started').length);
    expect(claimed.reduce((a, b) => a + b, 0)).toBe(30);
  });

  test('Redis killed (kill -9) and started again from its AOF mid-run: no acknowledged run lost, no step answered twice', async () => {
    stubs.on(PATHS.ner, () => 'hang');
    const o = await replica({ PIPELINE_LEASE_MS: '10000' });
    const ids = await createRuns(o, 8, 'aof');
    await stubs.waitFor(() => stubs.hanging === 8, 'every run to reach NER');

    await redis.kill();
    // While Redis is down no run is acknowledged: the API says so instead of pretending.
    const refused = await o.request('POST', '/v1/runs', { page: 'during-outage' });
    expect(refused.status).toBe(503);
    expect(refused.json.error.code).toBe('redis_unavailable');
    expect((await o.request('GET', '/healthz')).status).toBe(503);
    // NER answers while Redis is down: the orchestrator keeps the responses and saves them once Redis is back.
    documentServices(stubs);
    await stubs.release();
    await redis.start();
    await o.waitUntil(async () => (await o.request('GET', '/healthz')).status === 200, 'healthy again');
    await waitAllSucceeded(o, ids);

    expectEachStepAnsweredOnce(ids);
    expect(ids.map((id) => redis.cli('HGET', runKey(id), 'claims'))).toEqual(ids.map(() => '1'));
  });

  test('orchestrator and Redis both killed: after both start again every acknowledged run finishes from its saved steps', async () => {
    stubs.on(PATHS.ner, () => 'hang');
    const a = await replica({ PIPELINE_LEASE_MS: '1500' });
    const ids = await createRuns(a, 5, 'both');
    await stubs.waitFor(() => stubs.hanging === 5, 'every run to reach NER');
    await a.kill();
    await redis.kill();
    documentServices(stubs);

    await redis.start();
    const b = await replica({ PIPELINE_LEASE_MS: '1500', PIPELINE_POLL_MS: '100' });
    const runs = await waitAllSucceeded(b, ids);
    expect(runs.map((r) => r.result.resnet.page)).toEqual(ids.map((_, i) => `both-${i}`));
    expectEachStepAnsweredOnce(ids, ['bert-ner']);
  });

  test('a paused worker that lost its lease cannot write: the replica that took the run over finishes it', async () => {
    // Each NER answer names its call, so the result shows whose answer was kept.
    let nerCalls = 0;
    stubs.on(PATHS.ner, () => 'hang');
    const a = await replica({ PIPELINE_LEASE_MS: '1500' });
    const [id] = await createRuns(a, 1, 'pause');
    await stubs.waitFor(() => stubs.hanging === 1, 'NER to be called by A');

    a.pause(true);
    const b = await replica({ PIPELINE_LEASE_MS: '1500', PIPELINE_POLL_MS: '100' });
    await stubs.waitFor(() => stubs.callsOf(id, 'bert-ner').length === 2, 'B to take the run over and call NER', 30_000);
    stubs.on(PATHS.ner, () => ({ status: 200, body: JSON.stringify({ answer: ++nerCalls }) }));
    // A's answer is written first, into its socket; A reads it when it wakes up.
    await stubs.release();
    const run = (await b.request('GET', `/v1/runs/${id}?wait=30`)).json;
    a.pause(false);
    await a.waitUntil(() => a.logLines.some((l) => l.msg === 'run stopped here' && l.runId === id), 'A to notice it lost the run');

    expect(run.state).toBe('succeeded');
    // Answer 1 went to A, answer 2 to B: B's is the one kept.
    expect(run.result['bert-ner']).toEqual({ answer: 2 });
    expect(stubs.callsOf(id, 'bert-ner').map((c) => c.answered)).toEqual([true, true]);
    // A stops on whichever it sees first: its refused write or renewal, or B's "finished" event.
    expect(['lost', 'ended-elsewhere']).toContain(a.logLines.find((l) => l.msg === 'run stopped here' && l.runId === id).reason);
    expect(a.logLines.some((l) => l.msg === 'run finished' && l.runId === id)).toBe(false);
    expect(redis.cli('HGET', runKey(id), 'claims')).toBe('2');
    // The stored run is B's to the end: A's late write was refused, so nothing changed after B finished.
    expect((await b.request('GET', `/v1/runs/${id}`)).json.result).toEqual(run.result);
  });

  test('SIGTERM lets runs in flight finish within the grace period and hands the rest back at once', async () => {
    stubs.on(PATHS.ner, () => 'hang');
    // A long lease: a handover within seconds can only come from the hand-back, not from expiry.
    const a = await replica({ PIPELINE_LEASE_MS: '120000', PIPELINE_SHUTDOWN_GRACE_SECONDS: '1' });
    const b = await replica({ PIPELINE_LEASE_MS: '120000', PIPELINE_POLL_MS: '100', PIPELINE_MAX_CONCURRENT_RUNS: '1' });
    // b is kept busy so that a's creations stay with a.
    const [busy] = await createRuns(b, 1, 'busy');
    const ids = await createRuns(a, 3, 'term');
    await stubs.waitFor(() => stubs.hanging === 4, 'every run to reach NER');
    expect((await a.request('GET', `/v1/runs/${busy}`)).json.state).toBe('running');

    stubs.on(PATHS.ner, answer((input) => ({ entities: [input.text] })));
    const exit = a.terminate();
    await stubs.waitFor(() => stubs.hanging === 1, 'a\'s calls to be dropped after its grace period');
    expect(await exit).toBe(0);
    await stubs.release();
    await waitAllSucceeded(b, [busy, ...ids]);
    expect(a.logLines.filter((l) => l.msg === 'run handed back for another replica').map((l) => l.runId).sort()).toEqual([...ids].sort());
    expect(ids.map((id) => redis.cli('HGET', runKey(id), 'released'))).toEqual(['1', '1', '1']);
  });

  test('a run whose workers keep dying is failed after PIPELINE_MAX_CLAIMS, not resumed forever', async () => {
    stubs.on(PATHS.ner, () => 'hang');
    const env = { PIPELINE_LEASE_MS: '1000', PIPELINE_POLL_MS: '100', PIPELINE_MAX_CLAIMS: '2' };
    const a = await replica(env);
    const [id] = await createRuns(a, 1, 'poison');
    await stubs.waitFor(() => stubs.hanging === 1, 'A to call NER');
    await a.kill();
    const b = await replica(env);
    await stubs.waitFor(() => stubs.callsOf(id, 'bert-ner').length === 2, 'B to resume the run', 30_000);
    await b.kill();
    const c = await replica(env);

    const run = (await c.request('GET', `/v1/runs/${id}?wait=30`)).json;
    expect(run.state).toBe('failed');
    expect(run.error.message).toBe('abandoned: 2 workers stopped while running it (see the logs for this runId); it was not resumed again');
    expect(stubs.callsOf(id, 'bert-ner')).toHaveLength(2);
    expect(c.logLines.some((l) => l.msg === 'run abandoned: too many workers stopped while running it' && l.runId === id)).toBe(true);
  });
});
