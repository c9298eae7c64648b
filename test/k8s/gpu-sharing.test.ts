import { Testing } from 'cdk8s';
import { GpuShare, GpuSharing, NodePools, NodePoolSpec } from '../../lib/catalog';
import { placePod } from '../../lib/check/placement';
import { ModelService, ModelServiceProps, ServingChart } from '../../lib/k8s';
import { schemaFailures } from '../support/schema';
import { expectServiceRejected, GPU_SERVICE, one, synth } from '../support/serving';

/** Whole T4s, time-sliced T4s (4 slots per GPU) and A100-80GB cut into 1g.10gb MIG instances. */
const SHARING_POOLS: readonly NodePoolSpec[] = [
  NodePools.general(),
  NodePools.gpu({ gpu: 'T4' }),
  NodePools.gpu({ gpu: 'T4', sharing: GpuSharing.timeSlicing({ replicasPerGpu: 4 }) }),
  NodePools.gpu({ gpu: 'A100', instanceTypes: ['p4de.24xlarge'], sharing: GpuSharing.mig({ profile: '1g.10gb' }) }),
];

const sharingChart = (pools: readonly NodePoolSpec[] = SHARING_POOLS) => new ServingChart(Testing.app(), 'serving', { environment: 'production', nodePools: pools });

const SLICED: ModelServiceProps = { ...GPU_SERVICE, resources: { cpu: 2, memoryGiB: 8, gpu: { count: 1, model: 'T4', share: GpuShare.timeSliced() } } };
const MIG: ModelServiceProps = { ...GPU_SERVICE, resources: { cpu: 2, memoryGiB: 8, gpu: { count: 1, model: 'A100', share: GpuShare.mig('1g.10gb') } } };

function nodeAffinity(deployment: any): Array<{ key: string; values: string[] }> {
  return deployment.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions;
}

