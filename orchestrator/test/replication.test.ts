import { OrchestratorProcess, writeDefinition } from './support/orchestrator-process';
import { contractEnv, documentServices, DOCUMENTS, pointedAt } from './support/pipelines';
import { describeWithRedis, RedisServer } from './support/redis-server';
import { StubServices } from './support/stub-services';

/**
 * ElastiCache keeps no AOF on Multi-AZ groups: what protects an acknowledged run there is a
 * replica in another zone. With a replica connected the orchestrator acknowledges a run only
 * once the replica holds it (Redis WAIT), and says so with a 503 when it cannot.
 */
describeWithRedis()('acknowledged means on a replica, where Redis has replicas', () => {
  let primary: RedisServer;
  let replica: RedisServer;
  let stubs: StubServices;
  let definitionPath: string;
  let definition: any;
  const started: OrchestratorProcess[] = [];

  beforeAll(async () => {
    primary = await RedisServer.start();
    replica = await RedisServer.start({ replicaOf: { port: primary.port } });
    stubs = documentServices(await StubServices.start());
    definition = pointedAt(DOCUMENTS, stubs.origin);
    definitionPath = writeDefinition(definition);
    const deadline = Date.now() + 30_000;
    // Online: past the initial sync, so that WAIT can count it.
    while (!/slave0:.*state=online/.test(primary.cli('INFO', 'replication'))) {
      if (Date.now() > deadline) throw new Error('the replica did not connect');
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterEach(async () => {
    replica.pause(false);
    await Promise.all(started.splice(0).map((o) => o.kill()));
  });
  afterAll(async () => {
    await stubs.stop();
    await replica.stop();
    await primary.stop();
  });

  async function start(extra: Record<string, string>): Promise<{ o: OrchestratorProcess; prefix: string }> {
    const env = contractEnv(primary, definitionPath, definition, { REDIS_WAIT_TIMEOUT_MS: '500', ...extra });
    const o = await OrchestratorProcess.start(env);
    started.push(o);
    return { o, prefix: env.REDIS_KEY_PREFIX };
  }

  test('with a replica connected (auto), a run is on the replica when it is acknowledged', async () => {
    const { o, prefix } = await start({});
    await o.waitUntil(() => o.logLines.some((l) => l.msg === 'replica confirmation' && l.replicasRequired === 1), 'the replica to be counted');
    const r = await o.request('POST', '/v1/runs', { page: 'replicated' });
    expect(r.status).toBe(201);
    expect(replica.cli('HGET', `${prefix}run:${r.json.id}`, 'input')).toBe('{"page":"replicated"}');
  });

  test('a replica that does not confirm in time: 503 naming the run, which a retry with the same Idempotency-Key returns', async () => {
    const { o } = await start({});
    await o.waitUntil(() => o.logLines.some((l) => l.msg === 'replica confirmation' && l.replicasRequired === 1), 'the replica to be counted');
    replica.pause(true);
    const r = await o.request('POST', '/v1/runs', { page: 'unconfirmed' }, { 'idempotency-key': 'confirm-me' });
    expect(r.status).toBe(503);
    expect(r.json.error.code).toBe('not_replicated');
    const id = /^run (\w+) is stored on the Redis primary but no replica confirmed it within REDIS_WAIT_TIMEOUT_MS; /.exec(r.json.error.message)?.[1];
    expect(r.headers.get('location')).toBe(`/v1/runs/${id}`);
    expect((await o.request('GET', '/metrics')).text).toMatch(/modelserve_pipeline_redis_replication_wait_short_total\{pipeline="documents"\} [1-9]/);

    replica.pause(false);
    const retry = await o.request('POST', '/v1/runs?wait=true', { page: 'unconfirmed' }, { 'idempotency-key': 'confirm-me' });
    expect(retry.status).toBe(200);
    expect(retry.json).toMatchObject({ id, state: 'succeeded' });
  });

  test('REDIS_WAIT_REPLICAS=0 acknowledges on the primary alone (a Redis whose AOF fsyncs every write)', async () => {
    const { o } = await start({ REDIS_WAIT_REPLICAS: '0' });
    replica.pause(true);
    const r = await o.request('POST', '/v1/runs', { page: 'primary-only' });
    expect(r.status).toBe(201);
  });
});

/**
 * ElastiCache refuses CONFIG (and BGSAVE, SAVE, DEBUG, ...):
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ClientConfig.RestrictedCommands.html
 * The orchestrator only reads CONFIG to log how durable Redis is; without it, it says so and works.
 */
describeWithRedis()('a Redis that refuses CONFIG, as ElastiCache does', () => {
  test('the orchestrator starts, logs the durability it cannot see, and runs pipelines', async () => {
    const redis = await RedisServer.start({ disabledCommands: ['CONFIG', 'BGSAVE', 'SAVE', 'DEBUG', 'SHUTDOWN'] });
    const stubs = documentServices(await StubServices.start());
    const definition = pointedAt(DOCUMENTS, stubs.origin);
    const o = await OrchestratorProcess.start(contractEnv(redis, writeDefinition(definition), definition));
    try {
      expect(redis.cli('CONFIG', 'GET', 'appendonly')).toMatch(/unknown command/);
      await o.waitUntil(() => o.logLines.some((l) => l.msg === 'redis durability'), 'the durability line');
      expect(o.logLines.find((l) => l.msg === 'redis durability')).toMatchObject({ level: 'warn', aof: 'unknown (CONFIG is refused, as on ElastiCache)', replicasOnline: 0 });
      expect((await o.request('POST', '/v1/runs?wait=true', { page: 'elasticache' })).json.state).toBe('succeeded');
    } finally {
      await o.kill();
      await stubs.stop();
      await redis.stop();
    }
  });
});
