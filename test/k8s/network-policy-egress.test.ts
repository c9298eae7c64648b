import { Testing } from 'cdk8s';
import { EGRESS_REASON_ANNOTATION, PRIVATE_AND_LINK_LOCAL_RANGES } from '../../lib/k8s/egress';
import { servingApp } from '../../examples/serving/main';
import { ModelPipeline, ModelService, Rollout, ServingChart } from '../../lib/k8s';
import { CPU_SERVICE, GPU_SERVICE, K8sObject, POOLS } from '../support/serving';

/** Every egress rule of every NetworkPolicy that opens all addresses, with what it says about why. */
function openEgress(objects: readonly K8sObject[]): Array<{ policy: string; reason?: string; except: readonly string[] }> {
  return objects
    .filter((o) => o.kind === 'NetworkPolicy')
    .flatMap((p) => (p.spec.egress ?? []).flatMap((rule: any) => (rule.to ?? [])
      .filter((peer: any) => /\/0$/.test(peer.ipBlock?.cidr ?? ''))
      .map((peer: any) => ({ policy: `${p.metadata.namespace}/${p.metadata.name}`, reason: p.metadata.annotations?.[EGRESS_REASON_ANNOTATION], except: peer.ipBlock.except ?? [] }))));
}

/** The example apps and a chart with every kind of object that carries a NetworkPolicy. */
function everything(): K8sObject[] {
  const app = servingApp(Testing.app());
  const c = new ServingChart(app, 'all-kinds', {
    environment: 'production',
    nodePools: POOLS,
    namespace: 'models-all',
    modelStoreUri: 's3://models-bucket',
    namespaceOptions: { egress: [{ cidr: '10.0.64.0/18', ports: [5432] }] },
  });
  new ModelService(c, 'cpu', { ...CPU_SERVICE, rollout: Rollout.progressive() });
  new ModelService(c, 'gpu', { ...GPU_SERVICE, autoscaling: { maxReplicas: 4, requestsPerSecond: 5, scaleToZero: true, minReplicas: 0 } });
  new ModelPipeline(c, 'chain', {
    stages: [{ service: 'cpu', path: '/predict' }, { service: 'gpu' }],
    online: { image: 'registry.example.com/orchestrator:1.0.0', redis: { host: 'redis.internal', authToken: { secretName: 'redis', key: 'token' }, cidr: '10.0.128.0/20' } },
  });
  return app.charts.flatMap((chart) => Testing.synth(chart) as K8sObject[]);
}

describe('egress to every address (0.0.0.0/0)', () => {
  const objects = everything();

  test('every NetworkPolicy that opens 0.0.0.0/0 states why in the construct, and keeps pods and link-local addresses out', () => {
    const open = openEgress(objects);
    // The model loaders' S3 rule, once per serving namespace, and the example OCR service's call
    // to an external API whose addresses are not given (a NetworkPolicy cannot name its host).
    expect(open.map((o) => o.policy)).toEqual([
      'models-production/allow-model-store-egress', 'models-production/ocr-egress', 'models-staging/allow-model-store-egress',
      'models-llm/allow-model-store-egress', 'models-specs/allow-model-store-egress', 'models-all/allow-model-store-egress',
    ]);
    for (const rule of open) {
      expect({ policy: rule.policy, reason: rule.reason }).toEqual({ policy: rule.policy, reason: expect.stringMatching(/^.{40,}$/) });
      expect(rule.except).toEqual(expect.arrayContaining([...PRIVATE_AND_LINK_LOCAL_RANGES]));
    }
  });

  test('the check finds a rule without a reason', () => {
    const bad: K8sObject = {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'open', namespace: 'x' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] },
    };
    expect(openEgress([bad])).toEqual([{ policy: 'x/open', reason: undefined, except: [] }]);
  });

  test('no policy lets pods reach the node\'s metadata service', () => {
    for (const p of objects.filter((o) => o.kind === 'NetworkPolicy')) {
      for (const rule of p.spec.egress ?? []) {
        for (const peer of rule.to ?? []) {
          const cidr: string | undefined = peer.ipBlock?.cidr;
          if (cidr === undefined || /\/0$/.test(cidr)) continue;
          expect({ policy: p.metadata.name, cidr }).not.toEqual({ policy: p.metadata.name, cidr: '169.254.169.254/32' });
          expect(cidr.startsWith('169.254.') && cidr !== '169.254.170.23/32').toBe(false);
        }
      }
    }
  });
});
