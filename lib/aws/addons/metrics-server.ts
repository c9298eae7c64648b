import { AddonProfile, resources, SERVICE_MONITOR_LABELS, spreadConstraints } from './addon-profile';
import { HelmChartPin } from './helm-chart-pin';

/**
 * metrics-server chart 3.13.1 (metrics-server 0.8.1): release metrics-server-helm-chart-3.13.1 of
 * kubernetes-sigs/metrics-server. A chart for 0.9.0 was merged in 2026-08 (#1846), but its
 * published version could not be confirmed, so it is not pinned here.
 */
export const METRICS_SERVER_CHART: HelmChartPin = {
  repository: 'https://kubernetes-sigs.github.io/metrics-server',
  chart: 'metrics-server',
  version: '3.13.1',
};
export const METRICS_SERVER_NAMESPACE = 'kube-system';

/** metrics-server feeds the HPA's CPU and memory metrics: with two replicas a drain does not pause autoscaling. */
export function metricsServerValues(o: { profile: AddonProfile; serviceMonitor: boolean }): Record<string, unknown> {
  const podLabels = { 'app.kubernetes.io/name': 'metrics-server' };
  return {
    replicas: o.profile.replicas,
    podDisruptionBudget: o.profile.highAvailability ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
    resources: resources('100m', '200Mi', '500m', '500Mi'),
    nodeSelector: { ...o.profile.nodeSelector },
    topologySpreadConstraints: spreadConstraints(o.profile, podLabels),
    metrics: { enabled: o.serviceMonitor },
    serviceMonitor: o.serviceMonitor ? { enabled: true, additionalLabels: { ...SERVICE_MONITOR_LABELS } } : { enabled: false },
  };
}
