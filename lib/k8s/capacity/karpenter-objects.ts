import {
  Capacity,
  COST_ALLOCATION_TAGS,
  EnvironmentName,
  findInstanceType,
  hasNvmeInstanceStore,
  KARPENTER_DISCOVERY_TAG,
  karpenterNodeRoleName,
  karpenterPoolLimits,
  NodePoolSpec,
} from '../../catalog';

/** The API versions Karpenter 1.x serves (`karpenter.sh/v1`, `karpenter.k8s.aws/v1`). */
export const KARPENTER_NODE_POOL_API = 'karpenter.sh/v1';
export const EC2_NODE_CLASS_API = 'karpenter.k8s.aws/v1';

/**
 * Pools preferred when a pod's affinity admits several: spot first (cheaper), then on-demand, as
 * the Cluster Autoscaler's priority expander does for managed node groups.
 */
const WEIGHT = { spot: 50, onDemand: 10 } as const;

/**
 * The EC2NodeClass of one pool: the node role the platform made, subnets and security group found
 * by the discovery tag, the AMI family's alias (Karpenter takes the NVIDIA variant for GPU types
 * itself), IMDSv2 only with a hop limit of 1 (pods get credentials from Pod Identity, never the
 * node role), encrypted gp3 volumes, and local NVMe striped as RAID0 where the types have it.
 */
export function ec2NodeClassSpec(
  pool: NodePoolSpec,
  clusterName: string,
  capacity: Capacity,
  cost: { environment: EnvironmentName; team?: string },
): Record<string, unknown> {
  const bottlerocket = pool.amiType.startsWith('BOTTLEROCKET');
  const amiVersion = capacity.karpenter?.amiVersion ?? 'latest';
  const discovery = [{ tags: { [KARPENTER_DISCOVERY_TAG]: clusterName } }];
  const volume = (deviceName: string, sizeGiB: number) => ({
    deviceName,
    ebs: { volumeSize: `${sizeGiB}Gi`, volumeType: 'gp3', encrypted: true, deleteOnTermination: true },
  });
  return {
    role: karpenterNodeRoleName(clusterName),
    amiSelectorTerms: [{ alias: `${bottlerocket ? 'bottlerocket' : 'al2023'}@${amiVersion}` }],
    subnetSelectorTerms: discovery,
    securityGroupSelectorTerms: discovery,
    metadataOptions: { httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' },
    // Bottlerocket boots from /dev/xvda and keeps images and pods on /dev/xvdb; AL2023 keeps all on /dev/xvda.
    blockDeviceMappings: bottlerocket ? [volume('/dev/xvda', 4), volume('/dev/xvdb', pool.diskGiB)] : [volume('/dev/xvda', pool.diskGiB)],
    ...(hasNvmeInstanceStore(pool) ? { instanceStorePolicy: 'RAID0' } : {}),
    // Karpenter puts these on the instance, its volumes and network interfaces: the same
    // cost-allocation tags the platform's managed node groups carry (service "cluster").
    tags: {
      [KARPENTER_DISCOVERY_TAG]: clusterName,
      'modelserve.io/node-pool': pool.name,
      [COST_ALLOCATION_TAGS.environment]: cost.environment,
      [COST_ALLOCATION_TAGS.service]: 'cluster',
      ...(cost.team !== undefined ? { [COST_ALLOCATION_TAGS.team]: cost.team } : {}),
    },
  };
}

/**
 * The NodePool of one pool: the spec's instance types, capacity type (spot with an on-demand
 * fallback when the options allow it), labels and taints, so that the placement proof made on the
 * spec holds for the nodes Karpenter launches; limits of `maxSize` nodes; disruption that never
 * consolidates a GPU node that still serves (only empty GPU nodes go, one at a time).
 */
export function karpenterNodePoolSpec(pool: NodePoolSpec, capacity: Capacity, path: string): Record<string, unknown> {
  const options = capacity.karpenter;
  const spot = pool.capacityType === 'SPOT';
  const capacityTypes = spot ? (options?.spotFallbackToOnDemand === false ? ['spot'] : ['spot', 'on-demand']) : ['on-demand'];
  const arch = findInstanceType(pool.instanceTypes[0])?.architecture === 'arm64' ? 'arm64' : 'amd64';
  const limits = karpenterPoolLimits(pool, capacity, path);
  const gpu = pool.gpuModel !== undefined;
  return {
    weight: spot ? WEIGHT.spot : WEIGHT.onDemand,
    template: {
      metadata: { labels: { ...pool.labels } },
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: pool.name },
        requirements: [
          { key: 'node.kubernetes.io/instance-type', operator: 'In', values: [...pool.instanceTypes] },
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: capacityTypes },
          { key: 'kubernetes.io/arch', operator: 'In', values: [arch] },
          { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
        ],
        taints: pool.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
        expireAfter: `${options?.expireAfterHours ?? 720}h`,
      },
    },
    disruption: gpu
      ? { consolidationPolicy: 'WhenEmpty', consolidateAfter: '30m', budgets: [{ nodes: '1' }] }
      : { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '5m', budgets: [{ nodes: '10%' }] },
    limits: {
      cpu: String(limits.cpu),
      memory: `${limits.memoryGiB}Gi`,
      ...(gpu ? { 'nvidia.com/gpu': String(limits.gpus) } : {}),
    },
  };
}
