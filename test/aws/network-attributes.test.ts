import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, S3Backend, TerraformStack, Testing } from 'cdktf';
import { NodePools } from '../../lib/catalog';
import { Cache } from '../../lib/aws/cache';
import { ModelServePlatform, ModelServePlatformProps } from '../../lib/aws/model-serve-platform';
import { Network } from '../../lib/aws/network';
import { NetworkAttributes } from '../../lib/aws/network-attributes';
import { awsStack, expectRejectedBeforeSynth, Json } from '../support/aws-stack';

const ids: NetworkAttributes = {
  vpcId: 'vpc-00000123',
  privateSubnetIds: ['subnet-0a0a0a0a', 'subnet-0b0b0b0b', 'subnet-0c0c0c0c'],
  databaseSubnetIds: ['subnet-0d0d0d0d', 'subnet-0e0e0e0e', 'subnet-0f0f0f0f'],
};
const base: ModelServePlatformProps = { name: 'modelserve', environment: 'production', region: 'us-east-1', nodePools: [NodePools.general()] };

function platformStack(app: App = Testing.app(), id = 'platform'): TerraformStack {
  const stack = new TerraformStack(app, id);
  new S3Backend(stack, { bucket: 'state', key: `${id}.tfstate`, region: 'us-east-1', encrypt: true });
  return stack;
}
/** The platform given `network(stack)` as its network, synthesized. */
function platformWith(network: (stack: TerraformStack) => ModelServePlatformProps['network']): Json {
  const stack = platformStack();
  new ModelServePlatform(stack, 'platform', { ...base, network: network(stack) });
  return JSON.parse(Testing.synth(stack));
}
const all = (out: Json, type: string): Json[] => Object.values(out.resource[type] ?? {});

describe('Network.fromNetworkAttributes', () => {
  test('makes nothing and gives the ids back as an INetwork', () => {
    const stack = awsStack();
    const network = Network.fromNetworkAttributes(stack, 'vpc', ids);
    expect([network.vpcId, network.privateSubnetIds, network.databaseSubnetIds]).toEqual([ids.vpcId, ids.privateSubnetIds, ids.databaseSubnetIds]);
    expect(JSON.parse(Testing.synth(stack)).resource).toBeUndefined();
  });

  test('a VPC id that is a subnet id', () => {
    expectRejectedBeforeSynth(
      (stack) => Network.fromNetworkAttributes(stack, 'vpc', { ...ids, vpcId: 'subnet-00000123' }),
      'test/vpc: vpcId ("subnet-00000123") is the id of a subnet, not of a VPC; pass the id of an existing VPC, e.g. vpc-0123456789abcdef0',
    );
  });

  test('one private subnet: EKS needs two availability zones', () => {
    expectRejectedBeforeSynth(
      (stack) => Network.fromNetworkAttributes(stack, 'vpc', { ...ids, privateSubnetIds: ['subnet-0a0a0a0a'] }),
      'test/vpc: privateSubnetIds (["subnet-0a0a0a0a"]) must list subnets in at least two availability zones; pass the private subnets of your VPC',
    );
  });

  test('database subnets missing (JavaScript callers)', () => {
    expectRejectedBeforeSynth(
      (stack) => Network.fromNetworkAttributes(stack, 'vpc', { ...ids, databaseSubnetIds: undefined as never }),
      'test/vpc: databaseSubnetIds (not set) is not a list of subnet ids; pass the database subnets of your VPC',
    );
  });
});

describe('ModelServePlatform network: an INetwork', () => {
  const imported = platformWith((stack) => Network.fromNetworkAttributes(stack, 'vpc', ids));

  test('no VPC is made; the cluster, database and cache go into the given subnets', () => {
    expect(imported.resource.aws_vpc).toBeUndefined();
    expect(imported.resource.aws_subnet).toBeUndefined();
    expect(all(imported, 'aws_eks_cluster')[0].vpc_config.subnet_ids).toEqual(ids.privateSubnetIds);
    expect(all(imported, 'aws_db_subnet_group')[0].subnet_ids).toEqual(ids.databaseSubnetIds);
    expect(all(imported, 'aws_elasticache_subnet_group')[0].subnet_ids).toEqual(ids.databaseSubnetIds);
    expect(all(imported, 'aws_security_group').map((g) => g.vpc_id)).toEqual([ids.vpcId, ids.vpcId]);
    expect(imported.output.vpc_id).toBeUndefined();
  });

  test('the deprecated plain ids give the same Terraform, resource for resource', () => {
    expect(platformWith(() => ({ ...ids }))).toEqual(imported);
  });

  test('a Network of another stack: the platform reads its ids across stacks and makes no VPC of its own', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelserve-network-'));
    try {
      const app = new App({ outdir });
      const networkStack = platformStack(app, 'network');
      new AwsProvider(networkStack, 'aws', { region: 'us-east-1' });
      const network = new Network(networkStack, 'network', { name: 'shared', environment: 'production' });
      new ModelServePlatform(platformStack(app), 'platform', { ...base, network });
      app.synth();
      const out = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'platform', 'cdk.tf.json'), 'utf8'));
      expect(out.resource.aws_vpc).toBeUndefined();
      // cdktf passes another stack's attributes through its outputs and a terraform_remote_state here.
      expect(Object.keys(out.data.terraform_remote_state)).toEqual(['cross-stack-reference-input-network']);
      const subnets: string[] = all(out, 'aws_eks_cluster')[0].vpc_config.subnet_ids;
      expect(subnets).toHaveLength(3);
      for (const subnet of subnets) expect(subnet).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-network\.outputs\.cross-stack-output-aws_subnetnetwork_private-subnet-\d/);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('a VPC id where the network goes (JavaScript callers), named rather than a TypeError', () => {
    expectRejectedBeforeSynth(
      (stack) => new ModelServePlatform(stack, 'platform', { ...base, network: 'vpc-00000123' as never }),
      'test/platform: network ("vpc-00000123") is not a network; pass Network.fromNetworkAttributes(scope, id, { vpcId, privateSubnetIds, databaseSubnetIds }), a Network, or Network overrides such as { cidr }',
    );
  });

  test('a construct that is not a network', () => {
    expectRejectedBeforeSynth(
      (stack) => new ModelServePlatform(stack, 'platform', { ...base, network: new Cache(stack, 'cache', { environment: 'production', name: 'c', vpcId: ids.vpcId, subnetIds: ids.databaseSubnetIds, allowedSecurityGroupIds: ['sg-00000001'] }) as never }),
      'test/platform: network ("test/cache") is a construct that is not a network (it has no vpcId, privateSubnetIds and databaseSubnetIds); pass a Network, Network.fromNetworkAttributes(scope, id, { vpcId, privateSubnetIds, databaseSubnetIds }), or Network overrides such as { cidr }',
    );
  });
});
