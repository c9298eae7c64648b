import { Capacity, describeGpuOffer, GpuModel, GpuShare, gpuSharingResource, KUBELET_EPHEMERAL_RESERVED_GIB, KUBELET_NODEFS_EVICTION_FRACTION, nodePoolAllocatable, nodePoolInstanceTypes, NodePoolSpec, podCacheDisk } from '../catalog';

/** What one pod asks for and where it may go: the input of the fit check. */
export interface PodPlacementRequest {
  /** CPU cores per pod, sidecars included. */
  readonly cpu: number;
  /** Memory per pod, GiB, sidecars included. */
  readonly memoryGiB: number;
  /**
   * Node disk per pod, GiB: its ephemeral-storage request (emptyDirs, logs) and its images, which
   * share the node's root volume.
   * @default 0 - not checked
   */
  readonly ephemeralStorageGiB?: number;
  /** GPUs per pod; 0 or undefined for CPU pods. */
  readonly gpuCount?: number;
  readonly gpuModel?: GpuModel;
  /** A time-sliced slot or MIG instance instead of whole GPUs; gpuCount counts those. */
  readonly gpuShare?: GpuShare;
  /** @default 'never' */
  readonly spot?: 'never' | 'allowed' | 'preferred';
  /** Only these pools, by name. @default - any pool */
  readonly nodePools?: readonly string[];
  /**
   * Memory each GPU must have, MiB: what a language model's fit proof asks (see gpuMemoryFit).
   * @default - not checked
   */
  readonly minGpuMemoryMiB?: number;
  /** Why the GPUs must have that memory, for the pools' verdicts. @default 'the model needs it' */
  readonly gpuMemoryReason?: string;
}

export interface PoolVerdict {
  readonly pool: NodePoolSpec;
  /** Why the pool cannot take the pod; empty when it can. */
  readonly reasons: readonly string[];
}

export interface PlacementResult {
  /** Pools the pod can be scheduled on, in the order the chart lists them. */
  readonly candidates: readonly NodePoolSpec[];
  /** Every pool with its verdict, for error messages. */
  readonly verdicts: readonly PoolVerdict[];
  /** Names in `nodePools` that match no pool. */
  readonly unknownPools: readonly string[];
}

// nodePoolAllocatable walks instance types; a chart asks for the same pools once per service.
const allocatableCache = new WeakMap<NodePoolSpec, ReturnType<typeof nodePoolAllocatable>>();
function allocatable(pool: NodePoolSpec): ReturnType<typeof nodePoolAllocatable> {
  let found = allocatableCache.get(pool);
  if (!found) {
    found = nodePoolAllocatable(pool);
    allocatableCache.set(pool, found);
  }
  return found;
}

