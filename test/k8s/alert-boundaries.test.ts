import { describeWith, requireEngines } from '../support/engines';
import { AlertRule } from '../../lib/k8s/monitoring/alert-rules';
import { monitoredObjects, serviceRules } from '../support/monitoring-app';
import {
  AlertCheck,
  bucketsForQuantile,
  counterSeries,
  durationMinutes,
  gaugeSeries,
  InputSeries,
  promtoolTestRules,
  RuleTestCase,
} from '../support/promtool-rules';
import { ALERT_NAMES } from '../../lib/k8s/monitoring';

/**
 * Each alert of a real service (the production example's `ocr`, default thresholds, and a
 * service with its own) judged by `promtool test rules` on series shaped like the exporters'
 * (Istio sidecars through the namespace's PodMonitor, cAdvisor and kube-state-metrics through
 * kube-prometheus-stack's ServiceMonitors, labels and all): just below its threshold it never
 * fires, just above it fires once it has held for its `for`, not before.
 */
const engines = requireEngines('promtool');
const objects = monitoredObjects();

const NS = 'models-production';
const SERVICE = 'ocr';
const VERSION = '4.1.0';
const POD = 'ocr-7d9f8c6b5-x2k4q';
const rules = serviceRules(objects, NS, SERVICE);

/** Samples of the test series: 30 s apart (the scrape interval), for 40 minutes. */
const INTERVAL_S = 30;
const SAMPLES = 80;

function rule(name: string): AlertRule {
  const found = rules.find((r) => r.alert === name);
  if (!found) throw new Error(`no alert ${name} in ${NS}/${SERVICE}`);
  return found;
}

/** The alert's complete labels: its own, the series labels its expression keeps, and its name. */
function alertLabels(name: string, kept: Record<string, string>): Record<string, string> {
  return { alertname: name, ...rule(name).labels, ...kept };
}

/** What the sidecar of the model pod reports for requests it served (reporter="destination"), as scraped by the istio-sidecars PodMonitor. */
function istioLabels(extra: Record<string, string> = {}): Record<string, string> {
  return {
    reporter: 'destination',
    source_workload: 'istio-ingressgateway',
    source_workload_namespace: 'istio-ingress',
    destination_service: `${SERVICE}.${NS}.svc.cluster.local`,
    destination_service_name: SERVICE,
    destination_service_namespace: NS,
    destination_workload: SERVICE,
    destination_workload_namespace: NS,
    destination_app: SERVICE,
    destination_version: VERSION,
    request_protocol: 'http',
    connection_security_policy: 'mutual_tls',
    response_flags: '-',
    namespace: NS,
    pod: POD,
    container: 'istio-proxy',
    job: `${NS}/istio-sidecars`,
    instance: '10.0.12.7:15090',
    ...extra,
  };
}

/** Requests per scrape interval answered 200 and 503. */
function requests(ok: number, failed: number): InputSeries[] {
  return [
    counterSeries('istio_requests_total', istioLabels({ response_code: '200' }), ok, SAMPLES),
    counterSeries('istio_requests_total', istioLabels({ response_code: '503' }), failed, SAMPLES),
  ];
}

/** A latency histogram whose q-quantile is targetMs, 3000 requests per interval (100 per second). */
function latency(q: number, targetMs: number): InputSeries[] {
  return Object.entries(bucketsForQuantile(q, targetMs, 3000)).map(([le, perInterval]) =>
    counterSeries('istio_request_duration_milliseconds_bucket', istioLabels({ response_code: '200', le }), perInterval, SAMPLES),
  );
}

/**
 * The boundary cases of one alert: `below` never fires (checked at its `for` and 20 minutes
 * later), `above` is still pending a minute before `onset + for` and fires a minute after it.
 * `onset` is the first minute its expression holds on these series, which start at minute 0:
 * 0 for a gauge, 1 for a ratio of rates (two samples suffice), 5 for a rate against a fixed
 * limit (rate() divides by the whole 5-minute window).
 */
