// `cdktf synth` / `npm run synth`: one stack per environment; `cdktf deploy modelserve-production`
// deploys one of them.
import { App } from 'cdktf';
import { developmentStack } from './development';
import { productionStack } from './production';
import { stagingStack } from './staging';

const app = new App();
productionStack(app);
stagingStack(app);
developmentStack(app);
app.synth();
