import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrchestratorProcess, writeDefinition } from './support/orchestrator-process';
import { contractEnv, documentServices, DOCUMENTS, pointedAt } from './support/pipelines';
import { describeWithRedis, RedisServer } from './support/redis-server';
import { StubServices } from './support/stub-services';

/** A CA and a server certificate for 127.0.0.1 and localhost, made with openssl. */
function makeCertificates(): { dir: string; ca: string; cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'modelserve-tls-'));
  const run = (...args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=modelserve test CA', '-keyout', 'ca.key', '-out', 'ca.crt');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'redis.key', '-out', 'redis.csr');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run('x509', '-req', '-in', 'redis.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', 'redis.crt');
  return { dir, ca: join(dir, 'ca.crt'), cert: join(dir, 'redis.crt'), key: join(dir, 'redis.key') };
}

/**
 * Redis as the platform's ElastiCache serves it: TLS only (transit encryption "required") and an
 * AUTH token. The orchestrator verifies the server's certificate and authenticates; a wrong
 * token or an untrusted certificate leaves it unready, never connected in the clear.
 */
describeWithRedis()('Redis over TLS with AUTH, as ElastiCache requires', () => {
  const TOKEN = 'a-long-elasticache-auth-token-0123456789';
  let certs: ReturnType<typeof makeCertificates>;
  let redis: RedisServer;
  let stubs: StubServices;
  let definitionPath: string;
  let definition: any;
  const started: OrchestratorProcess[] = [];

  beforeAll(async () => {
    certs = makeCertificates();
    redis = await RedisServer.start({ tls: { cert: certs.cert, key: certs.key, ca: certs.ca }, password: TOKEN, appendfsyncAlways: true });
    stubs = documentServices(await StubServices.start());
    definition = pointedAt(DOCUMENTS, stubs.origin);
    definitionPath = writeDefinition(definition);
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((o) => o.kill()));
  });
  afterAll(async () => {
    await stubs.stop();
    await redis.stop();
    rmSync(certs.dir, { recursive: true, force: true });
  });

  let prefix = '';
  async function start(env: Record<string, string>, waitHealthy = true): Promise<OrchestratorProcess> {
    const full = contractEnv(redis, definitionPath, definition, env);
    prefix = full.REDIS_KEY_PREFIX;
    const o = await OrchestratorProcess.start(full, { waitHealthy });
    started.push(o);
    return o;
  }

  test('rediss:// with the token and the CA: runs are stored over TLS', async () => {
    const o = await start({ REDIS_AUTH_TOKEN: TOKEN, REDIS_TLS_CA_FILE: certs.ca });
    const r = await o.request('POST', '/v1/runs?wait=true', { page: 'tls' });
    expect(r.json.state).toBe('succeeded');
    expect(redis.cli('HGET', `${prefix}run:${r.json.id}`, 'state')).toBe('succeeded');
    expect(o.logLines.find((l) => l.msg === 'redis connected')).toMatchObject({ tls: true });
  });

  test('a wrong token: unready, and the log names the refusal', async () => {
    const o = await start({ REDIS_AUTH_TOKEN: 'not-the-token-at-all-0123456789', REDIS_TLS_CA_FILE: certs.ca }, false);
    await o.waitUntil(() => o.logLines.some((l) => l.msg === 'redis connection error' && /WRONGPASS|invalid password/i.test(l.error)), 'the AUTH refusal in the log');
    const health = await o.request('GET', '/healthz');
    expect(health.status).toBe(503);
    expect(health.json.status).toBe('unready');
    expect((await o.request('GET', '/livez')).status).toBe(200);
  });

  test('a certificate no trusted CA signed: unready (the server is verified, not merely encrypted to)', async () => {
    const o = await start({ REDIS_AUTH_TOKEN: TOKEN }, false);
    await o.waitUntil(() => o.logLines.some((l) => l.msg === 'redis connection error' && /self[- ]signed|unable to verify|certificate/i.test(l.error)), 'the certificate error in the log');
    expect((await o.request('GET', '/healthz')).status).toBe(503);
  });

  test('plain redis:// to a TLS-only Redis never becomes ready', async () => {
    const o = await start({ REDIS_AUTH_TOKEN: TOKEN, REDIS_TLS: 'false', REDIS_URL: `redis://127.0.0.1:${redis.port}` }, false);
    await o.waitUntil(() => o.logLines.some((l) => l.msg === 'redis connection error'), 'a connection error');
    expect((await o.request('GET', '/healthz')).status).toBe(503);
  });
});
