import { ModelService, Rollout, VERTICAL_POD_AUTOSCALER_API } from '../../lib/k8s';
import { schemaFailures } from '../support/schema';
import { chart, CPU_SERVICE, expectServiceRejected, GPU_SERVICE, K8sObject, ofKind, one, synth } from '../support/serving';

function build(props: object): K8sObject[] {
  const c = chart();
  new ModelService(c, 'svc', { ...CPU_SERVICE, ...props });
  return synth(c);
}

describe('resourceRecommendations: a VerticalPodAutoscaler that only recommends', () => {
  test('one per track, updateMode Off, on the model server only, capped at the namespace\'s LimitRange maximum; valid against the upstream CRD', () => {
    const objects = build({ resourceRecommendations: true, autoscaling: { maxReplicas: 6 }, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 10 }) });
    const vpas = ofKind(objects, 'VerticalPodAutoscaler');
    expect(vpas.map((v) => [v.apiVersion, v.metadata.name, v.spec.targetRef])).toEqual([
      [VERTICAL_POD_AUTOSCALER_API, 'svc-stable', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'svc-stable' }],
      [VERTICAL_POD_AUTOSCALER_API, 'svc-canary', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'svc-canary' }],
    ]);
    expect(vpas[0].spec.updatePolicy).toEqual({ updateMode: 'Off' });
    expect(vpas[0].spec.resourcePolicy.containerPolicies).toEqual([
      // Production's LimitRange maximum: a recommendation above it could never be applied.
      { containerName: 'model-server', controlledResources: ['cpu', 'memory'], maxAllowed: { cpu: '192', memory: '2048Gi' } },
      { containerName: 'istio-proxy', mode: 'Off' },
    ]);
    expect(one(objects, 'LimitRange').spec.limits[0].max).toEqual({ cpu: 192, memory: '2048Gi' });
    expect(schemaFailures(vpas).failures).toEqual([]);
  });

  test('never fights the HPA or KEDA: nothing it targets is resized or evicted, whatever scales the replicas', () => {
    for (const autoscaling of [{ targetCpuUtilization: 70 }, { requestsPerSecond: 10 }, { targetMemoryUtilization: 80 }]) {
      const objects = build({ resourceRecommendations: true, autoscaling });
      const scalers = [...ofKind(objects, 'HorizontalPodAutoscaler'), ...ofKind(objects, 'ScaledObject')];
      expect(scalers).toHaveLength(1);
      for (const vpa of ofKind(objects, 'VerticalPodAutoscaler')) expect(vpa.spec.updatePolicy.updateMode).toBe('Off');
    }
  });

  test('a progressive rollout\'s VPA targets the Argo Rollout, which runs the pods', () => {
    const objects = build({ resourceRecommendations: true, rollout: Rollout.progressive() });
    expect(one(objects, 'VerticalPodAutoscaler').spec.targetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'svc' });
  });

  test('opt-in: none without it; a non-boolean is refused', () => {
    expect(ofKind(build({}), 'VerticalPodAutoscaler')).toEqual([]);
    expect(ofKind(build({ ...GPU_SERVICE, resourceRecommendations: false }), 'VerticalPodAutoscaler')).toEqual([]);
    expectServiceRejected({ ...CPU_SERVICE, resourceRecommendations: 'Auto' as never }, 'serving/svc: resourceRecommendations ("Auto") is not true or false; set resourceRecommendations: true for a recommendation-only VerticalPodAutoscaler, or leave it out');
  });
});
