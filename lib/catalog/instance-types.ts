import { GpuModel } from './gpu-models';

export type CpuArchitecture = 'x86_64' | 'arm64';
export type InstanceCategory = 'general' | 'compute' | 'memory' | 'gpu';

/** One EC2 instance type, with figures from AWS's published specifications. */
export interface InstanceTypeSpec {
  readonly name: string;
  readonly family: string;
  readonly category: InstanceCategory;
  readonly vcpus: number;
  readonly memoryGiB: number;
  readonly architecture: CpuArchitecture;
  /** GPUs per instance; 0 for CPU-only types. */
  readonly gpuCount: number;
  readonly gpuModel?: GpuModel;
  /** Memory of one GPU, GiB, as AWS markets it (a 24 GB A10G). */
  readonly gpuMemoryGiB?: number;
  /**
   * Memory of one GPU, MiB, as EC2 reports it (DescribeInstanceTypes `GpuInfo.Gpus[].MemoryInfo`):
   * what the GPU-memory fit proof counts (an A10G or L4 has 22888 MiB, not 24 GiB).
   */
  readonly gpuMemoryMiB?: number;
  /** Local NVMe instance store, GB in total; 0 for EBS-only types. */
  readonly localNvmeGB: number;
  /** Baseline network bandwidth, Mbit/s: what a sustained copy from S3 can count on. */
  readonly networkBandwidthMbps: number;
}

interface FamilyTable {
  readonly family: string;
  readonly category: InstanceCategory;
  readonly architecture: CpuArchitecture;
  readonly gpuModel?: GpuModel;
  readonly gpuMemoryGiB?: number;
  readonly gpuMemoryMiB?: number;
  /** size → [vCPUs, memory GiB, GPUs]. */
  readonly sizes: Readonly<Record<string, readonly [number, number, number?]>>;
}

// Sizes of the general / compute / memory families follow AWS's 1:4, 1:2 and 1:8 vCPU:GiB ratios.
// Every size is one AWS publishes (https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html,
// co.html, mo.html, ac.html): the 6th-generation Intel families stop at 32xlarge, the 7th-generation
// Intel ones (m7i, c7i, r7i) skip it and go from 24xlarge to 48xlarge.
const m6iSizes = { large: [2, 8], xlarge: [4, 16], '2xlarge': [8, 32], '4xlarge': [16, 64], '8xlarge': [32, 128], '12xlarge': [48, 192], '16xlarge': [64, 256], '24xlarge': [96, 384], '32xlarge': [128, 512] } as const;
const c6iSizes = { large: [2, 4], xlarge: [4, 8], '2xlarge': [8, 16], '4xlarge': [16, 32], '8xlarge': [32, 64], '12xlarge': [48, 96], '16xlarge': [64, 128], '24xlarge': [96, 192], '32xlarge': [128, 256] } as const;
const r6iSizes = { large: [2, 16], xlarge: [4, 32], '2xlarge': [8, 64], '4xlarge': [16, 128], '8xlarge': [32, 256], '12xlarge': [48, 384], '16xlarge': [64, 512], '24xlarge': [96, 768], '32xlarge': [128, 1024] } as const;
// Single-GPU g4dn/g5/g6 sizes share one shape; the multi-GPU sizes differ per family.
/** The 7th-generation Intel sizes: the 6th generation's without 32xlarge, plus 48xlarge. */
function seventhGenIntel(
  sizes: Readonly<Record<string, readonly [number, number]>>,
  xl48: readonly [number, number],
): Record<string, readonly [number, number]> {
  return { ...Object.fromEntries(Object.entries(sizes).filter(([size]) => size !== '32xlarge')), '48xlarge': xl48 };
}
const singleGpuSizes = { xlarge: [4, 16, 1], '2xlarge': [8, 32, 1], '4xlarge': [16, 64, 1], '8xlarge': [32, 128, 1], '16xlarge': [64, 256, 1] } as const;

