import { EnvironmentName, isDnsSubdomain, DNS_SUBDOMAIN_RULE } from '../../catalog';
import { ADDON_PRIORITY_CLASS, NODE_AGENT_PRIORITY_CLASS } from './addon-priority';
import { AlertRoutingOptions, alertmanagerConfig, alertmanagerSecretNames } from './alertmanager-config';
import { HelmChartPin } from './helm-chart-pin';

// Alert routing is an option of this chart's values; its types are exported with them.
export { ALERT_SEVERITIES, AlertReceiver } from './alert-routing';
export type { AlertSeverity, EmailReceiverOptions, PagerDutyReceiverOptions, SecretKeyRef, SlackReceiverOptions, WebhookReceiverOptions } from './alert-routing';
export type { AlertRoutingOptions, ServiceAlertRoute, SeverityRoutes } from './alertmanager-config';
import { valuesValidator } from './values-validator';

/**
 * kube-prometheus-stack: Prometheus Operator, Prometheus, Alertmanager, Grafana, node exporter
 * and kube-state-metrics. 92.15.0 is the newest release found on 2026-11-22
 * (newreleases.io, prometheus-community/helm-charts tag kube-prometheus-stack-92.15.0).
 */
export const KUBE_PROMETHEUS_STACK_CHART: HelmChartPin = {
  repository: 'https://prometheus-community.github.io/helm-charts',
  chart: 'kube-prometheus-stack',
  version: '92.15.0',
};

/** Release name PlatformAddons installs the chart as; SERVICE_MONITOR_LABELS carry it. */
export const KUBE_PROMETHEUS_STACK_RELEASE = 'kube-prometheus-stack';

/**
 * Namespace of the release. The Kubernetes side depends on it: ServingNamespace's NetworkPolicies
 * admit Prometheus from here, and KEDA triggers and rollout analyses query PROMETHEUS_URL.
 */
export const MONITORING_NAMESPACE = 'monitoring';

/**
 * The chart's own Prometheus Service (`<release>-prometheus`), with ClientIP session affinity: KEDA
 * and Argo Rollouts each keep asking the same replica. Not the operator's `prometheus-operated`,
 * a headless Service that spreads queries over replicas that scrape on their own (no
 * deduplication), so that two queries a few seconds apart could read different samples, or a
 * replica back from a restart with a gap.
 */
export const PROMETHEUS_URL = `http://${KUBE_PROMETHEUS_STACK_RELEASE}-prometheus.${MONITORING_NAMESPACE}.svc.cluster.local:9090`;

/** The Service the operator creates for every Alertmanager: where Loki's ruler sends its alerts. */
export const ALERTMANAGER_URL = `http://alertmanager-operated.${MONITORING_NAMESPACE}.svc.cluster.local:9093`;

/** Label the operator puts on Prometheus pods; NetworkPolicies on the serving side select it. */
export const PROMETHEUS_POD_LABELS: Readonly<Record<string, string>> = { 'app.kubernetes.io/name': 'prometheus' };

/**
 * Where Prometheus finds the Istio workload certificate it scrapes sidecars with over mTLS. The
 * Kubernetes side's ServiceMonitors point their tlsConfig at this folder.
 */
export const PROMETHEUS_ISTIO_CERTS_DIR = '/etc/prom-certs';

/**
 * StorageClass of every volume the add-ons claim. EKS ships only an unencrypted `gp2`, so
 * PlatformAddons creates an encrypted gp3 class of this name; used without PlatformAddons, the
 * cluster must already have one.
 */
export const PERSISTENT_STORAGE_CLASS = 'gp3';

/**
 * The pod labels kube-state-metrics exports on `kube_pod_labels` and `kube_replicaset_labels`
 * (none by default): the service and model version of each pod and ReplicaSet, from which the
 * Kubernetes side's staleness alert reads how long a version has been served and its dashboards
 * find a service's pods (modelserve/k8s KUBE_STATE_METRICS_ALLOWLIST, the same entries).
 */
export const KUBE_STATE_METRICS_LABELS_ALLOWLIST: readonly string[] = [
  'pods=[modelserve.io/service,modelserve.io/model-version]',
  'replicasets=[modelserve.io/service,modelserve.io/model-version]',
];

/** Keys of the Grafana admin Secret (the chart's own key names). */
export const GRAFANA_ADMIN_SECRET_KEYS = { user: 'admin-user', password: 'admin-password' } as const;
/** The Grafana admin Secret that Grafana reads unless told otherwise, and that PlatformAddons writes. */
export const GRAFANA_ADMIN_SECRET_NAME = 'grafana-admin';

