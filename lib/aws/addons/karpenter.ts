import { karpenterNodeRoleName } from '../../catalog';
import { AddonProfile, resources, spreadConstraints } from './addon-profile';
import { HelmChartPin } from './helm-chart-pin';
import { IamStatement } from './iam-statement';

/**
 * Karpenter, from AWS's OCI registry: the CRDs in their own chart (the controller chart's `crds/`
 * are installed once and never upgraded by Helm), then the controller. 1.14.1 is the newest
 * release tagged in aws/karpenter-provider-aws on 2026-08-21.
 */
export const KARPENTER_CRD_CHART: HelmChartPin = { repository: 'oci://public.ecr.aws/karpenter', chart: 'karpenter-crd', version: '1.14.1' };
export const KARPENTER_CHART: HelmChartPin = { repository: 'oci://public.ecr.aws/karpenter', chart: 'karpenter', version: '1.14.1' };

/** Karpenter's getting-started guide installs it in kube-system, with this service account. */
export const KARPENTER_SERVICE_ACCOUNT = { namespace: 'kube-system', name: 'karpenter' } as const;

/** The events Karpenter acts on (its CloudFormation reference): not the Auto Scaling lifecycle actions. */
export const KARPENTER_INTERRUPTION_EVENTS = ['spot-interruption', 'rebalance', 'state-change', 'scheduled-change'] as const;

export interface KarpenterValuesOptions {
  readonly clusterName: string;
  /** The interruption queue's name (not its URL: the chart takes the name). */
  readonly interruptionQueueName: string;
  readonly profile: AddonProfile;
  readonly serviceMonitor: boolean;
}

/**
 * Values for KARPENTER_CHART: the cluster and its interruption queue, on the on-demand nodes of a
 * managed node group (the chart's own affinity keeps it off nodes Karpenter manages), replicas and
 * zone spread by environment, CRDs from KARPENTER_CRD_CHART.
 */
export function karpenterValues(o: KarpenterValuesOptions): Record<string, unknown> {
  const labels = { 'app.kubernetes.io/name': 'karpenter', 'app.kubernetes.io/instance': 'karpenter' };
  return {
    replicas: o.profile.replicas,
    serviceAccount: { create: true, name: KARPENTER_SERVICE_ACCOUNT.name },
    settings: { clusterName: o.clusterName, interruptionQueue: o.interruptionQueueName },
    nodeSelector: { 'kubernetes.io/os': 'linux', ...o.profile.nodeSelector },
    topologySpreadConstraints: spreadConstraints(o.profile, labels),
    controller: { resources: o.profile.highAvailability ? resources('500m', '1Gi', '1', '1Gi') : resources('250m', '512Mi', '1', '1Gi') },
    serviceMonitor: { enabled: o.serviceMonitor },
  };
}

export interface KarpenterStatementsOptions {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly clusterName: string;
  readonly interruptionQueueArn: string;
}

/**
 * The controller's policy as Karpenter's CloudFormation reference writes it
 * (website/content/en/preview/getting-started/getting-started-with-karpenter/cloudformation.yaml in
 * aws/karpenter-provider-aws): instances and launch templates created and deleted only when tagged
 * for this cluster and a NodePool, instance profiles only for this cluster's EC2NodeClasses, the
 * node role passed to EC2 only, reads limited to the region.
 */
export function karpenterControllerStatements(o: KarpenterStatementsOptions): IamStatement[] {
  return [
    ...instanceStatements(o),
    ...readStatements(o),
    {
      Sid: 'AllowInterruptionQueueActions',
      Effect: 'Allow',
      Action: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      Resource: [o.interruptionQueueArn],
    },
    ...instanceProfileStatements(o),
    {
      Sid: 'AllowAPIServerEndpointDiscovery',
      Effect: 'Allow',
      Action: ['eks:DescribeCluster'],
      Resource: [`arn:${o.partition}:eks:${o.region}:${o.accountId}:cluster/${o.clusterName}`],
    },
  ];
}

/** `kubernetes.io/cluster/<name>`: the tag that marks what Karpenter made for this cluster. */
function ownedTag(o: KarpenterStatementsOptions): string {
  return `kubernetes.io/cluster/${o.clusterName}`;
}

