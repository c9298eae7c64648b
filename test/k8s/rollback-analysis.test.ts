import { assessMetric, measure, MeasurementPhase, resultOf } from '../support/argo-analysis';
import { describeWith, requireEngines } from '../support/engines';
import { AnalysisMetric, analysisMetric, analysisTemplates, monitoredObjects, withArgs } from '../support/monitoring-app';
import { bucketsForQuantile } from '../support/promtool-rules';
import { counter, PrometheusServer, sampled, Series } from '../support/engine-servers';

/**
 * The rollback decisions of a progressive rollout, judged by a running Prometheus: the three
 * AnalysisTemplates of a real service with the spec's thresholds (models-variants/embedder,
 * Rollout.progressive() with its defaults) query synthetic sidecar and kubelet series, and their
 * conditions are applied as Argo Rollouts applies them (support/argo-analysis.ts). Each scenario
 * is a canary of its own (its pod template hash), next to a stable version that is failing
 * badly, which the canary's analysis must not see.
 */
const engines = requireEngines('promtool', 'prometheus');
const objects = monitoredObjects();
const NS = 'models-variants';
const ROLLOUT = 'embedder';
const templates = analysisTemplates(objects).filter((t) => t.namespace === NS && t.name.startsWith(`${ROLLOUT}-`));
const metric = (name: string): AnalysisMetric => analysisMetric(templates, name, `${NS}/${ROLLOUT}`);

/** The last sample, a whole minute a little before now; the series cover the 20 minutes before it. */
const END = Math.floor(Date.now() / 60_000) * 60 - 120;
const START = END - 20 * 60;
/** The sidecars' PodMonitor scrapes every 15 s, the kubelet every 30 s. */
const SIDECAR_STEP = 15;
const KUBELET_STEP = 30;

const STABLE_HASH = '6b7c8d9e0f';
const pods = (hash: string) => [`${ROLLOUT}-${hash}-x2k4q`, `${ROLLOUT}-${hash}-p7m9z`];

function sidecar(pod: string, extra: Record<string, string>): Record<string, string> {
  return {
    reporter: 'destination',
    source_workload: 'istio-ingressgateway',
    source_workload_namespace: 'istio-ingress',
    destination_service_name: ROLLOUT,
    destination_service_namespace: NS,
    destination_workload: ROLLOUT,
    destination_version: '2.0.0',
    request_protocol: 'http',
    namespace: NS,
    pod,
    container: 'istio-proxy',
    job: `${NS}/istio-sidecars`,
    ...extra,
  };
}

/** `perSecond` requests spread over the version's pods, `errorShare` of them answered 503. */
function requests(hash: string, perSecond: number, errorShare: number): Series[] {
  return pods(hash).flatMap((pod) => [
    counter('istio_requests_total', sidecar(pod, { response_code: '200' }), (perSecond * (1 - errorShare)) / 2, START, END, SIDECAR_STEP),
    counter('istio_requests_total', sidecar(pod, { response_code: '503' }), (perSecond * errorShare) / 2, START, END, SIDECAR_STEP),
  ]);
}

/** A latency histogram whose 99th percentile is `p99Ms`, at `perSecond` requests. */
function latency(hash: string, perSecond: number, p99Ms: number): Series[] {
  return pods(hash).flatMap((pod) =>
    Object.entries(bucketsForQuantile(0.99, p99Ms, perSecond / 2)).map(([le, rate]) =>
      counter('istio_request_duration_milliseconds_bucket', sidecar(pod, { response_code: '200', le }), rate, START, END, SIDECAR_STEP)),
  );
}

/**
 * The kubelet's probe counters (`/metrics/probes`), liveness every 10 s on each pod; the failed
 * series appears with the first failure, as the kubelet's counter vector does. `failures[i]`
 * failed probes on pod i, one a minute during the last minutes.
 */
function probes(hash: string, failures: readonly number[]): Series[] {
  return pods(hash).flatMap((pod, i) => {
    const labels = (result: string) => ({ namespace: NS, pod, container: 'model-server', probe_type: 'Liveness', result, pod_uid: `uid-${pod}`, job: 'kubelet', metrics_path: '/metrics/probes', service: 'kube-prometheus-stack-kubelet', node: 'ip-10-0-12-34.ec2.internal' });
    const out = [counter('prober_probe_total', labels('successful'), 0.1, START, END, KUBELET_STEP)];
    const n = failures[i] ?? 0;
    if (n > 0) {
      const first = END - n * 60 + 30;
      out.push(sampled('prober_probe_total', labels('failed'), first, END, KUBELET_STEP, (t) => Math.floor((t - first) / 60) + 1));
    }
    return out;
  });
}

