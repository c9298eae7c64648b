import { GPU_RESOURCE, GpuModel } from './gpu-models';

/**
 * GPU sharing, as plain data that both sides read: the AWS side configures the NVIDIA GPU
 * Operator per node pool from it, the Kubernetes side places a ModelService that asks for a share
 * only on pools that offer that share.
 *
 * Time-slicing: the device plugin advertises each GPU as `replicasPerGpu` slots of the resource
 * SHARED_GPU_RESOURCE (renamed, so that a pod asking for a whole `nvidia.com/gpu` never lands on
 * a slot). Slots share memory and compute with no isolation.
 * MIG: every GPU of the pool is cut into instances of one profile (mig-parted's `all-<profile>`
 * configs), advertised as `nvidia.com/mig-<profile>` (the operator's "mixed" strategy). Instances
 * have their own memory and compute.
 */
export type GpuSharing =
  | { readonly kind: 'time-slicing'; readonly replicasPerGpu: number }
  | { readonly kind: 'mig'; readonly profile: string };

/** Most time-sliced slots per GPU a pool may advertise. */
export const MAX_TIME_SLICES = 48;
/** What a MIG profile name looks like: `<compute slices>g.<memory>gb`, e.g. `1g.10gb`. */
export const MIG_PROFILE_NAME = /^[1-7]g\.\d+gb$/;

export interface TimeSlicingOptions {
  /** Slots each physical GPU is advertised as, 2 to MAX_TIME_SLICES (48). */
  readonly replicasPerGpu: number;
}

export interface MigOptions {
  /** MIG profile every GPU of the pool is cut into, e.g. `1g.10gb` (see MIG_PROFILES). */
  readonly profile: string;
}

/** How a node pool shares its GPUs: `NodePools.gpu({ gpu: 'T4', sharing: GpuSharing.timeSlicing({ replicasPerGpu: 4 }) })`. */
export const GpuSharing = {
  timeSlicing(options: TimeSlicingOptions): GpuSharing {
    return Object.freeze({ kind: 'time-slicing', replicasPerGpu: options?.replicasPerGpu });
  },
  mig(options: MigOptions): GpuSharing {
    return Object.freeze({ kind: 'mig', profile: options?.profile });
  },
};

/**
 * What one pod of a ModelService asks for instead of whole GPUs: a time-sliced slot, or a MIG
 * instance of one profile. `resources: { gpu: { count: 1, model: 'T4', share: GpuShare.timeSliced() } }`.
 */
export type GpuShare = { readonly kind: 'time-slicing' } | { readonly kind: 'mig'; readonly profile: string };

export const GpuShare = {
  /** One time-sliced slot of a GPU shared with other pods. */
  timeSliced(): GpuShare {
    return Object.freeze({ kind: 'time-slicing' });
  },
  /** MIG instances of `profile`, e.g. `1g.10gb`. */
  mig(profile: string): GpuShare {
    return Object.freeze({ kind: 'mig', profile });
  },
};

/** Extended resource of a time-sliced slot (device plugin `renameByDefault: true`). */
export const SHARED_GPU_RESOURCE = 'nvidia.com/gpu.shared';
/** Node label selecting the device plugin's per-pool config; the value is the pool's name. */
export const DEVICE_PLUGIN_CONFIG_LABEL = 'nvidia.com/device-plugin.config';
/** Node label the GPU Operator's MIG manager reads; the value is a mig-parted config (`all-<profile>`). */
export const MIG_CONFIG_LABEL = 'nvidia.com/mig.config';
/** The platform's own label for what a GPU pool offers: `whole`, `time-slicing` or `mig-<profile>`. */
export const GPU_SHARING_LABEL = 'modelserve.io/gpu-sharing';

/** Extended resource of a MIG instance in the operator's "mixed" strategy. */
export function migResource(profile: string): string {
  return `nvidia.com/mig-${profile}`;
}

/**
 * MIG profiles and how many instances of each fit on one GPU, by GPU model and memory (NVIDIA's
 * MIG user guide). Only profiles mig-parted's default configs cut a whole GPU into are listed.
 */
export const MIG_PROFILES: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  'A100-40': { '1g.5gb': 7, '1g.10gb': 4, '2g.10gb': 3, '3g.20gb': 2, '4g.20gb': 1, '7g.40gb': 1 },
  'A100-80': { '1g.10gb': 7, '1g.20gb': 4, '2g.20gb': 3, '3g.40gb': 2, '4g.40gb': 1, '7g.80gb': 1 },
  'H100-80': { '1g.10gb': 7, '1g.20gb': 4, '2g.20gb': 3, '3g.40gb': 2, '4g.40gb': 1, '7g.80gb': 1 },
};

/** MIG profiles of one GPU model and memory size, with instances per GPU; empty when it has no MIG. */
export function migProfilesOf(model: GpuModel, gpuMemoryGiB: number | undefined): Readonly<Record<string, number>> {
  return MIG_PROFILES[`${model}-${gpuMemoryGiB}`] ?? {};
}

/** The extended resource a pool's GPUs are advertised as, and the one a pod asking for that share requests. */
export function gpuSharingResource(sharing: GpuSharing | GpuShare | undefined): string {
  if (!sharing) return GPU_RESOURCE;
  return sharing.kind === 'time-slicing' ? SHARED_GPU_RESOURCE : migResource(sharing.profile);
}

/** Value of GPU_SHARING_LABEL for a pool, and what a pod selects on. */
export function gpuSharingLabelValue(sharing: GpuSharing | GpuShare | undefined): string {
  if (!sharing) return 'whole';
  return sharing.kind === 'time-slicing' ? 'time-slicing' : `mig-${sharing.profile}`;
}

/** For people: `whole GPUs (nvidia.com/gpu)`, `time-sliced slots (nvidia.com/gpu.shared)`. */
export function describeGpuOffer(sharing: GpuSharing | GpuShare | undefined): string {
  if (!sharing) return `whole GPUs (${GPU_RESOURCE})`;
  return sharing.kind === 'time-slicing' ? `time-sliced slots (${SHARED_GPU_RESOURCE})` : `MIG ${sharing.profile} instances (${migResource(sharing.profile)})`;
}

/** Node labels a GPU pool with this sharing carries, so that the GPU Operator configures its nodes. */
export function gpuSharingNodeLabels(poolName: string, sharing: GpuSharing | undefined): Record<string, string> {
  const labels: Record<string, string> = { [GPU_SHARING_LABEL]: gpuSharingLabelValue(sharing) };
  if (sharing?.kind === 'time-slicing') labels[DEVICE_PLUGIN_CONFIG_LABEL] = poolName;
  if (sharing?.kind === 'mig') labels[MIG_CONFIG_LABEL] = `all-${sharing.profile}`;
  return labels;
}
