import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { trackSelector } from './labels';
import { ModelServicePlan, PlannedTrack } from './validate-model-service';

/**
 * A PodDisruptionBudget that lets a node drain take one pod of a track at a time. Never
 * `minAvailable: n` (which blocks every drain at one replica, so node upgrades stall): at most one
 * pod down is the promise, whatever the replica count. Pods that are not ready (a model that
 * fails to load) may always be evicted, so a broken rollout cannot block a drain either.
 */
export function createDisruptionBudget(
  scope: Construct,
  plan: ModelServicePlan,
  track: PlannedTrack,
  labels: Record<string, string>,
): k8s.KubePodDisruptionBudget {
  return new k8s.KubePodDisruptionBudget(scope, `disruption-budget-${track.name}`, {
    metadata: { name: track.deploymentName, labels },
    spec: {
      maxUnavailable: k8s.IntOrString.fromNumber(1),
      selector: { matchLabels: trackSelector(plan.name, track.name) },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}
