import { assessMetric, measure, MeasurementPhase, resultOf } from '../support/argo-analysis';
import { describeWith, requireEngines } from '../support/engines';
import { counter, PrometheusServer, Series } from '../support/engine-servers';
import { examplesLlmChart } from '../support/llm-example';
import { AnalysisMetric, analysisMetric, analysisTemplates, withArgs } from '../support/monitoring-app';
import { bucketsForQuantile } from '../support/promtool-rules';

/**
 * The rollback decisions of a language model on vLLM, judged by a running Prometheus: the
 * AnalysisTemplates of the 8B example (examples/serving/llm.ts, `chat`, Rollout.progressive()
 * with its defaults) query vLLM-shaped histograms and counters of a canary and of the stable
 * version side by side, and their conditions are applied as Argo Rollouts applies them
 * (support/argo-analysis.ts). Each scenario is a canary of its own (its pod template hash).
 */
const engines = requireEngines('promtool', 'prometheus');
const NS = 'models-llm';
const ROLLOUT = 'chat';
const templates = analysisTemplates(examplesLlmChart()).filter((t) => t.name.startsWith(`${ROLLOUT}-`));
const metric = (name: string): AnalysisMetric => analysisMetric(templates, name, `${NS}/${ROLLOUT}`);

const END = Math.floor(Date.now() / 60_000) * 60 - 120;
const START = END - 20 * 60;
/** The ServiceMonitor scrapes vLLM every 30 s; the sidecars' PodMonitor every 15 s. */
const SCRAPE = 30;
const STABLE = '6b7c8d9e0f';
const pods = (hash: string) => [`${ROLLOUT}-${hash}-x2k4q`, `${ROLLOUT}-${hash}-p7m9z`];

/** vLLM's bucket bounds, seconds (vllm/v1/metrics/loggers.py). */
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0];
const ITL_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0];

/** What the service's ServiceMonitor gives vLLM's series. */
function vllmLabels(pod: string, extra: Record<string, string> = {}): Record<string, string> {
  return { model_name: 'llama-3-1-8b-instruct', engine: '0', namespace: NS, pod, container: 'model-server', service: ROLLOUT, endpoint: 'http-metrics', job: `${NS}/${ROLLOUT}`, ...extra };
}

/** A vLLM histogram whose `q` quantile is `seconds`, `perSecond` observations spread over the version's pods; its `_count` too. */
function histogram(name: string, bounds: readonly number[], hash: string, q: number, seconds: number, perSecond: number): Series[] {
  return pods(hash).flatMap((pod) => [
    ...Object.entries(bucketsForQuantile(q, seconds, perSecond / 2, bounds)).map(([le, rate]) => counter(`${name}_bucket`, vllmLabels(pod, { le }), rate, START, END, SCRAPE)),
    counter(`${name}_count`, vllmLabels(pod), perSecond / 2, START, END, SCRAPE),
  ]);
}

const ttft = (hash: string, q: number, seconds: number, perSecond = 1) => histogram('vllm:time_to_first_token_seconds', TTFT_BUCKETS, hash, q, seconds, perSecond);
const itl = (hash: string, q: number, seconds: number, perSecond = 50) => histogram('vllm:inter_token_latency_seconds', ITL_BUCKETS, hash, q, seconds, perSecond);

/** Finished requests, `abortShare` of them aborted. */
function finished(hash: string, perSecond: number, abortShare: number): Series[] {
  return pods(hash).flatMap((pod) => [
    counter('vllm:request_success_total', vllmLabels(pod, { finished_reason: 'stop' }), (perSecond * (1 - abortShare)) / 2, START, END, SCRAPE),
    counter('vllm:request_success_total', vllmLabels(pod, { finished_reason: 'abort' }), (perSecond * abortShare) / 2, START, END, SCRAPE),
  ]);
}

/** Requests the canary's sidecars served through the InferencePool: Istio names the pool's shadow Service. */
function poolRequests(hash: string, perSecond: number, errorShare: number): Series[] {
  const labels = (pod: string, code: string) => ({ reporter: 'destination', destination_service_name: 'chat-ip-1a2b3c4d', destination_service_namespace: NS, source_workload: 'chat-inference-istio', response_code: code, namespace: NS, pod, container: 'istio-proxy', job: `${NS}/istio-sidecars` });
  return pods(hash).flatMap((pod) => [
    counter('istio_requests_total', labels(pod, '200'), (perSecond * (1 - errorShare)) / 2, START, END, 15),
    counter('istio_requests_total', labels(pod, '503'), (perSecond * errorShare) / 2, START, END, 15),
  ]);
}

