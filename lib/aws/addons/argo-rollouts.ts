import { ADDON_PRIORITY_CLASS } from './addon-priority';
import { AddonProfile, resources, SERVICE_MONITOR_LABELS, spreadConstraints } from './addon-profile';
import { HelmChartPin } from './helm-chart-pin';

/** argo-helm, the Argo project's chart repository. */
export const ARGO_HELM_REPOSITORY = 'https://argoproj.github.io/argo-helm';

/** Argo Rollouts chart 2.42.0 (2026-08-31, argo-helm release argo-rollouts-2.42.0; Argo Rollouts v1.9.1 since 2.41.1). */
export const ARGO_ROLLOUTS_CHART: HelmChartPin = { repository: ARGO_HELM_REPOSITORY, chart: 'argo-rollouts', version: '2.42.0' };
export const ARGO_ROLLOUTS_NAMESPACE = 'argo-rollouts';

export function argoRolloutsValues(
  o: { profile: AddonProfile; controllerReplicas: number; dashboard: boolean; serviceMonitor: boolean },
): Record<string, unknown> {
  const podLabels = { 'app.kubernetes.io/name': 'argo-rollouts', 'app.kubernetes.io/component': 'rollouts-controller' };
  return {
    installCRDs: true,
    // Uninstalling the chart must not delete every Rollout in the cluster with its CRD.
    keepCRDs: true,
    controller: {
      // Leader election: one controller acts, the other takes over.
      replicas: o.controllerReplicas,
      pdb: o.controllerReplicas > 1 ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
      resources: resources('100m', '128Mi', '500m', '512Mi'),
      nodeSelector: { ...o.profile.nodeSelector },
      priorityClassName: ADDON_PRIORITY_CLASS,
      topologySpreadConstraints: spreadConstraints(o.profile, podLabels),
      logging: { format: 'json' },
      metrics: { enabled: o.serviceMonitor, serviceMonitor: { enabled: o.serviceMonitor, additionalLabels: { ...SERVICE_MONITOR_LABELS } } },
    },
    // The dashboard has no authentication of its own.
    dashboard: { enabled: o.dashboard, readonly: true },
    providerRBAC: { enabled: true, providers: { istio: true } },
  };
}
