import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack, Testing } from 'cdktf';
import { Network, NetworkProps } from '../../lib/aws/network';
import { expectRejectedBeforeSynth } from '../support/aws-stack';

type Synth = { resource: Record<string, Record<string, Record<string, unknown>>>; data?: Record<string, Record<string, unknown>> };

function synth(props: NetworkProps): Synth {
  const stack = new TerraformStack(Testing.app(), 'test');
  new Network(stack, 'net', props);
  return JSON.parse(Testing.synth(stack));
}
const resources = (out: Synth, type: string) => Object.values(out.resource[type] ?? {});

const expectRejected = (props: NetworkProps, message: string | RegExp): void => expectRejectedBeforeSynth((stack) => new Network(stack, 'net', props), message);

/** A stack whose AWS provider names its region, as ModelServePlatform({ region }) makes it. */
function regionStack(region: string) {
  return (app: App): TerraformStack => {
    const stack = new TerraformStack(app, 'test');
    new AwsProvider(stack, 'aws', { region });
    return stack;
  };
}
const expectRejectedIn = (region: string, props: NetworkProps, message: string | RegExp): void =>
  expectRejectedBeforeSynth((stack) => new Network(stack, 'net', props), message, { stack: regionStack(region) });
function synthIn(region: string, props: NetworkProps): Synth {
  const stack = regionStack(region)(Testing.app());
  new Network(stack, 'net', props);
  return JSON.parse(Testing.synth(stack));
}