function boundary(alertname: string, onset: number, below: readonly InputSeries[], above: readonly InputSeries[], firing: Record<string, string>[]): RuleTestCase[] {
  const hold = durationMinutes(rule(alertname).for);
  const never: AlertCheck[] = [hold, hold + 20].map((atMinutes) => ({ atMinutes, alertname, firing: [] }));
  return [
    { name: `${alertname} below`, intervalSeconds: INTERVAL_S, series: below, checks: never },
    {
      name: `${alertname} above`,
      intervalSeconds: INTERVAL_S,
      series: above,
      checks: [
        { atMinutes: onset + hold - 1, alertname, firing: [] },
        { atMinutes: onset + hold + 1, alertname, firing },
        { atMinutes: onset + hold + 15, alertname, firing },
      ],
    },
  ];
}

function expectPromtoolPasses(cases: RuleTestCase[]): void {
  const r = promtoolTestRules(engines!.promtool, rules, cases);
  if (r.status !== 0) throw new Error(`promtool test rules failed:\n${r.output}`);
  expect(r.output).toContain('SUCCESS');
}

/** cAdvisor's series of one container, as the kubelet ServiceMonitor scrapes them. */
function cadvisorLabels(container: string): Record<string, string> {
  return {
    namespace: NS,
    pod: POD,
    container,
    image: container === 'istio-proxy' ? 'docker.io/istio/proxyv2:1.31.0' : 'registry.example.com/modelserve/ocr-server:4.1.0',
    id: `/kubepods.slice/kubepods-pod1234.slice/cri-containerd-${container}.scope`,
    name: `cri-containerd-${container}`,
    node: 'ip-10-0-12-34.ec2.internal',
    job: 'kubelet',
    metrics_path: '/metrics/cadvisor',
    service: 'kube-prometheus-stack-kubelet',
    endpoint: 'https-metrics',
    instance: '10.0.12.34:10250',
  };
}

/** kube-state-metrics' series of one container's limit. */
function limit(container: string, resource: 'cpu' | 'memory', value: number): InputSeries {
  return gaugeSeries('kube_pod_container_resource_limits', {
    namespace: NS,
    pod: POD,
    container,
    uid: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
    node: 'ip-10-0-12-34.ec2.internal',
    resource,
    unit: resource === 'cpu' ? 'core' : 'byte',
    job: 'kube-state-metrics',
    service: 'kube-prometheus-stack-kube-state-metrics',
    endpoint: 'http',
    instance: '10.0.7.9:8080',
  }, value, SAMPLES);
}

const CPU_LIMIT = 4;
const MEMORY_LIMIT = 8 * 1024 ** 3;

/** The model container using `share` of its CPU limit, the sidecar at 100 % of its own (never alerting). */
function cpuAt(share: number): InputSeries[] {
  return [
    counterSeries('container_cpu_usage_seconds_total', cadvisorLabels('model-server'), share * CPU_LIMIT * INTERVAL_S, SAMPLES),
    counterSeries('container_cpu_usage_seconds_total', cadvisorLabels('istio-proxy'), 1 * INTERVAL_S, SAMPLES),
    limit('model-server', 'cpu', CPU_LIMIT),
    limit('istio-proxy', 'cpu', 1),
  ];
}

function memoryAt(share: number): InputSeries[] {
  return [
    gaugeSeries('container_memory_working_set_bytes', cadvisorLabels('model-server'), Math.round(share * MEMORY_LIMIT), SAMPLES),
    gaugeSeries('container_memory_working_set_bytes', cadvisorLabels('istio-proxy'), 1024 ** 3, SAMPLES),
    limit('model-server', 'memory', MEMORY_LIMIT),
    limit('istio-proxy', 'memory', 1024 ** 3),
  ];
}

