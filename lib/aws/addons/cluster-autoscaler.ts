import { NodePoolSpec } from '../../catalog';
import type { KubernetesVersion } from '../../catalog/eks-versions';
import { AddonProfile, resources, SERVICE_MONITOR_LABELS, spreadConstraints } from './addon-profile';
import { HelmChartPin } from './helm-chart-pin';
import { IamStatement } from './iam-statement';

/**
 * Cluster Autoscaler chart 9.59.0 (appVersion 1.35.0): kubernetes/autoscaler#9193 made 1.35.0 the
 * chart default, and 9.59.0 is the chart that carries it (kubermatic/kubermatic#16253, 2026-08).
 * The image is set per cluster version below, since the autoscaler's minor must match Kubernetes'.
 */
export const CLUSTER_AUTOSCALER_CHART: HelmChartPin = {
  repository: 'https://kubernetes.github.io/autoscaler',
  chart: 'cluster-autoscaler',
  version: '9.59.0',
};
export const CLUSTER_AUTOSCALER_NAMESPACE = 'kube-system';
export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = 'cluster-autoscaler';

/**
 * Autoscaler image per Kubernetes minor (registry.k8s.io/autoscaling/cluster-autoscaler): 1.34.2
 * (chart 9.53.0, kubernetes/autoscaler#8891), 1.35.0 (#9193), 1.36.1 (released 2026-07-23,
 * kubernetes/autoscaler#10169). Keyed by every version Cluster accepts, so that adding one to
 * EKS_KUBERNETES_CALENDAR does not compile until its autoscaler is pinned here.
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS: Readonly<Record<KubernetesVersion, string>> = {
  '1.34': 'v1.34.2',
  '1.35': 'v1.35.0',
  '1.36': 'v1.36.1',
};

export const CLUSTER_AUTOSCALER_EXPANDERS = ['priority', 'least-waste', 'most-pods', 'random', 'price'] as const;
export type ClusterAutoscalerExpander = (typeof CLUSTER_AUTOSCALER_EXPANDERS)[number];

/** Priorities of the priority expander: spot first, it is the cheap capacity the pools were made for. */
export const SPOT_PRIORITY = 50;
export const ON_DEMAND_PRIORITY = 10;

export interface ClusterAutoscalerValuesOptions {
  readonly clusterName: string;
  readonly region: string;
  readonly kubernetesVersion: KubernetesVersion;
  readonly nodePools: readonly NodePoolSpec[];
  readonly profile: AddonProfile;
  readonly serviceMonitor: boolean;
  readonly expanders: readonly ClusterAutoscalerExpander[];
  /** Scale a node down when its pods request less than this share of it. */
  readonly scaleDownUtilizationThreshold: number;
  /** How long a node must be unneeded before it is removed. */
  readonly scaleDownUnneededMinutes: number;
}

export function clusterAutoscalerValues(o: ClusterAutoscalerValuesOptions): Record<string, unknown> {
  const podLabels = { 'app.kubernetes.io/name': 'aws-cluster-autoscaler' };
  const priorities: Record<string, string[]> = {};
  for (const pool of o.nodePools) {
    const priority = String(pool.capacityType === 'SPOT' ? SPOT_PRIORITY : ON_DEMAND_PRIORITY);
    // EKS names a managed node group's Auto Scaling group eks-<node group name>-<uuid>.
    (priorities[priority] ??= []).push(`^eks-${o.clusterName}-${pool.name}-[0-9a-f-]+$`);
  }
  return {
    cloudProvider: 'aws',
    awsRegion: o.region,
    // EKS tags every managed node group's Auto Scaling group with both keys.
    autoDiscovery: { clusterName: o.clusterName, tags: ['k8s.io/cluster-autoscaler/enabled', `k8s.io/cluster-autoscaler/${o.clusterName}`] },
    image: { tag: CLUSTER_AUTOSCALER_IMAGE_TAGS[o.kubernetesVersion] },
    rbac: { serviceAccount: { create: true, name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT } },
    // Leader election: one replica acts, the second takes over within seconds.
    replicaCount: o.profile.replicas,
    podDisruptionBudget: { maxUnavailable: 1 },
    resources: resources('100m', '300Mi', '500m', '1Gi'),
    nodeSelector: { ...o.profile.nodeSelector },
    topologySpreadConstraints: spreadConstraints(o.profile, podLabels),
    // The autoscaler must not evict itself off a node it is about to remove.
    podAnnotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' },
    extraArgs: {
      expander: o.expanders.join(','),
      // Spreads a model across zones' node groups of the same shape instead of filling one.
      'balance-similar-node-groups': true,
      // Model servers cache weights in emptyDir; that must not pin a node forever.
      'skip-nodes-with-local-storage': false,
      'skip-nodes-with-system-pods': false,
      'scale-down-utilization-threshold': o.scaleDownUtilizationThreshold,
      'scale-down-unneeded-time': `${o.scaleDownUnneededMinutes}m`,
      logtostderr: true,
      stderrthreshold: 'info',
      v: 2,
    },
    expanderPriorities: o.expanders.includes('priority') ? priorities : {},
    serviceMonitor: o.serviceMonitor
      ? { enabled: true, namespace: CLUSTER_AUTOSCALER_NAMESPACE, selector: { ...SERVICE_MONITOR_LABELS }, interval: '30s', path: '/metrics' }
      : { enabled: false },
  };
}

/**
 * What the autoscaler's AWS README asks for, narrowed: it may read every group (the API cannot be
 * scoped), but resize or terminate only the groups tagged as this cluster's, and describe only
 * this cluster's node groups (labels and taints of an empty group, for scale from zero).
 */
export function clusterAutoscalerStatements(o: { partition: string; region: string; accountId: string; clusterName: string }): IamStatement[] {
  return [
    {
      Sid: 'DiscoverGroupsAndInstanceTypes',
      Effect: 'Allow',
      Action: [
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:DescribeAutoScalingInstances',
        'autoscaling:DescribeLaunchConfigurations',
        'autoscaling:DescribeScalingActivities',
        'autoscaling:DescribeTags',
        'ec2:DescribeImages',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplateVersions',
        'ec2:GetInstanceTypesFromInstanceRequirements',
      ],
      Resource: '*',
    },
    {
      Sid: 'ResizeThisClustersGroups',
      Effect: 'Allow',
      Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
      Resource: '*',
      Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${o.clusterName}`]: 'owned' } },
    },
    {
      Sid: 'DescribeThisClustersNodeGroups',
      Effect: 'Allow',
      Action: ['eks:DescribeNodegroup'],
      Resource: `arn:${o.partition}:eks:${o.region}:${o.accountId}:nodegroup/${o.clusterName}/*/*`,
    },
  ];
}
