import { GPU_MODEL_LABEL, GPU_MODEL_SPECS, GPU_MODELS, GPU_TAINT, GpuModel, isGpuModel } from './gpu-models';
import { gpuSharingNodeLabels, gpuSharingResource, GpuSharing, MAX_TIME_SLICES, migProfilesOf } from './gpu-sharing';
import { findInstanceType, INSTANCE_TYPES, InstanceTypeSpec, instanceTypesWithGpu } from './instance-types';
import { LABEL_KEY, LABEL_VALUE } from './kubernetes-names';
import { DNS_LABEL, DNS_LABEL_RULE, PropsValidator } from './validation-error';

export type CapacityType = 'ON_DEMAND' | 'SPOT';
/** EKS managed node group AMI types the platform supports (AL2 is end of life). */
export const AMI_TYPES = [
  'AL2023_x86_64_STANDARD',
  'AL2023_ARM_64_STANDARD',
  'AL2023_x86_64_NVIDIA',
  'BOTTLEROCKET_x86_64',
  'BOTTLEROCKET_ARM_64',
  'BOTTLEROCKET_x86_64_NVIDIA',
] as const;
export type AmiType = (typeof AMI_TYPES)[number];
export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
export type NodePoolKind = 'general' | 'gpu' | 'spot' | 'high-memory';

export interface NodeTaint {
  readonly key: string;
  readonly value: string;
  readonly effect: TaintEffect;
}

/** Labels every pool's nodes carry; ModelService placement selects on them. */
export const NODE_POOL_LABEL = 'modelserve.io/node-pool';
export const CAPACITY_TYPE_LABEL = 'modelserve.io/capacity-type';
export const SPOT_TAINT: NodeTaint = { key: 'modelserve.io/spot', value: 'true', effect: 'NoSchedule' };
export const HIGH_MEMORY_TAINT: NodeTaint = { key: 'modelserve.io/high-memory', value: 'true', effect: 'NoSchedule' };

/**
 * A node pool as plain data. The AWS side turns it into an EKS managed node group; the Kubernetes
 * side reads the same object to place pods and to prove that they fit.
 */
export interface NodePoolSpec {
  readonly name: string;
  readonly kind: NodePoolKind;
  readonly instanceTypes: readonly string[];
  readonly capacityType: CapacityType;
  readonly amiType: AmiType;
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly NodeTaint[];
  /** Root volume (gp3, encrypted), GiB. */
  readonly diskGiB: number;
  /** Set on GPU pools: the model every instance type carries. */
  readonly gpuModel?: GpuModel;
  /**
   * How the pool's GPUs are shared between pods; unset, every pod gets whole GPUs.
   * @default - whole GPUs
   */
  readonly gpuSharing?: GpuSharing;
}

/** Options every factory takes; anything not given keeps the factory's default. */
export interface NodePoolOptions {
  readonly name?: string;
  readonly instanceTypes?: readonly string[];
  readonly minSize?: number;
  readonly desiredSize?: number;
  readonly maxSize?: number;
  readonly diskGiB?: number;
  readonly amiType?: AmiType;
  readonly labels?: Readonly<Record<string, string>>;
  readonly taints?: readonly NodeTaint[];
}

export interface GpuNodePoolOptions extends NodePoolOptions {
  readonly gpu: GpuModel;
  /**
   * Share each GPU between pods: `GpuSharing.timeSlicing({ replicasPerGpu: 4 })` or
   * `GpuSharing.mig({ profile: '1g.10gb' })` (A100 and H100 only). The pool's nodes then offer
   * only that kind of share, never whole GPUs.
   * @default - whole GPUs
   */
  readonly sharing?: GpuSharing;
}

export interface SpotNodePoolOptions extends NodePoolOptions {
  /**
   * Taint spot nodes so that only workloads that tolerate interruption land there.
   * @default true
   */
  readonly taint?: boolean;
}

