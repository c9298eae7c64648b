import { App, TerraformStack } from 'cdktf';
import { configureStateBackend, ModelServePlatform } from '../../lib/aws';
import { STAGING_NODE_POOLS } from '../node-pools';

/** Staging: production's shape at a smaller scale, a single NAT gateway, T4 GPUs. */
export function stagingStack(app: App): TerraformStack {
  const stack = new TerraformStack(app, 'modelserve-staging');
  // Remote state: no absolute local path in the output, and S3-native locking.
  configureStateBackend(stack, { bucket: 'modelserve-terraform-state', key: 'platform/staging.tfstate', region: 'us-east-1' });
  new ModelServePlatform(stack, 'platform', {
    name: 'modelserve',
    environment: 'staging',
    region: 'us-east-1',
    adminPrincipalArns: ['arn:aws:iam::123456789012:role/PlatformAdmin'],
    network: { cidr: '10.1.0.0/16' },
    // The same specs the serving example places its models on.
    nodePools: STAGING_NODE_POOLS,
    // Add-ons: the defaults, production's set with staging's retention and replicas.
  });
  return stack;
}
