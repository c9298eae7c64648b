import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { DNS_LABEL, DNS_LABEL_RULE, EnvironmentName, ENVIRONMENT_PRESETS, PropsValidator } from '../catalog';
import { validateEnvironment, validateTags } from './aws-names';
import { AwsContext, configuredRegion } from './aws-context';
import { NatGatewayLayout, planNatGateways, SubnetTier, subnetTags } from './network-layout';
import { planZones, ZonePlan, zoneOfSubnet } from './network-zones';
import { canonicalCidr, cidrContains, cidrsOverlap, formatCidr, Ipv4Cidr, MAX_PLANNED_VPC_PREFIX, planSubnets, toCidr } from '../catalog/cidr';
import { EncryptionKey } from './encryption-key';
import { IEncryptionKey } from './encryption-key-attributes';
import { validateEncryptionKeyProp } from './encryption-key-props';
import { ImportedNetwork } from './imported-network';
import { validateLogRetention } from './log-retention';
import { checkConstructProps } from '../catalog/props-check';
import { INetwork, NetworkAttributes } from './network-attributes';

/** AWS services the VPC can reach privately through interface endpoints. */
export const INTERFACE_ENDPOINT_SERVICES = ['ecr.api', 'ecr.dkr', 'sts', 'logs'] as const;
export type InterfaceEndpointService = (typeof INTERFACE_ENDPOINT_SERVICES)[number];

/** IAM role names stop at 64 characters; `-vpc-flow-logs` takes 14. */
const MAX_NAME = 50;

export type { NatGatewayLayout } from './network-layout';

export interface NetworkProps {
  /** Environment preset the defaults come from. */
  readonly environment: EnvironmentName;
  /**
   * Prefix of the `Name` tags, the flow-log group and the KMS alias.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * IPv4 range of the VPC, /16 to /22 when subnets are carved from it (/28 when all are given).
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * Availability zones by AZ ID (`use1-az1`, the same zone in every account). Their number sets the
   * number of AZs. Checked at synth against the region's zones and the zones EKS refuses
   * (use1-az3, usw1-az2, cac1-az3) when the stack's provider names its region.
   * @default - the first `availabilityZoneCount` zones of the account that need no opt-in and where
   * EKS accepts cluster subnets, looked up at plan time
   */
  readonly availabilityZoneIds?: readonly string[];
  /**
   * Availability zones by name (`us-east-1a`) instead of by id. A name maps to a different zone in
   * each account, so a zone EKS refuses cannot be caught here: prefer availabilityZoneIds.
   * @default - see availabilityZoneIds
   */
  readonly availabilityZones?: readonly string[];
  /**
   * Number of availability zones, 2 to 6; production refuses fewer than 3.
   * @default - from the environment preset (2 in development, 3 in staging and production)
   */
  readonly availabilityZoneCount?: number;
  /**
   * One CIDR per AZ for public subnets (load balancers, NAT gateways).
   * @default - the seventh eighth of the VPC, split in eight: a /22 per AZ from a /16
   */
  readonly publicSubnetCidrs?: readonly string[];
  /**
   * One CIDR per AZ for private subnets (nodes and pods).
   * @default - one eighth of the VPC per AZ: a /19 per AZ from a /16
   */
  readonly privateSubnetCidrs?: readonly string[];
  /**
   * One CIDR per AZ for database subnets, which have no route to the internet.
   * @default - the last eighth of the VPC, split in eight: a /22 per AZ from a /16
   */
  readonly databaseSubnetCidrs?: readonly string[];
  /**
   * EKS cluster that will use the subnets: tags them `kubernetes.io/cluster/<name>=shared`.
   * @default - no cluster tag
   */
  readonly clusterName?: string;
  /**
   * NAT gateway layout.
   * @default - from the environment preset: one per AZ in production, a single one otherwise
   */
  readonly natGateways?: NatGatewayLayout;
  /**
   * Interface endpoints in the private subnets, reachable on 443 from the VPC only. Each costs
   * hourly per AZ; they keep image pulls and STS calls off the NAT gateways.
   * @default - none (the S3 gateway endpoint, which is free, is always created)
   */
  readonly interfaceEndpoints?: readonly InterfaceEndpointService[];
  /**
   * Give instances launched in public subnets a public IP. Nothing the platform runs needs one.
   * @default false
   */
  readonly mapPublicIpOnLaunch?: boolean;
  /**
   * Retention of the flow-log group, days.
   * @default - from the environment preset
   */
  readonly flowLogRetentionDays?: number;
  /**
   * KMS key for the flow-log group (`EncryptionKey.fromKeyArn` for a key that exists); its policy
   * must let `logs.<region>.amazonaws.com` use it.
   * @default - a new key with rotation on
   */
  readonly logEncryptionKey?: IEncryptionKey;
  /** @default - none beyond `Name` */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A VPC for an EKS platform: public, private and database subnets in each AZ, NAT egress, an S3
 * gateway endpoint, optional interface endpoints, a locked-down default security group and VPC
 * flow logs to an encrypted log group.
 */
export class Network extends Construct implements INetwork {
  /**
   * A VPC made elsewhere (another stack, other tooling), by its ids, checked at synth: nothing is
   * looked up or changed. What `ModelServePlatform`'s `network` takes for an existing VPC.
   */
  public static fromNetworkAttributes(scope: Construct, id: string, attributes: NetworkAttributes): INetwork {
    return ImportedNetwork.fromAttributes(scope, id, attributes);
  }

