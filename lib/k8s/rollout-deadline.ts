import { nodeLaunchSeconds, NodePoolSpec } from '../catalog';

/**
 * Throughput assumed for an image pull (download and unpack, which containerd does one layer at a
 * time and which dominates for the 10+ GiB CUDA images) and for the loader's copy from S3: low
 * enough to hold on a busy node, so that a deadline computed from them is not a false alarm.
 */
export const IMAGE_PULL_MIB_PER_SECOND = 40;
export const MODEL_COPY_MIB_PER_SECOND = 50;
/** Scheduling, sidecar start and the readiness probe's first successes. */
export const DEADLINE_MARGIN_SECONDS = 120;

export interface DeadlineInput {
  /** Pools the pods may land on: the slowest to add a node counts. */
  readonly pools: readonly NodePoolSpec[];
  /** Every image the pod pulls, GiB uncompressed. */
  readonly imagesGiB: number;
  /** The model cache's size, GiB: an upper bound on what the loader copies. */
  readonly storageGiB: number;
  /** How long the server may take to load the model once it runs (the startup probe's budget). */
  readonly startupTimeoutSeconds: number;
  /**
   * The loader's copy, seconds, when known from the weights' size and the pools' disks and network.
   * @default - storageGiB at MODEL_COPY_MIB_PER_SECOND
   */
  readonly copySeconds?: number;
}

/**
 * How long a new version may take to get a ready pod before the rollout is judged stuck: a new
 * node from the slowest candidate pool, the image pulls, the model's copy and the server's load,
 * plus a margin. A GPU service on Triton (15 GiB image, 20 GiB cache, 600 s load) gets about
 * 35 minutes; anything shorter aborts healthy versions that only waited for capacity.
 */
export function progressDeadlineSeconds(input: DeadlineInput): number {
  const node = Math.max(0, ...input.pools.map(nodeLaunchSeconds));
  const pull = (input.imagesGiB * 1024) / IMAGE_PULL_MIB_PER_SECOND;
  const copy = input.copySeconds ?? (input.storageGiB * 1024) / MODEL_COPY_MIB_PER_SECOND;
  return Math.ceil(node + pull + copy + input.startupTimeoutSeconds + DEADLINE_MARGIN_SECONDS);
}