const SCENARIOS: Record<string, Series[]> = {
  err4pct01: [...requests('err4pct01', 20, 0.04), ...latency('err4pct01', 20, 300), ...probes('err4pct01', [])],
  err6pct01: [...requests('err6pct01', 20, 0.06), ...latency('err6pct01', 20, 300), ...probes('err6pct01', [])],
  lat1900ms: [...requests('lat1900ms', 20, 0), ...latency('lat1900ms', 20, 1900)],
  lat2100ms: [...requests('lat2100ms', 20, 0), ...latency('lat2100ms', 20, 2100)],
  probes3xx: [...requests('probes3xx', 20, 0), ...probes('probes3xx', [2, 1])],
  probes4xx: [...requests('probes4xx', 20, 0), ...probes('probes4xx', [2, 2])],
  // 4 requests a minute (8 in the 2-minute window, fewer than minRequests), every one failing and slow.
  quiet0001: [...requests('quiet0001', 4 / 60, 1), ...latency('quiet0001', 4 / 60, 9000)],
  // The stable version: 20 % errors, 5 s p99, 10 failed probes. Never a canary's business.
  [STABLE_HASH]: [...requests(STABLE_HASH, 50, 0.2), ...latency(STABLE_HASH, 50, 5000), ...probes(STABLE_HASH, [5, 5])],
};

let prometheus: PrometheusServer | undefined;

beforeAll(async () => {
  if (engines) prometheus = await PrometheusServer.start(engines, Object.values(SCENARIOS).flat());
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
});

/** What Argo's `result` holds for the metric of a canary, now. */
async function resultNow(name: string, canaryHash: string): Promise<number | number[]> {
  return resultOf(await prometheus!.query(withArgs(metric(name).provider.prometheus.query, { 'canary-hash': canaryHash }), END));
}

/** The metric's measurements a minute apart (its interval) ending now, and its phase after them. */
async function judge(name: string, canaryHash: string, measurements = 2): Promise<{ phases: MeasurementPhase[]; metric: string }> {
  const m = metric(name);
  const query = withArgs(m.provider.prometheus.query, { 'canary-hash': canaryHash });
  const phases: MeasurementPhase[] = [];
  for (let k = measurements - 1; k >= 0; k--) phases.push(measure(m, await prometheus!.query(query, END - k * 60)));
  return { phases, metric: assessMetric(m, phases) };
}

const PASSES = { phases: ['Successful', 'Successful'], metric: 'Running' };
const ABORTS = { phases: ['Failed', 'Failed'], metric: 'Failed' };

