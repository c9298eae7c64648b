import { MODEL_VERSION_LABEL, SERVICE_LABEL } from '../../labels';
import { CONTAINER_NAME } from '../../workload';
import { kubeStateMetricsLabel, modelAgeSeconds } from '../model-staleness';
import { DashboardSpec, PanelSpec, VariableSpec } from './grafana-json';

/** The dashboards, by key; each key names its ConfigMap (`modelserve-dashboard-<key>`). */
export type DashboardKey = 'overview' | 'performance' | 'canary' | 'infrastructure';

const NS = '$namespace';
const SVC = '$service';
const VERSION = '$version';
const WINDOW = '$__rate_interval';

/** Requests the model pods' sidecars served (reporter="destination", as the alerts count them). */
const served = (extra = '') =>
  `istio_requests_total{reporter="destination", destination_service_namespace="${NS}", destination_service_name="${SVC}", destination_version=~"${VERSION}"${extra}}`;
const buckets = `istio_request_duration_milliseconds_bucket{reporter="destination", destination_service_namespace="${NS}", destination_service_name="${SVC}", destination_version=~"${VERSION}"}`;
const rate = (selector: string) => `rate(${selector}[${WINDOW}])`;
/** 5xx share, percent; 0 rather than no data while there is no 5xx series at all. */
const errorsOf = (by: string) => {
  const total = `sum${by} (${rate(served())})`;
  return `(sum${by} (${rate(served(', response_code=~"5.."'))}) or ${total} * 0) / ${total} * 100`;
};
const quantile = (q: number, by: string) => `histogram_quantile(${q}, sum by (le${by}) (${rate(buckets)}))`;

/** The service's pods (of the chosen versions), from kube-state-metrics' pod labels. */
const servicePods = `max by (namespace, pod) (kube_pod_labels{namespace="${NS}", ${kubeStateMetricsLabel(SERVICE_LABEL)}="${SVC}", ${kubeStateMetricsLabel(MODEL_VERSION_LABEL)}=~"${VERSION}"})`;
const ofServicePods = (expr: string) => `(${expr}) and on (namespace, pod) ${servicePods}`;
const perPodShareOfLimit = (usage: string, resource: 'cpu' | 'memory') =>
  ofServicePods(`sum by (namespace, pod) (${usage}) / sum by (namespace, pod) (kube_pod_container_resource_limits{namespace="${NS}", container="${CONTAINER_NAME}", resource="${resource}"}) * 100`);

const VARIABLES: readonly VariableSpec[] = [
  { name: 'namespace', label: 'Namespace', selector: 'istio_requests_total{reporter="destination"}', labelName: 'destination_service_namespace' },
  { name: 'service', label: 'Service', selector: `istio_requests_total{reporter="destination", destination_service_namespace="${NS}"}`, labelName: 'destination_service_name' },
  { name: 'version', label: 'Version', selector: `istio_requests_total{reporter="destination", destination_service_namespace="${NS}", destination_service_name="${SVC}"}`, labelName: 'destination_version', multi: true },
];

const stat = (title: string, description: string, unit: string, expr: string): PanelSpec => ({ title, description, kind: 'stat', unit, width: 6, targets: [{ expr, legendFormat: title }] });
const graph = (title: string, description: string, unit: string, targets: PanelSpec['targets'], width = 12): PanelSpec => ({ title, description, kind: 'timeseries', unit, width, targets });

const overview: DashboardSpec = {
  uid: 'modelserve-overview',
  title: 'Model Serving Overview',
  description: 'Traffic, errors, latency and replicas of one model service (modelserve).',
  variables: VARIABLES,
  panels: [
    stat('Requests per second', 'Requests the service\'s pods answered, every caller.', 'reqps', `sum (${rate(served())})`),
    stat('Error rate', 'Share of requests answered with a 5xx status. The alert fires above the service\'s errorRatePercent (1 % by default).', 'percent', errorsOf('')),
    stat('p99 latency', 'Measured by the pods\' sidecars. The alert fires above latencyP99Ms (500 ms by default).', 'ms', quantile(0.99, '')),
    stat('Ready pods', 'Pods of the chosen versions that pass their readiness probe.', 'short', `sum (kube_pod_status_ready{namespace="${NS}", condition="true"} and on (namespace, pod) ${servicePods})`),
    graph('Requests per second by version', 'Each version\'s traffic: stable and canary, blue and green, A and B.', 'reqps', [{ expr: `sum by (destination_version) (${rate(served())})`, legendFormat: '{{destination_version}}' }]),
    graph('Error rate by version', '5xx share of each version\'s requests.', 'percent', [{ expr: errorsOf(' by (destination_version)'), legendFormat: '{{destination_version}}' }]),
    graph('Firing alerts', 'The service\'s alerts that are firing now (its PrometheusRule).', 'short', [{ expr: `sum by (alertname, severity) (ALERTS{alertstate="firing", namespace="${NS}", service="${SVC}"})`, legendFormat: '{{alertname}} ({{severity}})' }], 24),
  ],
};

