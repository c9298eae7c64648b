import { Capacity, hasNvmeInstanceStore } from './capacity';
import { InstanceTypeSpec } from './instance-types';
import { nodePoolInstanceTypes, NodePoolSpec } from './node-pools';

/**
 * Where a pod's cache volume (an emptyDir) lives on a pool's nodes, and how fast model weights go
 * in and out of it. The kubelet keeps emptyDirs on the disk that holds its root directory:
 *
 * - `nvme-raid0`: a Karpenter pool whose types all have NVMe instance store; its EC2NodeClass
 *   sets `instanceStorePolicy: RAID0`, which stripes the drives and moves the kubelet and
 *   containerd onto them (https://karpenter.sh/docs/concepts/nodeclasses/#specinstancestorepolicy).
 * - `ebs-gp3`: everything else (managed node groups keep the kubelet on the encrypted gp3 root
 *   volume, whose baseline throughput is 125 MiB/s unless provisioned higher:
 *   https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html#gp3-performance).
 */
export interface PodCacheDisk {
  readonly kind: 'nvme-raid0' | 'ebs-gp3';
  /** What the disk holds, GiB: the smallest instance store of the pool's types, or the root volume. */
  readonly sizeGiB: number;
  /** Sustained write throughput while the loader copies, MiB/s. */
  readonly writeMiBps: number;
  /** Sustained read throughput while the server loads the weights, MiB/s. */
  readonly readMiBps: number;
}

/** gp3's baseline throughput: the launch templates provision no more. */
export const GP3_BASELINE_MIB_PER_SECOND = 125;
/**
 * What the striped instance store sustains for one pod, counted low: a single drive of the smaller
 * sizes writes about 0.5-1 GB/s, and several pods of a node share the array.
 */
export const NVME_RAID0_MIB_PER_SECOND = 500;
/** Share of the instance's baseline network bandwidth one copy from S3 is counted at. */
export const S3_NETWORK_SHARE = 0.5;
/** Ceiling of one loader's copy, MiB/s: the AWS CLI's CRT client on the largest instances. */
export const MAX_COPY_MIB_PER_SECOND = 2000;

/** The pod cache disk of one pool under `capacity`. */
export function podCacheDisk(pool: NodePoolSpec, capacity: Capacity = Capacity.managedNodeGroups()): PodCacheDisk {
  const types = nodePoolInstanceTypes(pool);
  const karpenter = capacity.karpenterPools([pool]).length === 1;
  if (karpenter && hasNvmeInstanceStore(pool) && types.every((t) => t.localNvmeGB > 0)) {
    const sizeGiB = Math.min(...types.map((t) => (t.localNvmeGB * 1e9) / 1024 ** 3));
    return { kind: 'nvme-raid0', sizeGiB: Math.floor(sizeGiB), writeMiBps: NVME_RAID0_MIB_PER_SECOND, readMiBps: NVME_RAID0_MIB_PER_SECOND };
  }
  return { kind: 'ebs-gp3', sizeGiB: pool.diskGiB, writeMiBps: GP3_BASELINE_MIB_PER_SECOND, readMiBps: GP3_BASELINE_MIB_PER_SECOND };
}

/** MiB/s one copy from S3 can count on over the slowest type's baseline network. */
function networkMiBps(types: readonly InstanceTypeSpec[]): number {
  const mbps = Math.min(...types.map((t) => t.networkBandwidthMbps));
  return (mbps * 1e6 * S3_NETWORK_SHARE) / 8 / 1024 ** 2;
}

export interface WeightLoadTimes {
  readonly disk: PodCacheDisk;
  /** The loader's copy from S3 to the cache volume, seconds. */
  readonly copySeconds: number;
  /** The server's read of the weights from the cache volume into GPU memory, seconds. */
  readonly readSeconds: number;
  /** The copy's rate, MiB/s: the slower of the network share and the disk's writes. */
  readonly copyMiBps: number;
}

/** How long `weightsGiB` take to reach a pod of `pool`: the copy from S3, then the server's read. */
export function weightLoadTimes(pool: NodePoolSpec, weightsGiB: number, capacity?: Capacity): WeightLoadTimes {
  const disk = podCacheDisk(pool, capacity);
  const copyMiBps = Math.min(MAX_COPY_MIB_PER_SECOND, disk.writeMiBps, networkMiBps(nodePoolInstanceTypes(pool)));
  return {
    disk,
    copyMiBps,
    copySeconds: Math.ceil((weightsGiB * 1024) / copyMiBps),
    readSeconds: Math.ceil((weightsGiB * 1024) / disk.readMiBps),
  };
}