export interface HighMemoryNodePoolOptions extends NodePoolOptions {
  /**
   * Taint the pool so that only workloads that need the memory land there.
   * @default true
   */
  readonly taint?: boolean;
}

/** `gpu-t4`, `gpu-t4-shared`, `gpu-a100-mig-1g-10gb`: pool names are DNS labels. */
function defaultGpuPoolName(model: GpuModel, sharing: GpuSharing | undefined): string {
  const base = `gpu-${model.toLowerCase()}`;
  if (sharing?.kind === 'time-slicing') return `${base}-shared`;
  if (sharing?.kind === 'mig') return `${base}-mig-${String(sharing.profile).replace(/\./g, '-')}`;
  return base;
}

/**
 * The node label the cluster autoscaler's AWS provider reads as "this node has GPUs"
 * (`k8s.amazonaws.com/accelerator`): a node that carries it but does not yet advertise
 * `nvidia.com/gpu` (the device plugin is still starting) counts as coming up, so the autoscaler
 * does not buy a second node for the same pending pod. Pools that share their GPUs never advertise
 * whole `nvidia.com/gpu`, so they do not get it (the autoscaler would wait on them for ever).
 * https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md#special-note-on-gpu-instances
 */
export const AUTOSCALER_GPU_LABEL = 'k8s.amazonaws.com/accelerator';

function acceleratorLabel(model: GpuModel, sharing: GpuSharing | undefined): Record<string, string> {
  return sharing ? {} : { [AUTOSCALER_GPU_LABEL]: `nvidia-${model.toLowerCase()}` };
}

/** Smallest instance type per GPU model: the default of `NodePools.gpu`. */
const DEFAULT_GPU_INSTANCE: Readonly<Record<GpuModel, string>> = {
  T4: 'g4dn.xlarge',
  A10G: 'g5.xlarge',
  L4: 'g6.xlarge',
  L40S: 'g6e.xlarge',
  V100: 'p3.2xlarge',
  A100: 'p4d.24xlarge',
  H100: 'p5.48xlarge',
};

function build(kind: NodePoolKind, defaults: Omit<NodePoolSpec, 'kind'>, options: NodePoolOptions, extraTaints: readonly NodeTaint[] = []): NodePoolSpec {
  const name = options.name ?? defaults.name;
  const minSize = options.minSize ?? defaults.minSize;
  const maxSize = options.maxSize ?? defaults.maxSize;
  const spec: NodePoolSpec = {
    ...defaults,
    kind,
    name,
    instanceTypes: [...(options.instanceTypes ?? defaults.instanceTypes)],
    amiType: options.amiType ?? defaults.amiType,
    minSize,
    // The factory's desired size, moved inside the pool's own min..max when those were given.
    desiredSize: options.desiredSize
      ?? (Number.isFinite(minSize) && Number.isFinite(maxSize) ? Math.min(Math.max(defaults.desiredSize, minSize), maxSize) : defaults.desiredSize),
    maxSize,
    diskGiB: options.diskGiB ?? defaults.diskGiB,
    labels: { ...defaults.labels, ...options.labels, [NODE_POOL_LABEL]: name },
    taints: [...defaults.taints, ...extraTaints, ...(options.taints ?? [])],
  };
  validateNodePoolSpec(spec, `NodePools.${kind === 'high-memory' ? 'highMemory' : kind}(${name})`);
  return Object.freeze(spec);
}

