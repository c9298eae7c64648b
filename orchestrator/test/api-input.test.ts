import { request as httpRequest } from 'node:http';
import { OrchestratorProcess, writeDefinition } from './support/orchestrator-process';
import { contractEnv, documentServices, DOCUMENTS, PATHS, pointedAt } from './support/pipelines';
import { describeWithRedis, RedisServer } from './support/redis-server';
import { StubServices } from './support/stub-services';

/** Sends raw bytes, for what fetch will not send (bad UTF-8, chunked bodies, broken escapes). */
type RawReply = { status: number; json: any };

function raw(port: number, method: string, path: string, body: Buffer | undefined, headers: Record<string, string> = {}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, json: text.startsWith('{') ? JSON.parse(text) : text });
      });
    });
    // The server may answer 413 and close before the whole body is sent.
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
    if (body) req.write(body);
    req.end();
  });
}

describeWithRedis()('the API refuses bad requests with a 4xx that says what to send, and never crashes', () => {
  const TOKEN = 'pipeline-api-token-0123456789abcdef';
  let redis: RedisServer;
  let stubs: StubServices;
  let o: OrchestratorProcess;
  const auth = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    redis = await RedisServer.start();
    stubs = documentServices(await StubServices.start());
    const definition = pointedAt(DOCUMENTS, stubs.origin);
    o = await OrchestratorProcess.start(contractEnv(redis, writeDefinition(definition), definition, {
      PIPELINE_API_TOKEN: TOKEN,
      PIPELINE_MAX_INPUT_BYTES: '4096',
      PIPELINE_MAX_RESPONSE_BYTES: '2048',
    }));
  });
  afterAll(async () => {
    await o.kill();
    await stubs.stop();
    await redis.stop();
  });

  test('with PIPELINE_API_TOKEN, /v1 needs the bearer token; probes and metrics do not', async () => {
    const none = await o.request('POST', '/v1/runs', { page: 'x' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="pipeline"');
    expect(none.json.error.message).toBe('this orchestrator needs Authorization: Bearer <token> (PIPELINE_API_TOKEN)');
    const wrong = await o.request('GET', '/v1/runs', undefined, { authorization: 'Bearer pipeline-api-token-0123456789abcdeX' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await o.request('GET', '/v1/runs', undefined, { authorization: `Basic ${TOKEN}` })).status).toBe(401);
    expect((await o.request('POST', '/v1/runs?wait=true', { page: 'x' }, auth)).json.state).toBe('succeeded');
    for (const path of ['/healthz', '/livez', '/metrics']) expect((await o.request('GET', path)).status).toBe(200);
    // No run was created by the refused requests.
    expect(stubs.calls.filter((c) => c.step === 'resnet')).toHaveLength(1);
  });

  test.each([
    ['not JSON', '{"page": ', { 'content-type': 'application/json' }, 400, 'input_not_json', /^the body is not valid JSON \(.+\); send the pipeline input as one JSON value$/],
    ['empty', '', { 'content-type': 'application/json' }, 400, 'input_empty', /^the body is empty; send the pipeline input as JSON/],
    ['a form', 'page=x', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type', /^Content-Type application\/x-www-form-urlencoded is not JSON; send the pipeline input as JSON with Content-Type: application\/json$/],
    ['too large', `{"page":"${'x'.repeat(5000)}"}`, { 'content-type': 'application/json' }, 413, 'input_too_large', /^the body is larger than 4096 bytes \(PIPELINE_MAX_INPUT_BYTES\); pass large documents by reference/],
  ])('a body that is %s', async (_name, body, headers, status, code, message) => {
    const r = await o.request('POST', '/v1/runs', body, { ...auth, ...headers });
    expect(r.status).toBe(status);
    expect(r.json.error.code).toBe(code);
    expect(r.json.error.message).toMatch(message);
  });

  test('a body over the limit without Content-Length (chunked) is cut off at the limit', async () => {
    const r = await raw(o.port, 'POST', '/v1/runs', Buffer.alloc(100_000, 'x'), { ...auth, 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    expect(r.status).toBe(413);
  });

  test('bytes that are not UTF-8', async () => {
    const r = await raw(o.port, 'POST', '/v1/runs', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), { ...auth, 'content-type': 'application/json' });
    expect(r).toMatchObject({ status: 400, json: { error: { code: 'input_not_utf8' } } });
  });

  test('bad Idempotency-Key, wait, limit, cursor and path escapes', async () => {
    const key = await o.request('POST', '/v1/runs', { page: 'x' }, { ...auth, 'idempotency-key': 'has spaces in it' });
    expect(key.json.error.message).toBe('Idempotency-Key must be 1 to 255 printable ASCII characters without spaces, e.g. a UUID');
    expect((await o.request('POST', '/v1/runs?wait=soon', { page: 'x' }, auth)).json.error.message).toBe('wait (soon) must be true, false or whole seconds from 1');
    expect((await o.request('GET', '/v1/runs?limit=1000', undefined, auth)).json.error.message).toBe('limit (1000) must be a whole number from 1 to 100');
    expect((await o.request('GET', '/v1/runs?after=../../etc', undefined, auth)).json.error.message).toBe('after (../../etc) is not a run id; pass the "next" value of the previous page');
    expect((await raw(o.port, 'GET', '/v1/runs/%E0%A4%A', undefined, auth)).status).toBe(400);
    expect((await o.request('GET', '/v1/runs/not-a-run-id', undefined, auth)).status).toBe(404);
  });

  test('input nested 100,000 levels deep is stored and passed on as sent, without a stack overflow', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const definition = pointedAt(DOCUMENTS, stubs.origin);
    const big = await OrchestratorProcess.start(contractEnv(redis, writeDefinition(definition), definition, { PIPELINE_MAX_INPUT_BYTES: '300000' }));
    try {
      const r = await big.request('POST', '/v1/runs?wait=true', deep);
      expect(r.json.state).toBe('succeeded');
      expect(stubs.callsOf(r.json.id, 'ocr')[0].body).toBe(deep);
    } finally {
      await big.kill();
    }
  });

  test('a step answering more than PIPELINE_MAX_RESPONSE_BYTES fails the run with the limit named', async () => {
    stubs.on(PATHS.ocr, () => ({ status: 200, body: JSON.stringify({ text: 'y'.repeat(5000) }) }));
    try {
      const r = await o.request('POST', '/v1/runs?wait=true', { page: 'big' }, auth);
      expect(r.json.state).toBe('failed');
      expect(r.json.error.message).toMatch(/^step ocr \(.+\) answered more than 2048 bytes \(PIPELINE_MAX_RESPONSE_BYTES\)$/);
    } finally {
      documentServices(stubs);
    }
  });

  test('a storm of random requests gets no 5xx and leaves the service healthy', async () => {
    const pieces = ['/v1/runs', '/v1/runs/', '/v1/runs/01hzzzzzzzzzzzzzzzzzzzzzzz/cancel', '/v1/pipeline', '/v1//runs', '/v1/runs?wait=', '/%2e%2e/', '/v1/runs/x/steps/y', '/metrics?x=1'];
    const bodies = ['', 'null', '[]', '{"a":', '"\\ud800"', '1e999999', '{"__proto__":{"x":1}}', '\u0000', '{}'.repeat(1000), undefined];
    let seed = 7;
    const pick = <T>(xs: readonly T[]) => xs[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % xs.length];
    const statuses = await Promise.all(Array.from({ length: 200 }, () => {
      const body = pick(bodies);
      return raw(o.port, pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']), pick(pieces), body === undefined ? undefined : Buffer.from(body), {
        ...pick([auth, {}, { authorization: 'Bearer' }]),
        'content-type': pick(['application/json', 'text/plain', 'application/merge-patch+json']),
      }).then((r) => r.status);
    }));
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect((await o.request('GET', '/healthz')).status).toBe(200);
  });

  test('PIPELINE_MAX_UNFINISHED_RUNS: past it a new run is refused with 503 and Retry-After', async () => {
    const definition = pointedAt(DOCUMENTS, stubs.origin);
    const small = await OrchestratorProcess.start(contractEnv(redis, writeDefinition(definition), definition, { PIPELINE_MAX_UNFINISHED_RUNS: '2' }));
    stubs.on(PATHS.ner, () => 'hang');
    try {
      expect((await small.request('POST', '/v1/runs', { page: 1 })).status).toBe(201);
      expect((await small.request('POST', '/v1/runs', { page: 2 })).status).toBe(201);
      const full = await small.request('POST', '/v1/runs', { page: 3 });
      expect(full.status).toBe(503);
      expect(full.headers.get('retry-after')).toBe('5');
      expect(full.json.error.message).toBe('2 runs are unfinished (PIPELINE_MAX_UNFINISHED_RUNS 2); retry later');
    } finally {
      await small.kill();
      documentServices(stubs);
      await stubs.release();
    }
  });
});
