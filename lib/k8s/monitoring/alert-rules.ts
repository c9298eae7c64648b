import { AlertThresholds, resolveAlertThresholds } from './alert-thresholds';
import { modelAgeSeconds, KUBE_STATE_METRICS_ALLOWLIST } from './model-staleness';
import { destinationRequests, errorRatePercent, latencyQuantileMs, podsOf, requestsIncrease } from './queries';

/** Alert names: the same for every service, told apart by the `namespace`, `service` and `model_id` labels. */
export const ALERT_NAMES = {
  latencyP50: 'ModelServeLatencyP50High',
  latencyP99: 'ModelServeLatencyP99High',
  errorRate: 'ModelServeErrorRateHigh',
  cpu: 'ModelServeCpuHigh',
  memory: 'ModelServeMemoryHigh',
  staleness: 'ModelServeModelStale',
} as const;

export interface AlertRuleContext {
  readonly serviceName: string;
  readonly namespace: string;
  readonly modelId: string;
  /** Deployments whose pods' CPU and memory are watched. */
  readonly deploymentNames: readonly string[];
  /**
   * HTTP statuses with which the server says it has no model: failures, like 5xx.
   * @default - none
   */
  readonly modelMissingStatusCodes?: readonly number[];
  readonly thresholds?: AlertThresholds;
}

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** Window of the rates: ten samples at the default 30 s scrape interval. */
const WINDOW = '5m';
/**
 * Requests a version must have had in the window before its error rate can page: one failure out
 * of two requests is 50 %, not an incident. 10 in 5 minutes.
 */
export const ERROR_RATE_MIN_REQUESTS = 10;

/**
 * One alert per threshold. Request metrics come from the model pods' own sidecars
 * (`reporter="destination"`), so they count every caller, in the mesh or through the gateway, and
 * split by `destination_version` so that a canary that is slow or failing alerts on its own.
 */
export function alertRules(ctx: AlertRuleContext): AlertRule[] {
  const t = resolveAlertThresholds(ctx.thresholds);
  const who = `${ctx.namespace}/${ctx.serviceName} (model ${ctx.modelId})`;
  const labels = (severity: string) => ({ severity, namespace: ctx.namespace, service: ctx.serviceName, model_id: ctx.modelId });
  const alert = { t, who, labels };
  return [...requestAlerts(ctx, alert), ...resourceAlerts(ctx, alert), stalenessAlert(ctx, alert)];
}

/** What every alert of a service shares: its thresholds, how its messages name it, its labels. */
interface AlertParts {
  readonly t: Required<AlertThresholds>;
  readonly who: string;
  readonly labels: (severity: string) => Record<string, string>;
}

/** Latency (p50, p99) and error rate per version, from the destination sidecars' request metrics. */
function requestAlerts(ctx: AlertRuleContext, { t, who, labels }: AlertParts): AlertRule[] {
  const requests = destinationRequests(ctx.namespace, ctx.serviceName);
  const byVersion = 'destination_version';
  const latency = (q: number) => latencyQuantileMs(q, requests, WINDOW, byVersion);
  const missing = ctx.modelMissingStatusCodes ?? [];
  const failures = ['5xx', ...missing.map(String), 'gRPC server errors'].join(', ');
  return [
    {
      alert: ALERT_NAMES.latencyP50,
      expr: `${latency(0.5)} > ${t.latencyP50Ms}`,
      for: '10m',
      labels: labels('warning'),
      annotations: {
        summary: `Median latency of ${who} is above ${t.latencyP50Ms} ms`,
        description: `p50 request latency of version {{ $labels.destination_version }} is {{ $value | humanize }} ms over ${WINDOW}; the threshold is ${t.latencyP50Ms} ms.`,
      },
    },
    {
      alert: ALERT_NAMES.latencyP99,
      expr: `${latency(0.99)} > ${t.latencyP99Ms}`,
      for: '10m',
      labels: labels('warning'),
      annotations: {
        summary: `p99 latency of ${who} is above ${t.latencyP99Ms} ms`,
        description: `p99 request latency of version {{ $labels.destination_version }} is {{ $value | humanize }} ms over ${WINDOW}; the threshold is ${t.latencyP99Ms} ms.`,
      },
    },
    {
      alert: ALERT_NAMES.errorRate,
      expr:
        `${errorRatePercent(requests, WINDOW, missing, byVersion)} > ${t.errorRatePercent}` +
        ` and ${requestsIncrease(requests, WINDOW, byVersion)} >= ${ERROR_RATE_MIN_REQUESTS}`,
      for: '5m',
      labels: labels('critical'),
      annotations: {
        summary: `More than ${t.errorRatePercent}% of requests to ${who} fail`,
        description: `{{ $value | humanize }}% of requests to version {{ $labels.destination_version }} failed (${failures}) over ${WINDOW}; the threshold is ${t.errorRatePercent}%.`,
      },
    },
  ];
}

