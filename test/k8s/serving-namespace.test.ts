import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { NodePools, ValidationError } from '../../lib/catalog';
import { ServingChart } from '../../lib/k8s/serving-chart';
import { schemaFailures } from '../support/schema';

const nodePools = [NodePools.general(), NodePools.gpu({ gpu: 'T4' })];

function synth(props: Partial<ConstructorParameters<typeof ServingChart>[2]> = {}) {
  const chart = new ServingChart(Testing.app(), 'serving', { environment: 'production', nodePools, ...props });
  return Testing.synth(chart);
}

const byKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);

describe('ServingNamespace', () => {
  const objects = synth();

  test('namespace enforces Pod Security restricted and mesh injection', () => {
    const [ns] = byKind(objects, 'Namespace');
    expect(ns.metadata.name).toBe('models-production');
    expect(ns.metadata.labels).toMatchObject({
      'istio-injection': 'enabled',
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    expect(ns.metadata.namespace).toBeUndefined();
  });

  test('mTLS is STRICT for the namespace', () => {
    const [pa] = byKind(objects, 'PeerAuthentication');
    expect(pa.apiVersion).toBe('security.istio.io/v1');
    expect(pa.metadata).toMatchObject({ name: 'default', namespace: 'models-production' });
    expect(pa.spec.mtls.mode).toBe('STRICT');
  });

  test("Prometheus scrapes every sidecar's Envoy stats, where the Istio request metrics come from", () => {
    const monitor = byKind(objects, 'PodMonitor').find((m) => m.metadata.name === 'istio-sidecars');
    expect(monitor.metadata).toMatchObject({ name: 'istio-sidecars', namespace: 'models-production' });
    expect(monitor.spec.selector).toEqual({ matchLabels: { 'security.istio.io/tlsMode': 'istio' } });
    expect(monitor.spec.podMetricsEndpoints).toEqual([{ port: 'http-envoy-prom', path: '/stats/prometheus', interval: '15s' }]);
  });

  test('network policy denies everything by default and allows DNS, istiod and Prometheus on the sidecar ports', () => {
    const policies = byKind(objects, 'NetworkPolicy');
    const deny = policies.find((p) => p.metadata.name === 'default-deny-all');
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const dns = policies.find((p) => p.metadata.name === 'allow-dns');
    expect(dns.spec.egress[0].ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
    const mesh = policies.find((p) => p.metadata.name === 'allow-mesh-egress');
    expect(mesh.spec.policyTypes).toEqual(['Egress']);
    expect(mesh.spec.egress[1].to[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name']).toBe('istio-system');
    // No namespace-wide ingress but the sidecars' metrics: each ModelService admits its own ports.
    const ingress = policies.filter((p) => p.spec.ingress);
    expect(ingress.map((p) => p.metadata.name)).toEqual(['allow-sidecar-metrics']);
    expect(ingress[0].spec.ingress[0].from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name']).toBe('monitoring');
    expect(ingress[0].spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 15020 }, { protocol: 'TCP', port: 15090 }]);
    expect(policies.map((p) => p.metadata.name)).not.toContain('allow-aws-egress');
  });

  test('egress to AWS: only the model loaders, only the Pod Identity agent and S3, never other pods or the metadata service', () => {
    const policies = byKind(objects, 'NetworkPolicy');
    const store = policies.find((p) => p.metadata.name === 'allow-model-store-egress');
    // Only pods with a model loader (every ModelService's): not pipeline steps, not anything else.
    expect(store.spec.podSelector).toEqual({ matchLabels: { 'modelserve.io/model-loader': 's3' } });
    expect(store.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: 80 }] },
      // S3 through the gateway endpoint has public, changing addresses; pod IPs (private ranges,
      // 100.64/10 for custom networking) and link-local (IMDS) are excluded.
      { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 443 }] },
    ]);
    expect(store.metadata.annotations['modelserve.io/egress-reason']).toMatch(/^Model loaders copy models from S3 through the VPC gateway endpoint/);
    // No other policy of the namespace opens HTTPS.
    const https = policies.filter((p) => JSON.stringify(p.spec.egress ?? []).includes('"port":443'));
    expect(https.map((p) => p.metadata.name)).toEqual(['allow-model-store-egress']);
  });

  test('with an S3 interface endpoint, the loaders reach S3 there and no rule opens public addresses', () => {
    const policies = byKind(synth({ namespaceOptions: { modelStoreCidrs: ['10.0.96.0/19'] } }), 'NetworkPolicy');
    const store = policies.find((p) => p.metadata.name === 'allow-model-store-egress');
    expect(store.spec.egress[1]).toEqual({ to: [{ ipBlock: { cidr: '10.0.96.0/19' } }], ports: [{ protocol: 'TCP', port: 443 }] });
    expect(JSON.stringify(policies)).not.toContain('0.0.0.0/0');
    expect(store.metadata.annotations).toBeUndefined();
  });

  test('the ingress gateway is scraped, so calls to a service with no pods are seen (scale from zero)', () => {
    const gateway = byKind(objects, 'PodMonitor').find((m) => m.metadata.name === 'istio-ingress-gateway');
    expect(gateway.spec).toEqual({
      namespaceSelector: { matchNames: ['istio-ingress'] },
      selector: { matchLabels: { istio: 'ingressgateway' } },
      jobLabel: 'istio',
      podMetricsEndpoints: [{ port: 'http-envoy-prom', path: '/stats/prometheus', interval: '15s' }],
    });
    expect(byKind(synth({ namespaceOptions: { scrapeIngressGateway: false } }), 'PodMonitor').map((m) => m.metadata.name)).toEqual(['istio-sidecars']);
  });

  test('quota and limits come from the environment preset', () => {
    const [quota] = byKind(objects, 'ResourceQuota');
    expect(quota.spec.hard).toMatchObject({ 'requests.nvidia.com/gpu': 128, 'services.loadbalancers': 0, 'services.nodeports': 0 });
    const dev = byKind(synth({ environment: 'development' }), 'ResourceQuota')[0];
    expect(dev.spec.hard['requests.nvidia.com/gpu']).toBe(4);
    const [limits] = byKind(objects, 'LimitRange');
    expect(limits.spec.limits[0]).toMatchObject({ type: 'Container', defaultRequest: { cpu: '250m', memory: '512Mi' } });
  });

  test('listed egress (a database, a cache) is open to every pod of the namespace, on its ports only', () => {
    const policies = byKind(synth({ namespaceOptions: { egress: [{ cidr: '10.0.64.0/18', ports: [5432, 6379] }] } }), 'NetworkPolicy');
    const egress = policies.find((p) => p.metadata.name === 'allow-listed-egress');
    expect(egress.spec.podSelector).toEqual({});
    expect(egress.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '10.0.64.0/18' } }], ports: [{ protocol: 'TCP', port: 5432 }, { protocol: 'TCP', port: 6379 }] }]);
    expect(byKind(objects, 'NetworkPolicy').map((p) => p.metadata.name)).not.toContain('allow-listed-egress');
  });

  test('every object is valid against the Kubernetes and Istio schemas', () => {
    expect(schemaFailures(objects)).toEqual({ checked: objects.length, failures: [] });
  });

  test('createNamespace: false emits nothing but the chart', () => {
    expect(synth({ createNamespace: false })).toEqual([]);
  });
});