const SCENARIOS: Record<string, Series[]> = {
  // The running version: p90 TTFT 400 ms, p90 inter-token latency 40 ms, 2 % of requests aborted.
  [STABLE]: [...ttft(STABLE, 0.9, 0.4), ...itl(STABLE, 0.9, 0.04), ...finished(STABLE, 1, 0.02)],
  ttft450ok: [...ttft('ttft450ok', 0.9, 0.45), ...itl('ttft450ok', 0.9, 0.042), ...finished('ttft450ok', 1, 0.02)],
  ttft1200s: [...ttft('ttft1200s', 0.9, 1.2)],
  ttft600rg: [...ttft('ttft600rg', 0.9, 0.6)],
  ttftp99bd: [...ttft('ttftp99bd', 0.99, 3.5)],
  itl120bad: [...ttft('itl120bad', 0.9, 0.4), ...itl('itl120bad', 0.9, 0.12)],
  abort5pct: [...ttft('abort5pct', 0.9, 0.4), ...finished('abort5pct', 1, 0.05)],
  abort10pc: [...ttft('abort10pc', 0.9, 0.4), ...finished('abort10pc', 1, 0.1)],
  // 4 requests a minute (8 in the 2-minute window, fewer than minRequests), every one slow.
  quiet0001: [...ttft('quiet0001', 0.9, 9, 4 / 60), ...itl('quiet0001', 0.9, 0.9, 4 / 60), ...finished('quiet0001', 4 / 60, 1)],
  pool06err: [...poolRequests('pool06err', 5, 0.06)],
};

let prometheus: PrometheusServer | undefined;

beforeAll(async () => {
  if (engines) prometheus = await PrometheusServer.start(engines, Object.values(SCENARIOS).flat());
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
});

const args = (canary: string) => ({ 'canary-hash': canary, 'stable-hash': STABLE });

async function resultNow(name: string, canary: string): Promise<number | number[]> {
  return resultOf(await prometheus!.query(withArgs(metric(name).provider.prometheus.query, args(canary)), END));
}

/** The metric's measurements a minute apart (its interval) ending now, and its phase after them. */
async function judge(name: string, canary: string, measurements = 2): Promise<{ phases: MeasurementPhase[]; metric: string }> {
  const m = metric(name);
  const query = withArgs(m.provider.prometheus.query, args(canary));
  const phases: MeasurementPhase[] = [];
  for (let k = measurements - 1; k >= 0; k--) phases.push(measure(m, await prometheus!.query(query, END - k * 60)));
  return { phases, metric: assessMetric(m, phases) };
}

const PASSES = { phases: ['Successful', 'Successful'], metric: 'Running' };
const ABORTS = { phases: ['Failed', 'Failed'], metric: 'Failed' };
const LATENCY = ['ttft-p90', 'ttft-p90-vs-stable', 'ttft-p99', 'ttft-p99-vs-stable', 'itl-p90', 'itl-p90-vs-stable', 'itl-p99', 'itl-p99-vs-stable'];

