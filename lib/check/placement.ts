import { describeGpuOffer, GpuModel, GpuShare, gpuSharingResource, nodePoolAllocatable, NodePoolSpec } from '../catalog';

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
export function placePod(request: PodPlacementRequest, pools: readonly NodePoolSpec[]): PlacementResult {
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
    } else if (pool.gpuModel) {
      reasons.push(`is a GPU pool (${pool.gpuModel}), kept for GPU services`);
    }
    if (pool.capacityType === 'SPOT' && spot === 'never') reasons.push('is spot capacity and placement.spot is "never"');
    if (a.cpu < request.cpu) reasons.push(`allocates ${fmt(a.cpu)} vCPU per node, the pod needs ${fmt(request.cpu)}`);
    if (a.memoryGiB < request.memoryGiB) reasons.push(`allocates ${fmt(a.memoryGiB)} GiB per node, the pod needs ${fmt(request.memoryGiB)}`);
    const disk = request.ephemeralStorageGiB ?? 0;
    if (a.ephemeralStorageGiB < disk) reasons.push(`has ${fmt(a.ephemeralStorageGiB)} GiB of ephemeral storage per node (${pool.diskGiB} GiB disk), the pod needs ${fmt(disk)} with its images`);
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

/** `gpu-t4: offers T4, not A100; general: has no GPU` — one entry per pool. */
export function describeVerdicts(verdicts: readonly PoolVerdict[]): string {
  return verdicts.map((v) => `${v.pool.name}: ${v.reasons.length ? v.reasons.join(', ') : 'fits'}`).join('; ');
}
