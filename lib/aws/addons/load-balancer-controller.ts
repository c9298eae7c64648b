import { AddonProfile, resources, SERVICE_MONITOR_LABELS, spreadConstraints } from './addon-profile';
import { HelmChartPin } from './helm-chart-pin';
import { IamStatement } from './iam-statement';

/**
 * AWS Load Balancer Controller 3.6.0: eks-charts release v0.0.246 (2026-10-05, "aws-load-balancer-controller
 * v3.6.0 Automated Release", aws/eks-charts#1377). From chart 3.0.0 the chart version equals the
 * controller version (the 1.x charts carried 2.x controllers).
 */
export const LOAD_BALANCER_CONTROLLER_CHART: HelmChartPin = {
  repository: 'https://aws.github.io/eks-charts',
  chart: 'aws-load-balancer-controller',
  version: '3.6.0',
};
export const LOAD_BALANCER_CONTROLLER_NAMESPACE = 'kube-system';
export const LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT = 'aws-load-balancer-controller';

/** The tag the controller puts on every load balancer, target group and security group it creates. */
const CLUSTER_TAG = 'elbv2.k8s.aws/cluster';

export interface LoadBalancerControllerValuesOptions {
  readonly clusterName: string;
  readonly region: string;
  readonly vpcId: string;
  readonly profile: AddonProfile;
  /** Create a ServiceMonitor (needs the Prometheus Operator CRDs). */
  readonly serviceMonitor: boolean;
}

/**
 * Region and VPC are given, not discovered: the nodes' IMDS hop limit is 1, so the controller's
 * pods cannot read them from instance metadata.
 */
export function loadBalancerControllerValues(o: LoadBalancerControllerValuesOptions): Record<string, unknown> {
  const podLabels = { 'app.kubernetes.io/name': 'aws-load-balancer-controller' };
  return {
    clusterName: o.clusterName,
    region: o.region,
    vpcId: o.vpcId,
    replicaCount: o.profile.replicas,
    serviceAccount: { create: true, name: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT },
    resources: resources('100m', '128Mi', '500m', '512Mi'),
    nodeSelector: { ...o.profile.nodeSelector },
    topologySpreadConstraints: spreadConstraints(o.profile, podLabels),
    podDisruptionBudget: o.profile.highAvailability ? { maxUnavailable: 1 } : {},
    // Only Services of type LoadBalancer that ask for it by annotation get an NLB from this
    // controller; Ingresses need class "alb".
    enableServiceMutatorWebhook: false,
    serviceMonitor: o.serviceMonitor ? { enabled: true, additionalLabels: { ...SERVICE_MONITOR_LABELS } } : { enabled: false },
  };
}

/**
 * The controller's published IAM policy (kubernetes-sigs/aws-load-balancer-controller
 * docs/install/iam_policy.json, the v2.14 to v3.x policy: IPAM pools, route tables, capacity
 * reservations, listener attributes), with two changes: ARNs carry the partition, and where the
 * published policy only asks that the `elbv2.k8s.aws/cluster` tag exists, this one asks that it
 * names this cluster, so that the role cannot modify or delete another cluster's load balancers
 * in the same account.
 */