function fmt(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/**
 * Which node pools can run a pod, and why the others cannot. Pure: it reads the same node pool
 * specs the AWS side turns into node groups, so a service that cannot schedule fails at synth.
 *
 * Rules: a GPU pod goes only to pools of its GPU model that offer its kind of GPU (whole, a
 * time-sliced slot or a MIG profile) with enough of it per node; a CPU pod never
 * to a GPU pool; spot pools only when `spot` allows; high-memory pools (tainted to keep them for
 * workloads that need them) only when the pod fits no other pool or names them in `nodePools`.
 */
export function placePod(request: PodPlacementRequest, pools: readonly NodePoolSpec[], capacity?: Capacity): PlacementResult {
  const spot = request.spot ?? 'never';
  const gpus = request.gpuCount ?? 0;
  const named = request.nodePools;
  const unknownPools = (named ?? []).filter((n) => !pools.some((p) => p.name === n));

  const verdicts: PoolVerdict[] = pools.map((pool) => {
    const reasons: string[] = [];
    const a = allocatable(pool);
    if (named && !named.includes(pool.name)) reasons.push('not in placement.nodePools');
    if (gpus > 0) {
      if (!pool.gpuModel) reasons.push('has no GPU');
      else if (pool.gpuModel !== request.gpuModel) reasons.push(`offers ${pool.gpuModel}, not ${request.gpuModel}`);
      else if (a.gpuResource !== gpuSharingResource(request.gpuShare)) reasons.push(`offers ${describeGpuOffer(pool.gpuSharing)}, not ${describeGpuOffer(request.gpuShare)}`);
      else if (a.gpuSlots < gpus) reasons.push(request.gpuShare ? `has ${a.gpuSlots} of ${a.gpuResource} per node, the pod needs ${gpus}` : `has ${a.gpus} GPU per node, the pod needs ${gpus}`);
      const memoryMiB = poolGpuMemoryMiB(pool);
      if (request.minGpuMemoryMiB !== undefined && pool.gpuModel === request.gpuModel && memoryMiB < request.minGpuMemoryMiB) {
        reasons.push(`has ${memoryMiB} MiB per ${pool.gpuModel}, ${request.gpuMemoryReason ?? 'the model needs'} ${Math.ceil(request.minGpuMemoryMiB)}`);
      }
    } else if (pool.gpuModel) {
      reasons.push(`is a GPU pool (${pool.gpuModel}), kept for GPU services`);
    }
    if (pool.capacityType === 'SPOT' && spot === 'never') reasons.push('is spot capacity and placement.spot is "never"');
    if (a.cpu < request.cpu) reasons.push(`allocates ${fmt(a.cpu)} vCPU per node, the pod needs ${fmt(request.cpu)}`);
    if (a.memoryGiB < request.memoryGiB) reasons.push(`allocates ${fmt(a.memoryGiB)} GiB per node, the pod needs ${fmt(request.memoryGiB)}`);
    const disk = request.ephemeralStorageGiB ?? 0;
    const ephemeral = ephemeralStorageGiB(pool, a.ephemeralStorageGiB, capacity);
    if (ephemeral.gib < disk) reasons.push(`has ${fmt(ephemeral.gib)} GiB of ephemeral storage per node (${ephemeral.source}), the pod needs ${fmt(disk)} with its images`);
    return { pool, reasons };
  });

  // High-memory pools are a fallback: only when nothing else fits, unless asked for by name.
  const fitsElsewhere = verdicts.some((v) => v.reasons.length === 0 && v.pool.kind !== 'high-memory');
  const final = verdicts.map((v) => {
    if (v.pool.kind === 'high-memory' && v.reasons.length === 0 && fitsElsewhere && !named?.includes(v.pool.name)) {
      return { pool: v.pool, reasons: ['is kept for pods that fit no other pool (name it in placement.nodePools to use it)'] };
    }
    return v;
  });
  return { candidates: final.filter((v) => v.reasons.length === 0).map((v) => v.pool), verdicts: final, unknownPools };
}

/** The least memory one GPU of the pool has, MiB (EC2's figure), over its instance types. */
export function poolGpuMemoryMiB(pool: NodePoolSpec): number {
  return Math.min(...nodePoolInstanceTypes(pool).map((t) => t.gpuMemoryMiB ?? 0));
}

/**
 * Ephemeral storage pods may request on one node of the pool: the root volume's, or, where
 * Karpenter stripes the instance store as RAID0 (which then holds the kubelet and containerd),
 * the array's, less the same kubelet reserve and eviction threshold.
 */
function ephemeralStorageGiB(pool: NodePoolSpec, rootVolumeGiB: number, capacity: Capacity | undefined): { gib: number; source: string } {
  const disk = podCacheDisk(pool, capacity);
  if (disk.kind === 'nvme-raid0') return { gib: Math.floor(disk.sizeGiB * (1 - KUBELET_NODEFS_EVICTION_FRACTION) - KUBELET_EPHEMERAL_RESERVED_GIB), source: `${disk.sizeGiB} GiB NVMe instance store` };
  return { gib: rootVolumeGiB, source: `${pool.diskGiB} GiB disk` };
}

/** `gpu-t4: offers T4, not A100; general: has no GPU` — one entry per pool. */
export function describeVerdicts(verdicts: readonly PoolVerdict[]): string {
  return verdicts.map((v) => `${v.pool.name}: ${v.reasons.length ? v.reasons.join(', ') : 'fits'}`).join('; ');
}
