// The AWS side: the platform and its add-ons, two Terraform stacks per environment.
// `npx cdktf synth` writes cdktf.out/.
import { App, TerraformStack } from 'cdktf';
import { NodePools } from 'modelserve';
import { ModelServePlatform, configureStateBackend } from 'modelserve/aws';
import { PlatformAddons } from 'modelserve/addons';

const app = new App();
const stack = new TerraformStack(app, 'modelserve-production');
configureStateBackend(stack, { bucket: 'my-terraform-state', key: 'platform/production.tfstate', region: 'us-east-1' });
const platform = new ModelServePlatform(stack, 'platform', {
  name: 'modelserve',
  environment: 'production',          // preset: sizes, HA, retention, deletion protection
  region: 'us-east-1',                // the platform configures the AWS provider (default tags included)
  cluster: { publicEndpointCidrs: ['198.51.100.0/24'] },   // where cdktf deploy runs (office, VPN, CI)
  nodePools: [NodePools.general(), NodePools.gpu({ gpu: 'A100' }), NodePools.spot(), NodePools.highMemory()],
});

// The cluster add-ons: a second stack, applied after the first, reading the cluster by name.
const addons = new TerraformStack(app, 'modelserve-production-addons');
configureStateBackend(addons, { bucket: 'my-terraform-state', key: 'addons/production.tfstate', region: 'us-east-1' });
new PlatformAddons(addons, 'addons', { cluster: platform.cluster });
app.synth();
