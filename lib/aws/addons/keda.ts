import { ADDON_PRIORITY_CLASS } from './addon-priority';
import { AddonProfile, resources, SERVICE_MONITOR_LABELS, spreadConstraints } from './addon-profile';
import { HelmChartPin } from './helm-chart-pin';

/**
 * KEDA chart 2.21.1 (KEDA 2.21.1): kedacore/charts release v2.21.1, "Chart: v2.21.1 | App: v2.21.1".
 * KEDA tests each release on the three Kubernetes minors before it (2.19: 1.32 to 1.34), so 2.21
 * covers the 1.34 to 1.36 clusters of this platform.
 */
export const KEDA_CHART: HelmChartPin = {
  repository: 'https://kedacore.github.io/charts',
  chart: 'keda',
  version: '2.21.1',
};
export const KEDA_NAMESPACE = 'keda';

export interface KedaValuesOptions {
  readonly profile: AddonProfile;
  /** Operator replicas: one is active, the others stand by (leader election). */
  readonly operatorReplicas: number;
  readonly serviceMonitor: boolean;
}

export function kedaValues(o: KedaValuesOptions): Record<string, unknown> {
  const ha = o.profile.highAvailability;
  // KEDA's documented production sizing for each of its three Deployments.
  const sized = resources('100m', '100Mi', '1', '1000Mi');
  const monitor = { enabled: o.serviceMonitor, serviceMonitor: { enabled: o.serviceMonitor, additionalLabels: { ...SERVICE_MONITOR_LABELS } } };
  return {
    operator: { replicaCount: o.operatorReplicas },
    metricsServer: { replicaCount: o.profile.replicas },
    webhooks: { enabled: true, replicaCount: o.profile.replicas },
    podDisruptionBudget: ha
      ? { operator: { maxUnavailable: 1 }, metricServer: { maxUnavailable: 1 }, webhooks: { maxUnavailable: 1 } }
      : {},
    resources: { operator: sized, metricServer: sized, webhooks: sized },
    nodeSelector: { ...o.profile.nodeSelector },
    priorityClassName: ADDON_PRIORITY_CLASS,
    topologySpreadConstraints: {
      operator: spreadConstraints(o.profile, { app: 'keda-operator' }),
      metricsServer: spreadConstraints(o.profile, { app: 'keda-operator-metrics-apiserver' }),
      webhooks: spreadConstraints(o.profile, { app: 'keda-admission-webhooks' }),
    },
    prometheus: { operator: monitor, metricServer: monitor, webhooks: monitor },
  };
}
