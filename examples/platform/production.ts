import { App, TerraformStack } from 'cdktf';
import { AlertReceiver, ArgoServerAuth, configureStateBackend, ModelServePlatform, SpotInterruption } from '../../lib/aws';
import { PRODUCTION_NODE_POOLS } from '../node-pools';

/**
 * Production: the four kinds of node pool (general, T4 and A100 GPUs, spot, high memory), three
 * AZs, a NAT gateway per AZ, Multi-AZ database, 90-day logs, deletion protection, and every
 * cluster add-on.
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
    // Every add-on, spelled out (each is also the default).
    addons: {
      loadBalancerController: true,
      clusterAutoscaler: { expanders: ['priority', 'least-waste'] },
      metricsServer: true,
      keda: true,
      // An internal NLB: clients reach it through the VPC (or a CDN/WAF in front that is peered).
      istio: { gateway: true, internetFacing: false },
      prometheus: {
        retentionDays: 30,
        // Critical alerts page the on-call and reach Slack, warnings reach Slack; a critical alert
        // of a service mutes its warnings. Placeholders: put your channels' credentials in the
        // Secret `alertmanager-receivers` of the monitoring namespace (External Secrets or
        // kubectl); Terraform only ever sees the Secret's name and keys.
        alerting: {
          receivers: [
            AlertReceiver.pagerDuty('ml-oncall', { routingKey: { secretName: 'alertmanager-receivers', key: 'pagerduty-routing-key' } }),
            AlertReceiver.slack('ml-alerts', { channel: '#ml-alerts', apiUrl: { secretName: 'alertmanager-receivers', key: 'slack-webhook-url' } }),
          ],
          routes: { critical: ['ml-oncall', 'ml-alerts'], warning: ['ml-alerts'] },
        },
      },
      logging: true,
      gpuOperator: true,
      // Managed node groups drain spot nodes themselves; the queue-mode handler would race them.
      spotInterruption: SpotInterruption.capacityRebalance(),
      argoRollouts: true,
      argoWorkflows: { serverAuth: ArgoServerAuth.client() },
    },
  });
  return stack;
}