export interface KubePrometheusStackOptions {
  readonly environment: EnvironmentName;
  /**
   * Days Prometheus keeps samples.
   * @default - 7 in development, 15 in staging, 30 in production
   */
  readonly retentionDays?: number;
  /**
   * Volume of each Prometheus replica, GiB. Prometheus also stops at 85 % of it (retentionSize),
   * so that a burst of series cannot fill the disk before the retention catches up.
   * @default - 20 in development, 50 in staging, 200 in production
   */
  readonly storageGiB?: number;
  /** @default PERSISTENT_STORAGE_CLASS ('gp3') */
  readonly storageClassName?: string;
  /**
   * Existing Secret in MONITORING_NAMESPACE holding the Grafana admin credentials under
   * `admin-user` and `admin-password` (e.g. written by External Secrets). The password is never
   * a literal in the values: Terraform state and `helm get values` would show it.
   * @default GRAFANA_ADMIN_SECRET_NAME ('grafana-admin')
   */
  readonly grafanaAdminSecretName?: string;
  /**
   * Loki's query URL, added to Grafana as a data source (logging.ts exports LOKI_GATEWAY_URL).
   * @default - no Loki data source
   */
  readonly lokiUrl?: string;
  /**
   * Where Alertmanager sends alerts: receivers (Slack, email, PagerDuty, webhook) whose
   * credentials are keys of Secrets in MONITORING_NAMESPACE, routes by severity and service,
   * and a critical alert of a service muting its warnings. The Secrets must exist before the
   * Alertmanager pods start (they mount them).
   * @default - the chart's configuration: every alert goes to a receiver that drops it
   */
  readonly alerting?: AlertRoutingOptions;
  /**
   * Construct path that error messages start with (the caller's `node.path`).
   * @default 'kubePrometheusStackValues'
   */
  readonly path?: string;
}

interface Sizing {
  readonly prometheusReplicas: number;
  readonly alertmanagerReplicas: number;
  readonly retentionDays: number;
  readonly storageGiB: number;
  readonly prometheus: Resources;
  readonly alertmanager: Resources;
  readonly grafana: Resources;
  readonly operator: Resources;
  /** Grafana keeps dashboards and users made in the UI on a volume. */
  readonly grafanaPersistence: boolean;
  readonly antiAffinity: 'hard' | 'soft';
}

interface Resources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly memory: string };
}

// No CPU limits: throttling a scraping Prometheus shows up as gaps in every graph; memory limits
// stay so that a cardinality explosion kills Prometheus rather than the node.
const res = (cpu: string, memory: string, limit: string): Resources => ({ requests: { cpu, memory }, limits: { memory: limit } });

export const PROMETHEUS_STACK_SIZING: Readonly<Record<EnvironmentName, Sizing>> = {
  development: {
    prometheusReplicas: 1,
    alertmanagerReplicas: 1,
    retentionDays: 7,
    storageGiB: 20,
    prometheus: res('200m', '1Gi', '2Gi'),
    alertmanager: res('20m', '64Mi', '128Mi'),
    grafana: res('50m', '128Mi', '256Mi'),
    operator: res('50m', '128Mi', '256Mi'),
    grafanaPersistence: false,
    antiAffinity: 'soft',
  },
  staging: {
    prometheusReplicas: 1,
    alertmanagerReplicas: 1,
    retentionDays: 15,
    storageGiB: 50,
    prometheus: res('500m', '4Gi', '6Gi'),
    alertmanager: res('50m', '128Mi', '256Mi'),
    grafana: res('100m', '256Mi', '512Mi'),
    operator: res('100m', '128Mi', '256Mi'),
    grafanaPersistence: true,
    antiAffinity: 'soft',
  },
  production: {
    // Two Prometheus replicas scrape the same targets, so one can be drained or lost without a
    // gap; three Alertmanagers form a gossip cluster that still deduplicates with one down.
    prometheusReplicas: 2,
    alertmanagerReplicas: 3,
    retentionDays: 30,
    storageGiB: 200,
    prometheus: res('1', '8Gi', '12Gi'),
    alertmanager: res('100m', '256Mi', '512Mi'),
    grafana: res('200m', '512Mi', '1Gi'),
    operator: res('200m', '256Mi', '512Mi'),
    grafanaPersistence: true,
    antiAffinity: 'hard',
  },
};

