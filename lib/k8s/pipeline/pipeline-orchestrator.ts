import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { SERVICE_LABEL } from '../labels';
import { ModelService } from '../model-service';
import { ORCHESTRATOR_CONTRACT } from './orchestrator-contract';
import { PipelineDefinition } from './pipeline-definition';
import { PipelinePlan } from './plan-model-pipeline';

/**
 * A ModelService (id `orchestrator`) running the user's orchestrator image, with the pipeline
 * definition in its ConfigMap and Redis in its environment (see ORCHESTRATOR_CONTRACT), and, when
 * the cache's CIDR is known, a NetworkPolicy that lets its pods reach Redis and nothing more.
 * The plan has already run the service's own checks, under the same construct path.
 */
export function createPipelineOrchestrator(scope: Construct, plan: PipelinePlan, definition: PipelineDefinition, labels: Readonly<Record<string, string>>): ModelService {
  const online = plan.online!;
  const service = new ModelService(scope, 'orchestrator', {
    ...online.serviceProps,
    config: { data: { [ORCHESTRATOR_CONTRACT.definitionFile]: JSON.stringify(definition, null, 2) + '\n' }, mountPath: ORCHESTRATOR_CONTRACT.definitionDir },
  });

  const redis = online.redis;
  if (redis.cidr !== undefined) {
    new kplus.NetworkPolicy(scope, 'orchestrator-redis-egress', {
      metadata: { name: `${online.serviceName}-redis`, labels: { ...labels } },
      selector: kplus.Pods.select(scope, 'orchestrator-pods', { labels: { [SERVICE_LABEL]: online.serviceName } }),
      egress: { rules: [{ peer: kplus.NetworkPolicyIpBlock.ipv4(scope, 'redis-cidr', redis.cidr), ports: [kplus.NetworkPolicyPort.tcp(redis.port)] }] },
    });
  }
  return service;
}
