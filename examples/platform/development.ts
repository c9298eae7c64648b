import { App, TerraformStack } from 'cdktf';
import { NodePools } from '../../lib/catalog';
import { BudgetAlert, configureStateBackend, ModelServePlatform } from '../../lib/aws';
import { PlatformAddons } from '../../lib/aws/addons';
import { ALARM_EMAILS, DEPLOYER_CIDRS, PLATFORM_TEAM, STATE_BUCKET } from './deployer';

/**
 * Development: two AZs, one NAT gateway, no cache, the API reachable from the deployers' CIDRs;
 * single replicas of the add-ons, and no Loki (kubectl logs is enough for one developer's models).
 */
export function developmentStacks(app: App): [TerraformStack, TerraformStack] {
  const stack = new TerraformStack(app, 'modelserve-development');
  // Remote state: no absolute local path in the output, and S3-native locking.
  configureStateBackend(stack, { bucket: STATE_BUCKET, key: 'platform/development.tfstate', region: 'us-east-1' });
  const platform = new ModelServePlatform(stack, 'platform', {
    name: 'modelserve',
    environment: 'development',
    region: 'us-east-1',
    // Whoever deploys gets cluster-admin (grantDeployerClusterAdmin); nobody else is listed.
    network: { cidr: '10.2.0.0/16' },
    cluster: { publicEndpointCidrs: DEPLOYER_CIDRS },
    observability: { alarmEmails: ALARM_EMAILS },
    cache: false,
    nodePools: [NodePools.general({ minSize: 1, desiredSize: 1, maxSize: 4 }), NodePools.gpu({ gpu: 'T4', maxSize: 1 })],
    costAllocation: { team: PLATFORM_TEAM },
    // One alert: the month's forecast passing the limit, as a development cluster left running would.
    budget: { monthlyLimitUsd: 3000, alerts: [BudgetAlert.forecasted(100)] },
  });

  const addonsStack = new TerraformStack(app, 'modelserve-development-addons');
  configureStateBackend(addonsStack, { bucket: STATE_BUCKET, key: 'addons/development.tfstate', region: 'us-east-1' });
  new PlatformAddons(addonsStack, 'addons', { cluster: platform.cluster, logging: false });
  return [stack, addonsStack];
}
