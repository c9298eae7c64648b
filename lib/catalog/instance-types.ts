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
  /** Memory of one GPU, GiB. */
  readonly gpuMemoryGiB?: number;
}

interface FamilyTable {
  readonly family: string;
  readonly category: InstanceCategory;
  readonly architecture: CpuArchitecture;
  readonly gpuModel?: GpuModel;
  readonly gpuMemoryGiB?: number;
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
function seventhGenIntel(sizes: Readonly<Record<string, readonly [number, number]>>, xl48: readonly [number, number]): Record<string, readonly [number, number]> {
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
  { family: 'g4dn', category: 'gpu', architecture: 'x86_64', gpuModel: 'T4', gpuMemoryGiB: 16, sizes: { ...singleGpuSizes, '12xlarge': [48, 192, 4], metal: [96, 384, 8] } },
  { family: 'g5', category: 'gpu', architecture: 'x86_64', gpuModel: 'A10G', gpuMemoryGiB: 24, sizes: { ...singleGpuSizes, '12xlarge': [48, 192, 4], '24xlarge': [96, 384, 4], '48xlarge': [192, 768, 8] } },
  { family: 'g6', category: 'gpu', architecture: 'x86_64', gpuModel: 'L4', gpuMemoryGiB: 24, sizes: { ...singleGpuSizes, '12xlarge': [48, 192, 4], '24xlarge': [96, 384, 4], '48xlarge': [192, 768, 8] } },
  { family: 'g6e', category: 'gpu', architecture: 'x86_64', gpuModel: 'L40S', gpuMemoryGiB: 48, sizes: { xlarge: [4, 32, 1], '2xlarge': [8, 64, 1], '4xlarge': [16, 128, 1], '8xlarge': [32, 256, 1], '16xlarge': [64, 512, 1], '12xlarge': [48, 384, 4], '24xlarge': [96, 768, 4], '48xlarge': [192, 1536, 8] } },
  { family: 'p3', category: 'gpu', architecture: 'x86_64', gpuModel: 'V100', gpuMemoryGiB: 16, sizes: { '2xlarge': [8, 61, 1], '8xlarge': [32, 244, 4], '16xlarge': [64, 488, 8] } },
  { family: 'p4d', category: 'gpu', architecture: 'x86_64', gpuModel: 'A100', gpuMemoryGiB: 40, sizes: { '24xlarge': [96, 1152, 8] } },
  { family: 'p4de', category: 'gpu', architecture: 'x86_64', gpuModel: 'A100', gpuMemoryGiB: 80, sizes: { '24xlarge': [96, 1152, 8] } },
  { family: 'p5', category: 'gpu', architecture: 'x86_64', gpuModel: 'H100', gpuMemoryGiB: 80, sizes: { '48xlarge': [192, 2048, 8] } },
];

function expand(table: FamilyTable): InstanceTypeSpec[] {
  return Object.entries(table.sizes).map(([size, [vcpus, memoryGiB, gpuCount = 0]]) => ({
    name: `${table.family}.${size}`,
    family: table.family,
    category: table.category,
    vcpus,
    memoryGiB,
    architecture: table.architecture,
    gpuCount,
    ...(table.gpuModel ? { gpuModel: table.gpuModel, gpuMemoryGiB: table.gpuMemoryGiB } : {}),
  }));
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
