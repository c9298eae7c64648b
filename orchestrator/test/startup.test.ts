import { spawnSync } from 'node:child_process';
import { loadConfig } from '../src/config';
import { parseDefinition } from '../src/definition';
import { MAIN, requireBuild, writeDefinition } from './support/orchestrator-process';
import { DOCUMENTS } from './support/pipelines';

const CONTRACT = {
  PIPELINE_NAME: 'documents',
  REDIS_HOST: 'master.cache.example',
  REDIS_PORT: '6379',
  REDIS_TLS: 'true',
  REDIS_URL: 'rediss://master.cache.example:6379',
  REDIS_KEY_PREFIX: 'modelserve:models-production:documents:',
  REDIS_AUTH_TOKEN: 'token',
};

describe('settings from the contract\'s environment', () => {
  test('ModelPipeline\'s variables give TLS, the token and the prefix; the rest has defaults', () => {
    const c = loadConfig(CONTRACT, 'pod-1');
    expect(c.redis).toMatchObject({ url: 'rediss://master.cache.example:6379', tls: true, password: 'token', keyPrefix: 'modelserve:models-production:documents:', waitReplicas: 'auto' });
    expect(c).toMatchObject({ port: 8080, healthPath: '/healthz', livenessPath: '/livez', definitionPath: '/etc/modelserve/pipeline/pipeline.json', apiToken: undefined, leaseMs: 15_000 });
  });

  test('REDIS_HOST and REDIS_PORT alone (no REDIS_URL) speak TLS unless REDIS_TLS says false', () => {
    expect(loadConfig({ PIPELINE_NAME: 'p', REDIS_HOST: 'h' }, 'x').redis.url).toBe('rediss://h:6379');
    expect(loadConfig({ PIPELINE_NAME: 'p', REDIS_HOST: 'h', REDIS_TLS: 'false', REDIS_PORT: '7000' }, 'x').redis.url).toBe('redis://h:7000');
  });

  test.each([
    [{ PIPELINE_NAME: undefined }, 'environment: PIPELINE_NAME (not set) is not set; set it to the pipeline\'s name (ModelPipeline sets it)'],
    [{ REDIS_URL: 'rediss://default:hunter2@h:6379' }, 'environment: REDIS_URL ("rediss://***@h:6379") holds credentials; remove them from the URL and give the token as REDIS_AUTH_TOKEN from a Secret'],
    [{ REDIS_URL: 'http://h:6379' }, 'environment: REDIS_URL ("http://h:6379") is not a redis:// or rediss:// URL; give rediss://<host>:<port>'],
    [{ REDIS_TLS: 'false' }, 'environment: REDIS_TLS ("false") disagrees with REDIS_URL (rediss://); make them agree: rediss:// with REDIS_TLS=true'],
    [{ PIPELINE_LEASE_MS: '100' }, 'environment: PIPELINE_LEASE_MS ("100") is not a whole number from 500 to 600000; set it in milliseconds, e.g. 15000'],
    [{ PIPELINE_API_TOKEN: 'short' }, 'environment: PIPELINE_API_TOKEN ("<hidden>") is shorter than 16 characters or contains spaces; use a random token of at least 32 characters, e.g. `openssl rand -hex 32`'],
    [{ LOG_LEVEL: 'verbose' }, 'environment: LOG_LEVEL ("verbose") is not a known value; use one of debug, info, warn, error'],
  ])('refuses %j', (change, message) => {
    expect(() => loadConfig({ ...CONTRACT, ...change }, 'x')).toThrow(message);
  });
});

describe('the pipeline definition', () => {
  const path = '/etc/modelserve/pipeline/pipeline.json';
  const edit = (change: (d: any) => void) => {
    const d = JSON.parse(JSON.stringify(DOCUMENTS));
    change(d);
    return JSON.stringify(d);
  };

  test('the example\'s definition, as ModelPipeline writes it, is accepted whole', () => {
    const d = parseDefinition(JSON.stringify(DOCUMENTS), path);
    expect(d.steps.map((s) => [s.name, s.dependsOn])).toEqual([['resnet', []], ['ocr', []], ['bert-ner', ['ocr']]]);
    expect(d.outputs).toEqual(['resnet', 'bert-ner']);
    expect(d.retryOn.statuses).toEqual([408, 429, 502, 503, 504]);
  });

  test.each([
    ['not JSON', () => '{"kind":', /^\/etc\/modelserve\/pipeline\/pipeline\.json: file \("\{\\"kind\\":"\) is not JSON \(.+\); synthesize the pipeline again/],
    ['a newer version', () => edit((d) => (d.apiVersion = 'modelserve.io/v2')), /: apiVersion \("modelserve\.io\/v2"\) is not modelserve\.io\/v1alpha1, the version this orchestrator reads; run an orchestrator image that matches/],
    ['a step that waits on a later one', () => edit((d) => (d.steps[0].dependsOn = ['bert-ner'])), /: steps\[0\]\.dependsOn\[0\] \("bert-ner"\) names no earlier step \(steps are listed in dependency order\)/],
    ['two steps of one name', () => edit((d) => (d.steps[1].name = 'resnet')), /: steps\[1\]\.name \("resnet"\) is the name of an earlier step too/],
    ['a URL with credentials', () => edit((d) => (d.steps[0].url = 'http://u:p@resnet/infer')), /: steps\[0\]\.url \("http:\/\/u:p@resnet\/infer"\) is not an http or https URL/],
    ['an output that is no step', () => edit((d) => (d.outputs = ['summary'])), /: outputs\[0\] \("summary"\) names no step of the pipeline/],
    ['a retry status that is no error', () => edit((d) => (d.retryOn.statuses = [200])), /: retryOn\.statuses\[0\] \(200\) is not an HTTP error status \(400-599\)/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseDefinition(text(), path)).toThrow(message);
  });
});

describe('the process refuses to start on bad settings, with one line that says why', () => {
  beforeAll(() => requireBuild());
  const start = (env: Record<string, string>) => spawnSync(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });

  test('a definition that is missing', () => {
    const r = start({ ...CONTRACT, PIPELINE_DEFINITION_PATH: '/nonexistent/pipeline.json' });
    expect(r.status).toBe(1);
    const line = JSON.parse(r.stdout.trim());
    expect(line).toMatchObject({ level: 'error', msg: 'cannot start' });
    expect(line.error).toBe('PIPELINE_DEFINITION_PATH (/nonexistent/pipeline.json) cannot be read (ENOENT); mount the pipeline\'s ConfigMap there (ModelPipeline does)');
  });

  test('the definition of another pipeline', () => {
    const r = start({ ...CONTRACT, PIPELINE_NAME: 'invoices', PIPELINE_DEFINITION_PATH: writeDefinition(DOCUMENTS) });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout.trim()).error).toBe('PIPELINE_NAME (invoices) differs from the definition\'s name (documents); mount the definition of this pipeline');
  });
});
