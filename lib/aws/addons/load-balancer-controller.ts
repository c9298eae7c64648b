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
    // WAF Classic (waf-regional): its writes are not in loadBalancerControllerStatements; WAFv2 is.
    enableWaf: false,
    serviceMonitor: o.serviceMonitor ? { enabled: true, additionalLabels: { ...SERVICE_MONITOR_LABELS } } : { enabled: false },
  };
}

/** Where the controller's role may act: this cluster's load balancers, in this VPC, account and region. */
export interface LoadBalancerControllerScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** The name the controller tags its resources with (`elbv2.k8s.aws/cluster`). */
  readonly clusterName: string;
  /** The VPC of the cluster: the only one whose security groups the controller may open. */
  readonly vpcId: string;
}

/**
 * The controller's IAM policy, from its published reference policy
 * (kubernetes-sigs/aws-load-balancer-controller docs/install/iam_policy.json, v2.14 to v3.x) and
 * scoped further, so that no write reaches a resource of another cluster:
 * - where the reference asks only that the `elbv2.k8s.aws/cluster` tag exists, this one asks that
 *   it names this cluster (`aws:ResourceTag` on what exists, `aws:RequestTag` on what is created);
 * - the writes the reference grants on `*` with no condition are conditioned too: listeners and
 *   rules by the same tag (the controller tags them: its ListenerRulesTagging feature, on by
 *   default), target registration by the target group's tag, the node security group's ingress by
 *   the VPC (`ec2:Vpc`), a new security group by the VPC and its tag, WAFv2 associations by this
 *   account's web ACLs and load balancers (the load balancer side is `elasticloadbalancing:SetWebAcl`,
 *   conditioned on the tag), Shield protections by this account;
 * - WAF Classic (`waf-regional`) is not granted: loadBalancerControllerValues turns it off.
 * Every write on `*` carries a condition; ARNs carry the partition.
 */
export function loadBalancerControllerStatements(o: LoadBalancerControllerScope): IamStatement[] {
  return [...discoveryStatements(), ...webProtectionStatements(o), ...securityGroupStatements(o), ...loadBalancerStatements(o)];
}

/** Conditions on the cluster tag: on what exists (`aws:ResourceTag`), and on what is being created (`aws:RequestTag`). */
function clusterTagConditions(o: LoadBalancerControllerScope) {
  return {
    ownedByThisCluster: { StringEquals: { [`aws:ResourceTag/${CLUSTER_TAG}`]: o.clusterName } },
    taggedForThisCluster: { StringEquals: { [`aws:RequestTag/${CLUSTER_TAG}`]: o.clusterName } },
  };
}

/** The service-linked role Elastic Load Balancing needs, and the reads the controller reconciles from. */
function discoveryStatements(): IamStatement[] {
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
    {
      Sid: 'ReadCertificatesAndFirewalls',
      Effect: 'Allow',
      Action: [
        'cognito-idp:DescribeUserPoolClient',
        'acm:ListCertificates',
        'acm:DescribeCertificate',
        'iam:ListServerCertificates',
        'iam:GetServerCertificate',
        'wafv2:GetWebACL',
        'wafv2:GetWebACLForResource',
        'shield:GetSubscriptionState',
        'shield:DescribeProtection',
      ],
      Resource: '*',
    },
  ];
}

/** WAFv2 web ACLs and Shield protections an Ingress asks for: this account's only. */
function webProtectionStatements(o: LoadBalancerControllerScope): IamStatement[] {
  return [
    // An Ingress may ask for a WAFv2 web ACL on its ALB: this account's ACLs and ALBs only; the
    // load balancer's side of the association (SetWebAcl) needs this cluster's tag below.
    {
      Sid: 'AssociateWebAclsOfThisAccount',
      Effect: 'Allow',
      Action: ['wafv2:AssociateWebACL', 'wafv2:DisassociateWebACL'],
      Resource: [`arn:${o.partition}:wafv2:${o.region}:${o.accountId}:regional/webacl/*/*`, `arn:${o.partition}:elasticloadbalancing:${o.region}:${o.accountId}:loadbalancer/app/*/*`],
    },
    {
      Sid: 'ShieldProtectionsOfThisAccount',
      Effect: 'Allow',
      Action: ['shield:CreateProtection', 'shield:DeleteProtection'],
      Resource: `arn:${o.partition}:shield::${o.accountId}:protection/*`,
    },
  ];
}

