import { Testing } from 'cdk8s';
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

  test('network policy denies everything by default and allows DNS, the gateway and Prometheus', () => {
    const policies = byKind(objects, 'NetworkPolicy');
    const deny = policies.find((p) => p.metadata.name === 'default-deny-all');
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const dns = policies.find((p) => p.metadata.name === 'allow-dns');
    expect(dns.spec.egress[0].ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
    const mesh = policies.find((p) => p.metadata.name === 'allow-mesh');
    expect(mesh.spec.ingress[0].from).toContainEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-ingress' } },
      podSelector: { matchLabels: { istio: 'ingressgateway' } },
    });
    const scrape = policies.find((p) => p.metadata.name === 'allow-prometheus-scrape');
    expect(scrape.spec.ingress[0].from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name']).toBe('monitoring');
    const egress = policies.find((p) => p.metadata.name === 'allow-aws-egress');
    expect(egress.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }], ports: [{ protocol: 'TCP', port: 443 }] });
  });

  test('quota and limits come from the environment preset', () => {
    const [quota] = byKind(objects, 'ResourceQuota');
    expect(quota.spec.hard).toMatchObject({ 'requests.nvidia.com/gpu': 128, 'services.loadbalancers': 0, 'services.nodeports': 0 });
    const dev = byKind(synth({ environment: 'development' }), 'ResourceQuota')[0];
    expect(dev.spec.hard['requests.nvidia.com/gpu']).toBe(4);
    const [limits] = byKind(objects, 'LimitRange');
    expect(limits.spec.limits[0]).toMatchObject({ type: 'Container', defaultRequest: { cpu: '250m', memory: '512Mi' } });
  });

  test('HTTPS egress can be turned off in favour of listed CIDRs', () => {
    const policies = byKind(synth({ namespaceOptions: { allowHttpsEgress: false, egress: [{ cidr: '10.0.64.0/18', ports: [5432, 6379] }] } }), 'NetworkPolicy');
    const egress = policies.find((p) => p.metadata.name === 'allow-aws-egress');
    expect(JSON.stringify(egress.spec.egress)).not.toContain('0.0.0.0/0');
    expect(egress.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '10.0.64.0/18' } }], ports: [{ protocol: 'TCP', port: 5432 }, { protocol: 'TCP', port: 6379 }] });
  });

  test('every object is valid against the Kubernetes and Istio schemas', () => {
    expect(schemaFailures(objects)).toEqual({ checked: objects.length, failures: [] });
  });

  test('createNamespace: false emits nothing but the chart', () => {
    expect(synth({ createNamespace: false })).toEqual([]);
  });
});

describe('ServingChart bad input', () => {
  const cases: Array<[string, object, RegExp]> = [
    ['unknown environment', { environment: 'prod' }, /^serving: environment \("prod"\) is not an environment preset; use one of development, staging, production$/],
    ['no node pools', { nodePools: [] }, /serving: nodePools \(\[\]\) is empty; pass the node pool specs/],
    ['two pools with one name', { nodePools: [NodePools.general(), NodePools.general()] }, /nodePools \("general"\) names two pools the same/],
    ['invalid namespace', { namespace: 'Models_Prod' }, /namespace \("Models_Prod"\) is not a valid name/],
    ['bad egress CIDR', { namespaceOptions: { egress: [{ cidr: '10.0.0.0/33', ports: [5432] }] } }, /egress\[0\].cidr \("10.0.0.0\/33"\) is not an IPv4 CIDR/],
  ];
  test.each(cases)('%s', (_name, props, message) => {
    const app = Testing.app();
    expect(() => new ServingChart(app, 'serving', { environment: 'production', nodePools, ...props } as never)).toThrow(ValidationError);
    expect(() => new ServingChart(Testing.app(), 'serving', { environment: 'production', nodePools, ...props } as never)).toThrow(message);
    expect(app.charts).toHaveLength(0);
  });
});