const performance: DashboardSpec = {
  uid: 'modelserve-performance',
  title: 'Model Performance',
  description: 'Latency percentiles, response codes and throughput of one model service (modelserve).',
  variables: VARIABLES,
  panels: [
    graph('Latency percentiles', 'p50, p90 and p99 of every request to the chosen versions; the alerts watch p50 and p99.', 'ms', [
      { expr: quantile(0.5, ''), legendFormat: 'p50' },
      { expr: quantile(0.9, ''), legendFormat: 'p90' },
      { expr: quantile(0.99, ''), legendFormat: 'p99' },
    ], 24),
    graph('p99 latency by version', 'The slowest percent of each version\'s requests.', 'ms', [{ expr: quantile(0.99, ', destination_version'), legendFormat: '{{destination_version}}' }]),
    graph('Responses by status code', 'Requests per second by HTTP status.', 'reqps', [{ expr: `sum by (response_code) (${rate(served())})`, legendFormat: '{{response_code}}' }]),
    graph('gRPC responses by status', 'gRPC calls per second by grpc-status (0 is OK).', 'reqps', [{ expr: `sum by (grpc_response_status) (${rate(served(', grpc_response_status!=""'))})`, legendFormat: 'grpc {{grpc_response_status}}' }]),
    graph('Requests per second by caller', 'Who calls the service: the ingress gateway, a pipeline, another service.', 'reqps', [{ expr: `sum by (source_workload) (${rate(served())})`, legendFormat: '{{source_workload}}' }]),
  ],
};

const canary: DashboardSpec = {
  uid: 'modelserve-canary',
  title: 'Canary Deployment',
  description: 'A new version beside the stable one: traffic split, errors, latency and health checks, the signals of the automatic rollback (modelserve).',
  variables: VARIABLES,
  panels: [
    graph('Traffic share by version', 'Each version\'s share of the service\'s requests, percent: the canary weight as Istio applies it.', 'percent', [
      { expr: `sum by (destination_version) (${rate(served())}) / scalar(sum (${rate(served())})) * 100`, legendFormat: '{{destination_version}}' },
    ]),
    graph('Error rate by version', 'A progressive rollout is rolled back above maxErrorRatePercent (5 % by default).', 'percent', [{ expr: errorsOf(' by (destination_version)'), legendFormat: '{{destination_version}}' }]),
    graph('p99 latency by version', 'A progressive rollout is rolled back above maxLatencyP99Ms (2000 ms by default).', 'ms', [{ expr: quantile(0.99, ', destination_version'), legendFormat: '{{destination_version}}' }]),
    graph('Failed health checks by pod', 'Failed liveness and readiness probes (kubelet); a progressive rollout is rolled back above maxFailedHealthChecks (3 by default).', 'short', [
      { expr: ofServicePods(`sum by (namespace, pod) (increase(prober_probe_total{namespace="${NS}", container="${CONTAINER_NAME}", probe_type=~"Liveness|Readiness", result="failed"}[${WINDOW}]))`), legendFormat: '{{pod}}' },
    ]),
  ],
};

const infrastructure: DashboardSpec = {
  uid: 'modelserve-infrastructure',
  title: 'Infrastructure',
  description: 'CPU, memory, GPU and model age of one model service\'s pods (modelserve).',
  variables: VARIABLES,
  panels: [
    graph('CPU, % of limit', 'The model container; the alert fires above cpuPercent (80 % by default).', 'percent', [
      { expr: perPodShareOfLimit(`rate(container_cpu_usage_seconds_total{namespace="${NS}", container="${CONTAINER_NAME}"}[${WINDOW}])`, 'cpu'), legendFormat: '{{pod}}' },
    ]),
    graph('Memory, % of limit', 'Working set of the model container; the alert fires above memoryPercent (85 % by default), the OOM kill comes at 100 %.', 'percent', [
      { expr: perPodShareOfLimit(`container_memory_working_set_bytes{namespace="${NS}", container="${CONTAINER_NAME}"}`, 'memory'), legendFormat: '{{pod}}' },
    ]),
    graph('GPU utilisation', 'DCGM exporter, per GPU of each pod (whole GPUs; MIG instances report engine activity instead).', 'percent', [
      { expr: ofServicePods(`max by (namespace, pod, gpu) (DCGM_FI_DEV_GPU_UTIL{namespace="${NS}"})`), legendFormat: '{{pod}} GPU {{gpu}}' },
    ]),
    graph('GPU memory used', 'DCGM exporter, frame buffer in use per GPU of each pod.', 'decmbytes', [
      { expr: ofServicePods(`max by (namespace, pod, gpu) (DCGM_FI_DEV_FB_USED{namespace="${NS}"})`), legendFormat: '{{pod}} GPU {{gpu}}' },
    ]),
    graph('Model age by version', 'Time since each served version was first rolled out; the staleness alert fires above modelStalenessHours (24 h by default).', 's', [
      { expr: `${modelAgeSeconds(NS, SVC)}`, legendFormat: '{{version}}' },
    ], 24),
  ],
};

export const SERVING_DASHBOARDS: Readonly<Record<DashboardKey, DashboardSpec>> = { overview, performance, canary, infrastructure };
