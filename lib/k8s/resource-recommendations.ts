import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { CONTAINER_NAME } from './workload';
import { PlannedTrack } from './validate-model-service';

export const VERTICAL_POD_AUTOSCALER_API = 'autoscaling.k8s.io/v1';

/**
 * A VerticalPodAutoscaler that only recommends (`updateMode: Off`): the recommender writes CPU and
 * memory targets for the model server into its status (`kubectl describe vpa <name>`), and nothing
 * evicts or resizes a pod. It never fights the HPA or KEDA, which scale the replica count against
 * the requests it would otherwise change. The Istio sidecar is left out (its size is set by
 * annotations); recommendations stop at the namespace's LimitRange maximum, the most a container
 * may ask for there. `target` is what runs the pods: the Deployment, or a progressive rollout's
 * Argo Rollout.
 */
export function createResourceRecommendations(
  scope: Construct,
  track: PlannedTrack,
  labels: Record<string, string>,
  limits: { readonly maxCpu: number; readonly maxMemoryGiB: number },
  target: { readonly apiVersion: string; readonly kind: string; readonly name: string } = { apiVersion: 'apps/v1', kind: 'Deployment', name: track.deploymentName },
): ApiObject {
  return new ApiObject(scope, `recommendations-${track.name}`, {
    apiVersion: VERTICAL_POD_AUTOSCALER_API,
    kind: 'VerticalPodAutoscaler',
    metadata: { name: track.deploymentName, labels },
    spec: {
      targetRef: { apiVersion: target.apiVersion, kind: target.kind, name: target.name },
      updatePolicy: { updateMode: 'Off' },
      resourcePolicy: {
        containerPolicies: [
          {
            containerName: CONTAINER_NAME,
            controlledResources: ['cpu', 'memory'],
            maxAllowed: { cpu: String(limits.maxCpu), memory: `${limits.maxMemoryGiB}Gi` },
          },
          { containerName: 'istio-proxy', mode: 'Off' },
        ],
      },
    },
  });
}