/** Factories for the four kinds of node pool the platform needs. */
export const NodePools = {
  /** On-demand general-purpose nodes for CPU model servers and the platform's own services. */
  general(options: NodePoolOptions = {}): NodePoolSpec {
    return build('general', {
      name: 'general',
      instanceTypes: ['m7i.2xlarge'],
      capacityType: 'ON_DEMAND',
      amiType: 'AL2023_x86_64_STANDARD',
      minSize: 2,
      desiredSize: 3,
      maxSize: 10,
      diskGiB: 50,
      labels: { [CAPACITY_TYPE_LABEL]: 'on-demand' },
      taints: [],
    }, options);
  },

  /**
   * On-demand GPU nodes of one model, tainted `nvidia.com/gpu=true:NoSchedule`, on the NVIDIA AMI.
   * The pool starts empty (desiredSize = minSize = 0): GPU instances cost from about $0.50/h (T4)
   * to $50/h (H100 x 8), so a node is bought only when a pod asks for one and the cluster
   * autoscaler scales the pool from zero.
   */
  gpu(options: GpuNodePoolOptions): NodePoolSpec {
    const path = 'NodePools.gpu';
    if (!isGpuModel(options?.gpu)) {
      new PropsValidator(path).fail('gpu', options?.gpu, 'is not a GPU model the platform knows', `use one of ${GPU_MODELS.join(', ')}`);
    }
    const model = options.gpu;
    const sharing = options.sharing;
    const name = options.name ?? defaultGpuPoolName(model, sharing);
    return {
      ...build('gpu', {
        name,
        instanceTypes: [DEFAULT_GPU_INSTANCE[model]],
        capacityType: 'ON_DEMAND',
        amiType: 'AL2023_x86_64_NVIDIA',
        minSize: 0,
        desiredSize: 0,
        maxSize: 4,
        // Model server images with CUDA are 10+ GB; weights are cached on the node too.
        diskGiB: 200,
        labels: { [CAPACITY_TYPE_LABEL]: 'on-demand', [GPU_MODEL_LABEL]: model, ...acceleratorLabel(model, sharing), ...gpuSharingNodeLabels(name, sharing) },
        taints: [GPU_TAINT],
        gpuModel: model,
        ...(sharing ? { gpuSharing: sharing } : {}),
      }, options),
    };
  },

  /** Spot nodes over several instance types of one size, so that one capacity pool running dry is not an outage. */
  spot(options: SpotNodePoolOptions = {}): NodePoolSpec {
    return build('spot', {
      name: 'spot',
      instanceTypes: ['m7i.2xlarge', 'm6i.2xlarge', 'm7a.2xlarge', 'm6a.2xlarge'],
      capacityType: 'SPOT',
      amiType: 'AL2023_x86_64_STANDARD',
      minSize: 0,
      // Empty until a pod that tolerates interruption asks: the autoscaler scales it from zero.
      desiredSize: 0,
      maxSize: 20,
      diskGiB: 50,
      labels: { [CAPACITY_TYPE_LABEL]: 'spot' },
      taints: [],
    }, options, options.taint === false ? [] : [SPOT_TAINT]);
  },

  /** On-demand memory-optimised nodes for large CPU models and in-memory indexes. */
  highMemory(options: HighMemoryNodePoolOptions = {}): NodePoolSpec {
    return build('high-memory', {
      name: 'high-memory',
      instanceTypes: ['r7i.4xlarge'],
      capacityType: 'ON_DEMAND',
      amiType: 'AL2023_x86_64_STANDARD',
      minSize: 0,
      // Empty until a pod that needs the memory asks: the autoscaler scales it from zero.
      desiredSize: 0,
      maxSize: 5,
      diskGiB: 100,
      labels: { [CAPACITY_TYPE_LABEL]: 'on-demand' },
      taints: [],
    }, options, options.taint === false ? [] : [HIGH_MEMORY_TAINT]);
  },
};