  public readonly vpcId: string;
  public readonly vpcCidr: string;
  public readonly publicSubnetIds: string[];
  public readonly privateSubnetIds: string[];
  public readonly databaseSubnetIds: string[];
  /** AZ names of the private subnets (known after apply). */
  public readonly availabilityZones: string[];
  /** AZ IDs of the private subnets (known after apply unless availabilityZoneIds were given). */
  public readonly availabilityZoneIds: string[];
  /** Route tables of the private subnets, one per AZ (for more gateway endpoints or peering). */
  public readonly privateRouteTableIds: string[];
  public readonly flowLogGroupName: string;

  private readonly resourceName: string;
  private readonly baseTags: Record<string, string>;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    checkConstructProps(Network, scope, id, props);
    super(scope, id);
    const plan = validateNetworkProps(this.node.path, this.node.id, props, configuredRegion(this));
    this.resourceName = props.name ?? this.node.id;
    this.baseTags = { ...props.tags };
    const name = this.resourceName;
    const aws = AwsContext.of(this);

    const vpc = new Vpc(this, 'vpc', {
      cidrBlock: plan.cidr,
      // EKS private endpoints and interface endpoints resolve only with both on.
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: this.tagged(`${name}-vpc`),
    });
    this.vpcId = vpc.id;
    this.vpcCidr = vpc.cidrBlock;
    // No rules: anything that needs traffic gets its own group, so nothing is open by accident.
    new DefaultSecurityGroup(this, 'default-security-group', { vpcId: vpc.id, tags: this.tagged(`${name}-default-do-not-use`) });

    const subnets = this.subnets(vpc, plan, props);
    this.publicSubnetIds = subnets.public.map((s) => s.id);
    this.privateSubnetIds = subnets.private.map((s) => s.id);
    this.databaseSubnetIds = subnets.database.map((s) => s.id);
    this.availabilityZones = subnets.private.map((s) => s.availabilityZone);
    this.availabilityZoneIds = subnets.private.map((s) => s.availabilityZoneId);

    const internetGateway = this.publicRoutes(vpc, subnets.public);
    const natGateways = this.natGateways(plan, subnets.public, internetGateway);
    const privateRouteTables = this.privateRoutes(vpc, subnets.private, natGateways, plan);
    this.privateRouteTableIds = privateRouteTables.map((t) => t.id);
    const databaseRoutes = this.databaseRoutes(vpc, subnets.database);

    // Model weights and images' layers come from S3: a gateway endpoint is free and skips the NAT.
    new VpcEndpoint(this, 's3-endpoint', {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${aws.region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: [...privateRouteTables.map((t) => t.id), databaseRoutes.id],
      tags: this.tagged(`${name}-s3`),
    });
    this.interfaceEndpoints(vpc, plan.cidr, props.interfaceEndpoints ?? []);
    this.flowLogGroupName = this.flowLogs(vpc, props);
  }

  private tagged(resourceName: string, extra: Record<string, string> = {}): Record<string, string> {
    return { ...this.baseTags, ...extra, Name: resourceName };
  }

