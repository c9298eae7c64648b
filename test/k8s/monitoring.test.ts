import { Chart, Testing } from 'cdk8s';
import { PropsValidator } from '../../lib/catalog';
import {
  ALERT_NAMES,
  AlertThresholds,
  DEFAULT_ALERT_THRESHOLDS,
  ModelMonitoring,
  ModelMonitoringProps,
  resolveAlertThresholds,
  KUBE_STATE_METRICS_ALLOWLIST,
  validateAlertThresholds,
} from '../../lib/k8s/monitoring';
import { schemaFailures } from '../support/schema';
import { messageOf } from '../support/validation';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec: any };

const BASE: ModelMonitoringProps = {
  serviceName: 'resnet',
  selectorLabels: { 'modelserve.io/service': 'resnet' },
  metricsPortName: 'http-metrics',
  metricsPath: '/metrics',
  deploymentNames: ['resnet-stable', 'resnet-canary'],
  modelId: 'model_abc123',
  labels: { release: 'kube-prometheus-stack' },
};

function synth(extra: Partial<ModelMonitoringProps> = {}): { objects: Obj[]; monitor: Obj; rule: Obj; alert: (name: string) => any } {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'models' });
  new ModelMonitoring(chart, 'resnet-monitoring', { ...BASE, ...extra });
  const objects = Testing.synth(chart) as Obj[];
  const monitor = objects.find((o) => o.kind === 'ServiceMonitor')!;
  const rule = objects.find((o) => o.kind === 'PrometheusRule')!;
  return {
    objects,
    monitor,
    rule,
    alert: (name) => {
      const found = rule.spec.groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert === name);
      expect(found).toHaveLength(1);
      return found[0];
    },
  };
}

describe('ModelMonitoring ServiceMonitor', () => {
  test('scrapes the metrics port and path every 30 s over Istio mTLS', () => {
    const { monitor } = synth();
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata).toEqual({ name: 'resnet', namespace: 'models', labels: { release: 'kube-prometheus-stack' } });
    expect(monitor.spec.selector).toEqual({ matchLabels: { 'modelserve.io/service': 'resnet' } });
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['models'] });
    expect(monitor.spec.podTargetLabels).toEqual(['version', 'modelserve.io/track']);
    expect(monitor.spec.endpoints).toEqual([
      {
        port: 'http-metrics',
        path: '/metrics',
        interval: '30s',
        scheme: 'https',
        tlsConfig: {
          caFile: '/etc/prom-certs/root-cert.pem',
          certFile: '/etc/prom-certs/cert-chain.pem',
          keyFile: '/etc/prom-certs/key.pem',
          insecureSkipVerify: true,
        },
      },
    ]);
  });

  test('a scrape class carries the TLS settings instead of files', () => {
    const { monitor } = synth({ scrapeClass: 'istio-mtls', scrapeIntervalSeconds: 15 });
    expect(monitor.spec.scrapeClass).toBe('istio-mtls');
    expect(monitor.spec.endpoints[0]).toEqual({ port: 'http-metrics', path: '/metrics', interval: '15s', scheme: 'https' });
  });

  test('plain HTTP when asked for by name', () => {
    const { monitor } = synth({ scrapeOverIstioMtls: false, metricsPath: undefined });
    expect(monitor.spec.endpoints[0]).toEqual({ port: 'http-metrics', path: '/metrics', interval: '30s', scheme: 'http' });
  });
});

