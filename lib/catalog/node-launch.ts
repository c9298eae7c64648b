import { nodePoolInstanceTypes, NodePoolSpec } from './node-pools';

/**
 * How long a new node of the pool takes, in the worst case, from the cluster autoscaler's
 * scale-up to a Ready node that accepts the pod: the autoscaler's scan and the Auto Scaling
 * group's launch (about a minute), the instance's boot and nodeadm's join (one to two minutes on
 * the AL2023 AMIs), and on the NVIDIA AMIs the driver, the device plugin and the GPU Operator's
 * validation before the node advertises its GPUs. Estimates, not AWS figures: rollouts and
 * deadlines use them as an upper bound that is meant to be generous.
 */
export const NODE_LAUNCH_SECONDS = {
  /** CPU AMIs (AL2023 standard, Bottlerocket). */
  cpu: 300,
  /** NVIDIA AMIs with up to four GPUs per node. */
  gpu: 600,
  /** Eight-GPU instances (p4d, p4de, p5, g5.48xlarge...): longer boots, fabric manager, and capacity that is often short. */
  largeGpu: 900,
} as const;

/** NODE_LAUNCH_SECONDS for one pool: the slowest of its instance types. */
export function nodeLaunchSeconds(pool: NodePoolSpec): number {
  const gpus = Math.max(0, ...nodePoolInstanceTypes(pool).map((t) => t.gpuCount));
  if (gpus >= 8) return NODE_LAUNCH_SECONDS.largeGpu;
  if (gpus > 0 || pool.amiType.includes('NVIDIA')) return NODE_LAUNCH_SECONDS.gpu;
  return NODE_LAUNCH_SECONDS.cpu;
}
