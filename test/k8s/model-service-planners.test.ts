import { ENVIRONMENT_PRESETS, GpuShare, PropsValidator } from '../../lib/catalog';
import { ModelServiceProps } from '../../lib/k8s';
import { MESH_SIDECAR } from '../../lib/k8s/mesh-sidecar';
import { WARMUP_CONTAINER } from '../../lib/k8s/model-warmup';
import { planModel } from '../../lib/k8s/plan-model';
import { planPlacement } from '../../lib/k8s/plan-placement';
import { planResources } from '../../lib/k8s/plan-resources';
import { planRollout, planTracks, trackReplicas } from '../../lib/k8s/plan-rollout';
import { planRuntime } from '../../lib/k8s/plan-runtime';
import { MIN_SERVING_PODS, ScalingPlan } from '../../lib/k8s/plan-scaling';
import { Rollout } from '../../lib/k8s/rollout';
import { messageOf } from '../support/validation';
import { POOLS } from '../support/serving';

// The planners planModelService composes, as pure functions: props in, their slice of the plan out.
const check = () => new PropsValidator('svc');
const props = (p: Partial<ModelServiceProps>): ModelServiceProps => ({ model: { id: 'resnet50', version: '1.0.0' }, resources: { cpu: 2, memoryGiB: 8 }, ...p });
const hpa = (minReplicas: number, maxReplicas = 10): ScalingPlan => ({
  kind: 'hpa', minReplicas, maxReplicas, cpu: 70, scaleToZero: false, scaleDownStabilizationSeconds: 300, prometheusUrl: 'http://prometheus:9090', schedule: [],
});
const production = ENVIRONMENT_PRESETS.production;

describe('planModel', () => {
  test('without model.uri the artefacts are under the chart\'s model store, by model id and {version}', () => {
    expect(planModel(check(), props({}), { modelStoreUri: 's3://models-bucket//' }).uriTemplate).toBe('s3://models-bucket/resnet50/{version}/');
  });

  test('a given model.uri is kept as written', () => {
    const p = props({ model: { id: 'resnet50', version: '1.0.0', uri: 's3://other/resnet/{version}' } });
    expect(planModel(check(), p, { modelStoreUri: 's3://models-bucket' }).uriTemplate).toBe('s3://other/resnet/{version}');
  });
});

describe('planResources', () => {
  test('a model cache of 20 GiB unless given; no GPU unless asked for', () => {
    expect(planResources(check(), props({}), { preset: production })).toEqual({ cpu: 2, memoryGiB: 8, gpu: undefined, storageGiB: 20, networkBandwidthMbps: undefined });
  });

  test('a known language model supplies the GPU count and cache size the props leave out', () => {
    const r = planResources(check(), props({ resources: { cpu: 6, memoryGiB: 24, gpu: { model: 'L4' } as { count: number; model: 'L4' } } }), { preset: production }, { gpuCount: 2, storageGiB: 40 });
    expect(r.gpu).toEqual({ count: 2, model: 'L4' });
    expect(r.storageGiB).toBe(40);
  });

  test('a GPU share is kept on the plan, and a time-sliced slot is one per pod', () => {
    const shared = props({ resources: { cpu: 1, memoryGiB: 4, gpu: { count: 1, model: 'T4', share: GpuShare.timeSliced() } } });
    expect(planResources(check(), shared, { preset: production }).gpu).toEqual({ count: 1, model: 'T4', share: GpuShare.timeSliced() });
    const two = props({ resources: { cpu: 1, memoryGiB: 4, gpu: { count: 2, model: 'T4', share: GpuShare.timeSliced() } } });
    expect(messageOf((c) => planResources(c, two, { preset: production }))).toMatch(/^svc: resources\.gpu\.count \(2\) is more than 1 time-sliced slot/);
  });
});

describe('planRuntime', () => {
  test('a GPU pod gets 600 s to start, a CPU pod 300; the grace period outlasts the drain by 30 s, at least 60 s', () => {
    expect(planRuntime(check(), props({}), true)).toEqual({ startupTimeoutSeconds: 600, drainSeconds: 15, terminationGracePeriodSeconds: 60, runAsUser: 1000 });
    expect(planRuntime(check(), props({ drainSeconds: 90 }), false)).toEqual({ startupTimeoutSeconds: 300, drainSeconds: 90, terminationGracePeriodSeconds: 120, runAsUser: 1000 });
  });

  test('a grace period no longer than the drain is refused', () => {
    expect(messageOf((c) => planRuntime(c, props({ drainSeconds: 30, terminationGracePeriodSeconds: 30 }), false)))
      .toBe('svc: terminationGracePeriodSeconds (30) is not longer than drainSeconds (30), so pods are killed before in-flight requests finish; raise it to at least 60');
  });
});

