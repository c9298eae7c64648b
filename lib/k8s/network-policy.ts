import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { SERVICE_LABEL } from './labels';
import { PodPeer } from './serving-namespace';
import { ServingChart } from './serving-chart';
import { ModelServicePlan } from './validate-model-service';

/**
 * Ingress of the service's pods under the namespace's default deny: the mesh ingress gateway and
 * callers in the same namespace reach the serving ports, Prometheus reaches the metrics port.
 */
export function createNetworkPolicy(scope: Construct, plan: ModelServicePlan, labels: Record<string, string>): kplus.NetworkPolicy {
  const server = plan.server;
  const chart = ServingChart.of(scope);
  const servingPorts = [server.httpPort, ...(server.grpcPort !== undefined ? [server.grpcPort] : [])].map((p) => kplus.NetworkPolicyPort.tcp(p));
  const peer = (id: string, p: PodPeer) =>
    kplus.Pods.select(scope, id, { labels: { ...p.podLabels }, namespaces: kplus.Namespaces.select(scope, `${id}-namespace`, { names: [p.namespace] }) });
  return new kplus.NetworkPolicy(scope, 'network-policy', {
    metadata: { name: plan.name, labels },
    selector: kplus.Pods.select(scope, 'pods', { labels: { [SERVICE_LABEL]: plan.name } }),
    ingress: {
      rules: [
        { peer: peer('ingress-gateway', chart.ingressGateway), ports: servingPorts },
        { peer: kplus.Pods.all(scope, 'same-namespace'), ports: servingPorts },
        { peer: peer('prometheus', chart.prometheus), ports: [kplus.NetworkPolicyPort.tcp(server.metricsPort)] },
      ],
    },
  });
}