describe('ModelMonitoring PrometheusRule', () => {
  test('one alert per threshold, with unique valid names, severities and the service labels', () => {
    const { rule } = synth();
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.spec.groups).toHaveLength(1);
    expect(rule.spec.groups[0].name).toBe('modelserve.models.resnet');
    const rules = rule.spec.groups[0].rules;
    const names = rules.map((r: any) => r.alert);
    expect(names).toEqual(Object.values(ALERT_NAMES));
    expect(new Set(names).size).toBe(names.length);
    for (const r of rules) {
      expect(r.alert).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
      expect(r.for).toMatch(/^\d+m$/);
      expect(['warning', 'critical']).toContain(r.labels.severity);
      expect(r.labels).toMatchObject({ namespace: 'models', service: 'resnet', model_id: 'model_abc123' });
      expect(r.annotations.summary).toContain('models/resnet (model model_abc123)');
      expect(r.annotations.description).toBeDefined();
      expect(r.annotations.runbook_url).toBeUndefined();
    }
  });

  test('latency alerts: histogram quantiles of the Istio server-side duration, at 100 and 500 ms by default', () => {
    const { alert } = synth();
    const selector = 'istio_request_duration_milliseconds_bucket{reporter="destination", destination_service_name="resnet", destination_service_namespace="models"}[5m]';
    expect(alert(ALERT_NAMES.latencyP50).expr).toBe(`histogram_quantile(0.5, sum by (le, destination_version) (rate(${selector}))) > 100`);
    expect(alert(ALERT_NAMES.latencyP99).expr).toBe(`histogram_quantile(0.99, sum by (le, destination_version) (rate(${selector}))) > 500`);
    expect(alert(ALERT_NAMES.latencyP99).annotations.summary).toContain('above 500 ms');
  });

  test('error rate alert: 5xx and gRPC server errors over all Istio requests, above 1 % by default, critical', () => {
    const a = synth().alert(ALERT_NAMES.errorRate);
    const requests = 'reporter="destination", destination_service_name="resnet", destination_service_namespace="models"';
    expect(a.expr).toBe(
      // A gRPC error travels in an HTTP 200: only grpc_response_status tells it apart.
      `sum by (destination_version) (rate(istio_requests_total{${requests}, response_code=~"5.."}[5m])` +
        ` or rate(istio_requests_total{${requests}, response_code!~"5..", grpc_response_status=~"2|4|12|13|14|15"}[5m]))` +
        ` / sum by (destination_version) (rate(istio_requests_total{${requests}}[5m])) * 100 > 1` +
        // A handful of requests is not a rate: one failure out of two would page at 50 %.
        ' and sum by (destination_version) (increase(istio_requests_total{reporter="destination", destination_service_name="resnet", destination_service_namespace="models"}[5m])) >= 10',
    );
    expect(a.labels.severity).toBe('critical');
    expect(a.annotations.description).toContain('the threshold is 1%');
  });

  test('error rate alert: the statuses that mean "no model" count as failures (a broken TorchServe answers 404 to everything)', () => {
    const a = synth({ modelMissingStatusCodes: [404] }).alert(ALERT_NAMES.errorRate);
    expect(a.expr).toContain('response_code=~"5..|404"');
    expect(a.expr).toContain('response_code!~"5..|404", grpc_response_status=~"2|4|5|12|13|14|15"');
    expect(a.annotations.description).toContain('failed (5xx, 404, gRPC server errors)');
    expect(() => synth({ modelMissingStatusCodes: [503] })).toThrow('test/resnet-monitoring: modelMissingStatusCodes ([503]) must list 4xx HTTP statuses; list the statuses the server answers when it has no model, e.g. [404]');
  });

  test('CPU and memory alerts: usage over the container limits of the Deployments\' pods, 80 and 85 % by default', () => {
    const { alert } = synth();
    const pods = 'namespace="models", pod=~"(resnet-stable|resnet-canary)-[a-z0-9]+-[a-z0-9]{5}", container!="", container!="POD", container!="istio-proxy"';
    expect(alert(ALERT_NAMES.cpu).expr).toBe(
      `sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{${pods}}[5m]))` +
        ` / sum by (namespace, pod, container) (kube_pod_container_resource_limits{${pods}, resource="cpu"}) * 100 > 80`,
    );
    expect(alert(ALERT_NAMES.memory).expr).toBe(
      `sum by (namespace, pod, container) (container_memory_working_set_bytes{${pods}})` +
        ` / sum by (namespace, pod, container) (kube_pod_container_resource_limits{${pods}, resource="memory"}) * 100 > 85`,
    );
  });

  test('the pod regex matches the Deployments\' pods only', () => {
    const expr: string = synth({ deploymentNames: ['resnet'] }).alert(ALERT_NAMES.cpu).expr;
    const regex = new RegExp(`^${/pod=~"([^"]+)"/.exec(expr)![1]}$`);
    expect(regex.test('resnet-7d9f8b6c5d-x2k4q')).toBe(true);
    expect(regex.test('resnet-canary-7d9f8b6c5d-x2k4q')).toBe(false);
    expect(regex.test('resnet2-7d9f8b6c5d-x2k4q')).toBe(false);
  });

  test('staleness alert: age of the served version from kube-state-metrics, above 24 h by default', () => {
    const a = synth().alert(ALERT_NAMES.staleness);
    // Whatever the server: the ReplicaSets' creation time and the pod template's labels.
    expect(a.expr).toMatch(/^\(\(time\(\) - min by \(version\) \(.*kube_replicaset_created\{namespace="models"\}.*\) > 86400$/);
    expect(a.expr).toContain('kube_replicaset_labels{namespace="models", label_modelserve_io_service="resnet", label_modelserve_io_model_version!=""}');
    expect(a.expr).toContain('kube_replicaset_spec_replicas{namespace="models"}');
    expect(a.annotations.description).toContain(`--metric-labels-allowlist=${KUBE_STATE_METRICS_ALLOWLIST.join(',')}`);
    expect(KUBE_STATE_METRICS_ALLOWLIST).toEqual(['pods=[modelserve.io/service,modelserve.io/model-version]', 'replicasets=[modelserve.io/service,modelserve.io/model-version]']);
  });

  test('overrides change the thresholds in expressions and annotations', () => {
    const { alert } = synth({ thresholds: { latencyP50Ms: 250, latencyP99Ms: 2000, errorRatePercent: 0.5, cpuPercent: 90, memoryPercent: 95, modelStalenessHours: 168 } });
    expect(alert(ALERT_NAMES.latencyP50).expr).toMatch(/ > 250$/);
    expect(alert(ALERT_NAMES.latencyP99).expr).toMatch(/ > 2000$/);
    expect(alert(ALERT_NAMES.latencyP99).annotations.description).toContain('the threshold is 2000 ms');
    expect(alert(ALERT_NAMES.errorRate).expr).toMatch(/ \* 100 > 0\.5 and /);
    expect(alert(ALERT_NAMES.cpu).expr).toMatch(/ \* 100 > 90$/);
    expect(alert(ALERT_NAMES.memory).expr).toMatch(/ \* 100 > 95$/);
    expect(alert(ALERT_NAMES.staleness).expr).toMatch(/ > 604800$/);
    expect(alert(ALERT_NAMES.staleness).annotations.summary).toContain('older than 168 h');
  });

  test('a partial override keeps the other defaults', () => {
    const { alert } = synth({ thresholds: { latencyP99Ms: 800 } });
    expect(alert(ALERT_NAMES.latencyP99).expr).toMatch(/ > 800$/);
    expect(alert(ALERT_NAMES.latencyP50).expr).toMatch(/ > 100$/);
  });
});

describe('ModelMonitoring schema', () => {
  test.each<[string, Partial<ModelMonitoringProps>]>([
    ['defaults', {}],
    ['scrape class', { scrapeClass: 'istio-mtls' }],
    ['plain HTTP and overrides', { scrapeOverIstioMtls: false, thresholds: { errorRatePercent: 5 } }],
  ])('%s: ServiceMonitor, PrometheusRule and the log alerts\' ConfigMap validate against their schemas', (_name, extra) => {
    expect(schemaFailures(synth(extra).objects)).toEqual({ checked: 3, failures: [] });
  });
});

describe('ModelMonitoring prop checks', () => {
  const build = (props: Partial<ModelMonitoringProps>) => () => {
    const chart = new Chart(Testing.app(), 'test');
    new ModelMonitoring(chart, 'mon', { ...BASE, ...props });
  };

  test('empty selector labels', () => {
    expect(build({ selectorLabels: {} })).toThrow('test/mon: selectorLabels ({}) is empty, which would scrape every Service in the namespace; pass the labels of the model\'s Service');
  });

  test('metrics port given as a number-like name', () => {
    expect(build({ metricsPortName: '9090' })).toThrow(/^test\/mon: metricsPortName \("9090"\) is not a Service port name/);
  });

  test('metrics path without a leading slash', () => {
    expect(build({ metricsPath: 'metrics' })).toThrow('test/mon: metricsPath ("metrics") must be a path starting with "/" without spaces, query or fragment; give the path of the metrics endpoint, e.g. "/metrics"');
  });

  test('no Deployments', () => {
    expect(build({ deploymentNames: [] })).toThrow('test/mon: deploymentNames ([]) is empty; pass the names of the service\'s Deployments, one per track');
  });

  test('model id that would break the alert templates', () => {
    expect(build({ modelId: 'model_{{ x }}' })).toThrow(/^test\/mon: modelId \("model_\{\{ x \}\}"\) is empty or contains \{, \}/);
  });

  test('scrape interval below 5 s', () => {
    expect(build({ scrapeIntervalSeconds: 1 })).toThrow('test/mon: scrapeIntervalSeconds (1) must be a whole number from 5 to 3600; scrape every 5 to 3600 seconds; 30 is usual');
  });

  test('scrape class with an invalid name', () => {
    expect(build({ scrapeClass: 'istio mtls' })).toThrow(/^test\/mon: scrapeClass \("istio mtls"\) is not a valid name/);
  });

  test('a Deployment name that is not a name', () => {
    expect(build({ deploymentNames: ['resnet', 'Resnet_Canary'] })).toThrow('test/mon: deploymentNames[1] ("Resnet_Canary") is not a Deployment name; pass the names of the service\'s Deployments');
  });

  test('service name that is not a DNS label', () => {
    expect(build({ serviceName: 'ResNet' })).toThrow(/^test\/mon: serviceName \("ResNet"\) is not a valid name/);
  });

  test('thresholds are checked under the thresholds field', () => {
    expect(build({ thresholds: { cpuPercent: 120 } })).toThrow(/^test\/mon: thresholds\.cpuPercent \(120\) must be a percentage/);
  });
});

describe('validateAlertThresholds', () => {
  const run = (t: AlertThresholds) => messageOf((check) => validateAlertThresholds(check, t));

  test('accepts undefined, {} and sensible overrides', () => {
    for (const t of [undefined, {}, { latencyP50Ms: 500, latencyP99Ms: 500 }, { errorRatePercent: 100, modelStalenessHours: 0.5 }]) {
      expect(() => validateAlertThresholds(new PropsValidator('svc'), t)).not.toThrow();
    }
  });

  test('defaults', () => {
    expect(DEFAULT_ALERT_THRESHOLDS).toEqual({ latencyP50Ms: 100, latencyP99Ms: 500, errorRatePercent: 1, cpuPercent: 80, memoryPercent: 85, modelStalenessHours: 24, errorLogLinesPerMinute: 10 });
    expect(resolveAlertThresholds({ cpuPercent: 70 })).toEqual({ ...DEFAULT_ALERT_THRESHOLDS, cpuPercent: 70 });
  });

  test('latency of 0', () => {
    expect(run({ latencyP50Ms: 0 })).toBe('svc: monitoring.alerts.latencyP50Ms (0) must be a positive number of milliseconds; set monitoring.alerts.latencyP50Ms above 0, e.g. 100');
  });

  test('negative p99 latency', () => {
    expect(run({ latencyP99Ms: -10 })).toBe('svc: monitoring.alerts.latencyP99Ms (-10) must be a positive number of milliseconds; set monitoring.alerts.latencyP99Ms above 0, e.g. 500');
  });

  test('latency that is not a number', () => {
    expect(run({ latencyP99Ms: '500ms' as unknown as number })).toMatch(/^svc: monitoring\.alerts\.latencyP99Ms \("500ms"\) must be a positive number of milliseconds/);
  });

  test('p50 above p99', () => {
    expect(run({ latencyP50Ms: 900, latencyP99Ms: 800 })).toBe(
      'svc: monitoring.alerts.latencyP50Ms (900) is greater than latencyP99Ms (800), but the median can never exceed the 99th percentile; lower monitoring.alerts.latencyP50Ms or raise monitoring.alerts.latencyP99Ms to at least 900',
    );
  });

  test('p50 above the default p99', () => {
    expect(run({ latencyP50Ms: 600 })).toBe(
      'svc: monitoring.alerts.latencyP50Ms (600) is greater than latencyP99Ms (500, the default), but the median can never exceed the 99th percentile; lower monitoring.alerts.latencyP50Ms or raise monitoring.alerts.latencyP99Ms to at least 600',
    );
  });

  test('p99 below the default p50', () => {
    expect(run({ latencyP99Ms: 50 })).toBe(
      'svc: monitoring.alerts.latencyP99Ms (50) is less than latencyP50Ms (100, the default), but the 99th percentile can never be below the median; raise monitoring.alerts.latencyP99Ms to at least 100, or lower monitoring.alerts.latencyP50Ms too',
    );
  });

  test('error rate above 100 %', () => {
    expect(run({ errorRatePercent: 150 })).toBe('svc: monitoring.alerts.errorRatePercent (150) must be a percentage above 0 and at most 100; set monitoring.alerts.errorRatePercent between 0 and 100, e.g. 1');
  });

  test('error rate of 0 %', () => {
    expect(run({ errorRatePercent: 0 })).toMatch(/^svc: monitoring\.alerts\.errorRatePercent \(0\) must be a percentage above 0/);
  });

  test('CPU above 100 %', () => {
    expect(run({ cpuPercent: 101 })).toBe('svc: monitoring.alerts.cpuPercent (101) must be a percentage above 0 and at most 100; set monitoring.alerts.cpuPercent between 0 and 100, e.g. 80');
  });

  test('negative memory percentage', () => {
    expect(run({ memoryPercent: -1 })).toBe('svc: monitoring.alerts.memoryPercent (-1) must be a percentage above 0 and at most 100; set monitoring.alerts.memoryPercent between 0 and 100, e.g. 85');
  });

  test('staleness of 0 hours', () => {
    expect(run({ modelStalenessHours: 0 })).toBe('svc: monitoring.alerts.modelStalenessHours (0) must be a positive number of hours; set monitoring.alerts.modelStalenessHours above 0, e.g. 24');
  });

  test('infinite staleness', () => {
    expect(run({ modelStalenessHours: Infinity })).toMatch(/^svc: monitoring\.alerts\.modelStalenessHours \(Infinity\) must be a positive number of hours/);
  });

  test('an unknown threshold (a typo)', () => {
    expect(run({ latencyP95Ms: 300 } as AlertThresholds)).toBe(
      'svc: monitoring.alerts.latencyP95Ms (300) is not an alert threshold; use one of latencyP50Ms, latencyP99Ms, errorRatePercent, cpuPercent, memoryPercent, modelStalenessHours, errorLogLinesPerMinute',
    );
  });

  test('thresholds out of range, where the alert could never fire', () => {
    expect(run({ modelStalenessHours: 10_000 })).toBe('svc: monitoring.alerts.modelStalenessHours (10000) is above 8760 hours (a year), where the alert could never fire; set monitoring.alerts.modelStalenessHours to at most 8760');
    expect(run({ latencyP50Ms: 4_000_000, latencyP99Ms: 5_000_000 })).toMatch(/^svc: monitoring\.alerts\.latencyP50Ms \(4000000\) is above 3600000 milliseconds \(an hour\)/);
    expect(run({ errorLogLinesPerMinute: -1 })).toBe('svc: monitoring.alerts.errorLogLinesPerMinute (-1) must be a positive number of lines a minute; set monitoring.alerts.errorLogLinesPerMinute above 0, e.g. 10');
  });

  test('not an object', () => {
    expect(run(80 as unknown as AlertThresholds)).toBe('svc: monitoring.alerts (80) is not an object; pass e.g. { latencyP99Ms: 800 } or leave monitoring.alerts out');
  });

  test('uses the caller\'s field name', () => {
    expect(messageOf((check) => validateAlertThresholds(check, { cpuPercent: 0 }, 'alertThresholds'))).toMatch(/^svc: alertThresholds\.cpuPercent \(0\)/);
  });
});