describe('planRollout and planTracks', () => {
  test('a rolling update unless given', () => {
    expect(planRollout(check(), props({}), '1.0.0').kind).toBe('rolling-update');
  });

  test('one track keeps the service\'s name; each canary track its own Deployment, version and artefacts', () => {
    const base = { name: 'resnet', modelVersion: '1.0.0', uriTemplate: 's3://m/resnet/{version}/', scaling: hpa(4), environment: 'production' };
    const single = planTracks(check(), { ...base, rollout: Rollout.rollingUpdate() });
    expect(single.map((t) => [t.deploymentName, t.modelUri, t.replicas])).toEqual([['resnet', 's3://m/resnet/1.0.0/', 4]]);
    const canary = planTracks(check(), { ...base, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 10 }) });
    expect(canary.map((t) => [t.name, t.deploymentName, t.modelUri, t.weight, t.replicas])).toEqual([
      ['stable', 'resnet-stable', 's3://m/resnet/1.0.0/', 90, 4],
      ['canary', 'resnet-canary', 's3://m/resnet/1.1.0/', 10, MIN_SERVING_PODS],
    ]);
  });

  test('two versions from a URI without {version} are refused', () => {
    const tracks = { name: 'resnet', modelVersion: '1.0.0', uriTemplate: 's3://m/resnet/', scaling: hpa(2), environment: 'production' };
    expect(messageOf((c) => planTracks(c, { ...tracks, rollout: Rollout.blueGreen({ greenVersion: '2.0.0' }) })))
      .toMatch(/^svc: model\.uri \("s3:\/\/m\/resnet\/"\) has no \{version\} placeholder, so the blue-green tracks \(1\.0\.0, 2\.0\.0\) would all load the same artefacts/);
  });
});

describe('trackReplicas', () => {
  const stable = { name: 'stable', version: '1.0.0', weight: 90 };
  const canaryTrack = { name: 'canary', version: '1.1.0', weight: 10 };
  const canary = (weight: number) => Rollout.canary({ newVersion: '1.1.0', weight });

  test('a canary gets its weight\'s share of the pods, at least MIN_SERVING_PODS outside development', () => {
    expect(trackReplicas(canary(50), canaryTrack, hpa(10))).toBe(5);
    expect(trackReplicas(canary(10), canaryTrack, hpa(10))).toBe(MIN_SERVING_PODS);
    expect(trackReplicas(canary(10), canaryTrack, hpa(10), 'development')).toBe(1);
    // Never more than the service's own count.
    expect(trackReplicas(canary(10), canaryTrack, hpa(1))).toBe(1);
  });

  test('a canary at weight 0 and a shadow may run one pod; stable keeps the full count; zero stays zero', () => {
    expect(trackReplicas(canary(0), canaryTrack, hpa(10))).toBe(1);
    const shadow = Rollout.shadow({ newVersion: '1.1.0', mirrorPercent: 25 });
    expect(trackReplicas(shadow, { name: 'shadow', version: '1.1.0', weight: 0 }, hpa(8))).toBe(2);
    expect(trackReplicas(canary(10), stable, hpa(10))).toBe(10);
    expect(trackReplicas(canary(10), canaryTrack, { kind: 'fixed', replicas: 0 })).toBe(0);
  });
});

describe('planPlacement', () => {
  // general allocates 7.41 vCPU per node (test/support/serving.ts): 7.3 for the server fits it with
  // the sidecar's 0.1, not with the warmer's 0.05 on top, and the pod falls back to high-memory.
  const pod = { cpu: 7.3, memoryGiB: 8, storageGiB: 20, diskGiB: 30 };
  const names = (r: { candidatePools: readonly { name: string }[] }) => r.candidatePools.map((p) => p.name);

  test('the mesh sidecar and the warmer count in the pod\'s fit', () => {
    expect(MESH_SIDECAR.cpu + WARMUP_CONTAINER.cpu).toBeCloseTo(0.15);
    expect(names(planPlacement(check(), props({}), { nodePools: POOLS }, pod))).toEqual(['general']);
    expect(names(planPlacement(check(), props({ warmup: { requests: [{ path: '/warm' }] } }), { nodePools: POOLS }, pod))).toEqual(['high-memory']);
  });

  test('on-demand capacity unless spot is allowed', () => {
    expect(planPlacement(check(), props({}), { nodePools: POOLS }, { ...pod, cpu: 1 }).spot).toBe('never');
    expect(names(planPlacement(check(), props({ placement: { spot: 'allowed' } }), { nodePools: POOLS }, { ...pod, cpu: 1 }))).toEqual(['general', 'spot']);
  });

  test('a pod no pool holds is refused with its size as the scheduler sees it', () => {
    expect(messageOf((c) => planPlacement(c, props({}), { nodePools: POOLS }, { ...pod, cpu: 200 })))
      .toMatch(/^svc: resources \(.*\) fit no node pool \(pod: 200\.1 vCPU, 8\.125 GiB with the mesh sidecar, 30 GiB of disk with its images, spot never\)/);
  });
});