describe('Network defaults', () => {
  const production = synth({ environment: 'production', clusterName: 'modelserve' });
  const development = synth({ environment: 'development' });

  test('a 10.0.0.0/16 VPC with DNS on', () => {
    expect(resources(production, 'aws_vpc')).toEqual([expect.objectContaining({ cidr_block: '10.0.0.0/16', enable_dns_hostnames: true, enable_dns_support: true })]);
  });

  test('production spans 3 AZs with 3 NAT gateways; development 2 AZs and 1 NAT gateway', () => {
    expect(resources(production, 'aws_subnet')).toHaveLength(9);
    expect(resources(production, 'aws_nat_gateway')).toHaveLength(3);
    expect(resources(development, 'aws_subnet')).toHaveLength(6);
    expect(resources(development, 'aws_nat_gateway')).toHaveLength(1);
  });

  test('no subnet maps public IPs on launch', () => {
    for (const subnet of resources(production, 'aws_subnet')) expect(subnet.map_public_ip_on_launch).toBe(false);
  });

  test('load balancer and cluster tags on public and private subnets, none on database subnets', () => {
    const byTier = (tier: string) => resources(production, 'aws_subnet').filter((s) => (s.tags as Record<string, string>)['modelserve.io/subnet-tier'] === tier);
    for (const s of byTier('public')) expect(s.tags).toMatchObject({ 'kubernetes.io/role/elb': '1', 'kubernetes.io/cluster/modelserve': 'shared' });
    for (const s of byTier('private')) expect(s.tags).toMatchObject({ 'kubernetes.io/role/internal-elb': '1', 'kubernetes.io/cluster/modelserve': 'shared' });
    for (const s of byTier('database')) expect(Object.keys(s.tags as object).filter((k) => k.startsWith('kubernetes.io'))).toEqual([]);
    expect(byTier('private').map((s) => s.cidr_block)).toEqual(['10.0.0.0/19', '10.0.32.0/19', '10.0.64.0/19']);
  });

  test('AZs come from a lookup of zones that need no opt-in', () => {
    expect(Object.values(production.data?.aws_availability_zones ?? {})).toEqual([
      expect.objectContaining({ state: 'available', filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }] }),
    ]);
  });

  test('only the public route table reaches the internet gateway; database subnets have no default route', () => {
    const routes = resources(production, 'aws_route');
    expect(routes.filter((r) => r.gateway_id)).toHaveLength(1);
    expect(routes.filter((r) => r.nat_gateway_id)).toHaveLength(3);
    expect(resources(production, 'aws_route_table')).toHaveLength(5);
  });

  test('the default security group has no rules', () => {
    const [group] = resources(production, 'aws_default_security_group');
    expect(group.ingress).toBeUndefined();
    expect(group.egress).toBeUndefined();
  });

  test('an S3 gateway endpoint and, unless asked, no interface endpoints', () => {
    const endpoints = resources(production, 'aws_vpc_endpoint');
    expect(endpoints).toEqual([expect.objectContaining({ vpc_endpoint_type: 'Gateway', service_name: expect.stringMatching(/\.s3$/) })]);
  });

  test('flow logs of all traffic to a KMS-encrypted log group with the preset retention', () => {
    expect(resources(production, 'aws_flow_log')).toEqual([expect.objectContaining({ traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs' })]);
    const [group] = resources(production, 'aws_cloudwatch_log_group');
    expect(group).toMatchObject({ name: '/aws/vpc/net/flow-logs', retention_in_days: 90, kms_key_id: expect.stringContaining('aws_kms_key') });
    expect(resources(development, 'aws_cloudwatch_log_group')[0].retention_in_days).toBe(7);
    expect(resources(production, 'aws_kms_key')[0]).toMatchObject({ enable_key_rotation: true });
  });

  test('the flow-log role may write to its log group only', () => {
    const [policy] = resources(production, 'aws_iam_role_policy');
    const statement = JSON.parse(policy.policy as string).Statement[0];
    expect(statement.Resource).toEqual([expect.stringContaining('aws_cloudwatch_log_group.net_flow-log-group_'), expect.stringMatching(/:\*$/)]);
    expect(statement.Resource).not.toContain('*');
  });
});

describe('Network overrides', () => {
  test('interface endpoints admit HTTPS from the VPC CIDR only', () => {
    const out = synth({ environment: 'staging', cidr: '10.20.0.0/16', interfaceEndpoints: ['ecr.api', 'ecr.dkr', 'sts', 'logs'] });
    const interfaces = resources(out, 'aws_vpc_endpoint').filter((e) => e.vpc_endpoint_type === 'Interface');
    expect(interfaces.map((e) => (e.service_name as string).split('}.')[1]).sort()).toEqual(['ecr.api', 'ecr.dkr', 'logs', 'sts']);
    for (const e of interfaces) expect(e.private_dns_enabled).toBe(true);
    expect(resources(out, 'aws_vpc_security_group_ingress_rule')).toEqual([
      expect.objectContaining({ from_port: 443, to_port: 443, ip_protocol: 'tcp', cidr_ipv4: '10.20.0.0/16' }),
    ]);
  });

  test('explicit zones, NAT layout and subnets', () => {
    const out = synth({
      environment: 'development',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      natGateways: 'one-per-az',
      mapPublicIpOnLaunch: true,
      cidr: '172.16.0.0/20',
      publicSubnetCidrs: ['172.16.12.0/24', '172.16.13.0/24'],
    });
    expect(out.data?.aws_availability_zones).toBeUndefined();
    expect(resources(out, 'aws_nat_gateway')).toHaveLength(2);
    const subnets = resources(out, 'aws_subnet');
    expect(subnets.filter((s) => s.map_public_ip_on_launch)).toHaveLength(2);
    expect(subnets.map((s) => s.availability_zone)).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1a', 'eu-west-1b', 'eu-west-1a', 'eu-west-1b']);
    expect(subnets.map((s) => s.cidr_block)).toContain('172.16.13.0/24');
  });
});

// EKS refuses cluster subnets in some zones, by AZ ID: use1-az3 (us-east-1), usw1-az2 (us-west-1)
// and cac1-az3 (ca-central-1), with UnsupportedAvailabilityZoneException.
// https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html#cluster-subnets
// Zone names map to different zones per account; AZ IDs do not:
// https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html
describe('Network zones by AZ ID', () => {
  test('the default lookup leaves out the zones EKS refuses and fails the plan when too few remain', () => {
    const out = synth({ environment: 'production' });
    const [lookup] = Object.values(out.data?.aws_availability_zones ?? {}) as Record<string, any>[];
    expect(lookup.exclude_zone_ids).toEqual(['use1-az3', 'usw1-az2', 'cac1-az3']);
    expect(lookup.lifecycle.postcondition).toEqual([expect.objectContaining({ condition: '${length(self.zone_ids) >= 3}' })]);
    const subnets = resources(out, 'aws_subnet');
    expect(subnets.map((s) => s.availability_zone_id)).toEqual(
      Array.from({ length: 9 }, (_, i) => expect.stringMatching(new RegExp(`^\\$\\{element\\(data\\.aws_availability_zones\\.net_zones_\\w+\\.zone_ids, ${i % 3}\\)\\}$`))),
    );
    expect(subnets.every((s) => s.availability_zone === undefined)).toBe(true);
  });

  test('zones given by id are used as given, checked against the region', () => {
    const out = synthIn('us-east-1', { environment: 'production', availabilityZoneIds: ['use1-az1', 'use1-az2', 'use1-az4'] });
    expect(out.data?.aws_availability_zones).toBeUndefined();
    expect(resources(out, 'aws_subnet').map((s) => s.availability_zone_id)).toEqual(['use1-az1', 'use1-az2', 'use1-az4', 'use1-az1', 'use1-az2', 'use1-az4', 'use1-az1', 'use1-az2', 'use1-az4']);
  });

  test('a zone EKS refuses, whether or not the region is known', () => {
    expectRejectedIn(
      'us-east-1',
      { environment: 'production', availabilityZoneIds: ['use1-az1', 'use1-az3', 'use1-az4'] },
      'test/net: availabilityZoneIds[1] ("use1-az3") is a zone where EKS refuses cluster subnets there (UnsupportedAvailabilityZoneException, https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html); use one of use1-az1, use1-az2, use1-az4, use1-az5, use1-az6',
    );
    expectRejected({ environment: 'development', availabilityZoneIds: ['cac1-az1', 'cac1-az3'] }, /^test\/net: availabilityZoneIds\[1\] \("cac1-az3"\) is a zone where EKS refuses cluster subnets there .*; pick another zone of the region$/);
  });

  test('a zone of another region, by id or by name', () => {
    expectRejectedIn('us-east-1', { environment: 'development', availabilityZoneIds: ['use1-az1', 'usw2-az1'] }, 'test/net: availabilityZoneIds[1] ("usw2-az1") is not a zone of us-east-1; use one of use1-az1, use1-az2, use1-az4, use1-az5, use1-az6');
    expectRejectedIn('us-east-1', { environment: 'development', availabilityZones: ['us-east-1a', 'eu-west-1b'] }, 'test/net: availabilityZones[1] ("eu-west-1b") is not a zone of us-east-1, the stack\'s region; use a zone of us-east-1, preferably by id (availabilityZoneIds)');
  });

  test('a region without enough zones where EKS accepts subnets: us-west-1 has two', () => {
    expectRejectedIn('us-west-1', { environment: 'production' }, 'test/net: availabilityZoneCount (3) asks for more zones than us-west-1 has where EKS accepts cluster subnets (usw1-az1, usw1-az3); use 2 zones, or a region with more');
    expect(resources(synthIn('us-west-1', { environment: 'development' }), 'aws_subnet')).toHaveLength(6);
  });

  test('zones given twice over, or an id that is not an AZ ID', () => {
    expectRejected({ environment: 'development', availabilityZoneIds: ['use1-az1', 'use1-az2'], availabilityZones: ['us-east-1a', 'us-east-1b'] }, /^test\/net: availabilityZoneIds \(\["use1-az1","use1-az2"\]\) is given together with availabilityZones; give the zones once, by id/);
    expectRejected({ environment: 'development', availabilityZoneIds: ['use1-az1', 'us-east-1b'] }, /availabilityZoneIds\[1\] \("us-east-1b"\) is not an availability zone id; use an AZ ID such as use1-az1/);
  });
});

describe('Network rejects bad input before writing anything', () => {
  test('a CIDR that is not IPv4', () => {
    expectRejected({ environment: 'development', cidr: '10.0.0/16' }, 'test/net: cidr ("10.0.0/16") is not a valid IPv4 CIDR; write it as a.b.c.d/prefix with octets 0-255 and a prefix up to 32, e.g. 10.0.0.0/16');
  });

  test('a CIDR with host bits set', () => {
    expectRejected({ environment: 'development', cidr: '10.0.1.0/16' }, 'test/net: cidr ("10.0.1.0/16") has host bits set, so it is not a network address; use 10.0.0.0/16');
  });

  test('a VPC too small to carve', () => {
    expectRejected({ environment: 'development', cidr: '10.0.0.0/24' }, 'test/net: cidr ("10.0.0.0/24") must have a prefix from /16 to /22 to carve public, private and database subnets from it; use a larger range such as 10.0.0.0/16, or give all three subnet CIDR lists');
  });

  test('a VPC larger than AWS allows', () => {
    expectRejected({ environment: 'development', cidr: '10.0.0.0/8' }, 'test/net: cidr ("10.0.0.0/8") is larger than the /16 AWS allows for a VPC; use a /16 such as 10.0.0.0/16');
  });

  test('a subnet outside the VPC', () => {
    expectRejected({ environment: 'development', privateSubnetCidrs: ['10.0.0.0/19', '10.1.0.0/19'] }, 'test/net: privateSubnetCidrs[1] ("10.1.0.0/19") is outside the VPC\'s 10.0.0.0/16; pick a range inside 10.0.0.0/16');
  });

  test('overlapping subnets', () => {
    expectRejected({ environment: 'development', publicSubnetCidrs: ['10.0.0.0/24', '10.0.1.0/24'] }, 'test/net: privateSubnetCidrs[0] ("10.0.0.0/19") overlaps publicSubnetCidrs[0] ("10.0.0.0/24"); move publicSubnetCidrs[0], or set privateSubnetCidrs too (the default carve put it there)');
  });

  test('one subnet CIDR per zone', () => {
    expectRejected({ environment: 'development', databaseSubnetCidrs: ['10.0.224.0/22'] }, 'test/net: databaseSubnetCidrs (["10.0.224.0/22"]) has 1 entries for 2 availability zones; give one CIDR per zone (2)');
  });

  test('production in two zones', () => {
    expectRejected({ environment: 'production', availabilityZoneCount: 2 }, 'test/net: availabilityZoneCount (2) gives production fewer than 3 availability zones, so losing one zone loses half the capacity and quorum; use 3 or more zones');
    expectRejected({ environment: 'production', availabilityZones: ['us-east-1a', 'us-east-1b'] }, 'test/net: availabilityZones (["us-east-1a","us-east-1b"]) gives production fewer than 3 availability zones, so losing one zone loses half the capacity and quorum; use 3 or more zones');
  });

  test('one zone, which EKS refuses', () => {
    expectRejected({ environment: 'development', availabilityZoneCount: 1 }, 'test/net: availabilityZoneCount (1) must be a whole number from 2 to 6; use 2 to 6 zones: EKS needs two, the subnet plan has room for 6');
  });

  test('a zone listed twice', () => {
    expectRejected({ environment: 'development', availabilityZones: ['us-east-1a', 'us-east-1a'] }, 'test/net: availabilityZones (["us-east-1a","us-east-1a"]) lists a zone twice; list each zone once');
  });

  test('a name too long for the IAM role derived from it', () => {
    const name = 'n'.repeat(51);
    expectRejected({ environment: 'development', name }, `test/net: name ("${name}") is longer than 50 characters, so the flow-log role name "<name>-vpc-flow-logs" would pass IAM's 64; shorten it to 50 characters or fewer`);
  });

  test('a flow-log retention CloudWatch does not offer', () => {
    expectRejected({ environment: 'development', flowLogRetentionDays: 100 }, /^test\/net: flowLogRetentionDays \(100\) is not a retention CloudWatch Logs accepts; use one of 1, 3, 5, 7, 14, 30, 60, 90,/);
  });
});
