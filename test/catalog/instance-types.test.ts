import { Capacity, ENVIRONMENT_PRESETS, GPU_MODELS, INSTANCE_TYPES, findInstanceType, instanceTypesWithGpu, NodePools, weightLoadTimes } from '../../lib/catalog';

describe('instance catalog', () => {
  test.each([
    ['g4dn.xlarge', 4, 16, 1, 'T4', 16],
    ['g5.12xlarge', 48, 192, 4, 'A10G', 24],
    ['g6.xlarge', 4, 16, 1, 'L4', 24],
    ['g6e.xlarge', 4, 32, 1, 'L40S', 48],
    ['p3.2xlarge', 8, 61, 1, 'V100', 16],
    ['p4d.24xlarge', 96, 1152, 8, 'A100', 40],
    ['p4de.24xlarge', 96, 1152, 8, 'A100', 80],
    ['p5.48xlarge', 192, 2048, 8, 'H100', 80],
  ])('%s has %d vCPU, %d GiB, %d x %s (%d GiB)', (name, vcpus, memoryGiB, gpus, model, gpuMemoryGiB) => {
    expect(findInstanceType(name)).toMatchObject({ vcpus, memoryGiB, gpuCount: gpus, gpuModel: model, gpuMemoryGiB, architecture: 'x86_64' });
  });

  test('CPU families follow their vCPU:memory ratio and carry no GPU', () => {
    expect(findInstanceType('m7i.2xlarge')).toMatchObject({ vcpus: 8, memoryGiB: 32, gpuCount: 0 });
    expect(findInstanceType('c7i.2xlarge')).toMatchObject({ vcpus: 8, memoryGiB: 16 });
    expect(findInstanceType('r7i.4xlarge')).toMatchObject({ vcpus: 16, memoryGiB: 128 });
    expect(findInstanceType('x2idn.16xlarge')).toMatchObject({ vcpus: 64, memoryGiB: 1024 });
    expect(findInstanceType('m7g.xlarge')?.architecture).toBe('arm64');
  });

  test('every GPU model is offered by at least one instance type', () => {
    for (const model of GPU_MODELS) expect(instanceTypesWithGpu(model).length).toBeGreaterThan(0);
  });

  test('lookups of unknown or inherited names return nothing', () => {
    expect(findInstanceType('toString')).toBeUndefined();
    expect(findInstanceType('m9.large')).toBeUndefined();
    expect(Object.keys(INSTANCE_TYPES).length).toBeGreaterThan(100);
  });
});

describe('environment presets', () => {
  test('production is the strictest', () => {
    const { development: dev, production: prod } = ENVIRONMENT_PRESETS;
    expect(prod.network.availabilityZones).toBe(3);
    expect(prod.network.natGateways).toBe('one-per-az');
    expect(dev.network.natGateways).toBe('single');
    expect(prod.database.multiAz).toBe(true);
    expect(prod.database.backupRetentionDays).toBeGreaterThanOrEqual(7);
    expect(prod.cache.nodeCount).toBeGreaterThanOrEqual(2);
    expect(prod.protectData).toBe(true);
    expect(dev.protectData).toBe(false);
    expect(prod.logRetentionDays).toBeGreaterThan(dev.logRetentionDays);
    expect(prod.serving.requirePinnedImages).toBe(true);
  });
});

/**
 * AWS's published sizes per family: vCPUs, memory GiB and GPUs of every size that exists (metal
 * sizes left out: the catalog offers none). Transcribed from the EC2 instance type specifications,
 * https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html (general purpose),
 * https://docs.aws.amazon.com/ec2/latest/instancetypes/co.html (compute optimized),
 * https://docs.aws.amazon.com/ec2/latest/instancetypes/mo.html (memory optimized) and
 * https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html (accelerated computing).
 * A size EC2 does not have makes a node group that never launches (InvalidParameterValue).
 */
