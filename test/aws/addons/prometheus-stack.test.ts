import {
  GRAFANA_ADMIN_SECRET_KEYS,
  KUBE_PROMETHEUS_STACK_CHART,
  KUBE_STATE_METRICS_LABELS_ALLOWLIST,
  kubePrometheusStackValues,
  KubePrometheusStackOptions,
  MONITORING_NAMESPACE,
  PROMETHEUS_ISTIO_CERTS_DIR,
  PROMETHEUS_POD_LABELS,
  PROMETHEUS_URL,
} from '../../../lib/aws/addons/prometheus-stack';
import { rejectionOf } from '../../support/validation';
import { DEFAULT_PROMETHEUS_URL } from '../../../lib/k8s/validate-model-service';
import { ISTIO_PROMETHEUS_CERTS_DIR } from '../../../lib/k8s/monitoring/model-monitoring';
import { DEFAULT_PROMETHEUS } from '../../../lib/k8s/serving-namespace';
import { KUBE_STATE_METRICS_ALLOWLIST } from '../../../lib/k8s/monitoring/model-staleness';

const values = (options: Partial<KubePrometheusStackOptions> = {}): any => kubePrometheusStackValues({ environment: 'production', ...options });

describe('kube-prometheus-stack pin', () => {
  test('is an exact version of the prometheus-community chart', () => {
    expect(KUBE_PROMETHEUS_STACK_CHART).toEqual({
      repository: 'https://prometheus-community.github.io/helm-charts',
      chart: 'kube-prometheus-stack',
      version: '92.15.0',
    });
    expect(KUBE_PROMETHEUS_STACK_CHART.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('matches what the Kubernetes side queries and admits', () => {
    expect(MONITORING_NAMESPACE).toBe('monitoring');
    // The chart's ClusterIP Service with session affinity, not the headless prometheus-operated:
    // KEDA and Argo Rollouts keep asking one replica rather than whichever DNS returns.
    expect(PROMETHEUS_URL).toBe('http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090');
    expect(values().prometheus.service).toEqual({ type: 'ClusterIP', sessionAffinity: 'ClientIP' });
    expect(PROMETHEUS_URL).toBe(DEFAULT_PROMETHEUS_URL);
    expect(DEFAULT_PROMETHEUS).toEqual({ namespace: MONITORING_NAMESPACE, podLabels: PROMETHEUS_POD_LABELS });
    expect(PROMETHEUS_ISTIO_CERTS_DIR).toBe(ISTIO_PROMETHEUS_CERTS_DIR);
  });

  test('kube-state-metrics exports the pod and ReplicaSet labels the staleness alert and dashboards read', () => {
    expect(KUBE_STATE_METRICS_LABELS_ALLOWLIST).toEqual(KUBE_STATE_METRICS_ALLOWLIST);
    expect(values()['kube-state-metrics'].metricLabelsAllowlist).toEqual([...KUBE_STATE_METRICS_ALLOWLIST]);
  });
});

describe('kubePrometheusStackValues', () => {
  test('selects every monitor and rule in the cluster, not only the release\'s', () => {
    const spec = values().prometheus.prometheusSpec;
    for (const kind of ['serviceMonitor', 'podMonitor', 'rule', 'probe', 'scrapeConfig']) {
      expect(spec[`${kind}SelectorNilUsesHelmValues`]).toBe(false);
    }
    for (const selector of ['serviceMonitorSelector', 'serviceMonitorNamespaceSelector', 'podMonitorSelector', 'podMonitorNamespaceSelector', 'ruleSelector', 'ruleNamespaceSelector']) {
      expect(spec[selector]).toEqual({});
    }
  });

  test('mounts the Istio workload certificates at /etc/prom-certs through a sidecar that intercepts nothing', () => {
    const spec = values().prometheus.prometheusSpec;
    expect(spec.podMetadata.labels).toEqual({ 'sidecar.istio.io/inject': 'true' });
    const annotations = spec.podMetadata.annotations;
    expect(annotations['traffic.sidecar.istio.io/includeInboundPorts']).toBe('');
    expect(annotations['traffic.sidecar.istio.io/includeOutboundIPRanges']).toBe('');
    expect(annotations['proxy.istio.io/config']).toBe('proxyMetadata:\n  OUTPUT_CERTS: /etc/istio-output-certs\n');
    expect(JSON.parse(annotations['sidecar.istio.io/userVolumeMount'])).toEqual([{ name: 'istio-certs', mountPath: '/etc/istio-output-certs' }]);
    expect(spec.volumes).toEqual([{ name: 'istio-certs', emptyDir: { medium: 'Memory' } }]);
    expect(spec.volumeMounts).toEqual([{ name: 'istio-certs', mountPath: '/etc/prom-certs' }]);
  });

  test('scrapes the kubelet probe metrics that the rollback analysis counts', () => {
    expect(values().kubelet).toEqual({ enabled: true, serviceMonitor: { cAdvisor: true, probes: true, resource: false } });
  });

  test('turns off the control-plane monitors that EKS does not let Prometheus reach', () => {
    const v = values();
    for (const component of ['kubeControllerManager', 'kubeScheduler', 'kubeEtcd', 'kubeProxy']) expect(v[component]).toEqual({ enabled: false });
  });

  test('production: 2 Prometheus and 3 Alertmanager replicas, PDBs, hard anti-affinity, 30 days on 200 GiB of gp3', () => {
    const v = values();
    const spec = v.prometheus.prometheusSpec;
    expect(spec.replicas).toBe(2);
    expect(spec.retention).toBe('30d');
    expect(spec.retentionSize).toBe('170GB');
    expect(spec.podAntiAffinity).toBe('hard');
    expect(spec.podAntiAffinityTopologyKey).toBe('kubernetes.io/hostname');
    expect(spec.storageSpec).toEqual({
      volumeClaimTemplate: { spec: { storageClassName: 'gp3', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '200Gi' } } } },
    });
    expect(spec.resources).toEqual({ requests: { cpu: '1', memory: '8Gi' }, limits: { memory: '12Gi' } });
    expect(spec.externalLabels).toEqual({ environment: 'production' });
    expect(v.prometheus.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
    expect(v.alertmanager.alertmanagerSpec.replicas).toBe(3);
    expect(v.alertmanager.alertmanagerSpec.podAntiAffinity).toBe('hard');
    expect(v.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.resources.requests.storage).toBe('10Gi');
    expect(v.alertmanager.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
  });

  test('development and staging: one replica each and no PDB (it would block every drain)', () => {
    const dev = values({ environment: 'development' });
    expect(dev.prometheus.prometheusSpec).toMatchObject({ replicas: 1, retention: '7d', retentionSize: '17GB', podAntiAffinity: 'soft' });
    expect(dev.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe('20Gi');
    expect(dev.prometheus.podDisruptionBudget).toEqual({ enabled: false });
    expect(dev.alertmanager.alertmanagerSpec.replicas).toBe(1);
    expect(dev.alertmanager.podDisruptionBudget).toEqual({ enabled: false });
    expect(dev.grafana.persistence).toEqual({ enabled: false });

    const staging = values({ environment: 'staging' });
    expect(staging.prometheus.prometheusSpec).toMatchObject({ replicas: 1, retention: '15d', retentionSize: '42GB' });
    expect(staging.prometheus.prometheusSpec.resources).toEqual({ requests: { cpu: '500m', memory: '4Gi' }, limits: { memory: '6Gi' } });
    expect(staging.grafana.persistence).toMatchObject({ enabled: true, storageClassName: 'gp3', size: '10Gi' });
    expect(staging.grafana.deploymentStrategy).toEqual({ type: 'Recreate' });
  });

  test('takes retention, volume size and storage class from the options', () => {
    const spec = values({ retentionDays: 45, storageGiB: 500, storageClassName: 'gp3-encrypted' }).prometheus.prometheusSpec;
    expect(spec.retention).toBe('45d');
    expect(spec.retentionSize).toBe('425GB');
    expect(spec.storageSpec.volumeClaimTemplate.spec).toMatchObject({ storageClassName: 'gp3-encrypted', resources: { requests: { storage: '500Gi' } } });
  });

  test('Grafana reads its admin credentials from an existing Secret and has no literal password', () => {
    const v = values({ grafanaAdminSecretName: 'grafana-credentials' });
    expect(v.grafana.admin).toEqual({ existingSecret: 'grafana-credentials', userKey: 'admin-user', passwordKey: 'admin-password' });
    expect(GRAFANA_ADMIN_SECRET_KEYS).toEqual({ user: 'admin-user', password: 'admin-password' });
    expect(v.grafana.adminPassword).toBeUndefined();
    expect(JSON.stringify(v)).not.toMatch(/adminPassword|prom-operator/);
    expect(values().grafana.admin.existingSecret).toBe('grafana-admin');
    expect(v.grafana['grafana.ini']['auth.anonymous']).toEqual({ enabled: false });
  });

  test('exposes nothing outside the cluster', () => {
    const v = values();
    for (const component of ['prometheus', 'alertmanager', 'grafana']) {
      expect(v[component].service).toMatchObject({ type: 'ClusterIP' });
      expect(v[component].ingress).toEqual({ enabled: false });
    }
  });

  test('adds Loki as a Grafana data source only when asked', () => {
    expect(values().grafana.additionalDataSources).toBeUndefined();
    expect(values({ lokiUrl: 'http://loki-gateway.logging.svc.cluster.local' }).grafana.additionalDataSources).toEqual([
      { name: 'Loki', type: 'loki', uid: 'loki', access: 'proxy', url: 'http://loki-gateway.logging.svc.cluster.local' },
    ]);
  });

  describe('rejects', () => {
    test('a missing environment', () => {
      expect(rejectionOf(() => kubePrometheusStackValues({} as KubePrometheusStackOptions))).toBe(
        'kubePrometheusStackValues: environment (not set) is required; use one of development, staging, production',
      );
    });

    test('an unknown environment, naming the caller\'s path', () => {
      expect(rejectionOf(() => kubePrometheusStackValues({ environment: 'prod' as never, path: 'platform/addons' }))).toBe(
        'platform/addons: environment ("prod") is not supported; use one of "development", "staging", "production"',
      );
    });

    test('a retention out of range', () => {
      expect(rejectionOf(() => values({ retentionDays: 0 }))).toBe(
        'kubePrometheusStackValues: retentionDays (0) must be a whole number from 1 to 3650; keep samples 1 to 3650 days; use long-term storage (Thanos, Mimir, AMP) beyond that',
      );
      expect(rejectionOf(() => values({ retentionDays: 7.5 }))).toMatch(/^kubePrometheusStackValues: retentionDays \(7\.5\) must be a whole number/);
    });

    test('a volume too small or too large', () => {
      expect(rejectionOf(() => values({ storageGiB: 5 }))).toBe(
        'kubePrometheusStackValues: storageGiB (5) must be a whole number from 10 to 16384; give each Prometheus 10 to 16384 GiB (the gp3 maximum)',
      );
      expect(rejectionOf(() => values({ storageGiB: 20000 }))).toMatch(/storageGiB \(20000\) must be a whole number from 10 to 16384/);
    });

    test('an invalid StorageClass or Secret name', () => {
      expect(rejectionOf(() => values({ storageClassName: 'GP3' }))).toMatch(/^kubePrometheusStackValues: storageClassName \("GP3"\) is not a valid StorageClass name: .*; name an existing StorageClass, e\.g\. "gp3"$/);
      expect(rejectionOf(() => values({ grafanaAdminSecretName: 'Grafana_Admin' }))).toMatch(/^kubePrometheusStackValues: grafanaAdminSecretName \("Grafana_Admin"\) is not a valid Secret name/);
    });

    test('a Loki URL that is not http(s)', () => {
      expect(rejectionOf(() => values({ lokiUrl: 'loki-gateway.logging:80' }))).toBe(
        'kubePrometheusStackValues: lokiUrl ("loki-gateway.logging:80") is not an http(s) URL; use the Loki gateway URL, e.g. LOKI_GATEWAY_URL',
      );
    });
  });
});