/**
 * Security groups: rules on the node group (untagged, made by EKS) in this VPC only; groups the
 * controller creates carry this cluster's tag, which only it may then change.
 */
function securityGroupStatements(o: LoadBalancerControllerScope): IamStatement[] {
  const { ownedByThisCluster, taggedForThisCluster } = clusterTagConditions(o);
  const securityGroups = `arn:${o.partition}:ec2:${o.region}:${o.accountId}:security-group/*`;
  const vpcArn = `arn:${o.partition}:ec2:${o.region}:${o.accountId}:vpc/${o.vpcId}`;
  return [
    // The controller opens the node (or pod) security group, which EKS made and the controller does
    // not tag, to its load balancers: only groups of this cluster's VPC.
    {
      Sid: 'EditSecurityGroupRulesInThisVpc',
      Effect: 'Allow',
      Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
      Resource: securityGroups,
      Condition: { ArnEquals: { 'ec2:Vpc': vpcArn } },
    },
    // CreateSecurityGroup is authorized on the VPC and on the new group, which the controller tags
    // in the same call.
    { Sid: 'CreateSecurityGroupInThisVpc', Effect: 'Allow', Action: ['ec2:CreateSecurityGroup'], Resource: [vpcArn, securityGroups], Condition: taggedForThisCluster },
    {
      Sid: 'TagNewSecurityGroup',
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: securityGroups,
      Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup', [`aws:RequestTag/${CLUSTER_TAG}`]: o.clusterName } },
    },
    {
      Sid: 'RetagOwnSecurityGroups',
      Effect: 'Allow',
      Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
      Resource: securityGroups,
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
  ];
}

/** Load balancers, target groups, listeners and rules: created with this cluster's tag, then changed only while they carry it. */
function loadBalancerStatements(o: LoadBalancerControllerScope): IamStatement[] {
  const { ownedByThisCluster, taggedForThisCluster } = clusterTagConditions(o);
  const elb = (resource: string) => `arn:${o.partition}:elasticloadbalancing:*:*:${resource}`;
  const balancersAndGroups = [elb('targetgroup/*/*'), elb('loadbalancer/net/*/*'), elb('loadbalancer/app/*/*')];
  const listenersAndRules = [elb('listener/net/*/*/*'), elb('listener/app/*/*/*'), elb('listener-rule/net/*/*/*'), elb('listener-rule/app/*/*/*')];
  return [
    {
      Sid: 'CreateTaggedBalancersListenersAndRules',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup', 'elasticloadbalancing:CreateListener', 'elasticloadbalancing:CreateRule'],
      Resource: '*',
      Condition: taggedForThisCluster,
    },
    {
      Sid: 'TagOnCreate',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags'],
      Resource: [...balancersAndGroups, ...listenersAndRules],
      Condition: {
        StringEquals: {
          'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer', 'CreateListener', 'CreateRule'],
          [`aws:RequestTag/${CLUSTER_TAG}`]: o.clusterName,
        },
      },
    },
    {
      Sid: 'RetagOwnBalancersListenersAndRules',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      Resource: [...balancersAndGroups, ...listenersAndRules],
      Condition: { Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'true' }, ...ownedByThisCluster },
    },
    {
      Sid: 'ManageOwnBalancersListenersAndRules',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:SetIpAddressType',
        'elasticloadbalancing:SetSecurityGroups',
        'elasticloadbalancing:SetSubnets',
        'elasticloadbalancing:SetWebAcl',
        'elasticloadbalancing:DeleteLoadBalancer',
        'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes',
        'elasticloadbalancing:DeleteTargetGroup',
        'elasticloadbalancing:RegisterTargets',
        'elasticloadbalancing:DeregisterTargets',
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:ModifyListenerAttributes',
        'elasticloadbalancing:AddListenerCertificates',
        'elasticloadbalancing:RemoveListenerCertificates',
        'elasticloadbalancing:DeleteListener',
        'elasticloadbalancing:ModifyRule',
        'elasticloadbalancing:SetRulePriorities',
        'elasticloadbalancing:DeleteRule',
        'elasticloadbalancing:ModifyCapacityReservation',
        'elasticloadbalancing:ModifyIpPools',
      ],
      Resource: '*',
      Condition: ownedByThisCluster,
    },
  ];
}
