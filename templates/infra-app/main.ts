// The AWS side: one Terraform stack per environment. `npx cdktf synth` writes cdktf.out/.
import { App, TerraformStack } from 'cdktf';
import { NodePools } from 'modelserve';
import { ModelServePlatform, configureStateBackend } from 'modelserve/aws';

const app = new App();
const stack = new TerraformStack(app, 'modelserve-production');
configureStateBackend(stack, { bucket: 'my-terraform-state', key: 'platform/production.tfstate', region: 'us-east-1' });
new ModelServePlatform(stack, 'platform', {
  name: 'modelserve',
  environment: 'production',          // preset: sizes, HA, retention, deletion protection
  region: 'us-east-1',                // the platform configures the AWS provider (default tags included)
  adminPrincipalArns: ['arn:aws:iam::123456789012:role/PlatformAdmin'],
  nodePools: [NodePools.general(), NodePools.gpu({ gpu: 'A100' }), NodePools.spot(), NodePools.highMemory()],
});
app.synth();
