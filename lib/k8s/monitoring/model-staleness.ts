import { MODEL_VERSION_LABEL, SERVICE_LABEL } from '../labels';

/**
 * The name kube-state-metrics gives a Kubernetes label in its `kube_<kind>_labels` series:
 * `label_` and the key with every character other than a letter, digit or `_` turned into `_`.
 */
export function kubeStateMetricsLabel(key: string): string {
  return `label_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/**
 * The Kubernetes labels kube-state-metrics must export on `kube_replicaset_labels` and
 * `kube_pod_labels`, for the staleness alert and the dashboards: it exports none by default
 * (since v2.0), so its `--metric-labels-allowlist` needs these entries (kube-prometheus-stack:
 * `kube-state-metrics.metricLabelsAllowlist`, which the platform's kubePrometheusStackValues sets).
 */
export const KUBE_STATE_METRICS_ALLOWLIST: readonly string[] = [
  `pods=[${SERVICE_LABEL},${MODEL_VERSION_LABEL}]`,
  `replicasets=[${SERVICE_LABEL},${MODEL_VERSION_LABEL}]`,
];

/**
 * Seconds since each version of a service still running was first rolled out, by `version`.
 *
 * Every server works the same (Triton, TorchServe, TF Serving and vLLM export nothing of the kind):
 * a ReplicaSet carries its pod template's labels, so kube-state-metrics knows each ReplicaSet's
 * service and model version (`kube_replicaset_labels`) and when it was created
 * (`kube_replicaset_created`). A version's age is that of its oldest ReplicaSet still kept (an
 * image or config change makes a new one for the same version, and must not make the model look
 * new), among the versions some ReplicaSet still asks replicas for. Deployments and Argo
 * Rollouts alike keep their old ReplicaSets (revisionHistoryLimit, 10), so the age is exact
 * unless one version outlived ten template changes, when it reads younger than it is.
 *
 * Each side is first reduced to one series per ReplicaSet, so that two kube-state-metrics pods
 * (a rolling restart) never make the match many-to-many.
 */
export function modelAgeSeconds(namespace: string, serviceName: string): string {
  const version = kubeStateMetricsLabel(MODEL_VERSION_LABEL);
  const labels = `max by (namespace, replicaset, ${version}) (kube_replicaset_labels{namespace="${namespace}", ${kubeStateMetricsLabel(SERVICE_LABEL)}="${serviceName}", ${version}!=""})`;
  const perVersion = (metric: string, aggregate: 'min' | 'max') =>
    `${aggregate} by (version) (label_replace(max by (namespace, replicaset) (${metric}{namespace="${namespace}"}) * on (namespace, replicaset) group_left (${version}) ${labels}, "version", "$1", "${version}", "(.+)"))`;
  return `(time() - ${perVersion('kube_replicaset_created', 'min')}) and on (version) (${perVersion('kube_replicaset_spec_replicas', 'max')} > 0)`;
}
