import {
  DEVICE_PLUGIN_CONFIG_LABEL,
  GPU_SHARING_LABEL,
  GpuSharing,
  MIG_CONFIG_LABEL,
  nodePoolAllocatable,
  NodePools,
  SHARED_GPU_RESOURCE,
} from '../../lib/catalog';

describe('GPU sharing on node pools', () => {
  test('a time-sliced pool advertises replicasPerGpu slots per GPU and tells the device plugin which config to use', () => {
    const pool = NodePools.gpu({ gpu: 'T4', instanceTypes: ['g4dn.12xlarge'], sharing: GpuSharing.timeSlicing({ replicasPerGpu: 4 }) });
    expect(pool.name).toBe('gpu-t4-shared');
    expect(pool.gpuSharing).toEqual({ kind: 'time-slicing', replicasPerGpu: 4 });
    expect(pool.labels[DEVICE_PLUGIN_CONFIG_LABEL]).toBe('gpu-t4-shared');
    expect(pool.labels[GPU_SHARING_LABEL]).toBe('time-slicing');
    expect(pool.labels[MIG_CONFIG_LABEL]).toBeUndefined();
    const a = nodePoolAllocatable(pool);
    expect(a).toMatchObject({ gpus: 4, gpuResource: SHARED_GPU_RESOURCE, gpuSlots: 16 });
  });

  test('a MIG pool cuts every GPU into one profile: 8 A100-80GB GPUs × 7 instances of 1g.10gb', () => {
    const pool = NodePools.gpu({ gpu: 'A100', instanceTypes: ['p4de.24xlarge'], sharing: GpuSharing.mig({ profile: '1g.10gb' }) });
    expect(pool.name).toBe('gpu-a100-mig-1g-10gb');
    expect(pool.labels[MIG_CONFIG_LABEL]).toBe('all-1g.10gb');
    expect(pool.labels[GPU_SHARING_LABEL]).toBe('mig-1g.10gb');
    expect(nodePoolAllocatable(pool)).toMatchObject({ gpus: 8, gpuResource: 'nvidia.com/mig-1g.10gb', gpuSlots: 56 });
  });

  test('on A100-40GB the same profile fits 4 times per GPU', () => {
    const pool = NodePools.gpu({ gpu: 'A100', sharing: GpuSharing.mig({ profile: '1g.10gb' }) });
    expect(pool.instanceTypes).toEqual(['p4d.24xlarge']);
    expect(nodePoolAllocatable(pool).gpuSlots).toBe(32);
  });

  test('a pool without sharing offers whole GPUs and says so', () => {
    const pool = NodePools.gpu({ gpu: 'T4' });
    expect(pool.gpuSharing).toBeUndefined();
    expect(pool.labels[GPU_SHARING_LABEL]).toBe('whole');
    expect(nodePoolAllocatable(pool)).toMatchObject({ gpus: 1, gpuResource: 'nvidia.com/gpu', gpuSlots: 1 });
  });

  test.each([
    [() => NodePools.gpu({ gpu: 'T4', sharing: GpuSharing.mig({ profile: '1g.5gb' }) }), 'NodePools.gpu(gpu-t4-mig-1g-5gb): sharing.profile ("1g.5gb") is a MIG profile but T4 GPUs cannot be partitioned with MIG; use GpuSharing.timeSlicing, or an A100 or H100 pool'],
    [() => NodePools.gpu({ gpu: 'A100', sharing: GpuSharing.mig({ profile: '1g.5gb' }), instanceTypes: ['p4de.24xlarge'] }), 'NodePools.gpu(gpu-a100-mig-1g-5gb): sharing.profile ("1g.5gb") is not a MIG profile of p4de.24xlarge (A100 80 GB); use one of 1g.10gb, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb'],
    [() => NodePools.gpu({ gpu: 'T4', sharing: GpuSharing.timeSlicing({ replicasPerGpu: 1 }) }), 'NodePools.gpu(gpu-t4-shared): sharing.replicasPerGpu (1) must be a whole number from 2 to 48; give 2 to 48 slots per GPU (1 is no sharing: drop sharing instead)'],
    [() => NodePools.gpu({ gpu: 'T4', sharing: {} as GpuSharing }), 'NodePools.gpu(gpu-t4): sharing.kind (not set) is not a kind of GPU sharing; build sharing with GpuSharing.timeSlicing(...) or GpuSharing.mig(...)'],
  ])('bad sharing is refused with the fix: %#', (make, message) => {
    expect(make).toThrow(message);
  });
});
