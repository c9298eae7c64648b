import { App, TerraformStack } from 'cdktf';
import { NodePools } from '../../lib/catalog';
import { configureStateBackend, ModelServePlatform } from '../../lib/aws';

/**
 * Development: two AZs, one NAT gateway, no cache, the API reachable from the office; single
 * replicas of the add-ons, and no Loki (kubectl logs is enough for one developer's models).
 */
export function developmentStack(app: App): TerraformStack {
  const stack = new TerraformStack(app, 'modelserve-development');
  // Remote state: no absolute local path in the output, and S3-native locking.
  configureStateBackend(stack, { bucket: 'modelserve-terraform-state', key: 'platform/development.tfstate', region: 'us-east-1' });
  new ModelServePlatform(stack, 'platform', {
    name: 'modelserve',
    environment: 'development',
    region: 'us-east-1',
    adminPrincipalArns: ['arn:aws:iam::123456789012:role/Developer'],
    network: { cidr: '10.2.0.0/16' },
    cluster: { publicEndpointCidrs: ['203.0.113.0/24'] },
    cache: false,
    nodePools: [NodePools.general({ minSize: 1, desiredSize: 1, maxSize: 4 }), NodePools.gpu({ gpu: 'T4', maxSize: 1 })],
    addons: { logging: false },
  });
  return stack;
}