describe('ServingChart.of', () => {
  test('finds the ServingChart above a construct', () => {
    const chart = new ServingChart(Testing.app(), 'serving', { environment: 'staging', nodePools });
    const inner = new Construct(chart, 'inner');
    expect(ServingChart.of(inner)).toBe(chart);
    expect(chart.ingressGateway.namespace).toBe('istio-ingress');
  });

  test('a plain cdk8s Chart is not a ServingChart', () => {
    const plain = new Chart(Testing.app(), 'plain');
    expect(() => ServingChart.of(new Construct(plain, 'svc'))).toThrow(/plain\/svc: a ModelService must be created inside a ServingChart/);
  });
});

describe('ServingChart bad input', () => {
  const cases: Array<[string, object, RegExp]> = [
    ['unknown environment', { environment: 'prod' }, /^serving: environment \("prod"\) is not an environment preset; use one of development, staging, production$/],
    ['no node pools', { nodePools: [] }, /serving: nodePools \(\[\]\) is empty; pass the node pool specs/],
    ['two pools with one name', { nodePools: [NodePools.general(), NodePools.general()] }, /nodePools \("general"\) names two pools the same/],
    ['invalid namespace', { namespace: 'Models_Prod' }, /namespace \("Models_Prod"\) is not a valid name/],
    ['model store that is not S3', { modelStoreUri: 'gs://models' }, /serving: modelStoreUri \("gs:\/\/models"\) is not an S3 URI/],
    ['bad egress CIDR', { namespaceOptions: { egress: [{ cidr: '10.0.0.0/33', ports: [5432] }] } }, /egress\[0\].cidr \("10.0.0.0\/33"\) is not an IPv4 CIDR/],
    ['bad model store CIDR', { namespaceOptions: { modelStoreCidrs: ['s3'] } }, /serving\/namespace: modelStoreCidrs\[0\] \("s3"\) is not an IPv4 CIDR/],
    ['no way to S3', { namespaceOptions: { allowHttpsEgress: false } }, /^serving\/namespace: allowHttpsEgress \(false\) leaves the model loaders no way to S3, so no model service could load its model; list where S3 answers inside the VPC \(an S3 interface endpoint's subnets\) in modelStoreCidrs, or leave allowHttpsEgress on$/],
  ];
  test.each(cases)('%s', (_name, props, message) => {
    const app = Testing.app();
    expect(() => new ServingChart(app, 'serving', { environment: 'production', nodePools, ...props } as never)).toThrow(ValidationError);
    expect(() => new ServingChart(Testing.app(), 'serving', { environment: 'production', nodePools, ...props } as never)).toThrow(message);
    expect(app.charts).toHaveLength(0);
  });
});