/** Checks a spec against what EKS and the instance catalog accept. `path` names the owner in errors. */
export function validateNodePoolSpec(spec: NodePoolSpec, path: string): void {
  // The annotation lets TypeScript see that `check.fail` never returns.
  const check: PropsValidator = new PropsValidator(path);
  check.matches('name', spec.name, DNS_LABEL, DNS_LABEL_RULE);
  check.that(Array.isArray(spec.instanceTypes) && spec.instanceTypes.length > 0, 'instanceTypes', spec.instanceTypes, 'is empty', 'list at least one instance type');
  const types: InstanceTypeSpec[] = spec.instanceTypes.map((name, i) => {
    const found = findInstanceType(name);
    if (!found) {
      const family = name.split('.')[0];
      const known = Object.keys(INSTANCE_TYPES).filter((n) => n.startsWith(`${family}.`));
      check.fail(`instanceTypes[${i}]`, name, 'is not in the instance catalog', known.length ? `use one of ${known.join(', ')}` : 'use a type from INSTANCE_TYPES (m6i, m7i, m7g, m6a, m7a, c6i, c7i, r6i, r7i, x2idn, g4dn, g5, g6, g6e, p3, p4d, p4de, p5)');
    }
    return found;
  });
  check.that(new Set(spec.instanceTypes).size === spec.instanceTypes.length, 'instanceTypes', spec.instanceTypes, 'lists a type twice', 'list each instance type once');
  check.oneOf('capacityType', spec.capacityType, ['ON_DEMAND', 'SPOT'] as const);
  check.oneOf('amiType', spec.amiType, AMI_TYPES);

  for (const field of ['minSize', 'desiredSize', 'maxSize'] as const) {
    check.integerInRange(field, spec[field], 0, 1000);
  }
  check.that(spec.maxSize >= 1, 'maxSize', spec.maxSize, 'must be at least 1', 'raise maxSize to 1 or more');
  check.that(spec.minSize <= spec.maxSize, 'minSize', spec.minSize, `is greater than maxSize (${spec.maxSize})`, 'lower minSize or raise maxSize');
  check.that(
    spec.desiredSize >= spec.minSize && spec.desiredSize <= spec.maxSize,
    'desiredSize',
    spec.desiredSize,
    `is outside minSize..maxSize (${spec.minSize}..${spec.maxSize})`,
    `set desiredSize between ${spec.minSize} and ${spec.maxSize}`,
  );
  check.integerInRange('diskGiB', spec.diskGiB, 20, 16384, 'set diskGiB between 20 (room for images) and 16384 (the gp3 maximum)');

  const arm = spec.amiType.includes('ARM');
  types.forEach((t, i) => {
    check.that((t.architecture === 'arm64') === arm, `instanceTypes[${i}]`, t.name, `is ${t.architecture} but amiType ${spec.amiType} is not`, `pick an ${arm ? 'arm64 (Graviton)' : 'x86_64'} instance type or an ${t.architecture} AMI type`);
    if (t.gpuCount > 0) {
      check.that(spec.amiType.includes('NVIDIA'), 'amiType', spec.amiType, `has no NVIDIA driver but ${t.name} has ${t.gpuModel} GPUs`, 'use AL2023_x86_64_NVIDIA or BOTTLEROCKET_x86_64_NVIDIA');
    }
  });

  if (spec.kind === 'gpu' || spec.gpuModel !== undefined) {
    const model = spec.gpuModel;
    types.forEach((t, i) => {
      if (t.gpuModel !== model) {
        const offer = model ? instanceTypesWithGpu(model).map((x) => x.name).join(', ') : '';
        check.fail(`instanceTypes[${i}]`, t.name, t.gpuModel ? `has ${t.gpuModel} GPUs, not ${model}` : `has no GPU, but the pool is for ${model}`, `use an instance type with ${model} GPUs: ${offer}`);
      }
    });
  }

  if (spec.gpuSharing !== undefined) validateGpuSharing(check, spec, types);

  if (spec.capacityType === 'SPOT') {
    check.that(types.length >= 2, 'instanceTypes', spec.instanceTypes, 'has a single type, so one spot capacity pool running dry empties the node group', 'list two or more instance types of the same size (e.g. m7i.2xlarge, m6i.2xlarge, m7a.2xlarge)');
    const first = types[0];
    types.forEach((t, i) => {
      check.that(t.vcpus === first.vcpus && t.memoryGiB === first.memoryGiB && t.gpuCount === first.gpuCount, `instanceTypes[${i}]`, t.name, `has ${t.vcpus} vCPU / ${t.memoryGiB} GiB but ${first.name} has ${first.vcpus} vCPU / ${first.memoryGiB} GiB`, 'use types of one size so that the autoscaler can predict a node');
    });
  }

  for (const [key, value] of Object.entries(spec.labels)) {
    check.that(LABEL_KEY.test(key), `labels["${key}"]`, key, 'is not a valid Kubernetes label key', 'use an optional DNS prefix and a name of at most 63 letters, digits, "-", "_" or "."');
    check.that(typeof value === 'string' && LABEL_VALUE.test(value), `labels["${key}"]`, value, 'is not a valid Kubernetes label value', 'use at most 63 letters, digits, "-", "_" or "."');
    check.that(!key.startsWith('kubernetes.io/') && !key.startsWith('k8s.io/'), `labels["${key}"]`, key, 'uses a prefix that EKS reserves', 'use your own prefix, e.g. example.com/');
  }
  spec.taints.forEach((t, i) => {
    check.that(LABEL_KEY.test(t.key), `taints[${i}].key`, t.key, 'is not a valid taint key', 'use the form of a label key');
    check.that(LABEL_VALUE.test(t.value), `taints[${i}].value`, t.value, 'is not a valid taint value', 'use at most 63 letters, digits, "-", "_" or "."');
    check.oneOf(`taints[${i}].effect`, t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const);
  });
  check.that(spec.taints.length <= 50, 'taints', spec.taints.length, 'exceeds the 50 taints EKS allows per node group', 'remove taints');
}