describeWith(engines)('alert boundaries (promtool test rules) of a service with the spec\'s thresholds', () => {
  test('the service under test has the spec\'s default thresholds', () => {
    expect(rule(ALERT_NAMES.latencyP50).expr).toMatch(/ > 100$/);
    expect(rule(ALERT_NAMES.latencyP99).expr).toMatch(/ > 500$/);
    expect(rule(ALERT_NAMES.errorRate).expr).toMatch(/ > 1 and /);
    expect(rule(ALERT_NAMES.cpu).expr).toMatch(/ > 80$/);
    expect(rule(ALERT_NAMES.memory).expr).toMatch(/ > 85$/);
    expect(rule(ALERT_NAMES.staleness).expr).toMatch(/ > 86400$/);
  });

  test('p50 latency: 95 ms stays quiet, 105 ms fires after 10 minutes', () => {
    const name = ALERT_NAMES.latencyP50;
    expectPromtoolPasses(boundary(name, 1, latency(0.5, 95), latency(0.5, 105), [alertLabels(name, { destination_version: VERSION })]));
  });

  test('p99 latency: 490 ms stays quiet, 510 ms fires after 10 minutes', () => {
    const name = ALERT_NAMES.latencyP99;
    expectPromtoolPasses(boundary(name, 1, latency(0.99, 490), latency(0.99, 510), [alertLabels(name, { destination_version: VERSION })]));
  });

  test('error rate: 0.9 % of 100 requests/s stays quiet, 1.1 % fires after 5 minutes', () => {
    const name = ALERT_NAMES.errorRate;
    expectPromtoolPasses(boundary(name, 1, requests(2973, 27), requests(2967, 33), [alertLabels(name, { destination_version: VERSION })]));
  });

  test('error rate: every request failing does not page while there are fewer than 10 in 5 minutes', () => {
    const name = ALERT_NAMES.errorRate;
    // One failed request a minute: 5 in the window, all of them 503.
    expectPromtoolPasses([{ name: `${name} quiet`, intervalSeconds: 60, series: requests(0, 1), checks: [10, 30].map((atMinutes) => ({ atMinutes, alertname: name, firing: [] })) }]);
  });

  test('CPU: 79 % of the limit stays quiet, 81 % fires after 15 minutes; the sidecar at 100 % never does', () => {
    const name = ALERT_NAMES.cpu;
    expectPromtoolPasses(boundary(name, 5, cpuAt(0.79), cpuAt(0.81), [alertLabels(name, { pod: POD, container: 'model-server' })]));
  });

  test('memory: 84 % of the limit stays quiet, 86 % fires after 15 minutes; the sidecar near its limit never does', () => {
    const name = ALERT_NAMES.memory;
    expectPromtoolPasses(boundary(name, 0, memoryAt(0.84), memoryAt(0.86), [alertLabels(name, { pod: POD, container: 'model-server' })]));
  });
});

/**
 * kube-state-metrics' ReplicaSet series (with the labels allowlisted by kube-prometheus-stack's
 * values): created at `createdAt` seconds, asking for `replicas`.
 */
function replicaSet(name: string, version: string, createdAt: number, replicas: number, samples: number): InputSeries[] {
  const target = { job: 'kube-state-metrics', service: 'kube-prometheus-stack-kube-state-metrics', endpoint: 'http', instance: '10.0.7.9:8080', pod: 'kube-prometheus-stack-kube-state-metrics-6d5f7b8c9-abcde', container: 'kube-state-metrics' };
  const rs = { namespace: NS, replicaset: name, ...target };
  return [
    gaugeSeries('kube_replicaset_created', rs, createdAt, samples),
    gaugeSeries('kube_replicaset_spec_replicas', rs, replicas, samples),
    gaugeSeries('kube_replicaset_labels', { ...rs, label_modelserve_io_service: SERVICE, label_modelserve_io_model_version: version }, 1, samples),
  ];
}