const intel6 = { large: [2, 1], xlarge: [4, 1], '2xlarge': [8, 1], '4xlarge': [16, 1], '8xlarge': [32, 1], '12xlarge': [48, 1], '16xlarge': [64, 1], '24xlarge': [96, 1], '32xlarge': [128, 1] };
const intel7 = { large: [2, 1], xlarge: [4, 1], '2xlarge': [8, 1], '4xlarge': [16, 1], '8xlarge': [32, 1], '12xlarge': [48, 1], '16xlarge': [64, 1], '24xlarge': [96, 1], '48xlarge': [192, 1] };
const amd = { ...intel6, '48xlarge': [192, 1] };
function ratio(sizes: Record<string, number[]>, gibPerVcpu: number): Record<string, number[]> {
  return Object.fromEntries(Object.entries(sizes).map(([size, [vcpus]]) => [size, [vcpus, vcpus * gibPerVcpu, 0]]));
}
const AWS_PUBLISHED: Record<string, Record<string, number[]>> = {
  m6i: ratio(intel6, 4),
  m7i: ratio(intel7, 4),
  m6a: ratio(amd, 4),
  m7a: ratio({ medium: [1, 1], ...amd }, 4),
  m7g: ratio({ medium: [1, 1], large: [2, 1], xlarge: [4, 1], '2xlarge': [8, 1], '4xlarge': [16, 1], '8xlarge': [32, 1], '12xlarge': [48, 1], '16xlarge': [64, 1] }, 4),
  c6i: ratio(intel6, 2),
  c7i: ratio(intel7, 2),
  r6i: ratio(intel6, 8),
  r7i: ratio(intel7, 8),
  x2idn: ratio({ '16xlarge': [64, 1], '24xlarge': [96, 1], '32xlarge': [128, 1] }, 16),
  g4dn: { xlarge: [4, 16, 1], '2xlarge': [8, 32, 1], '4xlarge': [16, 64, 1], '8xlarge': [32, 128, 1], '16xlarge': [64, 256, 1], '12xlarge': [48, 192, 4], metal: [96, 384, 8] },
  g5: { xlarge: [4, 16, 1], '2xlarge': [8, 32, 1], '4xlarge': [16, 64, 1], '8xlarge': [32, 128, 1], '16xlarge': [64, 256, 1], '12xlarge': [48, 192, 4], '24xlarge': [96, 384, 4], '48xlarge': [192, 768, 8] },
  g6: { xlarge: [4, 16, 1], '2xlarge': [8, 32, 1], '4xlarge': [16, 64, 1], '8xlarge': [32, 128, 1], '16xlarge': [64, 256, 1], '12xlarge': [48, 192, 4], '24xlarge': [96, 384, 4], '48xlarge': [192, 768, 8] },
  g6e: { xlarge: [4, 32, 1], '2xlarge': [8, 64, 1], '4xlarge': [16, 128, 1], '8xlarge': [32, 256, 1], '16xlarge': [64, 512, 1], '12xlarge': [48, 384, 4], '24xlarge': [96, 768, 4], '48xlarge': [192, 1536, 8] },
  p3: { '2xlarge': [8, 61, 1], '8xlarge': [32, 244, 4], '16xlarge': [64, 488, 8] },
  p4d: { '24xlarge': [96, 1152, 8] },
  p4de: { '24xlarge': [96, 1152, 8] },
  p5: { '48xlarge': [192, 2048, 8] },
};

describe('instance catalog against AWS published sizes', () => {
  test('every catalog type is a size AWS publishes, with its vCPUs, memory and GPUs', () => {
    for (const spec of Object.values(INSTANCE_TYPES)) {
      const size = spec.name.slice(spec.family.length + 1);
      const published = AWS_PUBLISHED[spec.family]?.[size];
      expect({ type: spec.name, published: published !== undefined }).toEqual({ type: spec.name, published: true });
      expect([spec.vcpus, spec.memoryGiB, spec.gpuCount]).toEqual(published);
    }
  });

  test('the 7th-generation Intel families have no 32xlarge (24xlarge, then 48xlarge)', () => {
    for (const family of ['m7i', 'c7i', 'r7i']) {
      expect(findInstanceType(`${family}.32xlarge`)).toBeUndefined();
      expect(findInstanceType(`${family}.48xlarge`)?.vcpus).toBe(192);
    }
  });
});

describe('local NVMe, network and GPU memory, from EC2 as Karpenter\'s instance-type reference lists them', () => {
  test.each([
    ['g4dn.xlarge', 125, 5000, 16384],
    ['g5.xlarge', 250, 2500, 22888],
    ['g6.2xlarge', 450, 5000, 22888],
    ['g6e.12xlarge', 3800, 100000, 45776],
    ['p4de.24xlarge', 8000, 400000, 81920],
    ['p5.48xlarge', 30400, 3200000, 81920],
  ])('%s: %d GB of NVMe, %d Mbit/s baseline, %d MiB per GPU', (name, localNvmeGB, networkBandwidthMbps, gpuMemoryMiB) => {
    expect(findInstanceType(name)).toMatchObject({ localNvmeGB, networkBandwidthMbps, gpuMemoryMiB });
  });

  test('EBS-only and CPU types have no instance store', () => {
    expect(findInstanceType('p3.2xlarge')).toMatchObject({ localNvmeGB: 0 });
    expect(findInstanceType('m7i.2xlarge')).toMatchObject({ localNvmeGB: 0, gpuCount: 0 });
    expect(findInstanceType('m7i.2xlarge')?.gpuMemoryMiB).toBeUndefined();
  });
});

describe('weight loading times', () => {
  const l4 = NodePools.gpu({ gpu: 'L4', instanceTypes: ['g6.2xlarge'] });
  test('on a Karpenter pool of NVMe types the cache is the RAID0 array: the copy is bound by half the 5 Gbit/s baseline, the read by the array', () => {
    expect(weightLoadTimes(l4, 15, Capacity.karpenter())).toMatchObject({ disk: { kind: 'nvme-raid0', sizeGiB: 419 }, copyMiBps: expect.closeTo(298.02, 2), copySeconds: 52, readSeconds: 31 });
  });
  test('on a managed node group the cache is the gp3 root volume at its 125 MiB/s baseline', () => {
    expect(weightLoadTimes(l4, 15)).toMatchObject({ disk: { kind: 'ebs-gp3', sizeGiB: 200 }, copyMiBps: 125, copySeconds: 123, readSeconds: 123 });
  });
});
