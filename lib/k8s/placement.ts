import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { GPU_MODEL_LABEL, GPU_SHARING_LABEL, gpuSharingLabelValue, NODE_POOL_LABEL, NodePoolSpec, NodeTaint } from '../catalog';
import { trackSelector } from './labels';
import { ModelServicePlan, PlannedTrack } from './validate-model-service';

export const ZONE_TOPOLOGY = 'topology.kubernetes.io/zone';
export const HOST_TOPOLOGY = 'kubernetes.io/hostname';

/**
 * Places one track's pods on the node pools the plan found: node affinity to those pools,
 * tolerations for their taints, and topology spread over zones and hosts.
 */
export function applyPlacement(deployment: kplus.Deployment, plan: ModelServicePlan, track: PlannedTrack): void {
  const pools = plan.candidatePools;
  const names = pools.map((p) => p.name);
  const required = [kplus.NodeLabelQuery.in(NODE_POOL_LABEL, names)];
  if (plan.gpu) {
    required.push(kplus.NodeLabelQuery.in(GPU_MODEL_LABEL, [plan.gpu.model]));
    // The extended resource already keeps the pod off other nodes; the label makes it readable.
    if (plan.gpu.share) required.push(kplus.NodeLabelQuery.in(GPU_SHARING_LABEL, [gpuSharingLabelValue(plan.gpu.share)]));
  }
  deployment.scheduling.attract(kplus.Node.labeled(...required));
  if (plan.spot === 'preferred') {
    const spotPools = pools.filter((p) => p.capacityType === 'SPOT').map((p) => p.name);
    if (spotPools.length > 0 && spotPools.length < pools.length) {
      deployment.scheduling.attract(kplus.Node.labeled(kplus.NodeLabelQuery.in(NODE_POOL_LABEL, spotPools)), { weight: 100 });
    }
  }

  const seen = new Set<string>();
  for (const taint of pools.flatMap((p) => p.taints)) {
    const key = `${taint.key}=${taint.value}:${taint.effect}`;
    if (seen.has(key)) continue;
    seen.add(key);
    deployment.scheduling.tolerate(kplus.Node.tainted(kplus.NodeTaintQuery.is(taint.key, taint.value, { effect: taintEffect(taint) })));
  }

  ApiObject.of(deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/topologySpreadConstraints', topologySpread(plan, track)));
}

function taintEffect(taint: NodeTaint): kplus.TaintEffect {
  switch (taint.effect) {
    case 'NoExecute':
      return kplus.TaintEffect.NO_EXECUTE;
    case 'PreferNoSchedule':
      return kplus.TaintEffect.PREFER_NO_SCHEDULE;
    default:
      return kplus.TaintEffect.NO_SCHEDULE;
  }
}

/**
 * Whether the pod's zone spread can be a hard rule on these pools. Every pool is one EKS managed
 * node group over all the cluster's zones (the AWS side's NodePool), and when a pod waits for a
 * node in a particular zone the cluster autoscaler cannot choose the zone of the node it adds: the
 * Auto Scaling group picks it (https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md,
 * "one node group per zone" for zonal workloads), so a hard rule can leave pods pending for good.
 * Only pools the autoscaler never grows (minSize = maxSize, nodes balanced over the zones by the
 * Auto Scaling group) can hold one, and only on on-demand capacity, which a zone does not run out
 * of as spot and GPU capacity do.
 */
export function canSpreadZonesStrictly(pools: readonly NodePoolSpec[]): boolean {
  return pools.length > 0 && pools.every((p) => p.minSize === p.maxSize && p.capacityType === 'ON_DEMAND' && p.gpuModel === undefined);
}

/**
 * Zones: a hard rule for CPU services in production when every candidate pool can honour it
 * (canSpreadZonesStrictly), so that losing a zone does not take the service down; a soft one
 * otherwise, which the scheduler still follows while it can.
 * Hosts: always soft. A hard rule would force one node per replica, which wastes multi-GPU nodes,
 * and the PodDisruptionBudget already keeps a drain from taking several replicas at once.
 * `matchLabelKeys: pod-template-hash` spreads each ReplicaSet on its own, so a rolling update is
 * not skewed by the pods it is replacing.
 */
export function topologySpread(plan: ModelServicePlan, track: PlannedTrack): unknown[] {
  const hardZones = plan.production && !plan.gpu && plan.spot === 'never' && canSpreadZonesStrictly(plan.candidatePools);
  const selector = { matchLabels: trackSelector(plan.name, track.name) };
  const constraint = (topologyKey: string, hard: boolean) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: hard ? 'DoNotSchedule' : 'ScheduleAnyway',
    labelSelector: selector,
    matchLabelKeys: ['pod-template-hash'],
    // Only nodes the pod may run on count as domains: those of its pools, whose taints it tolerates.
    nodeAffinityPolicy: 'Honor',
    nodeTaintsPolicy: 'Honor',
  });
  return [constraint(ZONE_TOPOLOGY, hardZones), constraint(HOST_TOPOLOGY, false)];
}
