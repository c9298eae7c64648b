// The production node pools, as plain data: the platform example (cdktf) turns them into EKS node
// groups and the serving example (cdk8s) places model services on them. Engine-free, so either
// app can import it without loading the other engine.
import { Capacity, GpuSharing, NodePools, NodePoolSpec } from '../lib/catalog';

export const PRODUCTION_NODE_POOLS: readonly NodePoolSpec[] = [
  NodePools.general(),
  NodePools.gpu({ gpu: 'T4' }),
  // Small models share T4s: each GPU is advertised as 4 time-sliced slots (nvidia.com/gpu.shared).
  NodePools.gpu({ gpu: 'T4', sharing: GpuSharing.timeSlicing({ replicasPerGpu: 4 }), maxSize: 3 }),
  NodePools.gpu({ gpu: 'A100' }),
  // Language models (examples/serving/llm.ts): an 8B model on one L4 per pod, a 70B model on four
  // H100s per pod (two pods per p5.48xlarge). Karpenter stripes their NVMe as RAID0 for the weights.
  NodePools.gpu({ gpu: 'L4', instanceTypes: ['g6.2xlarge'], maxSize: 6 }),
  NodePools.gpu({ gpu: 'H100', maxSize: 2 }),
  NodePools.spot(),
  NodePools.highMemory(),
];

/**
 * Production gets its GPU, spot and high-memory nodes from Karpenter; the general pool (where the
 * controllers and Karpenter run) and the time-sliced T4 pool stay managed node groups. Both apps
 * read this: the platform installs Karpenter, the serving app writes its NodePools.
 */
export const PRODUCTION_CAPACITY = Capacity.karpenter();

/** The platform example's production cluster: `<name>-<env>`. */
export const PRODUCTION_CLUSTER_NAME = 'modelserve-prod';

export const STAGING_NODE_POOLS: readonly NodePoolSpec[] = [
  NodePools.general({ minSize: 1, desiredSize: 2 }),
  NodePools.gpu({ gpu: 'T4', maxSize: 2 }),
  NodePools.spot({ maxSize: 6 }),
];
