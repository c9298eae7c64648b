import { CAPACITY_TYPE_LABEL, NodePoolSpec } from './node-pools';
import { findInstanceType } from './instance-types';
import { PropsValidator } from './validation-error';

/** Tag Karpenter finds the cluster's subnets and node security group by (value: the cluster name). */
export const KARPENTER_DISCOVERY_TAG = 'karpenter.sh/discovery';

/**
 * The IAM role Karpenter's nodes run as: made by the platform, named in every EC2NodeClass. A
 * naming rule rather than an attribute, so that the Kubernetes side can name it without reading
 * Terraform state.
 */
export function karpenterNodeRoleName(clusterName: string): string {
  return `${clusterName}-karpenter-node`;
}

/** What one Karpenter NodePool may add up to; unset, `maxSize` nodes of the pool's largest type. */
export interface KarpenterPoolLimits {
  readonly cpu?: number;
  readonly memoryGiB?: number;
  readonly gpus?: number;
}

export interface KarpenterOptions {
  /**
   * The AMI release every EC2NodeClass selects (`al2023@<version>`, `bottlerocket@<version>`):
   * `latest`, or a release such as `v20261120` to change AMIs only when you change this.
   * Karpenter picks the NVIDIA variant of the family for GPU instance types itself.
   * @default 'latest'
   */
  readonly amiVersion?: string;
  /**
   * Hours a node lives before Karpenter replaces it (new AMIs, no long-lived drift). 24 to 8760.
   * @default 720 (30 days)
   */
  readonly expireAfterHours?: number;
  /**
   * Let spot pools launch on-demand nodes when no spot capacity of their types is left.
   * Karpenter prefers spot whenever it can get it.
   * @default true
   */
  readonly spotFallbackToOnDemand?: boolean;
  /**
   * Caps per pool name, below the default `maxSize` nodes of the pool's largest instance type.
   * A cap below one node of the pool's smallest type is refused (the pool could never launch).
   * @default - `maxSize` nodes of the pool's largest type
   */
  readonly limits?: Readonly<Record<string, KarpenterPoolLimits>>;
}

const AMI_VERSION = /^(latest|v\d{8})$/;

/**
 * Families whose every size carries local NVMe SSDs (the `d` in g4dn, x2idn; every G5, G6, G6e, P4
 * and P5 size). Karpenter stripes them as RAID0 for the kubelet and containerd, so images and
 * cached model weights land on local disk instead of the EBS root volume.
 */
const NVME_INSTANCE_STORE_FAMILIES: ReadonlySet<string> = new Set(['g4dn', 'g5', 'g6', 'g6e', 'p4d', 'p4de', 'p5', 'x2idn']);

/** True when every instance type of the pool has NVMe instance store. */
export function hasNvmeInstanceStore(pool: NodePoolSpec): boolean {
  return pool.instanceTypes.every((name) => NVME_INSTANCE_STORE_FAMILIES.has(name.split('.')[0]));
}

/**
 * How the platform gets its nodes. `managedNodeGroups()` (the default) makes an EKS managed node
 * group per node pool, scaled by the Cluster Autoscaler. `karpenter()` keeps managed node groups
 * only for the pools that run the cluster's controllers (Karpenter must not run on nodes it
 * manages) and for GPU-sharing pools (Karpenter cannot know a shared-GPU resource before a node
 * exists); Karpenter provisions every other pool from a NodePool and an EC2NodeClass made from
 * the same spec, so the same placement proof holds. Engine-free: the AWS side and the Kubernetes
 * side read the same object.
 */
export class Capacity {
  public static managedNodeGroups(): Capacity {
    return new Capacity('managed-node-groups', undefined);
  }