describeWith(engines)('model staleness (promtool test rules)', () => {
  test('the served version fires 24 h after it was first rolled out (whatever the server), not an old version that no longer runs', () => {
    const name = ALERT_NAMES.staleness;
    const hold = durationMinutes(rule(name).for);
    // 26 hours of samples, 5 minutes apart.
    const samples = 26 * 12;
    const series = [
      // The previous version, scaled to zero long ago: older than 24 h, but nothing serves it.
      ...replicaSet('ocr-5c8d7f6b4', '4.0.0', 0, 0, samples),
      // The served version: first rolled out at 1 h; a config change at 3 h made a new
      // ReplicaSet of the same version, which must not make the model look new.
      ...replicaSet('ocr-6f9e8d7c5', VERSION, 3600, 0, samples),
      ...replicaSet('ocr-7d9f8c6b5', VERSION, 3 * 3600, 2, samples),
    ];
    const firing = [alertLabels(name, { version: VERSION })];
    const h = 60;
    expectPromtoolPasses([{
      name,
      intervalSeconds: 300,
      series,
      checks: [
        // 23 h 59 min after the rollout.
        { atMinutes: 24 * h + 59, alertname: name, firing: [] },
        // Above 24 h since minute 25 h 01, pending for its `for`.
        { atMinutes: 25 * h + hold, alertname: name, firing: [] },
        { atMinutes: 25 * h + hold + 2, alertname: name, firing },
      ],
    }]);
  });
});

describeWith(engines)('alert boundaries follow a service\'s own thresholds', () => {
  test('models-variants/wide-deep (p99 300 ms, 0.5 % errors): 290 ms and 0.4 % stay quiet, 310 ms and 0.6 % fire', () => {
    const own = serviceRules(objects, 'models-variants', 'wide-deep');
    const relabel = (series: InputSeries[]) => series.map((s) => ({ ...s, series: s.series.replaceAll(NS, 'models-variants').replaceAll(`"${SERVICE}`, '"wide-deep').replaceAll(VERSION, '2.0.0') }));
    const p99 = own.find((r) => r.alert === ALERT_NAMES.latencyP99)!;
    const errors = own.find((r) => r.alert === ALERT_NAMES.errorRate)!;
    const labels = (r: AlertRule) => ({ alertname: r.alert, ...r.labels, destination_version: '2.0.0' });
    const cases: RuleTestCase[] = [
      { name: 'p99 below', intervalSeconds: INTERVAL_S, series: relabel(latency(0.99, 290)), checks: [{ atMinutes: 30, alertname: p99.alert, firing: [] }] },
      { name: 'p99 above', intervalSeconds: INTERVAL_S, series: relabel(latency(0.99, 310)), checks: [{ atMinutes: 30, alertname: p99.alert, firing: [labels(p99)] }] },
      { name: 'errors below', intervalSeconds: INTERVAL_S, series: relabel(requests(2988, 12)), checks: [{ atMinutes: 30, alertname: errors.alert, firing: [] }] },
      { name: 'errors above', intervalSeconds: INTERVAL_S, series: relabel(requests(2982, 18)), checks: [{ atMinutes: 30, alertname: errors.alert, firing: [labels(errors)] }] },
    ];
    const r = promtoolTestRules(engines!.promtool, own, cases);
    if (r.status !== 0) throw new Error(`promtool test rules failed:\n${r.output}`);
  });

  test('a wrong expectation fails promtool (the harness is not vacuous)', () => {
    const name = ALERT_NAMES.latencyP99;
    const r = promtoolTestRules(engines!.promtool, rules, [{ name: 'wrong', intervalSeconds: INTERVAL_S, series: latency(0.99, 490), checks: [{ atMinutes: 30, alertname: name, firing: [alertLabels(name, { destination_version: VERSION })] }] }]);
    expect(r.status).not.toBe(0);
  });
});