describeWith(engines)('rollback decisions of the spec\'s thresholds, judged by a running Prometheus', () => {
  test('the service under test has the spec\'s rollback thresholds', () => {
    expect(templates.map((t) => t.name).sort()).toEqual([`${ROLLOUT}-error-rate`, `${ROLLOUT}-failed-health-checks`, `${ROLLOUT}-latency-p99`]);
    expect(metric('error-rate').successCondition).toMatch(/<= 5$/);
    expect(metric('latency-p99').successCondition).toMatch(/<= 2000$/);
    expect(metric('failed-health-checks').successCondition).toMatch(/<= 3$/);
  });

  test('error rate: a canary at 4 % errors passes, at 6 % it is rolled back on the second failed minute', async () => {
    expect(await resultNow('error-rate', 'err4pct01')).toEqual([expect.closeTo(4, 6)]);
    expect(await resultNow('error-rate', 'err6pct01')).toEqual([expect.closeTo(6, 6)]);
    expect(await judge('error-rate', 'err4pct01')).toEqual(PASSES);
    expect(await judge('error-rate', 'err6pct01')).toEqual(ABORTS);
    // One bad minute alone is tolerated (failureLimit 1).
    expect(await judge('error-rate', 'err6pct01', 1)).toEqual({ phases: ['Failed'], metric: 'Running' });
  });

  test('p99 latency: 1.9 s passes, 2.1 s is rolled back', async () => {
    expect(await resultNow('latency-p99', 'lat1900ms')).toEqual([expect.closeTo(1900, 3)]);
    expect(await resultNow('latency-p99', 'lat2100ms')).toEqual([expect.closeTo(2100, 3)]);
    expect(await judge('latency-p99', 'lat1900ms')).toEqual(PASSES);
    expect(await judge('latency-p99', 'lat2100ms')).toEqual(ABORTS);
  });

  test('health checks: 3 failed probes over the canary\'s pods pass, 4 roll it back at once', async () => {
    expect(await resultNow('failed-health-checks', 'probes3xx')).toEqual([3]);
    expect(await resultNow('failed-health-checks', 'probes4xx')).toEqual([4]);
    expect(await judge('failed-health-checks', 'probes3xx')).toEqual(PASSES);
    const four = await judge('failed-health-checks', 'probes4xx', 1);
    expect(four).toEqual({ phases: ['Failed'], metric: 'Failed' });
  });

  test('too little traffic (fewer than minRequests in the window), every request failing and slow: errors and latency pass, as the README says', async () => {
    expect(metric('error-rate').provider.prometheus.query).toContain('>= 10');
    expect(await resultNow('error-rate', 'quiet0001')).toEqual([0]);
    expect(await judge('error-rate', 'quiet0001')).toEqual(PASSES);
    expect(await judge('latency-p99', 'quiet0001')).toEqual(PASSES);
  });

  test('no data at all (a canary not yet scraped): every check passes rather than erring', async () => {
    for (const name of ['error-rate', 'latency-p99', 'failed-health-checks']) expect(await judge(name, 'nodata001')).toEqual(PASSES);
  });

  test('the stable version\'s errors, latency and probes never count against a healthy canary', async () => {
    for (const name of ['error-rate', 'latency-p99', 'failed-health-checks']) expect(await judge(name, 'lat1900ms')).toEqual(PASSES);
    // Judged as a canary itself, the stable version would be rolled back on every count.
    for (const name of ['error-rate', 'latency-p99']) expect((await judge(name, STABLE_HASH)).metric).toBe('Failed');
  });
});

describe('the Argo Rollouts judgement the tests apply (support/argo-analysis.ts)', () => {
  const vector = (...values: string[]) => ({ resultType: 'vector' as const, result: values.map((v) => ({ metric: {}, value: [END, v] as [number, string] })) });
  const m = { successCondition: 'isNaN(result[0]) || result[0] <= 5' };

  test('a vector becomes the list of its values; NaN passes through isNaN; above the bound fails', () => {
    expect(measure(m, vector('4.9'))).toBe('Successful');
    expect(measure(m, vector('NaN'))).toBe('Successful');
    expect(measure(m, vector('5.1'))).toBe('Failed');
  });

  test('an empty answer makes result[0] an evaluation error, as in expr-lang', () => {
    expect(measure(m, vector())).toBe('Error');
    expect(measure({ successCondition: 'len(result) == 0 || result[0] <= 5' }, vector())).toBe('Successful');
  });

  test('both conditions: neither holding is Inconclusive', () => {
    expect(measure({ successCondition: 'result[0] < 1', failureCondition: 'result[0] > 2' }, vector('1.5'))).toBe('Inconclusive');
  });

  test('limits: failures past failureLimit fail, errors past consecutiveErrorLimit err, a success resets the error run', () => {
    expect(assessMetric({ failureLimit: 1 }, ['Failed', 'Successful'])).toBe('Running');
    expect(assessMetric({ failureLimit: 1 }, ['Failed', 'Successful', 'Failed'])).toBe('Failed');
    expect(assessMetric({ consecutiveErrorLimit: 2 }, ['Error', 'Error', 'Successful', 'Error', 'Error'])).toBe('Running');
    expect(assessMetric({ consecutiveErrorLimit: 2 }, ['Error', 'Error', 'Error'])).toBe('Error');
  });

  test('a condition outside the understood subset is refused, not guessed', () => {
    expect(() => measure({ successCondition: 'all(result, {# < 5})' }, vector('1'))).toThrow(/cannot read|unsupported/);
  });
});