/** CPU and memory of the model's containers against their limits, from cAdvisor and kube-state-metrics. */
function resourceAlerts(ctx: AlertRuleContext, { t, who, labels }: AlertParts): AlertRule[] {
  // Pods of the Deployments: `<deployment>-<pod-template-hash>-<5 characters>`; PromQL regexes are
  // anchored, so another Deployment whose name merely starts the same does not match.
  const pods = podsOf(ctx.namespace, ctx.deploymentNames);
  // The model's containers: not the pod cgroup (""), the pause container or the Istio sidecar.
  const containers = 'container!="", container!="POD", container!="istio-proxy"';
  const perContainer = 'sum by (namespace, pod, container)';
  return [
    {
      alert: ALERT_NAMES.cpu,
      // Containers without a CPU limit have no series on the right, so they never alert.
      expr:
        `${perContainer} (rate(container_cpu_usage_seconds_total{${pods}, ${containers}}[${WINDOW}]))` +
        ` / ${perContainer} (kube_pod_container_resource_limits{${pods}, ${containers}, resource="cpu"}) * 100 > ${t.cpuPercent}`,
      for: '15m',
      labels: labels('warning'),
      annotations: {
        summary: `CPU of ${who} is above ${t.cpuPercent}% of its limit`,
        description: `Container {{ $labels.container }} of pod {{ $labels.pod }} uses {{ $value | humanize }}% of its CPU limit; the threshold is ${t.cpuPercent}%. Above the limit it is throttled.`,
      },
    },
    {
      alert: ALERT_NAMES.memory,
      expr:
        `${perContainer} (container_memory_working_set_bytes{${pods}, ${containers}})` +
        ` / ${perContainer} (kube_pod_container_resource_limits{${pods}, ${containers}, resource="memory"}) * 100 > ${t.memoryPercent}`,
      for: '15m',
      labels: labels('warning'),
      annotations: {
        summary: `Memory of ${who} is above ${t.memoryPercent}% of its limit`,
        description: `Container {{ $labels.container }} of pod {{ $labels.pod }} uses {{ $value | humanize }}% of its memory limit; the threshold is ${t.memoryPercent}%. At the limit it is OOM-killed.`,
      },
    },
  ];
}

/** The running version's age, from kube-state-metrics, so that it works whatever the server (see modelAgeSeconds). */
function stalenessAlert(ctx: AlertRuleContext, { t, who, labels }: AlertParts): AlertRule {
  return {
    alert: ALERT_NAMES.staleness,
    expr: `(${modelAgeSeconds(ctx.namespace, ctx.serviceName)}) > ${t.modelStalenessHours * 3600}`,
    for: '10m',
    labels: labels('warning'),
    annotations: {
      summary: `The model served by ${who} is older than ${t.modelStalenessHours} h`,
      description: `Version {{ $labels.version }} was rolled out {{ $value | humanizeDuration }} ago; the threshold is ${t.modelStalenessHours} h. Needs kube-state-metrics with --metric-labels-allowlist=${KUBE_STATE_METRICS_ALLOWLIST.join(',')}.`,
    },
  };
}
