import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { SERVICE_LABEL } from './labels';
import { PodPeer } from './serving-namespace';
import { ModelServicePlan } from './validate-model-service';

/** The defaults of ServingNamespace: the Istio ingress gateway and the Prometheus Operator's Prometheus. */
export const DEFAULT_INGRESS_GATEWAY: PodPeer = { namespace: 'istio-ingress', podLabels: { istio: 'ingressgateway' } };
export const DEFAULT_PROMETHEUS: PodPeer = { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } };

/**
 * Ingress of the service's pods: the mesh ingress gateway and callers in the same namespace reach
 * the serving ports, Prometheus reaches the metrics port. Policies add up, so this narrows nothing
 * that a namespace-wide allow opens; it states what the service needs when the namespace is owned
 * elsewhere (`createNamespace: false`) with a default deny.
 */
export function createNetworkPolicy(scope: Construct, plan: ModelServicePlan, labels: Record<string, string>): kplus.NetworkPolicy {
  const server = plan.server;
  const servingPorts = [server.httpPort, ...(server.grpcPort !== undefined ? [server.grpcPort] : [])].map((p) => kplus.NetworkPolicyPort.tcp(p));
  const peer = (id: string, p: PodPeer) =>
    kplus.Pods.select(scope, id, { labels: { ...p.podLabels }, namespaces: kplus.Namespaces.select(scope, `${id}-namespace`, { names: [p.namespace] }) });
  return new kplus.NetworkPolicy(scope, 'network-policy', {
    metadata: { name: plan.name, labels },
    selector: kplus.Pods.select(scope, 'pods', { labels: { [SERVICE_LABEL]: plan.name } }),
    ingress: {
      rules: [
        { peer: peer('ingress-gateway', DEFAULT_INGRESS_GATEWAY), ports: servingPorts },
        { peer: kplus.Pods.all(scope, 'same-namespace'), ports: servingPorts },
        { peer: peer('prometheus', DEFAULT_PROMETHEUS), ports: [kplus.NetworkPolicyPort.tcp(server.metricsPort)] },
      ],
    },
  });
}
