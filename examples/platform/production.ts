import { App, TerraformStack } from 'cdktf';
import { NodePools } from '../../lib/catalog';
import { configureStateBackend, ModelServePlatform } from '../../lib/aws';

/** Production: three AZs, a NAT gateway per AZ, Multi-AZ database, 90-day logs, deletion protection. */
export function productionStack(app: App): TerraformStack {
  const stack = new TerraformStack(app, 'modelserve-production');
  // Remote state: no absolute local path in the output, and S3-native locking.
  configureStateBackend(stack, { bucket: 'modelserve-terraform-state', key: 'platform/production.tfstate', region: 'us-east-1' });
  new ModelServePlatform(stack, 'platform', {
    name: 'modelserve',
    environment: 'production',
    region: 'us-east-1',
    adminPrincipalArns: ['arn:aws:iam::123456789012:role/PlatformAdmin'],
    nodePools: [
      NodePools.general(),
      NodePools.gpu({ gpu: 'A100' }),
      NodePools.spot(),
      NodePools.highMemory(),
    ],
  });
  return stack;
}
