import { loadBalancerControllerStatements, loadBalancerControllerValues } from '../../../lib/aws/addons/load-balancer-controller';
import { addonProfile } from '../../../lib/aws/addons/addon-profile';
import { IamStatement } from '../../../lib/aws/addons/iam-statement';

const scope = { partition: 'aws', region: 'us-east-1', accountId: '123456789012', clusterName: 'modelserve-prod', vpcId: 'vpc-0123456789abcdef0' };
const statements = loadBalancerControllerStatements(scope);
const bySid = (sid: string): IamStatement => statements.find((s) => s.Sid === sid) as IamStatement;
const grantedOn = (action: string) => statements.filter((s) => s.Action.includes(action));

/**
 * The write actions of the controller's reference policy, kubernetes-sigs/aws-load-balancer-controller
 * docs/install/iam_policy.json (v2.14 to v3.x, commit 225f44568848eb25f13e304a5f1cc68c0cd9415d),
 * less WAF Classic (waf-regional), which the values turn off. The controller calls each of them;
 * a missing one breaks a reconcile.
 */
const REFERENCE_WRITES = [
  'iam:CreateServiceLinkedRole',
  'wafv2:AssociateWebACL', 'wafv2:DisassociateWebACL',
  'shield:CreateProtection', 'shield:DeleteProtection',
  'ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'ec2:CreateSecurityGroup', 'ec2:CreateTags', 'ec2:DeleteTags', 'ec2:DeleteSecurityGroup',
  'elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup', 'elasticloadbalancing:CreateListener', 'elasticloadbalancing:DeleteListener',
  'elasticloadbalancing:CreateRule', 'elasticloadbalancing:DeleteRule', 'elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags',
  'elasticloadbalancing:ModifyLoadBalancerAttributes', 'elasticloadbalancing:SetIpAddressType', 'elasticloadbalancing:SetSecurityGroups', 'elasticloadbalancing:SetSubnets',
  'elasticloadbalancing:DeleteLoadBalancer', 'elasticloadbalancing:ModifyTargetGroup', 'elasticloadbalancing:ModifyTargetGroupAttributes', 'elasticloadbalancing:DeleteTargetGroup',
  'elasticloadbalancing:ModifyListenerAttributes', 'elasticloadbalancing:ModifyCapacityReservation', 'elasticloadbalancing:ModifyIpPools',
  'elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets', 'elasticloadbalancing:SetWebAcl', 'elasticloadbalancing:ModifyListener',
  'elasticloadbalancing:AddListenerCertificates', 'elasticloadbalancing:RemoveListenerCertificates', 'elasticloadbalancing:ModifyRule', 'elasticloadbalancing:SetRulePriorities',
];
const isRead = (action: string) => /^[a-z0-9-]+:(Describe|Get|List)/.test(action);
const onEveryResource = (s: IamStatement) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*'));

describe('load balancer controller IAM', () => {
  // Least privilege as IAM states it: a write on every resource ("*") must be narrowed by a condition.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
  test('no write action on "*" without a condition', () => {
    for (const s of statements.filter(onEveryResource)) {
      const writes = s.Action.filter((a) => !isRead(a));
      expect({ sid: s.Sid, writes, condition: writes.length > 0 ? s.Condition !== undefined : true }).toEqual({ sid: s.Sid, writes, condition: true });
    }
  });

  test('every write of the reference policy is still granted, so the controller can reconcile', () => {
    for (const action of REFERENCE_WRITES) expect({ action, granted: grantedOn(action).length > 0 }).toEqual({ action, granted: true });
    expect(statements.flatMap((s) => s.Action).filter((a) => a.startsWith('waf-regional:'))).toEqual([]);
    expect(loadBalancerControllerValues({ clusterName: 'x', region: 'us-east-1', vpcId: scope.vpcId, profile: addonProfile('production'), serviceMonitor: false }).enableWaf).toBe(false);
  });

  // The controller tags what it creates with elbv2.k8s.aws/cluster = <cluster name>: load balancers,
  // target groups, security groups, and (ListenerRulesTagging, on by default) listeners and rules.
  test('whatever exists is touched only when tagged with this cluster, whatever is created only when tagged so', () => {
    expect(bySid('ManageOwnBalancersListenersAndRules')).toMatchObject({ Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'modelserve-prod' } } });
    for (const action of ['elasticloadbalancing:DeleteListener', 'elasticloadbalancing:ModifyRule', 'elasticloadbalancing:SetRulePriorities', 'elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:SetWebAcl']) {
      expect(bySid('ManageOwnBalancersListenersAndRules').Action).toContain(action);
    }
    expect(bySid('CreateTaggedBalancersListenersAndRules').Condition).toEqual({ StringEquals: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'modelserve-prod' } });
    expect(bySid('RetagOwnBalancersListenersAndRules').Condition).toEqual({
      Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'true' },
      StringEquals: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'modelserve-prod' },
    });
    expect(bySid('ManageOwnSecurityGroups').Condition).toEqual({ StringEquals: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'modelserve-prod' } });
  });

  // ec2:Vpc scopes security group actions to the groups of one VPC:
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html#amazonec2-ec2_Vpc
  test('the node security group is opened only in this cluster\'s VPC, and new groups are made only there', () => {
    const vpcArn = 'arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0123456789abcdef0';
    expect(bySid('EditSecurityGroupRulesInThisVpc')).toMatchObject({
      Resource: 'arn:aws:ec2:us-east-1:123456789012:security-group/*',
      Condition: { ArnEquals: { 'ec2:Vpc': vpcArn } },
    });
    expect(bySid('CreateSecurityGroupInThisVpc')).toMatchObject({ Resource: [vpcArn, 'arn:aws:ec2:us-east-1:123456789012:security-group/*'], Condition: { StringEquals: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'modelserve-prod' } } });
  });

  test('WAFv2 and Shield writes reach this account\'s web ACLs, load balancers and protections only', () => {
    expect(bySid('AssociateWebAclsOfThisAccount').Resource).toEqual([
      'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/*/*',
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/*/*',
    ]);
    expect(bySid('ShieldProtectionsOfThisAccount').Resource).toBe('arn:aws:shield::123456789012:protection/*');
  });
});
