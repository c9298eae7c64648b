import { PropsValidator } from '../catalog';

/**
 * The Prometheus that kube-prometheus-stack (PlatformAddons) runs, through the chart's ClusterIP
 * Service with ClientIP session affinity: what KEDA and rollout analysis ask by default. Not the
 * headless `prometheus-operated`, which spreads queries over replicas that are not deduplicated.
 */
export const DEFAULT_PROMETHEUS_URL = 'http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090';

/** A Prometheus query endpoint, wherever a prop names one (autoscaling, rollout analysis). */
export function checkPrometheusUrl(check: PropsValidator, field: string, url: unknown): void {
  check.that(typeof url === 'string' && /^https?:\/\/\S+$/.test(url), field, url, 'is not an http(s) URL', `give the Prometheus query endpoint, e.g. "${DEFAULT_PROMETHEUS_URL}"`);
}