const FAMILIES: readonly FamilyTable[] = [
  { family: 'm6i', category: 'general', architecture: 'x86_64', sizes: m6iSizes },
  { family: 'm7i', category: 'general', architecture: 'x86_64', sizes: seventhGenIntel(m6iSizes, [192, 768]) },
  // AMD families of the same sizes give spot pools more capacity pools to draw from.
  { family: 'm6a', category: 'general', architecture: 'x86_64', sizes: { ...m6iSizes, '48xlarge': [192, 768] } },
  { family: 'm7a', category: 'general', architecture: 'x86_64', sizes: { medium: [1, 4], ...m6iSizes, '48xlarge': [192, 768] } },
  { family: 'm7g', category: 'general', architecture: 'arm64', sizes: { medium: [1, 4], large: [2, 8], xlarge: [4, 16], '2xlarge': [8, 32], '4xlarge': [16, 64], '8xlarge': [32, 128], '12xlarge': [48, 192], '16xlarge': [64, 256] } },
  { family: 'c6i', category: 'compute', architecture: 'x86_64', sizes: c6iSizes },
  { family: 'c7i', category: 'compute', architecture: 'x86_64', sizes: seventhGenIntel(c6iSizes, [192, 384]) },
  { family: 'r6i', category: 'memory', architecture: 'x86_64', sizes: r6iSizes },
  { family: 'r7i', category: 'memory', architecture: 'x86_64', sizes: seventhGenIntel(r6iSizes, [192, 1536]) },
  { family: 'x2idn', category: 'memory', architecture: 'x86_64', sizes: { '16xlarge': [64, 1024], '24xlarge': [96, 1536], '32xlarge': [128, 2048] } },
  { family: 'g4dn', category: 'gpu', architecture: 'x86_64', gpuModel: 'T4', gpuMemoryGiB: 16, gpuMemoryMiB: 16384, sizes: { ...singleGpuSizes, '12xlarge': [48, 192, 4], metal: [96, 384, 8] } },
  { family: 'g5', category: 'gpu', architecture: 'x86_64', gpuModel: 'A10G', gpuMemoryGiB: 24, gpuMemoryMiB: 22888, sizes: { ...singleGpuSizes, '12xlarge': [48, 192, 4], '24xlarge': [96, 384, 4], '48xlarge': [192, 768, 8] } },
  { family: 'g6', category: 'gpu', architecture: 'x86_64', gpuModel: 'L4', gpuMemoryGiB: 24, gpuMemoryMiB: 22888, sizes: { ...singleGpuSizes, '12xlarge': [48, 192, 4], '24xlarge': [96, 384, 4], '48xlarge': [192, 768, 8] } },
  { family: 'g6e', category: 'gpu', architecture: 'x86_64', gpuModel: 'L40S', gpuMemoryGiB: 48, gpuMemoryMiB: 45776, sizes: { xlarge: [4, 32, 1], '2xlarge': [8, 64, 1], '4xlarge': [16, 128, 1], '8xlarge': [32, 256, 1], '16xlarge': [64, 512, 1], '12xlarge': [48, 384, 4], '24xlarge': [96, 768, 4], '48xlarge': [192, 1536, 8] } },
  { family: 'p3', category: 'gpu', architecture: 'x86_64', gpuModel: 'V100', gpuMemoryGiB: 16, gpuMemoryMiB: 16384, sizes: { '2xlarge': [8, 61, 1], '8xlarge': [32, 244, 4], '16xlarge': [64, 488, 8] } },
  { family: 'p4d', category: 'gpu', architecture: 'x86_64', gpuModel: 'A100', gpuMemoryGiB: 40, gpuMemoryMiB: 40960, sizes: { '24xlarge': [96, 1152, 8] } },
  { family: 'p4de', category: 'gpu', architecture: 'x86_64', gpuModel: 'A100', gpuMemoryGiB: 80, gpuMemoryMiB: 81920, sizes: { '24xlarge': [96, 1152, 8] } },
  { family: 'p5', category: 'gpu', architecture: 'x86_64', gpuModel: 'H100', gpuMemoryGiB: 80, gpuMemoryMiB: 81920, sizes: { '48xlarge': [192, 2048, 8] } },
];

/**
 * Local NVMe (GB) and baseline network bandwidth (Mbit/s) of the GPU and NVMe types, from EC2's
 * DescribeInstanceTypes as Karpenter's instance-type reference lists them
 * (aws/karpenter-provider-aws, website/content/en/docs/reference/instance-types.md,
 * `karpenter.k8s.aws/instance-local-nvme` and `instance-network-bandwidth`, commit 1d927085dd81).
 * Types not listed have no instance store and the bandwidth given by DEFAULT_NETWORK_MBPS.
 */
