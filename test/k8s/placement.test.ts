import { Capacity, NodePools } from '../../lib/catalog';
import { describeVerdicts, placePod } from '../../lib/check/placement';
import { ModelService } from '../../lib/k8s';
import { canSpreadZonesStrictly } from '../../lib/k8s/placement';
import { chart, CPU_SERVICE, GPU_SERVICE, one, POOLS, synth } from '../support/serving';

const names = (pools: readonly { name: string }[]) => pools.map((p) => p.name);

describe('placePod (engine-free fit check)', () => {
  test('a small CPU pod goes to general only: not GPU pools, not spot by default, not high-memory while general fits', () => {
    const r = placePod({ cpu: 1, memoryGiB: 2 }, POOLS);
    expect(names(r.candidates)).toEqual(['general']);
    const reasons = Object.fromEntries(r.verdicts.map((v) => [v.pool.name, v.reasons]));
    expect(reasons['gpu-t4']).toEqual(['is a GPU pool (T4), kept for GPU services']);
    expect(reasons.spot).toEqual(['is spot capacity and placement.spot is "never"']);
    expect(reasons['high-memory'][0]).toMatch(/kept for pods that fit no other pool/);
  });

  test('spot allowed or preferred adds the spot pool', () => {
    expect(names(placePod({ cpu: 1, memoryGiB: 2, spot: 'allowed' }, POOLS).candidates)).toEqual(['general', 'spot']);
    expect(names(placePod({ cpu: 1, memoryGiB: 2, spot: 'preferred' }, POOLS).candidates)).toEqual(['general', 'spot']);
  });

  test('a GPU pod goes only to pools of its GPU model', () => {
    expect(names(placePod({ cpu: 2, memoryGiB: 8, gpuCount: 1, gpuModel: 'T4' }, POOLS).candidates)).toEqual(['gpu-t4']);
    expect(names(placePod({ cpu: 8, memoryGiB: 64, gpuCount: 4, gpuModel: 'A100' }, POOLS).candidates)).toEqual(['gpu-a100']);
  });

  test('a pod that needs more memory than general offers falls back to high-memory', () => {
    const r = placePod({ cpu: 4, memoryGiB: 64 }, POOLS);
    expect(names(r.candidates)).toEqual(['high-memory']);
    expect(r.verdicts.find((v) => v.pool.name === 'general')!.reasons[0]).toMatch(/^allocates 2\d\.\d+ GiB per node, the pod needs 64$/);
  });

  test('named pools restrict the candidates and may pick high-memory on purpose', () => {
    expect(names(placePod({ cpu: 1, memoryGiB: 2, nodePools: ['high-memory'] }, POOLS).candidates)).toEqual(['high-memory']);
    expect(placePod({ cpu: 1, memoryGiB: 2, nodePools: ['nope'] }, POOLS).unknownPools).toEqual(['nope']);
  });

  test('too many GPUs per pod for the node', () => {
    const r = placePod({ cpu: 2, memoryGiB: 8, gpuCount: 2, gpuModel: 'T4' }, POOLS);
    expect(r.candidates).toEqual([]);
    expect(r.verdicts.find((v) => v.pool.name === 'gpu-t4')!.reasons).toContain('has 1 GPU per node, the pod needs 2');
  });

  test('disk: a pod whose ephemeral request and images exceed what the node\'s kubelet allocates fits nowhere', () => {
    // 50 GiB root volume: 50 × 0.9 (nodefs.available eviction) − 1 (kubeReserved) = 44 GiB.
    const r = placePod({ cpu: 1, memoryGiB: 2, ephemeralStorageGiB: 57.8 }, [NodePools.general()]);
    expect(r.candidates).toEqual([]);
    expect(r.verdicts[0].reasons).toEqual(['has 44 GiB of ephemeral storage per node (50 GiB disk), the pod needs 57.8 with its images']);
    expect(names(placePod({ cpu: 1, memoryGiB: 2, ephemeralStorageGiB: 44 }, [NodePools.general()]).candidates)).toEqual(['general']);
  });

  test('describeVerdicts names every pool and why', () => {
    const r = placePod({ cpu: 2, memoryGiB: 8, gpuCount: 1, gpuModel: 'A100' }, [NodePools.general(), NodePools.gpu({ gpu: 'T4' })]);
    expect(describeVerdicts(r.verdicts)).toBe('general: has no GPU; gpu-t4: offers T4, not A100');
  });
});

