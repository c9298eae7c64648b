import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IModelService } from '../model-service-attributes';
import { PipelinePlan } from './plan-model-pipeline';

/** The services of a pipeline's steps that run in another namespace, each once. */
export function remoteServices(plan: PipelinePlan): IModelService[] {
  const remote = plan.steps.map((s) => s.service).filter((s) => s.namespace !== plan.namespace);
  return remote.filter((s, i) => remote.findIndex((o) => o.namespace === s.namespace && o.serviceName === s.serviceName) === i);
}

/**
 * Egress of a pipeline's pods to the services of its steps in other namespaces: a serving
 * namespace lets pods reach only its own (and DNS, istiod). To each service's pods, in its
 * namespace, on its inference ports (every port when an imported service names none). Nothing
 * when every service is in the pipeline's namespace.
 */
export function createRemoteEgress(
  scope: Construct,
  id: string,
  p: { name: string; podSelector: k8s.LabelSelector; services: readonly IModelService[]; labels: Readonly<Record<string, string>> },
): k8s.KubeNetworkPolicy | undefined {
  if (p.services.length === 0) return undefined;
  return new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: p.name, labels: { ...p.labels } },
    spec: {
      podSelector: p.podSelector,
      policyTypes: ['Egress'],
      egress: p.services.map((s) => ({
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': s.namespace } }, podSelector: { matchLabels: { ...s.selector } } }],
        ...(s.podPorts.length ? { ports: s.podPorts.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })) } : {}),
      })),
    },
  });
}