const LOCAL_STORAGE_AND_NETWORK: Readonly<Record<string, readonly [number, number]>> = {
  'g4dn.xlarge': [125, 5000], 'g4dn.2xlarge': [225, 10000], 'g4dn.4xlarge': [225, 20000], 'g4dn.8xlarge': [900, 50000],
  'g4dn.12xlarge': [900, 50000], 'g4dn.16xlarge': [900, 50000], 'g4dn.metal': [1800, 100000],
  'g5.xlarge': [250, 2500], 'g5.2xlarge': [450, 5000], 'g5.4xlarge': [600, 10000], 'g5.8xlarge': [900, 25000],
  'g5.12xlarge': [3800, 40000], 'g5.16xlarge': [1900, 25000], 'g5.24xlarge': [3800, 50000], 'g5.48xlarge': [7600, 100000],
  'g6.xlarge': [250, 2500], 'g6.2xlarge': [450, 5000], 'g6.4xlarge': [600, 10000], 'g6.8xlarge': [900, 25000],
  'g6.12xlarge': [3760, 40000], 'g6.16xlarge': [1880, 25000], 'g6.24xlarge': [3760, 50000], 'g6.48xlarge': [7520, 100000],
  'g6e.xlarge': [250, 2500], 'g6e.2xlarge': [450, 5000], 'g6e.4xlarge': [600, 20000], 'g6e.8xlarge': [900, 25000],
  'g6e.12xlarge': [3800, 100000], 'g6e.16xlarge': [1900, 35000], 'g6e.24xlarge': [3800, 200000], 'g6e.48xlarge': [7600, 400000],
  'p3.2xlarge': [0, 10000], 'p3.8xlarge': [0, 10000], 'p3.16xlarge': [0, 25000],
  'p4d.24xlarge': [8000, 400000], 'p4de.24xlarge': [8000, 400000], 'p5.48xlarge': [30400, 3200000],
  'x2idn.16xlarge': [1900, 50000], 'x2idn.24xlarge': [2850, 75000], 'x2idn.32xlarge': [3800, 100000],
};
/** Bandwidth assumed for the CPU types, whose copies from S3 are small: the "up to 12.5 Gbit/s" sizes' baseline is lower. */
const DEFAULT_NETWORK_MBPS = 1000;

function expand(table: FamilyTable): InstanceTypeSpec[] {
  return Object.entries(table.sizes).map(([size, [vcpus, memoryGiB, gpuCount = 0]]) => {
    const name = `${table.family}.${size}`;
    const [localNvmeGB, networkBandwidthMbps] = LOCAL_STORAGE_AND_NETWORK[name] ?? [0, DEFAULT_NETWORK_MBPS];
    return {
      name,
      family: table.family,
      category: table.category,
      vcpus,
      memoryGiB,
      architecture: table.architecture,
      gpuCount,
      localNvmeGB,
      networkBandwidthMbps,
      ...(table.gpuModel ? { gpuModel: table.gpuModel, gpuMemoryGiB: table.gpuMemoryGiB, gpuMemoryMiB: table.gpuMemoryMiB } : {}),
    };
  });
}

/** Every instance type the platform offers, by name (`g5.xlarge`). */
export const INSTANCE_TYPES: Readonly<Record<string, InstanceTypeSpec>> = Object.freeze(
  Object.fromEntries(FAMILIES.flatMap(expand).map((spec) => [spec.name, Object.freeze(spec)])),
);

export function findInstanceType(name: string): InstanceTypeSpec | undefined {
  return Object.prototype.hasOwnProperty.call(INSTANCE_TYPES, name) ? INSTANCE_TYPES[name] : undefined;
}

/** Instance types that carry `model` GPUs, smallest first. */
export function instanceTypesWithGpu(model: GpuModel): InstanceTypeSpec[] {
  return Object.values(INSTANCE_TYPES)
    .filter((t) => t.gpuModel === model)
    .sort((a, b) => a.gpuCount - b.gpuCount || a.vcpus - b.vcpus);
}