function validateGpuSharing(check: PropsValidator, spec: NodePoolSpec, types: readonly InstanceTypeSpec[]): void {
  const sharing = spec.gpuSharing as { kind?: unknown; replicasPerGpu?: unknown; profile?: unknown };
  check.that(spec.gpuModel !== undefined, 'sharing', sharing.kind, 'is set on a pool without GPUs', 'remove sharing, or make the pool with NodePools.gpu');
  check.that(sharing.kind === 'time-slicing' || sharing.kind === 'mig', 'sharing.kind', sharing.kind, 'is not a kind of GPU sharing', 'build sharing with GpuSharing.timeSlicing(...) or GpuSharing.mig(...)');
  if (sharing.kind === 'time-slicing') {
    check.that(sharing.replicasPerGpu !== undefined, 'sharing.replicasPerGpu', undefined, 'is not set', `give the slots per GPU, 2 to ${MAX_TIME_SLICES}`);
    check.integerInRange('sharing.replicasPerGpu', sharing.replicasPerGpu as number | undefined, 2, MAX_TIME_SLICES, `give 2 to ${MAX_TIME_SLICES} slots per GPU (1 is no sharing: drop sharing instead)`);
    return;
  }
  const model = spec.gpuModel as GpuModel;
  check.that(GPU_MODEL_SPECS[model].supportsMig, 'sharing.profile', sharing.profile, `is a MIG profile but ${model} GPUs cannot be partitioned with MIG`, 'use GpuSharing.timeSlicing, or an A100 or H100 pool');
  types.forEach((t, i) => {
    const profiles = migProfilesOf(model, t.gpuMemoryGiB);
    check.that(
      typeof sharing.profile === 'string' && profiles[sharing.profile] !== undefined,
      'sharing.profile',
      sharing.profile,
      `is not a MIG profile of ${t.name} (${model} ${t.gpuMemoryGiB} GB)${i > 0 ? ', one of the pool\'s instance types' : ''}`,
      `use one of ${Object.keys(profiles).join(', ')}`,
    );
  });
}

/** The instance types of a pool, resolved from the catalog. */
export function nodePoolInstanceTypes(spec: NodePoolSpec): InstanceTypeSpec[] {
  return spec.instanceTypes.map((n) => findInstanceType(n)).filter((t): t is InstanceTypeSpec => t !== undefined);
}

