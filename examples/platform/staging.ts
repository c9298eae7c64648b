import { App, TerraformStack } from 'cdktf';
import { configureStateBackend, ModelServePlatform } from '../../lib/aws';
import { PlatformAddons } from '../../lib/aws/addons';
import { STAGING_NODE_POOLS } from '../node-pools';
import { ALARM_EMAILS, DEPLOYER_CIDRS, PLATFORM_ADMINS, PLATFORM_TEAM, STATE_BUCKET } from './deployer';

/** Staging: production's shape at a smaller scale, a single NAT gateway, T4 GPUs. */
export function stagingStacks(app: App): [TerraformStack, TerraformStack] {
  const stack = new TerraformStack(app, 'modelserve-staging');
  // Remote state: no absolute local path in the output, and S3-native locking.
  configureStateBackend(stack, { bucket: STATE_BUCKET, key: 'platform/staging.tfstate', region: 'us-east-1' });
  const platform = new ModelServePlatform(stack, 'platform', {
    name: 'modelserve',
    environment: 'staging',
    region: 'us-east-1',
    adminPrincipalArns: PLATFORM_ADMINS,
    network: { cidr: '10.1.0.0/16' },
    cluster: { publicEndpointCidrs: DEPLOYER_CIDRS },
    observability: { alarmEmails: ALARM_EMAILS },
    // The same specs the serving example places its models on.
    nodePools: STAGING_NODE_POOLS,
    costAllocation: { team: PLATFORM_TEAM },
    budget: { monthlyLimitUsd: 15000 },
  });

  const addonsStack = new TerraformStack(app, 'modelserve-staging-addons');
  configureStateBackend(addonsStack, { bucket: STATE_BUCKET, key: 'addons/staging.tfstate', region: 'us-east-1' });
  // The defaults: production's set with staging's retention and replicas.
  new PlatformAddons(addonsStack, 'addons', { cluster: platform.cluster });
  return [stack, addonsStack];
}
