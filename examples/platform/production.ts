import { App, TerraformStack } from 'cdktf';
import { configureStateBackend, ModelServePlatform } from '../../lib/aws';
import { AlertReceiver, ArgoServerAuth, PlatformAddons, SpotInterruption } from '../../lib/aws/addons';
import { PRODUCTION_CAPACITY, PRODUCTION_NODE_POOLS } from '../node-pools';
import { ALARM_EMAILS, DEPLOYER_CIDRS, PLATFORM_ADMINS, PLATFORM_TEAM, STATE_BUCKET } from './deployer';

/**
 * Production: the four kinds of node pool (general, T4 and A100 GPUs, spot, high memory), three
 * AZs, a NAT gateway per AZ, Multi-AZ database, 90-day logs, deletion protection, a monthly budget,
 * and the database backups and models copied to us-west-2; then, in a stack of their own applied
 * after it, every cluster add-on.
 */
export function productionStacks(app: App): [TerraformStack, TerraformStack] {
  const stack = new TerraformStack(app, 'modelserve-production');
  // Remote state: no absolute local path in the output, and S3-native locking.
  configureStateBackend(stack, { bucket: STATE_BUCKET, key: 'platform/production.tfstate', region: 'us-east-1' });
  const platform = new ModelServePlatform(stack, 'platform', {
    name: 'modelserve',
    environment: 'production',
    region: 'us-east-1',
    adminPrincipalArns: PLATFORM_ADMINS,
    // The API stays private to the VPC and admits the deployers' CIDRs on its public side.
    cluster: { publicEndpointCidrs: DEPLOYER_CIDRS },
    observability: { alarmEmails: ALARM_EMAILS },
    // The same specs the serving example places its models on; Karpenter provisions most of them.
    nodePools: PRODUCTION_NODE_POOLS,
    capacity: PRODUCTION_CAPACITY,
    costAllocation: { team: PLATFORM_TEAM },
    // Alerts at 80 % and 100 % of the month's spend and when the forecast passes 100 %, to the alarm topic.
    budget: { monthlyLimitUsd: 60000 },
    // Backups (point-in-time restore there) and every model (Replication Time Control: 15 minutes) in us-west-2.
    disasterRecovery: { region: 'us-west-2' },
  });

  const addonsStack = new TerraformStack(app, 'modelserve-production-addons');
  configureStateBackend(addonsStack, { bucket: STATE_BUCKET, key: 'addons/production.tfstate', region: 'us-east-1' });
  // Every add-on, spelled out (each is also the default but the VPA; Karpenter because the capacity is Karpenter's).
  // Reads the cluster by name, in us-east-1.
  new PlatformAddons(addonsStack, 'addons', {
    cluster: platform.cluster,
    loadBalancerController: true,
    clusterAutoscaler: { expanders: ['priority', 'least-waste'] },
    metricsServer: true,
    // The recommender only, for the services' resourceRecommendations (off by default).
    verticalPodAutoscaler: true,
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
    karpenter: true,
  });
  return [stack, addonsStack];
}
