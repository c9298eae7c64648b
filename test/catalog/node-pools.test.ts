import {
  GPU_MODEL_LABEL,
  NODE_POOL_LABEL,
  NodePools,
  SPOT_TAINT,
  ValidationError,
  NODE_LAUNCH_SECONDS,
  nodeLaunchSeconds,
  nodePoolAllocatable,
  validateNodePoolSpec,
} from '../../lib/catalog';

describe('NodePools factories', () => {
  test('general is on-demand AL2023 with a pool label and no taint', () => {
    const pool = NodePools.general();
    expect(pool.capacityType).toBe('ON_DEMAND');
    expect(pool.amiType).toBe('AL2023_x86_64_STANDARD');
    expect(pool.labels[NODE_POOL_LABEL]).toBe('general');
    expect(pool.taints).toEqual([]);
  });

  test('gpu picks an instance of the model, the NVIDIA AMI and the GPU taint', () => {
    const pool = NodePools.gpu({ gpu: 'A100' });
    expect(pool.instanceTypes).toEqual(['p4d.24xlarge']);
    expect(pool.amiType).toBe('AL2023_x86_64_NVIDIA');
    expect(pool.gpuModel).toBe('A100');
    expect(pool.labels[GPU_MODEL_LABEL]).toBe('A100');
    expect(pool.taints).toContainEqual({ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' });
    expect(pool.name).toBe('gpu-a100');
  });

  test('spot spreads over several types of one size and is tainted unless asked not to', () => {
    const pool = NodePools.spot();
    expect(pool.capacityType).toBe('SPOT');
    expect(pool.instanceTypes.length).toBeGreaterThanOrEqual(2);
    expect(pool.taints).toContainEqual(SPOT_TAINT);
    expect(NodePools.spot({ taint: false }).taints).toEqual([]);
  });

  test('highMemory uses memory-optimised instances', () => {
    const pool = NodePools.highMemory();
    expect(pool.instanceTypes[0]).toMatch(/^r7i\./);
    expect(pool.kind).toBe('high-memory');
  });

  test('allocatable is below capacity but close to it', () => {
    const a = nodePoolAllocatable(NodePools.general()); // m7i.2xlarge: 8 vCPU, 32 GiB
    expect(a.cpu).toBeLessThan(8);
    expect(a.cpu).toBeGreaterThan(7);
    expect(a.memoryGiB).toBeLessThan(32);
    expect(a.memoryGiB).toBeGreaterThan(29);
    expect(nodePoolAllocatable(NodePools.gpu({ gpu: 'T4' })).gpus).toBe(1);
  });

  test('ephemeral storage is the root volume less the kubelet\'s reserve and eviction threshold (AL2023 nodeadm: kubeReserved 1Gi, nodefs.available 10%)', () => {
    expect(nodePoolAllocatable(NodePools.general()).ephemeralStorageGiB).toBe(44);
    expect(nodePoolAllocatable(NodePools.gpu({ gpu: 'T4' })).ephemeralStorageGiB).toBe(179);
    expect(nodePoolAllocatable(NodePools.general({ diskGiB: 100 })).ephemeralStorageGiB).toBe(89);
  });

  test('node launch time: CPU pools, GPU pools, and eight-GPU instances', () => {
    expect(nodeLaunchSeconds(NodePools.general())).toBe(NODE_LAUNCH_SECONDS.cpu);
    expect(nodeLaunchSeconds(NodePools.gpu({ gpu: 'T4' }))).toBe(NODE_LAUNCH_SECONDS.gpu);
    expect(nodeLaunchSeconds(NodePools.gpu({ gpu: 'A100' }))).toBe(NODE_LAUNCH_SECONDS.largeGpu);
    expect(NODE_LAUNCH_SECONDS.cpu).toBeLessThan(NODE_LAUNCH_SECONDS.gpu);
  });
});

describe('node pool bad input', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['GPU pool without a GPU of the model', () => NodePools.gpu({ gpu: 'A100', instanceTypes: ['g5.xlarge'] }), /instanceTypes\[0\] \("g5.xlarge"\) has A10G GPUs, not A100; use an instance type with A100 GPUs: p4d.24xlarge, p4de.24xlarge/],
    ['GPU pool on a CPU instance', () => NodePools.gpu({ gpu: 'T4', instanceTypes: ['m7i.xlarge'] }), /has no GPU, but the pool is for T4/],
    ['unknown GPU model', () => NodePools.gpu({ gpu: 'B200' as never }), /NodePools.gpu: gpu \("B200"\) is not a GPU model the platform knows; use one of T4, A10G/],
    ['spot pool with one type', () => NodePools.spot({ instanceTypes: ['m7i.2xlarge'] }), /has a single type.*list two or more instance types/],
    ['spot pool of mixed sizes', () => NodePools.spot({ instanceTypes: ['m7i.2xlarge', 'm7i.4xlarge'] }), /instanceTypes\[1\] \("m7i.4xlarge"\) has 16 vCPU/],
    ['min > max', () => NodePools.general({ minSize: 5, maxSize: 3, desiredSize: 4 }), /NodePools.general\(general\): minSize \(5\) is greater than maxSize \(3\); lower minSize or raise maxSize/],
    ['desired outside min..max', () => NodePools.general({ minSize: 1, desiredSize: 12, maxSize: 10 }), /desiredSize \(12\) is outside minSize..maxSize \(1..10\)/],
    ['negative size', () => NodePools.general({ minSize: -1 }), /minSize \(-1\) must be a whole number from 0 to 1000/],
    ['unknown instance type', () => NodePools.general({ instanceTypes: ['m7i.huge'] }), /instanceTypes\[0\] \("m7i.huge"\) is not in the instance catalog; use one of m7i.large/],
    ['name AWS would reject', () => NodePools.general({ name: 'General_Pool' }), /name \("General_Pool"\) is not a valid name/],
    ['arm instance on an x86 AMI', () => NodePools.general({ instanceTypes: ['m7g.xlarge'] }), /is arm64 but amiType AL2023_x86_64_STANDARD is not/],
    ['tiny disk', () => NodePools.general({ diskGiB: 5 }), /diskGiB \(5\) must be a whole number from 20 to 16384/],
    ['reserved label prefix', () => NodePools.general({ labels: { 'kubernetes.io/role': 'x' } }), /uses a prefix that EKS reserves/],
  ];
  test.each(cases)('%s', (_name, make, message) => {
    expect(make).toThrow(ValidationError);
    expect(make).toThrow(message);
  });

  test('GPU instance with a standard AMI is refused', () => {
    const spec = { ...NodePools.general(), instanceTypes: ['g5.xlarge'] };
    expect(() => validateNodePoolSpec(spec, 'pool')).toThrow(/amiType \("AL2023_x86_64_STANDARD"\) has no NVIDIA driver/);
  });
});

describe('error messages', () => {
  test('non-finite numbers are printed as they are, not as null', () => {
    expect(() => NodePools.general({ maxSize: Number.NaN })).toThrow(/maxSize \(NaN\) must be a whole number/);
    expect(() => NodePools.general({ diskGiB: Infinity })).toThrow(/diskGiB \(Infinity\)/);
  });
});