/**
 * Values for KUBE_PROMETHEUS_STACK_CHART, released as `MONITORING_NAMESPACE`.
 *
 * - Prometheus selects every ServiceMonitor, PodMonitor, PrometheusRule, Probe and ScrapeConfig in
 *   the cluster (not only the release's), so ModelService's monitors are picked up.
 * - Prometheus gets an Istio sidecar that captures no traffic and only writes the workload
 *   certificate to PROMETHEUS_ISTIO_CERTS_DIR (Istio's documented pattern for scraping over
 *   mTLS): scrapes of non-mesh targets and clients' queries go around the proxy.
 * - The kubelet's `/metrics/probes` endpoint is scraped (`prober_probe_total`): the rollout
 *   analysis counts failed health checks with it.
 * - kube-state-metrics exports the service and model version labels of pods and ReplicaSets,
 *   which the model staleness alert and the dashboards read.
 * - Nothing is exposed outside the cluster (ClusterIP, no Ingress); Grafana's admin password
 *   comes from an existing Secret.
 * - EKS runs the control plane: its scheduler, controller manager and etcd cannot be scraped, and
 *   kube-proxy serves metrics on localhost only, so those monitors are off (they would only alert
 *   that their targets are down).
 */
export function kubePrometheusStackValues(options: KubePrometheusStackOptions): Record<string, unknown> {
  const plan = planPrometheusStack(options);
  return {
    crds: { enabled: true },
    defaultRules: { create: true },
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeEtcd: { enabled: false },
    kubeProxy: { enabled: false },
    kubelet: { enabled: true, serviceMonitor: { cAdvisor: true, probes: true, resource: false } },
    // Scaling, alerts and rollbacks read these: no serving pod may preempt them (addon-priority.ts).
    // Grafana is for people and keeps the default.
    'kube-state-metrics': { metricLabelsAllowlist: [...KUBE_STATE_METRICS_LABELS_ALLOWLIST], priorityClassName: ADDON_PRIORITY_CLASS },
    'prometheus-node-exporter': { priorityClassName: NODE_AGENT_PRIORITY_CLASS },
    prometheusOperator: { resources: plan.sizing.operator, priorityClassName: ADDON_PRIORITY_CLASS },
    prometheus: prometheusValues(plan, options.environment),
    alertmanager: alertmanagerValues(plan, options.environment),
    grafana: grafanaValues(plan, options.lokiUrl),
  };
}

/** The options checked, in this order (the first problem is the one reported), with the environment's sizing for what is left out. */
interface PrometheusStackPlan {
  readonly sizing: Sizing;
  readonly retentionDays: number;
  readonly storageGiB: number;
  readonly storageClassName: string;
  readonly adminSecret: string;
  readonly alerting?: { readonly config: Record<string, unknown>; readonly secrets: string[] };
}

function planPrometheusStack(options: KubePrometheusStackOptions): PrometheusStackPlan {
  const v = valuesValidator('kubePrometheusStackValues', options, '{ environment }');
  const sizing = PROMETHEUS_STACK_SIZING[options.environment];
  const retentionDays = options.retentionDays ?? sizing.retentionDays;
  v.integerInRange('retentionDays', retentionDays, 1, 3650, 'keep samples 1 to 3650 days; use long-term storage (Thanos, Mimir, AMP) beyond that');
  const storageGiB = options.storageGiB ?? sizing.storageGiB;
  v.integerInRange('storageGiB', storageGiB, 10, 16384, 'give each Prometheus 10 to 16384 GiB (the gp3 maximum)');
  const storageClassName = options.storageClassName ?? PERSISTENT_STORAGE_CLASS;
  v.that(isDnsSubdomain(storageClassName), 'storageClassName', storageClassName, `is not a valid StorageClass name: ${DNS_SUBDOMAIN_RULE}`, 'name an existing StorageClass, e.g. "gp3"');
  const adminSecret = options.grafanaAdminSecretName ?? GRAFANA_ADMIN_SECRET_NAME;
  v.that(isDnsSubdomain(adminSecret), 'grafanaAdminSecretName', adminSecret, `is not a valid Secret name: ${DNS_SUBDOMAIN_RULE}`, 'name the Secret that holds admin-user and admin-password');
  const alerting = options.alerting === undefined
    ? undefined
    : { config: alertmanagerConfig(options.alerting, options.path ?? 'kubePrometheusStackValues'), secrets: alertmanagerSecretNames(options.alerting) };
  if (options.lokiUrl !== undefined) {
    v.that(/^https?:\/\/[^\s/]+(\/\S*)?$/.test(options.lokiUrl), 'lokiUrl', options.lokiUrl, 'is not an http(s) URL', 'use the Loki gateway URL, e.g. LOKI_GATEWAY_URL');
  }
  return { sizing, retentionDays, storageGiB, storageClassName, adminSecret, alerting };
}

/** A ReadWriteOnce volume claim of the plan's StorageClass. */
function volume(plan: PrometheusStackPlan, gib: number) {
  return {
    volumeClaimTemplate: { spec: { storageClassName: plan.storageClassName, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: `${gib}Gi` } } } },
  };
}