  /** One subnet per zone and tier, tagged for what looks subnets up (subnetTags). */
  private subnets(vpc: Vpc, plan: NetworkPlan, props: NetworkProps): Record<SubnetTier, Subnet[]> {
    const zoneOf = zoneOfSubnet(this, plan.zones);
    const zones = Array.from({ length: plan.azCount }, (_, i) => i);
    const subnet = (tier: SubnetTier, i: number, mapPublicIp = false) =>
      new Subnet(this, `${tier}-subnet-${i}`, {
        vpcId: vpc.id,
        cidrBlock: plan[tier][i],
        ...zoneOf(i),
        mapPublicIpOnLaunch: mapPublicIp,
        tags: this.tagged(`${this.resourceName}-${tier}-${i}`, subnetTags(tier, props.clusterName)),
      });
    return {
      public: zones.map((i) => subnet('public', i, props.mapPublicIpOnLaunch ?? false)),
      private: zones.map((i) => subnet('private', i)),
      database: zones.map((i) => subnet('database', i)),
    };
  }

  /** The public subnets' one route table, to the internet gateway (returned: the NAT gateways need it). */
  private publicRoutes(vpc: Vpc, publicSubnets: Subnet[]): InternetGateway {
    const name = this.resourceName;
    const igw = new InternetGateway(this, 'internet-gateway', { vpcId: vpc.id, tags: this.tagged(`${name}-igw`) });
    const publicRoutes = new RouteTable(this, 'public-routes', { vpcId: vpc.id, tags: this.tagged(`${name}-public`) });
    new Route(this, 'public-default-route', { routeTableId: publicRoutes.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id });
    publicSubnets.forEach((s, i) => new RouteTableAssociation(this, `public-routes-${i}`, { subnetId: s.id, routeTableId: publicRoutes.id }));
    return igw;
  }

  private natGateways(plan: NetworkPlan, publicSubnets: Subnet[], igw: InternetGateway): NatGateway[] {
    const name = this.resourceName;
    return Array.from({ length: planNatGateways(plan.natGateways, plan.azCount).count }, (_, i) => {
      const eip = new Eip(this, `nat-ip-${i}`, { domain: 'vpc', tags: this.tagged(`${name}-nat-${i}`) });
      return new NatGateway(this, `nat-gateway-${i}`, {
        allocationId: eip.allocationId,
        subnetId: publicSubnets[i].id,
        tags: this.tagged(`${name}-nat-${i}`),
        // A NAT gateway in a subnet without an internet route fails to come up.
        dependsOn: [igw],
      });
    });
  }

  /** A route table per private subnet, to its zone's NAT gateway (planNatGateways). */
  private privateRoutes(vpc: Vpc, privateSubnets: Subnet[], nats: NatGateway[], plan: NetworkPlan): RouteTable[] {
    const natOfZone = planNatGateways(plan.natGateways, plan.azCount).ofZone;
    return privateSubnets.map((s, i) => {
      const table = new RouteTable(this, `private-routes-${i}`, { vpcId: vpc.id, tags: this.tagged(`${this.resourceName}-private-${i}`) });
      new Route(this, `private-default-route-${i}`, { routeTableId: table.id, destinationCidrBlock: '0.0.0.0/0', natGatewayId: nats[natOfZone[i]].id });
      new RouteTableAssociation(this, `private-routes-assoc-${i}`, { subnetId: s.id, routeTableId: table.id });
      return table;
    });
  }

  /** Databases answer the cluster; they never start a connection to the internet: no default route. */
  private databaseRoutes(vpc: Vpc, databaseSubnets: Subnet[]): RouteTable {
    const databaseRoutes = new RouteTable(this, 'database-routes', { vpcId: vpc.id, tags: this.tagged(`${this.resourceName}-database`) });
    databaseSubnets.forEach((s, i) => new RouteTableAssociation(this, `database-routes-${i}`, { subnetId: s.id, routeTableId: databaseRoutes.id }));
    return databaseRoutes;
  }

