import { AddonProfile, resources, SERVICE_MONITOR_LABELS } from './addon-profile';
import { HelmChartPin } from './helm-chart-pin';

/**
 * Fairwinds' `vpa` chart 5.0.0 (VPA 1.7.1, the kubernetes/autoscaler release of 2026-07):
 * FairwindsOps/charts `stable/vpa/Chart.yaml` at 5f478fce ("update VPA to 1.7.1"), published to
 * charts.fairwinds.com/stable. Chosen over kubernetes/autoscaler's own `vertical-pod-autoscaler`
 * chart (0.11.0, same VPA), whose README still calls itself not ready for production. Both ship
 * the same CRD (vertical-pod-autoscaler/v1.7.1 `deploy/vpa-v1-crd-gen.yaml`).
 */
export const VERTICAL_POD_AUTOSCALER_CHART: HelmChartPin = {
  repository: 'https://charts.fairwinds.com/stable',
  chart: 'vpa',
  version: '5.0.0',
};
export const VERTICAL_POD_AUTOSCALER_NAMESPACE = 'vpa';

/**
 * The recommender only: ModelService's VerticalPodAutoscalers are recommendations
 * (`updateMode: Off`), so nothing may evict (the updater) or rewrite (the admission controller's
 * webhook) a model server's pods, whose requests the HPA or KEDA scale against. One replica: the
 * recommender keeps its state in VerticalPodAutoscalerCheckpoints, so a restart loses nothing,
 * and recommendations are not on any request's path.
 */
export function verticalPodAutoscalerValues(o: { profile: AddonProfile; serviceMonitor: boolean }): Record<string, unknown> {
  return {
    recommender: {
      enabled: true,
      replicaCount: 1,
      image: { pullPolicy: 'IfNotPresent' },
      resources: resources('50m', '500Mi', '1', '1Gi'),
      nodeSelector: { ...o.profile.nodeSelector },
      podMonitor: { enabled: o.serviceMonitor, labels: { ...SERVICE_MONITOR_LABELS } },
    },
    updater: { enabled: false },
    admissionController: { enabled: false },
    // The platform's own metrics-server feeds it (PlatformAddons' metricsServer).
    'metrics-server': { enabled: false },
  };
}
