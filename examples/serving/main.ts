import { App } from 'cdk8s';
import { KarpenterNodePools, ServingPriorityClasses } from '../../lib/k8s';
import { PRODUCTION_CAPACITY, PRODUCTION_CLUSTER_NAME, PRODUCTION_NODE_POOLS } from '../node-pools';
import { llmServing } from './llm';
import { PLATFORM_TEAM } from '../platform/deployer';
import { productionServing } from './production';
import { specServing } from './specs';
import { strategyExamples } from './strategies';

/**
 * The example app: production's Karpenter NodePools, the PriorityClasses of production and
 * staging, production's model services (proven placeable on the same pools), one service per
 * rollout strategy, the language models on vLLM, and the services and pipeline that model owners
 * wrote as spec files (examples/specs/).
 */
export function servingApp(app: App): App {
  new KarpenterNodePools(app, 'capacity-production', {
    clusterName: PRODUCTION_CLUSTER_NAME,
    nodePools: PRODUCTION_NODE_POOLS,
    capacity: PRODUCTION_CAPACITY,
    environment: 'production',
    team: PLATFORM_TEAM,
  });
  // Cluster-scoped, once per cluster and environment, applied before the serving charts.
  new ServingPriorityClasses(app, 'priority-classes-production', { environment: 'production' });
  new ServingPriorityClasses(app, 'priority-classes-staging', { environment: 'staging' });
  productionServing(app);
  strategyExamples(app);
  llmServing(app);
  specServing(app);
  return app;
}

// `cdk8s synth` (cdk8s.yaml) runs this file: one YAML file per chart under dist/.
if (require.main === module) {
  servingApp(new App()).synth();
}