export function loadBalancerControllerStatements(partition: string, clusterName: string): IamStatement[] {
  const elb = (resource: string) => `arn:${partition}:elasticloadbalancing:*:*:${resource}`;
  const ownedByThisCluster = { StringEquals: { [`aws:ResourceTag/${CLUSTER_TAG}`]: clusterName } };
  const balancersAndGroups = [elb('targetgroup/*/*'), elb('loadbalancer/net/*/*'), elb('loadbalancer/app/*/*')];
  return [
    {
      Sid: 'CreateElbServiceLinkedRole',
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole'],
      Resource: '*',
      Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
    },
    {
      Sid: 'Describe',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeAccountAttributes',
        'ec2:DescribeAddresses',
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeInternetGateways',
        'ec2:DescribeVpcs',
        'ec2:DescribeVpcPeeringConnections',
        'ec2:DescribeSubnets',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeInstances',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeTags',
        'ec2:GetCoipPoolUsage',
        'ec2:DescribeCoipPools',
        'ec2:GetSecurityGroupsForVpc',
        'ec2:DescribeIpamPools',
        'ec2:DescribeRouteTables',
        'elasticloadbalancing:DescribeLoadBalancers',
        'elasticloadbalancing:DescribeLoadBalancerAttributes',
        'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeListenerCertificates',
        'elasticloadbalancing:DescribeSSLPolicies',
        'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetGroupAttributes',
        'elasticloadbalancing:DescribeTargetHealth',
        'elasticloadbalancing:DescribeTags',
        'elasticloadbalancing:DescribeTrustStores',
        'elasticloadbalancing:DescribeListenerAttributes',
        'elasticloadbalancing:DescribeCapacityReservation',
      ],
      Resource: '*',
    },
    // Not only reads: an Ingress or Service may ask the controller to attach a WAF web ACL or
    // Shield protection to its load balancer. The published policy grants these on every resource.
    {
      Sid: 'ReadCertificatesAndFirewalls',
      Effect: 'Allow',
      Action: [
        'cognito-idp:DescribeUserPoolClient',
        'acm:ListCertificates',
        'acm:DescribeCertificate',
        'iam:ListServerCertificates',
        'iam:GetServerCertificate',
        'waf-regional:GetWebACL',
        'waf-regional:GetWebACLForResource',
        'waf-regional:AssociateWebACL',
        'waf-regional:DisassociateWebACL',
        'wafv2:GetWebACL',
        'wafv2:GetWebACLForResource',
        'wafv2:AssociateWebACL',
        'wafv2:DisassociateWebACL',
        'shield:GetSubscriptionState',
        'shield:DescribeProtection',
        'shield:CreateProtection',
        'shield:DeleteProtection',
      ],
      Resource: '*',
    },
    // The controller opens the node (or pod) security group to its load balancers' security group.
    { Sid: 'EditNodeSecurityGroupRules', Effect: 'Allow', Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'], Resource: '*' },
    { Sid: 'CreateSecurityGroup', Effect: 'Allow', Action: ['ec2:CreateSecurityGroup'], Resource: '*' },
    {
      Sid: 'TagNewSecurityGroup',
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: `arn:${partition}:ec2:*:*:security-group/*`,
      Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup', [`aws:RequestTag/${CLUSTER_TAG}`]: clusterName } },
    },
    {
      Sid: 'RetagOwnSecurityGroups',
      Effect: 'Allow',
      Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
      Resource: `arn:${partition}:ec2:*:*:security-group/*`,
      // The cluster tag itself cannot be changed: that would hand a group to another cluster.
      Condition: { Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'true' }, ...ownedByThisCluster },
    },
    {
      Sid: 'ManageOwnSecurityGroups',
      Effect: 'Allow',
      Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'ec2:DeleteSecurityGroup'],
      Resource: '*',
      Condition: ownedByThisCluster,
    },
    {
      Sid: 'CreateTaggedBalancers',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
      Resource: '*',
      Condition: { StringEquals: { [`aws:RequestTag/${CLUSTER_TAG}`]: clusterName } },
    },
    {
      Sid: 'ManageListenersAndRules',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:CreateListener', 'elasticloadbalancing:DeleteListener', 'elasticloadbalancing:CreateRule', 'elasticloadbalancing:DeleteRule'],
      Resource: '*',
    },
    {
      Sid: 'RetagOwnBalancers',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      Resource: balancersAndGroups,
      Condition: { Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'true' }, ...ownedByThisCluster },
    },
    {
      Sid: 'TagListenersAndRules',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      Resource: [elb('listener/net/*/*/*'), elb('listener/app/*/*/*'), elb('listener-rule/net/*/*/*'), elb('listener-rule/app/*/*/*')],
    },
    {
      Sid: 'ManageOwnBalancers',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:SetIpAddressType',
        'elasticloadbalancing:SetSecurityGroups',
        'elasticloadbalancing:SetSubnets',
        'elasticloadbalancing:DeleteLoadBalancer',
        'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes',
        'elasticloadbalancing:DeleteTargetGroup',
        'elasticloadbalancing:ModifyListenerAttributes',
        'elasticloadbalancing:ModifyCapacityReservation',
        'elasticloadbalancing:ModifyIpPools',
      ],
      Resource: '*',
      Condition: ownedByThisCluster,
    },
    {
      Sid: 'TagOnCreate',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags'],
      Resource: balancersAndGroups,
      Condition: {
        StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'], [`aws:RequestTag/${CLUSTER_TAG}`]: clusterName },
      },
    },
    { Sid: 'RegisterTargets', Effect: 'Allow', Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'], Resource: elb('targetgroup/*/*') },
    {
      Sid: 'ManageListenerSettings',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:SetWebAcl',
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:AddListenerCertificates',
        'elasticloadbalancing:RemoveListenerCertificates',
        'elasticloadbalancing:ModifyRule',
        'elasticloadbalancing:SetRulePriorities',
      ],
      Resource: '*',
    },
  ];
}
