// `cdktf synth` / `npm run synth`: the state bucket's stack, then two stacks per environment, the
// platform and its add-ons. `cdktf deploy modelserve-production modelserve-production-addons`
// deploys one environment, the platform first (the add-ons stack depends on it); see README,
// "Deploying for the first time".
import { App } from 'cdktf';
import { developmentStacks } from './development';
import { productionStacks } from './production';
import { stagingStacks } from './staging';
import { stateStack } from './state';

const app = new App();
stateStack(app);
productionStacks(app);
stagingStacks(app);
developmentStacks(app);
app.synth();
