import { ENVIRONMENT_PRESETS, GPU_MODELS, INSTANCE_TYPES, findInstanceType, instanceTypesWithGpu } from '../../lib/catalog';

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