describeWith(engines)('rollback decisions of a language model on TTFT and inter-token latency, judged by a running Prometheus', () => {
  test('the example has the default LLM thresholds: 1 s / 3 s TTFT, 100 / 250 ms ITL, 25 % over stable, 5 points of aborts', () => {
    expect(Object.fromEntries(templates.flatMap((t) => t.metrics).map((m) => [m.name, m.successCondition]))).toEqual({
      'error-rate': 'isNaN(result[0]) || result[0] <= 5',
      'ttft-p90': 'isNaN(result[0]) || result[0] <= 1000',
      'ttft-p90-vs-stable': 'isNaN(result[0]) || result[0] <= 25',
      'ttft-p99': 'isNaN(result[0]) || result[0] <= 3000',
      'ttft-p99-vs-stable': 'isNaN(result[0]) || result[0] <= 25',
      'itl-p90': 'isNaN(result[0]) || result[0] <= 100',
      'itl-p90-vs-stable': 'isNaN(result[0]) || result[0] <= 25',
      'itl-p99': 'isNaN(result[0]) || result[0] <= 250',
      'itl-p99-vs-stable': 'isNaN(result[0]) || result[0] <= 25',
      'aborted-requests-vs-stable': 'isNaN(result[0]) || result[0] <= 5',
      'failed-health-checks': 'isNaN(result[0]) || result[0] <= 3',
    });
  });

  test('TTFT: a canary at 450 ms p90 (12.5 % over the stable\'s 400 ms) passes; at 1.2 s it is rolled back on the ceiling', async () => {
    expect(await resultNow('ttft-p90', 'ttft450ok')).toEqual([expect.closeTo(450, 3)]);
    expect(await resultNow('ttft-p90-vs-stable', 'ttft450ok')).toEqual([expect.closeTo(12.5, 3)]);
    for (const name of ['ttft-p90', 'ttft-p90-vs-stable']) expect(await judge(name, 'ttft450ok')).toEqual(PASSES);
    expect(await resultNow('ttft-p90', 'ttft1200s')).toEqual([expect.closeTo(1200, 0)]);
    expect(await judge('ttft-p90', 'ttft1200s')).toEqual(ABORTS);
  });

  test('TTFT against stable: 600 ms is under the 1 s ceiling but 50 % slower than the running version, and is rolled back', async () => {
    expect(await judge('ttft-p90', 'ttft600rg')).toEqual(PASSES);
    expect(await resultNow('ttft-p90-vs-stable', 'ttft600rg')).toEqual([expect.closeTo(50, 3)]);
    expect(await judge('ttft-p90-vs-stable', 'ttft600rg')).toEqual(ABORTS);
  });

  test('TTFT p99: 3.5 s is above the 3 s ceiling', async () => {
    expect(await resultNow('ttft-p99', 'ttftp99bd')).toEqual([expect.closeTo(3500, 0)]);
    expect(await judge('ttft-p99', 'ttftp99bd')).toEqual(ABORTS);
    // One bad minute alone is tolerated (failureLimit 1).
    expect(await judge('ttft-p99', 'ttftp99bd', 1)).toEqual({ phases: ['Failed'], metric: 'Running' });
  });

  test('inter-token latency: 42 ms passes, 120 ms p90 is rolled back on the ceiling and against stable', async () => {
    expect(await judge('itl-p90', 'ttft450ok')).toEqual(PASSES);
    expect(await judge('itl-p90-vs-stable', 'ttft450ok')).toEqual(PASSES);
    expect(await resultNow('itl-p90', 'itl120bad')).toEqual([expect.closeTo(120, 3)]);
    expect(await judge('itl-p90', 'itl120bad')).toEqual(ABORTS);
    expect(await judge('itl-p90-vs-stable', 'itl120bad')).toEqual(ABORTS);
  });

  test('aborted requests: 5 % against stable\'s 2 % passes (3 points), 10 % is rolled back (8 points)', async () => {
    expect(await resultNow('aborted-requests-vs-stable', 'abort5pct')).toEqual([expect.closeTo(3, 6)]);
    expect(await judge('aborted-requests-vs-stable', 'abort5pct')).toEqual(PASSES);
    expect(await resultNow('aborted-requests-vs-stable', 'abort10pc')).toEqual([expect.closeTo(8, 6)]);
    expect(await judge('aborted-requests-vs-stable', 'abort10pc')).toEqual(ABORTS);
  });

  test('errors of requests that came through the InferencePool count, though Istio names the pool\'s shadow Service', async () => {
    expect(await resultNow('error-rate', 'pool06err')).toEqual([expect.closeTo(6, 6)]);
    expect(await judge('error-rate', 'pool06err')).toEqual(ABORTS);
  });

  test('too few requests in the window (fewer than minRequests), every one slow and aborted: nothing is judged', async () => {
    for (const name of [...LATENCY, 'aborted-requests-vs-stable']) expect({ name, ...(await judge(name, 'quiet0001')) }).toEqual({ name, ...PASSES });
  });

  test('no data at all (a canary not yet scraped): every check passes rather than erring', async () => {
    for (const name of [...LATENCY, 'aborted-requests-vs-stable', 'error-rate', 'failed-health-checks']) expect({ name, ...(await judge(name, 'nodata001')) }).toEqual({ name, ...PASSES });
  });

  test('judged as a canary against itself, the stable version passes every comparison (0 % regression, 0 points of aborts)', async () => {
    expect(await resultNow('ttft-p90-vs-stable', STABLE)).toEqual([expect.closeTo(0, 6)]);
    expect(await resultNow('aborted-requests-vs-stable', STABLE)).toEqual([expect.closeTo(0, 6)]);
  });
});
