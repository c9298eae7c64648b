import { App } from 'cdk8s';
import { productionServing } from './production';
import { strategyExamples } from './strategies';

/** The example app: production model services and one service per rollout strategy. */
export function servingApp(app: App): App {
  productionServing(app);
  strategyExamples(app);
  return app;
}

// `cdk8s synth` (cdk8s.yaml) runs this file: one YAML file per chart under dist/.
if (require.main === module) {
  servingApp(new App()).synth();
}