/**
 * What one node of the pool can give to pods, in the worst case over its instance types: capacity
 * less what the EKS AL2023 AMI's kubelet keeps back (nodeadm's kubelet config,
 * https://github.com/awslabs/amazon-eks-ami/blob/main/nodeadm/internal/kubelet/config.go:
 * kubeReserved CPU 6 % of the first core, 1 % of the second, 0.5 % of the next two, 0.25 % above;
 * memory 255 MiB + 11 MiB per pod, counted here at 110 pods; ephemeral storage 1 GiB; and the
 * hard eviction thresholds memory.available 100 MiB and nodefs.available 10 %), and a fixed
 * allowance for the daemons every node runs (CNI, kube-proxy, log shipper, node exporter, the GPU
 * device plugin): 0.5 vCPU and 1 GiB.
 */
export interface NodePoolAllocatable {
  readonly cpu: number;
  readonly memoryGiB: number;
  /**
   * Ephemeral storage pods may request on one node, GiB: the root volume (`diskGiB`, where the
   * kubelet and containerd keep emptyDirs, logs and images) less the kubelet's 1 GiB reserve and
   * the 10 % it evicts at. Images take from it too, which the scheduler does not count.
   */
  readonly ephemeralStorageGiB: number;
  /** Physical GPUs per node. */
  readonly gpus: number;
  /** The extended resource the GPUs are advertised as: whole, time-sliced slot or MIG instance. */
  readonly gpuResource: string;
  /** How many of gpuResource one node offers. */
  readonly gpuSlots: number;
}

/** nodeadm's kubeReserved ephemeral-storage and evictionHard nodefs.available (see NodePoolAllocatable). */
export const KUBELET_EPHEMERAL_RESERVED_GIB = 1;
export const KUBELET_NODEFS_EVICTION_FRACTION = 0.1;

export function nodePoolAllocatable(spec: NodePoolSpec): NodePoolAllocatable {
  const types = nodePoolInstanceTypes(spec);
  const perType = types.map((t) => {
    const reservedCpu = reservedCores(t.vcpus);
    const reservedMemoryGiB = (255 + 11 * 110 + 100) / 1024;
    return { cpu: t.vcpus - reservedCpu - 0.5, memoryGiB: t.memoryGiB - reservedMemoryGiB - 1, gpus: t.gpuCount };
  });
  const gpus = Math.min(...perType.map((p) => p.gpus));
  const sharing = spec.gpuSharing;
  let slotsPerGpu = 1;
  if (sharing?.kind === 'time-slicing') slotsPerGpu = sharing.replicasPerGpu;
  if (sharing?.kind === 'mig' && spec.gpuModel) {
    slotsPerGpu = Math.min(...types.map((t) => migProfilesOf(spec.gpuModel!, t.gpuMemoryGiB)[sharing.profile] ?? 0));
  }
  return {
    cpu: round2(Math.min(...perType.map((p) => p.cpu))),
    memoryGiB: round2(Math.min(...perType.map((p) => p.memoryGiB))),
    ephemeralStorageGiB: round2(spec.diskGiB * (1 - KUBELET_NODEFS_EVICTION_FRACTION) - KUBELET_EPHEMERAL_RESERVED_GIB),
    gpus,
    gpuResource: gpuSharingResource(sharing),
    gpuSlots: gpus * slotsPerGpu,
  };
}

function reservedCores(vcpus: number): number {
  const tiers: Array<[number, number]> = [[1, 0.06], [1, 0.01], [2, 0.005], [Infinity, 0.0025]];
  let left = vcpus;
  let reserved = 0;
  for (const [cores, share] of tiers) {
    const used = Math.min(left, cores);
    reserved += used * share;
    left -= used;
    if (left <= 0) break;
  }
  return reserved;
}

function round2(n: number): number {
  return Math.floor(n * 100) / 100;
}
