import { DNS_LABEL, DNS_LABEL_RULE, isDnsSubdomain, PropsValidator } from '../../catalog';

/** kube-prometheus-stack's Prometheus ServiceAccount (`<release>-prometheus`, release `kube-prometheus-stack`). */
export const DEFAULT_PROMETHEUS_SERVICE_ACCOUNT = 'kube-prometheus-stack-prometheus';

/** The metrics endpoint of the model server, which Prometheus scrapes. */
export interface MetricsEndpoint {
  /** Container port of the metrics endpoint; may be the HTTP API's own port. */
  readonly port: number;
  /** URL path of the metrics, e.g. `/metrics`. */
  readonly path: string;
  /** Namespace of the Prometheus pods that scrape it. */
  readonly prometheusNamespace: string;
  /**
   * ServiceAccount of the Prometheus pods: over mTLS, the metrics rule admits that identity only,
   * not every workload of Prometheus' namespace (Grafana, Alertmanager, exporters).
   * @default 'kube-prometheus-stack-prometheus' - kube-prometheus-stack's Prometheus
   */
  readonly prometheusServiceAccount?: string;
  /**
   * Prometheus scrapes through the mesh's mTLS with Istio certificates (ModelMonitoring's
   * default), so it has a mesh identity that the policy can check. `false`: plain-text scrapes
   * without an identity, which only the NetworkPolicy restricts.
   * @default true
   */
  readonly scrapeOverMtls?: boolean;
  /**
   * ServiceAccounts of the service's namespace that read the metrics too (an InferencePool's
   * endpoint picker scores pods on them), admitted by their mesh identity.
   * @default - none
   */
  readonly alsoReadBy?: readonly string[];
}

/**
 * Where the pods receive requests. A sidecar sees the container's port, not the Service's, so the
 * AuthorizationPolicy and the rate limit match these.
 */
export interface WorkloadEndpoints {
  /** Container port of the HTTP inference API. */
  readonly httpPort: number;
  /**
   * Container port of the gRPC inference API.
   * @default - no gRPC API
   */
  readonly grpcPort?: number;
  /**
   * The metrics endpoint that the AuthorizationPolicy keeps open to Prometheus.
   * @default - none: with auth, Prometheus cannot scrape the pods
   */
  readonly metrics?: MetricsEndpoint;
}

/** A URL path an AuthorizationPolicy can match exactly: starts with "/", no spaces, query, fragment or "*". */
export function isPlainUrlPath(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 2048 && /^\/[^\s?#*]*$/.test(value);
}

/** The inference ports, HTTP first. */
export function inferencePorts(endpoints: WorkloadEndpoints): number[] {
  return [endpoints.httpPort, ...(endpoints.grpcPort !== undefined ? [endpoints.grpcPort] : [])];
}

export function validateWorkloadEndpoints(check: PropsValidator, endpoints: WorkloadEndpoints | undefined, field = 'workload'): void {
  if (endpoints === undefined) return;
  check.that(typeof endpoints === 'object' && endpoints !== null, field, endpoints, 'is not an object', 'pass { httpPort, grpcPort, metrics }');
  check.that(endpoints.httpPort !== undefined, `${field}.httpPort`, endpoints.httpPort, 'is not set', 'give the container port of the HTTP API, e.g. 8000');
  check.integerInRange(`${field}.httpPort`, endpoints.httpPort, 1, 65535);
  check.integerInRange(`${field}.grpcPort`, endpoints.grpcPort, 1, 65535);
  check.that(endpoints.grpcPort !== endpoints.httpPort, `${field}.grpcPort`, endpoints.grpcPort, 'is the HTTP port too', 'give the gRPC API its own container port');
  const m = endpoints.metrics;
  if (m === undefined) return;
  // A missing port would open the AuthorizationPolicy's metrics rule on port "undefined".
  check.that(m.port !== undefined, `${field}.metrics.port`, m.port, 'is not set', 'give the container port the server exposes metrics on, e.g. 8002');
  check.integerInRange(`${field}.metrics.port`, m.port, 1, 65535);
  check.that(m.port !== endpoints.grpcPort, `${field}.metrics.port`, m.port, 'is the gRPC port, which Prometheus cannot scrape', 'give the port the server exposes metrics on over HTTP');
  check.that(isPlainUrlPath(m.path), `${field}.metrics.path`, m.path, 'is not a URL path (it must start with "/" and hold no spaces, "?", "#" or "*")', 'give the metrics path, e.g. "/metrics"');
  check.matches(`${field}.metrics.prometheusNamespace`, m.prometheusNamespace, DNS_LABEL, DNS_LABEL_RULE);
  check.that(typeof m.prometheusNamespace === 'string', `${field}.metrics.prometheusNamespace`, m.prometheusNamespace, 'is not set', 'give the namespace of the Prometheus pods, e.g. "monitoring"');
  if (m.prometheusServiceAccount !== undefined) {
    check.that(isDnsSubdomain(m.prometheusServiceAccount), `${field}.metrics.prometheusServiceAccount`, m.prometheusServiceAccount, 'is not a valid ServiceAccount name', 'give the Prometheus pods\' ServiceAccount, e.g. "kube-prometheus-stack-prometheus"');
  }
}