/** A PDB that requires one available pod of a single replica would block every node drain. */
function podDisruptionBudget(replicas: number) {
  return replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false };
}

function prometheusValues(plan: PrometheusStackPlan, environment: EnvironmentName): Record<string, unknown> {
  const { sizing } = plan;
  const everything = {};
  return {
    service: { type: 'ClusterIP', sessionAffinity: 'ClientIP' },
    ingress: { enabled: false },
    podDisruptionBudget: podDisruptionBudget(sizing.prometheusReplicas),
    prometheusSpec: {
      replicas: sizing.prometheusReplicas,
      retention: `${plan.retentionDays}d`,
      // Prometheus reads "GB" as GiB.
      retentionSize: `${Math.floor(plan.storageGiB * 0.85)}GB`,
      externalLabels: { environment },
      serviceMonitorSelectorNilUsesHelmValues: false,
      podMonitorSelectorNilUsesHelmValues: false,
      ruleSelectorNilUsesHelmValues: false,
      probeSelectorNilUsesHelmValues: false,
      scrapeConfigSelectorNilUsesHelmValues: false,
      serviceMonitorSelector: everything,
      serviceMonitorNamespaceSelector: everything,
      podMonitorSelector: everything,
      podMonitorNamespaceSelector: everything,
      ruleSelector: everything,
      ruleNamespaceSelector: everything,
      resources: sizing.prometheus,
      priorityClassName: ADDON_PRIORITY_CLASS,
      storageSpec: volume(plan, plan.storageGiB),
      podAntiAffinity: sizing.antiAffinity,
      podAntiAffinityTopologyKey: 'kubernetes.io/hostname',
      podMetadata: {
        labels: { 'sidecar.istio.io/inject': 'true' },
        annotations: {
          // The sidecar intercepts nothing: it is there only to write the certificates.
          'traffic.sidecar.istio.io/includeInboundPorts': '',
          'traffic.sidecar.istio.io/includeOutboundIPRanges': '',
          'proxy.istio.io/config': 'proxyMetadata:\n  OUTPUT_CERTS: /etc/istio-output-certs\n',
          'sidecar.istio.io/userVolumeMount': JSON.stringify([{ name: 'istio-certs', mountPath: '/etc/istio-output-certs' }]),
        },
      },
      volumes: [{ name: 'istio-certs', emptyDir: { medium: 'Memory' } }],
      volumeMounts: [{ name: 'istio-certs', mountPath: PROMETHEUS_ISTIO_CERTS_DIR }],
    },
  };
}

function alertmanagerValues(plan: PrometheusStackPlan, environment: EnvironmentName): Record<string, unknown> {
  const { sizing, alerting } = plan;
  return {
    ...(alerting ? { config: alerting.config } : {}),
    service: { type: 'ClusterIP' },
    ingress: { enabled: false },
    podDisruptionBudget: podDisruptionBudget(sizing.alertmanagerReplicas),
    alertmanagerSpec: {
      replicas: sizing.alertmanagerReplicas,
      retention: '120h',
      resources: sizing.alertmanager,
      priorityClassName: ADDON_PRIORITY_CLASS,
      storage: volume(plan, environment === 'production' ? 10 : 2),
      podAntiAffinity: sizing.antiAffinity,
      podAntiAffinityTopologyKey: 'kubernetes.io/hostname',
      ...(alerting ? { secrets: alerting.secrets } : {}),
    },
  };
}

function grafanaValues(plan: PrometheusStackPlan, lokiUrl: string | undefined): Record<string, unknown> {
  const { sizing } = plan;
  return {
    replicas: 1,
    admin: { existingSecret: plan.adminSecret, userKey: GRAFANA_ADMIN_SECRET_KEYS.user, passwordKey: GRAFANA_ADMIN_SECRET_KEYS.password },
    service: { type: 'ClusterIP' },
    ingress: { enabled: false },
    resources: sizing.grafana,
    persistence: sizing.grafanaPersistence
      ? { enabled: true, type: 'pvc', storageClassName: plan.storageClassName, accessModes: ['ReadWriteOnce'], size: '10Gi' }
      : { enabled: false },
    // A ReadWriteOnce volume cannot be attached to the new pod while the old one holds it.
    deploymentStrategy: { type: sizing.grafanaPersistence ? 'Recreate' : 'RollingUpdate' },
    'grafana.ini': {
      analytics: { reporting_enabled: false, check_for_updates: false },
      users: { allow_sign_up: false },
      'auth.anonymous': { enabled: false },
    },
    ...(lokiUrl ? { additionalDataSources: [{ name: 'Loki', type: 'loki', uid: 'loki', access: 'proxy', url: lokiUrl }] } : {}),
  };
}