describe('GPU sharing in ModelService', () => {
  test('placement: a time-sliced pod goes only to the time-sliced pool, a whole-GPU pod never does', () => {
    const names = (r: ReturnType<typeof placePod>) => r.candidates.map((p) => p.name);
    expect(names(placePod({ cpu: 2, memoryGiB: 8, gpuCount: 1, gpuModel: 'T4', gpuShare: GpuShare.timeSliced() }, SHARING_POOLS))).toEqual(['gpu-t4-shared']);
    expect(names(placePod({ cpu: 2, memoryGiB: 8, gpuCount: 1, gpuModel: 'T4' }, SHARING_POOLS))).toEqual(['gpu-t4']);
    expect(names(placePod({ cpu: 2, memoryGiB: 8, gpuCount: 1, gpuModel: 'A100', gpuShare: GpuShare.mig('1g.10gb') }, SHARING_POOLS))).toEqual(['gpu-a100-mig-1g-10gb']);
  });

  test('a time-sliced service asks for one nvidia.com/gpu.shared slot and selects the time-sliced pool', () => {
    const c = sharingChart();
    new ModelService(c, 'ner', SLICED);
    const d = one(synth(c), 'Deployment', 'ner');
    const container = d.spec.template.spec.containers[0];
    expect(container.resources.limits['nvidia.com/gpu.shared']).toBe(1);
    expect(container.resources.limits['nvidia.com/gpu']).toBeUndefined();
    expect(nodeAffinity(d)).toEqual(expect.arrayContaining([
      { key: 'modelserve.io/node-pool', operator: 'In', values: ['gpu-t4-shared'] },
      { key: 'modelserve.io/gpu-sharing', operator: 'In', values: ['time-slicing'] },
    ]));
    expect(d.spec.template.spec.tolerations).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'nvidia.com/gpu', effect: 'NoSchedule' })]));
  });

  test('a MIG service asks for its profile and scales on the MIG instance activity, not DEV_GPU_UTIL', () => {
    const c = sharingChart();
    new ModelService(c, 'detector', { ...MIG, autoscaling: { maxReplicas: 8, targetGpuUtilization: 70 } });
    const objects = synth(c);
    const d = one(objects, 'Deployment', 'detector');
    expect(d.spec.template.spec.containers[0].resources.limits['nvidia.com/mig-1g.10gb']).toBe(1);
    expect(nodeAffinity(d)).toEqual(expect.arrayContaining([{ key: 'modelserve.io/gpu-sharing', operator: 'In', values: ['mig-1g.10gb'] }]));
    const trigger = one(objects, 'ScaledObject', 'detector').spec.triggers.find((t: any) => t.name === 'gpu-utilization');
    expect(trigger.metadata.query).toBe('sum(DCGM_FI_PROF_GR_ENGINE_ACTIVE{namespace="models-production", pod=~"(detector)-[a-z0-9]+-[a-z0-9]{5}"} * 100) / 1');
    expect(schemaFailures(objects).failures).toEqual([]);
  });

  describe('bad input is refused before anything is created', () => {
    const expectRejected = (props: ModelServiceProps, message: string, pools: readonly NodePoolSpec[] = SHARING_POOLS) => expectServiceRejected(props, message, sharingChart(pools));

    test('a share that no pool offers names every pool and what it offers', () => {
      expectRejected(
        { ...GPU_SERVICE, resources: { cpu: 2, memoryGiB: 8, gpu: { count: 1, model: 'A100', share: GpuShare.mig('3g.40gb') } } },
        'serving/svc: resources ({"cpu":2,"memoryGiB":8,"gpu":{"count":1,"model":"A100","share":{"kind":"mig","profile":"3g.40gb"}}}) fit no node pool (pod: 2.1 vCPU, 8.125 GiB, 1 × A100 MIG 3g.40gb instances (nvidia.com/mig-3g.40gb) with the mesh sidecar, 37.8 GiB of disk with its images, spot never): general: has no GPU; gpu-t4: offers T4, not A100; gpu-t4-shared: offers T4, not A100; gpu-a100-mig-1g-10gb: offers MIG 1g.10gb instances (nvidia.com/mig-1g.10gb), not MIG 3g.40gb instances (nvidia.com/mig-3g.40gb); shrink the pod, allow other pools in placement, or add a node pool that fits to the chart (and the platform)',
      );
    });

    test('a time-sliced request on a chart with only whole GPUs', () => {
      expectRejected(
        SLICED,
        'serving/svc: resources ({"cpu":2,"memoryGiB":8,"gpu":{"count":1,"model":"T4","share":{"kind":"time-slicing"}}}) fit no node pool (pod: 2.1 vCPU, 8.125 GiB, 1 × T4 time-sliced slots (nvidia.com/gpu.shared) with the mesh sidecar, 37.8 GiB of disk with its images, spot never): general: has no GPU; gpu-t4: offers whole GPUs (nvidia.com/gpu), not time-sliced slots (nvidia.com/gpu.shared); shrink the pod, allow other pools in placement, or add a node pool that fits to the chart (and the platform)',
        [NodePools.general(), NodePools.gpu({ gpu: 'T4' })],
      );
    });

    test('more than one time-sliced slot', () => {
      expectRejected(
        { ...SLICED, resources: { cpu: 2, memoryGiB: 8, gpu: { count: 2, model: 'T4', share: GpuShare.timeSliced() } } },
        'serving/svc: resources.gpu.count (2) is more than 1 time-sliced slot: slots of one GPU add no compute or memory, and the device plugin refuses such pods; request count: 1, or use whole GPUs or a larger MIG profile',
      );
    });

    test('GPU-utilisation autoscaling on a time-sliced GPU', () => {
      expectRejected(
        { ...SLICED, autoscaling: { maxReplicas: 4, targetGpuUtilization: 70 } },
        "serving/svc: autoscaling.targetGpuUtilization (70) is set on a time-sliced GPU: the GPU's utilisation counts every pod that shares it, so it cannot tell whether this service needs more replicas; scale on requestsPerSecond or queueLength instead",
      );
    });

    test('a malformed MIG profile', () => {
      expectRejected(
        { ...GPU_SERVICE, resources: { cpu: 2, memoryGiB: 8, gpu: { count: 1, model: 'A100', share: GpuShare.mig('small') } } },
        'serving/svc: resources.gpu.share.profile ("small") is not a MIG profile name; use the form <compute>g.<memory>gb, e.g. \'1g.10gb\'',
      );
    });
  });
});