/** Launching, tagging and terminating instances (and their fleets, volumes, interfaces, launch templates) of this cluster's NodePools. */
function instanceStatements(o: KarpenterStatementsOptions): IamStatement[] {
  const ec2 = (type: string, account = '*') => `arn:${o.partition}:ec2:${o.region}:${account}:${type}/*`;
  const owned = ownedTag(o);
  const taggedResources = ['fleet', 'instance', 'volume', 'network-interface', 'launch-template'].map((t) => ec2(t));
  return [
    {
      Sid: 'AllowScopedEC2InstanceActions',
      Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet'],
      Resource: [ec2('image', ''), ec2('snapshot', ''), ec2('spot-instances-request'), ec2('security-group'), ec2('subnet'), ec2('launch-template')],
    },
    {
      Sid: 'AllowScopedEC2InstanceActionsWithTags',
      Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
      Resource: taggedResources,
      Condition: { StringEquals: { [`aws:RequestTag/${owned}`]: 'owned' }, StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' } },
    },
    {
      Sid: 'AllowScopedResourceCreationTagging',
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: taggedResources,
      Condition: {
        StringEquals: { [`aws:RequestTag/${owned}`]: 'owned', 'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'] },
        StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
      },
    },
    {
      Sid: 'AllowScopedResourceTagging',
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: [ec2('instance')],
      Condition: {
        StringEquals: { [`aws:ResourceTag/${owned}`]: 'owned' },
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['karpenter.sh/nodeclaim', 'Name'] },
      },
    },
    {
      Sid: 'AllowScopedDeletion',
      Effect: 'Allow',
      Action: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
      Resource: [ec2('instance'), ec2('launch-template')],
      Condition: { StringEquals: { [`aws:ResourceTag/${owned}`]: 'owned' }, StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' } },
    },
  ];
}

/** What Karpenter reads to choose instances: EC2 in this region, AMI ids from SSM, prices. */
function readStatements(o: KarpenterStatementsOptions): IamStatement[] {
  return [
    {
      Sid: 'AllowRegionalReadActions',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeAvailabilityZones', 'ec2:DescribeImages', 'ec2:DescribeInstances', 'ec2:DescribeInstanceTypeOfferings', 'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplates', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSpotPriceHistory', 'ec2:DescribeSubnets',
      ],
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': o.region } },
    },
    { Sid: 'AllowSSMReadActions', Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: [`arn:${o.partition}:ssm:${o.region}::parameter/aws/service/*`] },
    { Sid: 'AllowPricingReadActions', Effect: 'Allow', Action: ['pricing:GetProducts'], Resource: '*' },
  ];
}

/** The node role, passed to EC2 only, and the instance profiles of this cluster's EC2NodeClasses that carry it. */
function instanceProfileStatements(o: KarpenterStatementsOptions): IamStatement[] {
  const owned = ownedTag(o);
  const clusterProfileTags = { [`aws:ResourceTag/${owned}`]: 'owned', 'aws:ResourceTag/topology.kubernetes.io/region': o.region };
  return [
    {
      Sid: 'AllowPassingInstanceRole',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: [`arn:${o.partition}:iam::${o.accountId}:role/${karpenterNodeRoleName(o.clusterName)}`],
      Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    },
    {
      Sid: 'AllowScopedInstanceProfileCreationActions',
      Effect: 'Allow',
      Action: ['iam:CreateInstanceProfile'],
      Resource: '*',
      Condition: {
        StringEquals: { [`aws:RequestTag/${owned}`]: 'owned', 'aws:RequestTag/topology.kubernetes.io/region': o.region },
        StringLike: { 'aws:RequestTag/karpenter.sh/nodeclass': '*' },
      },
    },
    {
      Sid: 'AllowScopedInstanceProfileTagActions',
      Effect: 'Allow',
      Action: ['iam:TagInstanceProfile'],
      Resource: '*',
      Condition: {
        StringEquals: { ...clusterProfileTags, [`aws:RequestTag/${owned}`]: 'owned', 'aws:RequestTag/topology.kubernetes.io/region': o.region },
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodeclass': '*', 'aws:RequestTag/karpenter.sh/nodeclass': '*' },
      },
    },
    {
      Sid: 'AllowScopedInstanceProfileActions',
      Effect: 'Allow',
      Action: ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
      Resource: '*',
      Condition: { StringEquals: clusterProfileTags, StringLike: { 'aws:ResourceTag/karpenter.sh/nodeclass': '*' } },
    },
    { Sid: 'AllowInstanceProfileReadActions', Effect: 'Allow', Action: ['iam:GetInstanceProfile'], Resource: '*' },
  ];
}
