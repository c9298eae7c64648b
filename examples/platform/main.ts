// `cdktf synth` / `npm run synth`: two stacks per environment, the platform and its add-ons.
// `cdktf deploy modelserve-production modelserve-production-addons` deploys one environment, the
// platform first (the add-ons stack depends on it); see README, "Deploying for the first time".
import { App } from 'cdktf';
import { developmentStacks } from './development';
import { productionStacks } from './production';
import { stagingStacks } from './staging';

const app = new App();
productionStacks(app);
stagingStacks(app);
developmentStacks(app);
app.synth();
