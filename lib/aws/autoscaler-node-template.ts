import { GPU_RESOURCE, nodePoolAllocatable, NodePoolSpec } from '../catalog';

const RESOURCE_TAG = 'k8s.io/cluster-autoscaler/node-template/resources/';

/**
 * What the cluster autoscaler cannot learn about an empty managed node group and must read from
 * its Auto Scaling group's tags, as resource name -> quantity. From an empty group the autoscaler
 * builds a template node from the instance type (CPU, memory, whole GPUs), its generic labels, the
 * ASG's node-template tags, and the labels and taints EKS's DescribeNodegroup returns
 * (cluster-autoscaler/cloudprovider/aws/aws_manager.go, buildNodeFromTemplate). It does not know:
 * - ephemeral storage, which every ModelService requests (its model cache): without it no pending
 *   pod fits the template and the pool never scales up from zero. The value is what the kubelet
 *   leaves allocatable: the data volume less the 10 % eviction threshold and 1 GiB kube-reserved.
 * - a shared GPU's slots (time-slicing) or MIG instances, and that such a node then offers no
 *   whole `nvidia.com/gpu` (the instance type says it does).
 * Pools that never reach zero (minSize above 0) need none: the autoscaler copies a live node.
 * https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md#auto-discovery-setup
 */
export function autoscalerNodeTemplate(spec: NodePoolSpec): Readonly<Record<string, string>> {
  if (spec.minSize > 0) return {};
  const template: Record<string, string> = { 'ephemeral-storage': `${Math.floor(spec.diskGiB * 0.9) - 1}Gi` };
  if (spec.gpuSharing) {
    const allocatable = nodePoolAllocatable(spec);
    template[allocatable.gpuResource] = String(allocatable.gpuSlots);
    template[GPU_RESOURCE] = '0';
  }
  return template;
}

/** The ASG tag key for a template resource. */
export function autoscalerResourceTag(resource: string): string {
  return `${RESOURCE_TAG}${resource}`;
}
