import { OrchestratorProcess, writeDefinition } from './support/orchestrator-process';
import { contractEnv, documentServices, DOCUMENTS, PATHS, pointedAt } from './support/pipelines';
import { describeWithRedis, RedisServer } from './support/redis-server';
import { answer, StubServices } from './support/stub-services';

describeWithRedis()('the example pipeline against stub services and a real Redis', () => {
  let redis: RedisServer;
  let stubs: StubServices;
  const started: OrchestratorProcess[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start({ appendfsyncAlways: true });
  });
  beforeEach(async () => {
    stubs = documentServices(await StubServices.start());
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((o) => o.kill()));
    await stubs.stop();
  });
  afterAll(async () => {
    await redis.stop();
  });

  /** An orchestrator for the documents pipeline pointed at the stubs, after `change` to its definition. */
  async function orchestrator(change: (d: any) => void = () => undefined, env: Record<string, string> = {}): Promise<OrchestratorProcess> {
    const definition = pointedAt(DOCUMENTS, stubs.origin, change);
    const o = await OrchestratorProcess.start(contractEnv(redis, writeDefinition(definition), definition, { PIPELINE_RETRY_BASE_MS: '20', ...env }));
    started.push(o);
    return o;
  }

  test('a run passes the input to the first stage, OCR\'s text to NER, and answers both outputs keyed by step', async () => {
    const o = await orchestrator();
    const r = await o.request('POST', '/v1/runs?wait=true', { page: 's3://scans/p1.png' });

    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`/v1/runs/${r.json.id}`);
    expect(r.json).toMatchObject({
      pipeline: 'documents',
      state: 'succeeded',
      steps: { resnet: { state: 'succeeded', attempts: 1 }, ocr: { state: 'succeeded', attempts: 1 }, 'bert-ner': { state: 'succeeded', attempts: 1 } },
      result: { resnet: { label: 'invoice', page: 's3://scans/p1.png' }, 'bert-ner': { entities: ['text of s3://scans/p1.png'] } },
    });
    const id = r.json.id;
    expect(JSON.parse(stubs.callsOf(id, 'resnet')[0].body)).toEqual({ page: 's3://scans/p1.png' });
    expect(JSON.parse(stubs.callsOf(id, 'ocr')[0].body)).toEqual({ page: 's3://scans/p1.png' });
    // NER takes OCR's response only (dependsOn: ['ocr']), not the classification.
    expect(JSON.parse(stubs.callsOf(id, 'bert-ner')[0].body)).toEqual({ text: 'text of s3://scans/p1.png' });
    // One call per step, each with the key a service can deduplicate by.
    expect(stubs.calls.map((c) => [c.step, c.idempotencyKey]).sort()).toEqual([['bert-ner', `${id}/bert-ner`], ['ocr', `${id}/ocr`], ['resnet', `${id}/resnet`]]);
  });

  test('the steps of one stage run side by side, and a fan-in receives its dependencies keyed by step', async () => {
    // resnet answers only once OCR has been called for the same run: a one-by-one run would wait forever.
    stubs.on(PATHS.resnet, async (call) => {
      await stubs.waitFor(() => stubs.callsOf(call.runId, 'ocr').length > 0, 'ocr to be called beside resnet', 10_000);
      return { status: 200, body: '{"label":"letter"}' };
    });
    stubs.on('/merge', answer((input) => ({ merged: input })));
    const o = await orchestrator((d) => {
      d.steps.push({ name: 'merge', service: 'merge', method: 'POST', url: `${stubs.origin}/merge`, dependsOn: ['resnet', 'bert-ner'], timeoutSeconds: 10, retries: 0 });
      d.outputs = ['merge'];
    });
    const r = await o.request('POST', '/v1/runs?wait=true', { page: 'p2' });

    expect(r.json.state).toBe('succeeded');
    expect(JSON.parse(stubs.callsOf(r.json.id, 'merge')[0].body)).toEqual({ resnet: { label: 'letter' }, 'bert-ner': { entities: ['text of p2'] } });
    // One output: the result is its response as is.
    expect(r.json.result).toEqual({ merged: { resnet: { label: 'letter' }, 'bert-ner': { entities: ['text of p2'] } } });
  });

  test('without wait a run answers 201 at once, runs in the background, and GET shows its progress and result', async () => {
    stubs.on(PATHS.ner, () => 'hang');
    const o = await orchestrator();
    const created = await o.request('POST', '/v1/runs', { page: 'p3' });
    expect(created.status).toBe(201);
    expect(created.json.state).toBe('running');

    await stubs.waitFor(() => stubs.hanging === 1, 'NER to be called');
    const during = await o.request('GET', `/v1/runs/${created.json.id}`);
    expect(during.json).toMatchObject({ state: 'running', steps: { resnet: { state: 'succeeded' }, ocr: { state: 'succeeded' }, 'bert-ner': { state: 'pending' } } });
    expect(during.json.result).toBeUndefined();

    documentServices(stubs);
    await stubs.release();
    const after = await o.request('GET', `/v1/runs/${created.json.id}?wait=true`);
    expect(after.json.state).toBe('succeeded');
    expect(after.json.result['bert-ner']).toEqual({ entities: ['text of p3'] });
    const step = await o.request('GET', `/v1/runs/${created.json.id}/steps/ocr`);
    expect(step.json).toMatchObject({ run: created.json.id, step: 'ocr', state: 'succeeded', attempts: 1, response: { text: 'text of p3' } });
  });

  test('a step is retried on 503 and on a hang past its timeout, with the same idempotency key each time', async () => {
    stubs.on(PATHS.ocr, (_call, previous) => (previous === 0 ? { status: 503, body: '{"error":"loading"}' } : previous === 1 ? 'hang' : { status: 200, body: '{"text":"late"}' }));
    const o = await orchestrator((d) => {
      d.steps.find((s: any) => s.name === 'ocr').timeoutSeconds = 1;
    });
    const r = await o.request('POST', '/v1/runs?wait=true', { page: 'p4' });

    expect(r.json.state).toBe('succeeded');
    expect(r.json.steps.ocr).toMatchObject({ state: 'succeeded', attempts: 3 });
    const calls = stubs.callsOf(r.json.id, 'ocr');
    expect(calls.map((c) => c.idempotencyKey)).toEqual(Array(3).fill(`${r.json.id}/ocr`));
    expect(calls[1].aborted).toBe(true);
    const metrics = (await o.request('GET', '/metrics')).text;
    expect(metrics).toContain('modelserve_pipeline_step_retries_total{pipeline="documents",step="ocr",reason="status_503"} 1');
    expect(metrics).toContain('modelserve_pipeline_step_retries_total{pipeline="documents",step="ocr",reason="timeout"} 1');
  });

  test('malformed JSON from a step fails the run at once, with the body in the message, and the next step is never called', async () => {
    stubs.on(PATHS.ocr, () => ({ status: 200, body: '{"text": "cut off' }));
    const o = await orchestrator();
    const r = await o.request('POST', '/v1/runs?wait=true', { page: 'p5' });

    expect(r.status).toBe(201);
    expect(r.json.state).toBe('failed');
    expect(r.json.error.step).toBe('ocr');
    expect(r.json.error.message).toMatch(/^step ocr \(http:\/\/127\.0\.0\.1:\d+\/v1\/ocr\) answered 200 with a body that is not JSON \(.+\): \{"text": "cut off$/);
    expect(r.json.steps.ocr).toMatchObject({ state: 'failed', attempts: 1 });
    expect(stubs.callsOf(r.json.id, 'ocr')).toHaveLength(1);
    expect(stubs.callsOf(r.json.id, 'bert-ner')).toHaveLength(0);
    expect(r.json.result).toBeUndefined();
  });

  test('a 400 or a 500 is not retried (the request is wrong, or the definition does not retry it); 502 is, up to the step\'s retries', async () => {
    const o = await orchestrator();
    stubs.on(PATHS.ocr, () => ({ status: 400, body: '{"error":"page must be an s3:// URI"}' }));
    const bad = await o.request('POST', '/v1/runs?wait=true', { page: 'p6' });
    expect(bad.json.error).toMatchObject({ step: 'ocr', status: 400 });
    expect(bad.json.error.message).toContain('answered 400: {"error":"page must be an s3:// URI"}');
    expect(stubs.callsOf(bad.json.id, 'ocr')).toHaveLength(1);

    stubs.on(PATHS.ocr, () => ({ status: 500, body: 'Internal Server Error' }));
    const crash = await o.request('POST', '/v1/runs?wait=true', { page: 'p6' });
    expect(crash.json.error.message).toContain('answered 500: Internal Server Error');
    expect(stubs.callsOf(crash.json.id, 'ocr')).toHaveLength(1);

    stubs.on(PATHS.ocr, () => ({ status: 502, body: '' }));
    const gateway = await o.request('POST', '/v1/runs?wait=true', { page: 'p6' });
    // The example's ocr step has the default 2 retries: 3 calls, then the run fails.
    expect(gateway.json.error.message).toMatch(/answered 502: \(empty body\) \(after 3 attempts\)$/);
    expect(stubs.callsOf(gateway.json.id, 'ocr')).toHaveLength(3);
  });

  test('a service that cannot be reached is retried, then fails the run naming the connection error', async () => {
    const o = await orchestrator((d) => {
      // Port 1 on the loopback: nothing listens, the kernel refuses at once.
      d.steps.find((s: any) => s.name === 'resnet').url = 'http://127.0.0.1:1/v2/models/resnet50/infer';
    });
    const r = await o.request('POST', '/v1/runs?wait=true', { page: 'p7' });
    expect(r.json.state).toBe('failed');
    expect(r.json.error.message).toMatch(/^step resnet \(http:\/\/127\.0\.0\.1:1\/v2\/models\/resnet50\/infer\) connection failed \(ECONNREFUSED\) \(after 3 attempts\)$/);
  });

  test('a run that outlives the pipeline\'s timeout fails, naming the steps that had not answered', async () => {
    stubs.on(PATHS.ner, () => 'hang');
    const o = await orchestrator((d) => {
      d.timeoutSeconds = 2;
    });
    const r = await o.request('POST', '/v1/runs?wait=true', { page: 'p8' });
    expect(r.json.state).toBe('failed');
    expect(r.json.error.message).toBe('timed out: the pipeline\'s timeoutSeconds (2) passed before bert-ner answered');
    await stubs.waitFor(() => stubs.callsOf(r.json.id, 'bert-ner').every((c) => c.aborted), 'the hanging call to be dropped');
  });

  test('an Idempotency-Key makes a repeated POST return the same run, never a second one; another input under it is refused', async () => {
    const o = await orchestrator();
    const headers = { 'idempotency-key': 'order-42' };
    const all = await Promise.all([1, 2, 3].map(() => o.request('POST', '/v1/runs?wait=true', { page: 'p9' }, headers)));
    const ids = new Set(all.map((r) => r.json.id));
    expect(ids.size).toBe(1);
    expect(all.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect(all.every((r) => r.json.state === 'succeeded')).toBe(true);
    const [id] = [...ids];
    expect(stubs.callsOf(id, 'ocr')).toHaveLength(1);

    const later = await o.request('POST', '/v1/runs', { page: 'p9' }, headers);
    expect(later.status).toBe(200);
    expect(later.json).toMatchObject({ id, state: 'succeeded', idempotencyKey: 'order-42' });
    const other = await o.request('POST', '/v1/runs', { page: 'p10' }, headers);
    expect(other.status).toBe(422);
    expect(other.json.error.message).toBe(`Idempotency-Key order-42 belongs to run ${id}, started with a different input; use a new key for a new input`);
    expect(stubs.calls.filter((c) => c.runId !== id)).toHaveLength(0);
  });

  test('cancel stops a running run at once: the call in flight is dropped and no later step is called', async () => {
    stubs.on(PATHS.ocr, () => 'hang');
    const o = await orchestrator();
    const created = await o.request('POST', '/v1/runs', { page: 'p11' });
    await stubs.waitFor(() => stubs.hanging === 1, 'OCR to be called');
    const waiting = o.request('GET', `/v1/runs/${created.json.id}?wait=true`);

    const cancelled = await o.request('POST', `/v1/runs/${created.json.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toMatchObject({ state: 'cancelled', error: { message: 'cancelled: by an API request' } });
    expect((await waiting).json.state).toBe('cancelled');
    await stubs.waitFor(() => stubs.callsOf(created.json.id, 'ocr')[0].aborted, 'the OCR call to be dropped');
    expect(stubs.callsOf(created.json.id, 'bert-ner')).toHaveLength(0);

    const again = await o.request('POST', `/v1/runs/${created.json.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.json.error.message).toBe(`run ${created.json.id} already cancelled; only a queued or running run can be cancelled`);
  });

  test('runs are listed newest first, a page at a time', async () => {
    const o = await orchestrator();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await o.request('POST', '/v1/runs?wait=true', { page: `list-${i}` })).json.id);
    const first = await o.request('GET', '/v1/runs?limit=3');
    expect(first.json.runs.map((r: any) => r.id)).toEqual(ids.slice(2).reverse());
    expect(first.json.runs[0]).toMatchObject({ state: 'succeeded' });
    const second = await o.request('GET', `/v1/runs?limit=3&after=${first.json.next}`);
    expect(second.json.runs.map((r: any) => r.id)).toEqual(ids.slice(0, 2).reverse());
    expect(second.json.next).toBeUndefined();
  });

  test('the listing index forgets runs older than a run can live (timeout + result TTL + a day), and keeps newer ones', async () => {
    const definition = pointedAt(DOCUMENTS, stubs.origin);
    const env = contractEnv(redis, writeDefinition(definition), definition);
    const index = `${env.REDIS_KEY_PREFIX}runs`;
    // Ids begin with their creation time in Crockford base32 (10 characters of milliseconds).
    const idAt = (ms: number) => `${Array.from({ length: 10 }, (_, i) => '0123456789abcdefghjkmnpqrstvwxyz'[Math.floor(ms / 32 ** (9 - i)) % 32]).join('')}${'0'.repeat(16)}`;
    const day = 86_400_000;
    const old = idAt(Date.now() - 3 * day);
    const recent = idAt(Date.now() - day);
    redis.cli('ZADD', index, '0', old, '0', recent);
    const o = await OrchestratorProcess.start(env);
    started.push(o);
    await o.waitUntil(() => o.logLines.some((l) => l.msg === 'listing index trimmed'), 'the index to be trimmed');
    expect(o.logLines.find((l) => l.msg === 'listing index trimmed')).toMatchObject({ dropped: 1 });
    expect(redis.cli('ZRANGE', index, '0', '-1')).toBe(recent);
  });

  test('unknown runs, steps and paths answer 404 with what exists', async () => {
    const o = await orchestrator();
    const run = await o.request('GET', '/v1/runs/01hzzzzzzzzzzzzzzzzzzzzzzz');
    expect(run.status).toBe(404);
    expect(run.json.error.message).toBe('run 01hzzzzzzzzzzzzzzzzzzzzzzz does not exist or expired (finished runs are kept 86400 s)');
    const r = await o.request('POST', '/v1/runs?wait=true', { page: 'p12' });
    const step = await o.request('GET', `/v1/runs/${r.json.id}/steps/summarize`);
    expect(step.status).toBe(404);
    expect(step.json.error.message).toBe('pipeline documents has no step summarize; its steps are resnet, ocr, bert-ner');
    expect((await o.request('GET', '/v2/runs')).status).toBe(404);
    const method = await o.request('DELETE', '/v1/runs');
    expect(method.status).toBe(405);
    expect(method.headers.get('allow')).toBe('POST, GET');
  });
});