  /** Interface endpoints in the private subnets, behind a group that admits HTTPS from the VPC. */
  private interfaceEndpoints(vpc: Vpc, vpcCidr: string, endpoints: readonly InterfaceEndpointService[]): void {
    if (endpoints.length === 0) return;
    const name = this.resourceName;
    const aws = AwsContext.of(this);
    const endpointGroup = new SecurityGroup(this, 'endpoint-security-group', {
      vpcId: vpc.id,
      name: `${name}-vpc-endpoints`,
      description: 'HTTPS from inside the VPC to AWS interface endpoints',
      tags: this.tagged(`${name}-vpc-endpoints`),
    });
    new VpcSecurityGroupIngressRule(this, 'endpoint-https-from-vpc', {
      securityGroupId: endpointGroup.id,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: vpcCidr,
      description: 'HTTPS from the VPC',
    });
    for (const service of endpoints) {
      new VpcEndpoint(this, `${service.replace('.', '-')}-endpoint`, {
        vpcId: vpc.id,
        serviceName: `com.amazonaws.${aws.region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: this.privateSubnetIds,
        securityGroupIds: [endpointGroup.id],
        tags: this.tagged(`${name}-${service}`),
      });
    }
  }

  /** Flow logs of all traffic to an encrypted log group, through a role only this account's flow logs may assume; returns the group's name. */
  private flowLogs(vpc: Vpc, props: NetworkProps): string {
    const name = this.resourceName;
    const aws = AwsContext.of(this);
    const logKey = props.logEncryptionKey ?? new EncryptionKey(this, 'flow-log-key', {
      description: `${name} VPC flow logs`,
      alias: `${name}-flow-logs`,
      servicePrincipals: [`logs.${aws.region}.${aws.dnsSuffix}`],
      tags: this.baseTags,
    });
    const logGroup = new CloudwatchLogGroup(this, 'flow-log-group', {
      name: `/aws/vpc/${name}/flow-logs`,
      retentionInDays: props.flowLogRetentionDays ?? ENVIRONMENT_PRESETS[props.environment].logRetentionDays,
      kmsKeyId: logKey.keyArn,
      tags: this.tagged(`${name}-flow-logs`),
    });
    const flowLogRole = new IamRole(this, 'flow-log-role', {
      name: `${name}-vpc-flow-logs`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
          Action: 'sts:AssumeRole',
          // Confused deputy: only this account's flow logs may use the role.
          Condition: { StringEquals: { 'aws:SourceAccount': aws.accountId } },
        }],
      }),
      tags: this.tagged(`${name}-vpc-flow-logs`),
    });
    new IamRolePolicy(this, 'flow-log-policy', {
      role: flowLogRole.name,
      name: 'write-flow-log-group',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams'],
          Resource: [logGroup.arn, `${logGroup.arn}:*`],
        }],
      }),
    });
    new FlowLog(this, 'flow-log', {
      vpcId: vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: logGroup.arn,
      iamRoleArn: flowLogRole.arn,
      tags: this.tagged(`${name}-flow-log`),
    });
    return logGroup.name;
  }
}

interface NetworkPlan {
  readonly cidr: string;
  readonly azCount: number;
  readonly zones: ZonePlan;
  readonly natGateways: NatGatewayLayout;
  readonly public: readonly string[];
  readonly private: readonly string[];
  readonly database: readonly string[];
}

/** Checks every prop and resolves the subnet plan, before any resource exists. */
function validateNetworkProps(path: string, id: string, props: NetworkProps, region: string | undefined): NetworkPlan {
  const check: PropsValidator = new PropsValidator(path);
  validateEnvironment(check, props.environment);
  validateTags(check, 'tags', props.tags);
  const preset = ENVIRONMENT_PRESETS[props.environment];
  check.matches('name', props.name ?? id, DNS_LABEL, DNS_LABEL_RULE);
  check.that((props.name ?? id).length <= MAX_NAME, 'name', props.name ?? id, `is longer than ${MAX_NAME} characters, so the flow-log role name "<name>-vpc-flow-logs" would pass IAM's 64`, `shorten it to ${MAX_NAME} characters or fewer`);

  const cidrText = props.cidr ?? '10.0.0.0/16';
  const vpc = parseCidrProp(check, 'cidr', cidrText);
  const allGiven = props.publicSubnetCidrs && props.privateSubnetCidrs && props.databaseSubnetCidrs;
  check.that(vpc.prefix >= 16, 'cidr', cidrText, 'is larger than the /16 AWS allows for a VPC', `use a /16 such as ${formatCidr({ network: vpc.network, prefix: 16 })}`);
  if (allGiven) {
    check.that(vpc.prefix <= 28, 'cidr', cidrText, 'is smaller than the /28 AWS allows for a VPC', 'use a prefix from /16 to /28');
  } else {
    check.that(
      vpc.prefix <= MAX_PLANNED_VPC_PREFIX,
      'cidr',
      cidrText,
      `must have a prefix from /16 to /${MAX_PLANNED_VPC_PREFIX} to carve public, private and database subnets from it`,
      'use a larger range such as 10.0.0.0/16, or give all three subnet CIDR lists',
    );
  }

  const zones = planZones(check, props, preset, region);
  const azCount = zones.azCount;

  check.oneOf('natGateways', props.natGateways, ['single', 'one-per-az'] as const);
  (props.interfaceEndpoints ?? []).forEach((s, i) => check.oneOf(`interfaceEndpoints[${i}]`, s, INTERFACE_ENDPOINT_SERVICES));
  check.that(new Set(props.interfaceEndpoints ?? []).size === (props.interfaceEndpoints ?? []).length, 'interfaceEndpoints', props.interfaceEndpoints, 'lists a service twice', 'list each service once');
  validateLogRetention(check, 'flowLogRetentionDays', props.flowLogRetentionDays);
  validateEncryptionKeyProp(check, 'logEncryptionKey', props.logEncryptionKey);
  if (props.clusterName !== undefined && !Token.isUnresolved(props.clusterName)) {
    check.that(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(props.clusterName), 'clusterName', props.clusterName, 'is not a valid EKS cluster name', 'use letters, digits, "-" and "_", starting with a letter or digit, at most 100 characters');
  }

  const carved = planSubnets(vpc.prefix <= MAX_PLANNED_VPC_PREFIX ? vpc : { network: 0, prefix: 16 }, azCount);
  const tiers = (['public', 'private', 'database'] as const).map((tier) => {
    const field = `${tier}SubnetCidrs`;
    const list = props[`${tier}SubnetCidrs`];
    if (list === undefined) return { tier, field, cidrs: carved[tier] };
    check.that(list.length === azCount, field, list, `has ${list.length} entries for ${azCount} availability zones`, `give one CIDR per zone (${azCount})`);
    list.forEach((c, i) => {
      const subnet = parseCidrProp(check, `${field}[${i}]`, c);
      check.that(subnet.prefix >= 16 && subnet.prefix <= 28, `${field}[${i}]`, c, 'must have a prefix from /16 to /28 (what AWS allows for a subnet)', 'use a prefix from /16 to /28');
      check.that(cidrContains(vpc, subnet), `${field}[${i}]`, c, `is outside the VPC's ${formatCidr(vpc)}`, `pick a range inside ${formatCidr(vpc)}`);
    });
    return { tier, field, cidrs: [...list] };
  });

  const all = tiers.flatMap((t) => t.cidrs.map((c, i) => ({ field: `${t.field}[${i}]`, given: props[`${t.tier}SubnetCidrs`] !== undefined, text: c, cidr: toCidr(c) as Ipv4Cidr })));
  all.forEach((a, i) => all.slice(i + 1).forEach((b) => {
    if (!cidrsOverlap(a.cidr, b.cidr)) return;
    const [fixed, carved] = a.given ? [a, b] : [b, a];
    const fix = fixed.given && !carved.given
      ? `move ${fixed.field}, or set ${carved.field.split('[')[0]} too (the default carve put it there)`
      : 'give every subnet its own range';
    check.fail(b.field, b.text, `overlaps ${a.field} ("${a.text}")`, fix);
  }));

  return {
    cidr: formatCidr(vpc),
    azCount,
    zones,
    natGateways: props.natGateways ?? preset.network.natGateways,
    public: tiers[0].cidrs,
    private: tiers[1].cidrs,
    database: tiers[2].cidrs,
  };
}

function parseCidrProp(check: PropsValidator, field: string, text: string): Ipv4Cidr {
  check.that(typeof text === 'string' && !Token.isUnresolved(text), field, text, 'must be a literal CIDR', 'write the range out, e.g. 10.0.0.0/16');
  const cidr = toCidr(text);
  if (!cidr) {
    const canonical = canonicalCidr(text);
    if (canonical) check.fail(field, text, 'has host bits set, so it is not a network address', `use ${canonical}`);
    check.fail(field, text, 'is not a valid IPv4 CIDR', 'write it as a.b.c.d/prefix with octets 0-255 and a prefix up to 32, e.g. 10.0.0.0/16');
  }
  return cidr;
}