  public static karpenter(options: KarpenterOptions = {}): Capacity {
    const v = new PropsValidator('Capacity.karpenter');
    v.that(typeof options === 'object' && options !== null && !Array.isArray(options), 'options', options, 'is not an options object', 'pass { amiVersion, expireAfterHours, spotFallbackToOnDemand, limits } or nothing');
    const known = ['amiVersion', 'expireAfterHours', 'spotFallbackToOnDemand', 'limits'];
    for (const key of Object.keys(options)) v.that(known.includes(key), key, (options as Record<string, unknown>)[key], 'is not an option of Capacity.karpenter', `use one of ${known.join(', ')}`);
    const amiVersion = options.amiVersion ?? 'latest';
    v.that(typeof amiVersion === 'string' && AMI_VERSION.test(amiVersion), 'amiVersion', amiVersion, 'is not an AMI release Karpenter\'s alias accepts', 'use "latest" or a release such as "v20261120"');
    const expireAfterHours = options.expireAfterHours ?? 720;
    v.integerInRange('expireAfterHours', expireAfterHours, 24, 8760);
    const spotFallbackToOnDemand = options.spotFallbackToOnDemand ?? true;
    v.that(typeof spotFallbackToOnDemand === 'boolean', 'spotFallbackToOnDemand', spotFallbackToOnDemand, 'is not true or false', 'set spotFallbackToOnDemand: true or false');
    const limits = options.limits ?? {};
    v.that(typeof limits === 'object' && limits !== null && !Array.isArray(limits), 'limits', limits, 'is not a map of pool name to limits', 'pass { "<pool name>": { cpu, memoryGiB, gpus } }');
    for (const [pool, limit] of Object.entries(limits)) {
      for (const key of Object.keys(limit ?? {})) {
        v.that(['cpu', 'memoryGiB', 'gpus'].includes(key), `limits.${pool}.${key}`, (limit as Record<string, unknown>)[key], 'is not a NodePool limit', 'use cpu, memoryGiB or gpus');
      }
      v.integerInRange(`limits.${pool}.cpu`, limit.cpu, 1, 1_000_000);
      v.integerInRange(`limits.${pool}.memoryGiB`, limit.memoryGiB, 1, 100_000_000);
      v.integerInRange(`limits.${pool}.gpus`, limit.gpus, 0, 100_000);
    }
    return new Capacity('karpenter', { amiVersion, expireAfterHours, spotFallbackToOnDemand, limits });
  }

  private constructor(
    public readonly kind: 'managed-node-groups' | 'karpenter',
    /** Karpenter's options with their defaults, for `karpenter()`. */
    public readonly karpenter: Required<KarpenterOptions> | undefined,
  ) {}

  /** The pools that become EKS managed node groups. */
  public managedPools(pools: readonly NodePoolSpec[]): NodePoolSpec[] {
    return pools.filter((p) => !this.isKarpenterPool(p));
  }

  /** The pools Karpenter provisions (none with managed node groups). */
  public karpenterPools(pools: readonly NodePoolSpec[]): NodePoolSpec[] {
    return pools.filter((p) => this.isKarpenterPool(p));
  }

  private isKarpenterPool(pool: NodePoolSpec): boolean {
    return this.kind === 'karpenter' && !runsClusterControllers(pool) && pool.gpuSharing === undefined;
  }
}

/**
 * A pool where the cluster's controllers (and Karpenter itself) run: on-demand, untainted, with
 * nodes from the start, and labelled on-demand (the controllers' node selector). Controllers never
 * run on spot capacity they may have to replace.
 */
export function runsClusterControllers(pool: NodePoolSpec): boolean {
  return pool.capacityType === 'ON_DEMAND' && pool.taints.length === 0 && pool.desiredSize >= 1 && pool.labels?.[CAPACITY_TYPE_LABEL] === 'on-demand';
}

/** What a Karpenter NodePool of `pool` may add up to, checked against one node of its smallest type. */
export function karpenterPoolLimits(pool: NodePoolSpec, capacity: Capacity, path: string): Required<KarpenterPoolLimits> {
  const types = pool.instanceTypes.map((name) => findInstanceType(name)).filter((t) => t !== undefined);
  const largest = (pick: (t: (typeof types)[number]) => number) => Math.max(...types.map(pick));
  const smallest = (pick: (t: (typeof types)[number]) => number) => Math.min(...types.map(pick));
  const given = capacity.karpenter?.limits[pool.name] ?? {};
  const limits = {
    cpu: given.cpu ?? pool.maxSize * largest((t) => t.vcpus),
    memoryGiB: given.memoryGiB ?? pool.maxSize * largest((t) => t.memoryGiB),
    gpus: given.gpus ?? pool.maxSize * largest((t) => t.gpuCount),
  };
  const v = new PropsValidator(path);
  const field = `limits.${pool.name}`;
  const fix = 'raise the limit to at least one node, or choose smaller instance types for the pool';
  v.that(limits.cpu >= smallest((t) => t.vcpus), `${field}.cpu`, limits.cpu, `is below one node of the pool (${smallest((t) => t.vcpus)} vCPUs), so Karpenter could never launch it`, fix);
  v.that(limits.memoryGiB >= smallest((t) => t.memoryGiB), `${field}.memoryGiB`, limits.memoryGiB, `is below one node of the pool (${smallest((t) => t.memoryGiB)} GiB), so Karpenter could never launch it`, fix);
  const gpusPerNode = smallest((t) => t.gpuCount);
  v.that(limits.gpus >= gpusPerNode, `${field}.gpus`, limits.gpus, `is below one node of the pool (${gpusPerNode} GPUs), so Karpenter could never launch it`, fix);
  return limits;
}
