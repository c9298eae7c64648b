import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { OrchestratorProcess, writeDefinition } from './support/orchestrator-process';
import { contractEnv, documentServices, DOCUMENTS, PATHS, pointedAt } from './support/pipelines';
import { describeWithRedis, RedisServer } from './support/redis-server';
import { StubServices } from './support/stub-services';

function findPromtool(): string | undefined {
  const found = (process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'promtool')).find((p) => existsSync(p));
  if (!found && process.env.CI === 'true') throw new Error('CI needs promtool (apt-get install -y prometheus) to lint /metrics');
  return found;
}

/** One sample's value from the exposition text. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describeWithRedis()('metrics for the ServiceMonitor, JSON logs with run ids', () => {
  let redis: RedisServer;
  let stubs: StubServices;
  let o: OrchestratorProcess;
  let metrics: string;

  beforeAll(async () => {
    redis = await RedisServer.start();
    stubs = documentServices(await StubServices.start());
    const definition = pointedAt(DOCUMENTS, stubs.origin);
    o = await OrchestratorProcess.start(contractEnv(redis, writeDefinition(definition), definition, { PIPELINE_RETRY_BASE_MS: '10' }));
    for (let i = 0; i < 3; i++) await o.request('POST', '/v1/runs?wait=true', { page: `secret-page-${i}` });
    stubs.on(PATHS.ocr, (_c, previous) => (previous === 0 ? { status: 503, body: '{}' } : { status: 422, body: '{"error":"unreadable"}' }));
    await o.request('POST', '/v1/runs?wait=true', { page: 'secret-page-failing' });
    metrics = (await o.request('GET', '/metrics')).text;
  });
  afterAll(async () => {
    await o.kill();
    await stubs.stop();
    await redis.stop();
  });

  test('/metrics passes promtool\'s lint', () => {
    const promtool = findPromtool();
    if (!promtool) return console.warn('SKIPPED: promtool not on PATH (apt-get install -y prometheus)');
    const r = spawnSync(promtool, ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  test('runs created, started and finished by state; step latency by pipeline, step and outcome; retries by reason', () => {
    const p = 'pipeline="documents"';
    expect(sample(metrics, `modelserve_pipeline_runs_created_total{${p}}`)).toBe(4);
    expect(sample(metrics, `modelserve_pipeline_runs_started_total{${p}}`)).toBe(4);
    expect(sample(metrics, `modelserve_pipeline_runs_finished_total{${p},state="succeeded"}`)).toBe(3);
    expect(sample(metrics, `modelserve_pipeline_runs_finished_total{${p},state="failed"}`)).toBe(1);
    expect(sample(metrics, `modelserve_pipeline_runs_finished_total{${p},state="cancelled"}`)).toBe(0);
    expect(sample(metrics, `modelserve_pipeline_step_duration_seconds_count{${p},step="ocr",outcome="ok"}`)).toBe(3);
    expect(sample(metrics, `modelserve_pipeline_step_duration_seconds_count{${p},step="ocr",outcome="retried"}`)).toBe(1);
    expect(sample(metrics, `modelserve_pipeline_step_duration_seconds_count{${p},step="ocr",outcome="failed"}`)).toBe(1);
    expect(sample(metrics, `modelserve_pipeline_step_duration_seconds_bucket{${p},step="resnet",outcome="ok",le="+Inf"}`)).toBe(4);
    expect(sample(metrics, `modelserve_pipeline_step_retries_total{${p},step="ocr",reason="status_503"}`)).toBe(1);
    expect(sample(metrics, `modelserve_pipeline_run_duration_seconds_count{${p},state="succeeded"}`)).toBe(3);
    expect(sample(metrics, `modelserve_pipeline_active_runs{${p}}`)).toBe(0);
    expect(sample(metrics, `modelserve_pipeline_queue_depth{${p}}`)).toBe(0);
    expect(sample(metrics, `modelserve_pipeline_unfinished_runs{${p}}`)).toBe(0);
    expect(sample(metrics, `modelserve_pipeline_redis_up{${p}}`)).toBe(1);
    expect(sample(metrics, 'modelserve_pipeline_http_requests_total{route="POST /v1/runs",code="201"}')).toBe(4);
  });

  test('every log line is one JSON object; a run\'s lines carry its id; inputs and responses never appear', () => {
    const lines = o.logs.trim().split('\n');
    const entries = lines.map((l) => JSON.parse(l));
    expect(entries.every((e) => typeof e.time === 'string' && typeof e.level === 'string' && typeof e.msg === 'string' && e.pipeline === 'documents')).toBe(true);
    const failed = entries.find((e) => e.msg === 'run finished' && e.state === 'failed');
    expect(failed).toMatchObject({ level: 'info', runId: expect.stringMatching(/^[0-9a-z]{26}$/), durationMs: expect.any(Number) });
    const story = entries.filter((e) => e.runId === failed.runId).map((e) => e.msg);
    expect(story).toEqual(['run started', 'step retried', 'step failed', 'run finished']);
    expect(o.logs).not.toContain('secret-page');
  });
});
