import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { SERVICE_LABEL } from '../labels';
import { ModelService } from '../model-service';
import { ORCHESTRATOR_CONTRACT } from './orchestrator-contract';
import { pipelineAlertRules } from './pipeline-alerts';
import { PipelineDefinition } from './pipeline-definition';
import { PipelinePlan } from './plan-model-pipeline';
import { createRemoteEgress, remoteServices } from './remote-egress';

/**
 * A ModelService (id `orchestrator`) running the orchestrator image, with the pipeline definition
 * in its ConfigMap and Redis in its environment (see ORCHESTRATOR_CONTRACT); the pipeline's own
 * alerts on the orchestrator's metrics (`<service>-pipeline` PrometheusRule); and, when the
 * cache's CIDR is known, a NetworkPolicy that lets its pods reach Redis and nothing more; with
 * steps in other namespaces, one that lets them reach those services.
 * The plan has already run the service's own checks, under the same construct path.
 */
export function createPipelineOrchestrator(
  scope: Construct,
  plan: PipelinePlan,
  definition: PipelineDefinition,
  labels: Readonly<Record<string, string>>,
): ModelService {
  const online = plan.online!;
  const service = new ModelService(scope, 'orchestrator', {
    ...online.serviceProps,
    config: { data: { [ORCHESTRATOR_CONTRACT.definitionFile]: JSON.stringify(definition, null, 2) + '\n' }, mountPath: ORCHESTRATOR_CONTRACT.definitionDir },
  });

  new ApiObject(scope, 'orchestrator-alerts', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    // The monitoring labels are the ones the platform's Prometheus selects rules by.
    metadata: { name: `${online.serviceName}-pipeline`, labels: { ...labels, ...online.serviceProps.monitoring?.labels } },
    spec: { groups: [{ name: `modelserve.${plan.namespace}.${plan.name}.pipeline`, rules: pipelineAlertRules({ namespace: plan.namespace, pipeline: plan.name, serviceName: online.serviceName }) }] },
  });

  const redis = online.redis;
  if (redis.cidr !== undefined) {
    new kplus.NetworkPolicy(scope, 'orchestrator-redis-egress', {
      metadata: { name: `${online.serviceName}-redis`, labels: { ...labels } },
      selector: kplus.Pods.select(scope, 'orchestrator-pods', { labels: { [SERVICE_LABEL]: online.serviceName } }),
      egress: { rules: [{ peer: kplus.NetworkPolicyIpBlock.ipv4(scope, 'redis-cidr', redis.cidr), ports: [kplus.NetworkPolicyPort.tcp(redis.port)] }] },
    });
  }
  createRemoteEgress(scope, 'orchestrator-remote-egress', {
    name: `${online.serviceName}-to-services`,
    podSelector: { matchLabels: { [SERVICE_LABEL]: online.serviceName } },
    services: remoteServices(plan),
    labels,
  });
  return service;
}
