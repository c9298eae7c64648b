import { planNatGateways, subnetTags } from '../../lib/aws/network-layout';

describe('subnetTags', () => {
  test('public subnets: internet-facing load balancers and the cluster', () => {
    expect(subnetTags('public', 'modelserve-prod')).toEqual({
      'modelserve.io/subnet-tier': 'public',
      'kubernetes.io/role/elb': '1',
      'kubernetes.io/cluster/modelserve-prod': 'shared',
    });
  });

  test("private subnets: internal load balancers, the cluster, and Karpenter's discovery (nodes go there only)", () => {
    expect(subnetTags('private', 'modelserve-prod')).toEqual({
      'modelserve.io/subnet-tier': 'private',
      'kubernetes.io/role/internal-elb': '1',
      'kubernetes.io/cluster/modelserve-prod': 'shared',
      'karpenter.sh/discovery': 'modelserve-prod',
    });
  });

  test('database subnets: nothing that places resources by tag', () => {
    expect(subnetTags('database', 'modelserve-prod')).toEqual({ 'modelserve.io/subnet-tier': 'database' });
  });

  test('without a cluster name, only the load balancer roles', () => {
    expect(subnetTags('public', undefined)).toEqual({ 'modelserve.io/subnet-tier': 'public', 'kubernetes.io/role/elb': '1' });
    expect(subnetTags('private', undefined)).toEqual({ 'modelserve.io/subnet-tier': 'private', 'kubernetes.io/role/internal-elb': '1' });
  });
});

describe('planNatGateways', () => {
  test('one per AZ: each zone routes through its own, so losing a zone loses only its egress', () => {
    expect(planNatGateways('one-per-az', 3)).toEqual({ count: 3, ofZone: [0, 1, 2] });
  });

  test('single: one gateway in the first zone, which every zone routes through', () => {
    expect(planNatGateways('single', 3)).toEqual({ count: 1, ofZone: [0, 0, 0] });
    expect(planNatGateways('single', 2)).toEqual({ count: 1, ofZone: [0, 0] });
  });
});
