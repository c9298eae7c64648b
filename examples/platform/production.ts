import { App, TerraformStack } from 'cdktf';
import { configureStateBackend, ModelServePlatform } from '../../lib/aws';
import { PRODUCTION_NODE_POOLS } from '../node-pools';

/**
 * Production: the four kinds of node pool (general, T4 and A100 GPUs, spot, high memory), three
 * AZs, a NAT gateway per AZ, Multi-AZ database, 90-day logs, deletion protection.
 */
export function productionStack(app: App): TerraformStack {
  const stack = new TerraformStack(app, 'modelserve-production');
  // Remote state: no absolute local path in the output, and S3-native locking.
  configureStateBackend(stack, { bucket: 'modelserve-terraform-state', key: 'platform/production.tfstate', region: 'us-east-1' });
  new ModelServePlatform(stack, 'platform', {
    name: 'modelserve',
    environment: 'production',
    region: 'us-east-1',
    adminPrincipalArns: ['arn:aws:iam::123456789012:role/PlatformAdmin'],
    // The same specs the serving example places its models on.
    nodePools: PRODUCTION_NODE_POOLS,
  });
  return stack;
}
