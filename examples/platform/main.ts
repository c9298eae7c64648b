// `cdktf synth` / `npm run synth`: the state bucket's stack, then two stacks per environment, the
// platform and its add-ons, then the billing stack that activates the cost-allocation tags (a day
// after the first platform: AWS must have seen the tags).
// `cdktf deploy modelserve-production modelserve-production-addons` deploys one environment, the platform first (the add-ons stack depends on it); see README,
// "Deploying for the first time".
import { App } from 'cdktf';
import { billingStack } from './billing';
import { developmentStacks } from './development';
import { productionStacks } from './production';
import { stagingStacks } from './staging';
import { stateStack } from './state';

const app = new App();
stateStack(app);
productionStacks(app);
stagingStacks(app);
developmentStacks(app);
billingStack(app);
app.synth();