describe('ModelService placement', () => {
  test('no pool fits: the error lists every pool considered and why it fails', () => {
    const c = chart('production', [NodePools.general(), NodePools.gpu({ gpu: 'T4' }), NodePools.spot()]);
    expect(() => new ModelService(c, 'resnet', { ...GPU_SERVICE, resources: { cpu: 4, memoryGiB: 16, gpu: { count: 1, model: 'A100' } } })).toThrow(
      'serving/resnet: resources ({"cpu":4,"memoryGiB":16,"gpu":{"count":1,"model":"A100"}}) fit no node pool (pod: 4.1 vCPU, 16.125 GiB, 1 × A100 with the mesh sidecar, 37.8 GiB of disk with its images, spot never): ' +
        'general: has no GPU; gpu-t4: offers T4, not A100, allocates 3.42 vCPU per node, the pod needs 4.1, allocates 13.47 GiB per node, the pod needs 16.13; ' +
        'spot: has no GPU, is spot capacity and placement.spot is "never"; ' +
        'shrink the pod, allow other pools in placement, or add a node pool that fits to the chart (and the platform)',
    );
  });

  test('a service whose cache, /tmp, logs and images do not fit the node\'s disk is refused, not left Pending', () => {
    // Staging's general pool has 50 GiB disks (44 allocatable): a 40 GiB cache on Triton's
    // 15 GiB image needs 40 + 1 + 1 + 15 + 0.5 (loader) + 0.3 (sidecar) = 57.8.
    const c = chart('staging', [NodePools.general({ minSize: 1, desiredSize: 2 })]);
    expect(() => new ModelService(c, 'big-cache', { ...CPU_SERVICE, resources: { cpu: 1, memoryGiB: 2, storageGiB: 40 } })).toThrow(
      'serving/big-cache: resources ({"cpu":1,"memoryGiB":2,"storageGiB":40}) fit no node pool (pod: 1.1 vCPU, 2.125 GiB with the mesh sidecar, 57.8 GiB of disk with its images, spot never): ' +
        'general: has 44 GiB of ephemeral storage per node (50 GiB disk), the pod needs 57.8 with its images; ' +
        'shrink the pod, allow other pools in placement, or add a node pool that fits to the chart (and the platform)',
    );
    // The container asks for what it may write: cache, /tmp and logs.
    new ModelService(c, 'fits', { ...CPU_SERVICE, resources: { cpu: 1, memoryGiB: 2, storageGiB: 20 } });
    const container = one(synth(c), 'Deployment', 'fits').spec.template.spec.containers[0];
    expect(container.resources.requests['ephemeral-storage']).toBe('22Gi');
  });

  test('a CPU pod too big for every pool names the allocatable figures', () => {
    const c = chart('production', [NodePools.general(), NodePools.spot()]);
    expect(() => new ModelService(c, 'big', { ...CPU_SERVICE, resources: { cpu: 16, memoryGiB: 4 } })).toThrow(
      /general: allocates 7\.\d+ vCPU per node, the pod needs 16\.1; spot: is spot capacity and placement.spot is "never", allocates 7\.\d+ vCPU per node, the pod needs 16\.1/,
    );
  });

  test('unknown pool names in placement.nodePools', () => {
    expect(() => new ModelService(chart(), 'svc', { ...CPU_SERVICE, placement: { nodePools: ['general', 'gpu-h100'] } })).toThrow(
      'serving/svc: placement.nodePools (["general","gpu-h100"]) names gpu-h100, which the chart does not have; use pools of the chart: general, gpu-t4, gpu-a100, spot, high-memory',
    );
  });

  test('GPU service: required affinity to the GPU pool and model, GPU toleration, nvidia.com/gpu limit', () => {
    const c = chart();
    new ModelService(c, 'bert', GPU_SERVICE);
    const pod = one(synth(c), 'Deployment', 'bert').spec.template.spec;
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      {
        matchExpressions: [
          { key: 'modelserve.io/node-pool', operator: 'In', values: ['gpu-t4'] },
          { key: 'modelserve.io/gpu-model', operator: 'In', values: ['T4'] },
        ],
      },
    ]);
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
    expect(pod.containers[0].resources.requests['nvidia.com/gpu']).toBeUndefined();
  });

  test('CPU service: general only, no tolerations', () => {
    const c = chart();
    new ModelService(c, 'svc', CPU_SERVICE);
    const pod = one(synth(c), 'Deployment', 'svc').spec.template.spec;
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: 'modelserve.io/node-pool', operator: 'In', values: ['general'] },
    ]);
    expect(pod.tolerations).toBeUndefined();
  });

  test('spot preferred: required to general or spot, preferred to spot, tolerates the spot taint', () => {
    const c = chart();
    new ModelService(c, 'svc', { ...CPU_SERVICE, placement: { spot: 'preferred' } });
    const pod = one(synth(c), 'Deployment', 'svc').spec.template.spec;
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values).toEqual(['general', 'spot']);
    expect(pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      { weight: 100, preference: { matchExpressions: [{ key: 'modelserve.io/node-pool', operator: 'In', values: ['spot'] }] } },
    ]);
    expect(pod.tolerations).toEqual([{ key: 'modelserve.io/spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
  });

  test('high-memory fallback tolerates the high-memory taint', () => {
    const c = chart();
    new ModelService(c, 'index', { ...CPU_SERVICE, resources: { cpu: 4, memoryGiB: 96 } });
    const pod = one(synth(c), 'Deployment', 'index').spec.template.spec;
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values).toEqual(['high-memory']);
    expect(pod.tolerations).toEqual([{ key: 'modelserve.io/high-memory', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
  });

  test('topology spread: zones soft on pools the autoscaler grows (it cannot pick a node\'s zone), soft for GPU; hosts always soft; per ReplicaSet', () => {
    const c = chart();
    new ModelService(c, 'cpu', CPU_SERVICE);
    new ModelService(c, 'gpu', GPU_SERVICE);
    const objects = synth(c);
    const spread = (name: string) => one(objects, 'Deployment', name).spec.template.spec.topologySpreadConstraints;
    // general (2..10 nodes) is one node group over three zones: a pod waiting for a node in zone
    // c would wait for good, because the autoscaler adds a node wherever the Auto Scaling group puts it.
    expect(spread('cpu').map((t: { topologyKey: string; whenUnsatisfiable: string }) => [t.topologyKey, t.whenUnsatisfiable])).toEqual([
      ['topology.kubernetes.io/zone', 'ScheduleAnyway'],
      ['kubernetes.io/hostname', 'ScheduleAnyway'],
    ]);
    expect(spread('gpu').map((t: { whenUnsatisfiable: string }) => t.whenUnsatisfiable)).toEqual(['ScheduleAnyway', 'ScheduleAnyway']);
    for (const t of spread('cpu')) {
      expect(t.matchLabelKeys).toEqual(['pod-template-hash']);
      expect(t.labelSelector).toEqual({ matchLabels: { 'modelserve.io/service': 'cpu', 'modelserve.io/track': 'stable' } });
    }
  });

  test('zones are hard in production on pools the autoscaler never grows, decided per pool', () => {
    const fixed = NodePools.general({ name: 'fixed', minSize: 6, desiredSize: 6, maxSize: 6 });
    const c = chart('production', [fixed, NodePools.general()]);
    new ModelService(c, 'pinned', { ...CPU_SERVICE, placement: { nodePools: ['fixed'] } });
    new ModelService(c, 'mixed', CPU_SERVICE);
    const objects = synth(c);
    const zone = (name: string) => one(objects, 'Deployment', name).spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable;
    expect(zone('pinned')).toBe('DoNotSchedule');
    // One autoscaled pool among the candidates is enough to make the rule soft.
    expect(zone('mixed')).toBe('ScheduleAnyway');
    expect(canSpreadZonesStrictly([fixed])).toBe(true);
    expect(canSpreadZonesStrictly([NodePools.gpu({ gpu: 'T4', minSize: 2, desiredSize: 2, maxSize: 2 })])).toBe(false);
    expect(canSpreadZonesStrictly([NodePools.spot({ minSize: 2, desiredSize: 2, maxSize: 2 })])).toBe(false);
  });

  test('zones are soft outside production', () => {
    const c = chart('staging');
    new ModelService(c, 'cpu', CPU_SERVICE);
    expect(one(synth(c), 'Deployment', 'cpu').spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable).toBe('ScheduleAnyway');
  });
});

describe('disk and GPU memory of language models', () => {
  const h100 = NodePools.gpu({ gpu: 'H100' });
  const pod = { cpu: 40, memoryGiB: 320, gpuCount: 4, gpuModel: 'H100' as const, ephemeralStorageGiB: 500 };

  test('where Karpenter stripes the NVMe instance store (RAID0), a pod\'s disk is the array\'s, not the 200 GiB root volume\'s', () => {
    const onEbs = placePod(pod, [h100]);
    expect(describeVerdicts(onEbs.verdicts)).toBe('gpu-h100: has 179 GiB of ephemeral storage per node (200 GiB disk), the pod needs 500 with its images');
    // p5.48xlarge: 30400 GB of NVMe, 28312 GiB, less the kubelet's 10 % and 1 GiB.
    const onNvme = placePod(pod, [h100], Capacity.karpenter());
    expect(names(onNvme.candidates)).toEqual(['gpu-h100']);
    // Managed node groups keep the kubelet on the root volume, NVMe or not.
    expect(names(placePod(pod, [h100], Capacity.managedNodeGroups()).candidates)).toEqual([]);
  });

  test('a GPU-memory floor keeps pools whose GPUs are too small out, with the numbers', () => {
    const a100 = [NodePools.gpu({ gpu: 'A100' }), NodePools.gpu({ gpu: 'A100', name: 'gpu-a100-80gb', instanceTypes: ['p4de.24xlarge'] })];
    const r = placePod({ cpu: 40, memoryGiB: 320, gpuCount: 4, gpuModel: 'A100', minGpuMemoryMiB: 62_430, gpuMemoryReason: 'Llama 3.1 70B needs' }, a100);
    expect(names(r.candidates)).toEqual(['gpu-a100-80gb']);
    expect(describeVerdicts(r.verdicts)).toBe('gpu-a100: has 40960 MiB per A100, Llama 3.1 70B needs 62430; gpu-a100-80gb: fits');
  });
});
