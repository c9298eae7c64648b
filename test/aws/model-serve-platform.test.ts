import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, S3Backend, TerraformStack, Testing } from 'cdktf';
import { EnvironmentName, NodePools } from '../../lib/catalog';
import { ModelServePlatform, ModelServePlatformProps } from '../../lib/aws/model-serve-platform';
import { expectRejectedBeforeSynth } from '../support/aws-stack';

type Json = any;
const pools = [NodePools.general(), NodePools.gpu({ gpu: 'T4' }), NodePools.spot(), NodePools.highMemory()];
const base: ModelServePlatformProps = { name: 'modelserve', environment: 'production', region: 'us-east-1', nodePools: pools, adminPrincipalArns: ['arn:aws:iam::123456789012:role/PlatformAdmin'] };

/** A stack as in examples/platform: remote state so that the output has no local path. */
function stackFor(app: App = Testing.app()): TerraformStack {
  const stack = new TerraformStack(app, 'platform');
  new S3Backend(stack, { bucket: 'state', key: 'platform.tfstate', region: 'us-east-1', encrypt: true });
  return stack;
}
function build(props: Partial<ModelServePlatformProps> = {}): { stack: TerraformStack; out: Json; platform: ModelServePlatform } {
  const stack = stackFor();
  const platform = new ModelServePlatform(stack, 'platform', { ...base, ...props });
  return { stack, out: JSON.parse(Testing.synth(stack)), platform };
}
const count = (out: Json, type: string) => Object.keys(out.resource[type] ?? {}).length;

function expectRejected(props: Partial<ModelServePlatformProps>, message: string, prepare?: (stack: TerraformStack) => void): void {
  expectRejectedBeforeSynth(
    (stack) => {
      prepare?.(stack);
      new ModelServePlatform(stack, 'platform', { ...base, ...props });
    },
    message,
    { stack: stackFor },
  );
}

describe('ModelServePlatform, production', () => {
  const { out, platform } = build({ adminPrincipalArns: ['arn:aws:iam::123456789012:role/PlatformAdmin'] });

  test('every piece, named <name>-prod', () => {
    expect(platform.resourcePrefix).toBe('modelserve-prod');
    expect(Object.values(out.resource.aws_eks_cluster)).toEqual([expect.objectContaining({ name: 'modelserve-prod' })]);
    for (const type of ['aws_vpc', 'aws_db_instance', 'aws_elasticache_replication_group', 'aws_ecr_repository', 'aws_sns_topic']) {
      expect(count(out, type)).toBe(1);
    }
    // The model store (Loki's log store belongs to the add-ons' stack).
    expect(Object.values(out.resource.aws_s3_bucket).map((b: Json) => b.bucket)).toEqual([expect.stringMatching(/^modelserve-prod-models-/)]);
    expect(count(out, 'aws_eks_node_group')).toBe(4);
    expect(count(out, 'aws_nat_gateway')).toBe(3);
  });

  test('the outputs the next layer and operators need', () => {
    expect(Object.keys(out.output).sort()).toEqual([
      'alarm_topic_arn', 'cache_endpoint', 'cluster_endpoint', 'cluster_name', 'database_endpoint', 'database_secret_arn',
      'image_repository_urls', 'model_bucket_name', 'node_pool_names', 'oidc_provider_arn', 'update_kubeconfig_command', 'vpc_id',
    ]);
    expect(out.output.node_pool_names.value).toEqual(['modelserve-prod-general', 'modelserve-prod-gpu-t4', 'modelserve-prod-spot', 'modelserve-prod-high-memory']);
    expect(out.output.update_kubeconfig_command.value).toMatch(/^aws eks update-kubeconfig --region \$\{data\.aws_region\..*\.region\} --name modelserve-prod$/);
  });

  test('installs no Helm chart and configures no Kubernetes provider: the add-ons have a stack of their own', () => {
    expect(out.resource.helm_release).toBeUndefined();
    expect(out.provider.helm).toBeUndefined();
    expect(out.provider.kubernetes).toBeUndefined();
  });

  test('configures the AWS provider for the region, with default tags', () => {
    expect(out.provider.aws).toEqual([{ region: 'us-east-1', default_tags: [{ tags: { 'managed-by': 'cdktf', 'modelserve.io/environment': 'production', 'modelserve.io/platform': 'modelserve' } }] }]);
  });

  test('the database and cache admit the EKS cluster security group', () => {
    const rules = Object.values(out.resource.aws_vpc_security_group_ingress_rule as Record<string, Json>);
    expect(rules.filter((r) => String(r.referenced_security_group_id).includes('.vpc_config[0].cluster_security_group_id'))).toHaveLength(2);
  });

  test('subnets carry the cluster tag', () => {
    const subnets = Object.values(out.resource.aws_subnet as Record<string, Json>);
    expect(subnets.filter((s) => s.tags['kubernetes.io/cluster/modelserve-prod'] === 'shared')).toHaveLength(6);
  });
});

describe('ModelServePlatform overrides', () => {
  test('pieces turned off are neither created nor output', () => {
    const { out } = build({ database: false, cache: false, modelStore: false, imageRegistry: false, observability: false });
    for (const type of ['aws_db_instance', 'aws_elasticache_replication_group', 'aws_s3_bucket', 'aws_ecr_repository', 'aws_sns_topic', 'helm_release', 'kubernetes_namespace_v1']) expect(count(out, type)).toBe(0);
    expect(out.provider.helm).toBeUndefined();
    expect(Object.keys(out.output).sort()).toEqual(['cluster_endpoint', 'cluster_name', 'node_pool_names', 'oidc_provider_arn', 'update_kubeconfig_command', 'vpc_id']);
  });

  test('an existing VPC instead of a Network', () => {
    const { out } = build({ network: { vpcId: 'vpc-00000123', privateSubnetIds: ['subnet-0a0a0a0a', 'subnet-0b0b0b0b', 'subnet-0c0c0c0c'], databaseSubnetIds: ['subnet-0d0d0d0d', 'subnet-0e0e0e0e', 'subnet-0f0f0f0f'] } });
    expect(count(out, 'aws_vpc')).toBe(0);
    expect(Object.values(out.resource.aws_eks_cluster as Record<string, Json>)[0].vpc_config.subnet_ids).toEqual(['subnet-0a0a0a0a', 'subnet-0b0b0b0b', 'subnet-0c0c0c0c']);
    expect(out.output.vpc_id).toBeUndefined();
  });

  test('network and cluster overrides reach the constructs', () => {
    const { out } = build({ environment: 'development', network: { cidr: '10.9.0.0/16', natGateways: 'one-per-az' }, cluster: { kubernetesVersion: '1.36' } });
    expect(Object.values(out.resource.aws_vpc as Record<string, Json>)[0].cidr_block).toBe('10.9.0.0/16');
    expect(count(out, 'aws_nat_gateway')).toBe(2);
    expect(Object.values(out.resource.aws_eks_cluster as Record<string, Json>)[0]).toMatchObject({ name: 'modelserve-dev', version: '1.36' });
  });

  test('without region, the stack keeps its own provider', () => {
    const stack = stackFor();
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new ModelServePlatform(stack, 'platform', { ...base, region: undefined });
    expect(JSON.parse(Testing.synth(stack)).provider.aws).toEqual([{ region: 'eu-west-1' }]);
  });
});

describe('ModelServePlatform rejects bad input before writing anything', () => {
  test('no environment, or one that is not a preset', () => {
    expectRejected({ environment: undefined as unknown as EnvironmentName }, 'platform/platform: environment (not set) is required; use one of development, staging, production');
    expectRejected({ environment: 'prod' as EnvironmentName }, 'platform/platform: environment ("prod") is not supported; use one of "development", "staging", "production"');
  });

  test('no node pools', () => {
    expectRejected({ nodePools: [] }, 'platform/platform: nodePools ([]) is empty, so nothing can run (coredns included); add at least NodePools.general()');
  });

  test('only tainted pools, where coredns cannot run', () => {
    expectRejected({ nodePools: [NodePools.gpu({ gpu: 'T4' }), NodePools.spot()] }, 'platform/platform: nodePools (["gpu-t4","spot"]) has no untainted pool with nodes, so coredns and the other cluster add-ons cannot schedule and the apply fails; add NodePools.general() (or give one pool no taints and desiredSize 1 or more)');
  });

  test('a name that would not fit bucket and cluster names', () => {
    expectRejected({ name: 'ModelServe' }, 'platform/platform: name ("ModelServe") is not a valid platform name: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 20 characters (it prefixes bucket and cluster names); rename it, e.g. "modelserve"');
  });

  test('region given while the stack has a provider', () => {
    expectRejected({}, 'platform/platform: region ("us-east-1") is given but the stack already has a default AWS provider; drop region, or drop your AwsProvider and let the platform configure it', (stack) => new AwsProvider(stack, 'aws', { region: 'us-east-1' }));
  });

  test('production with too few zones, reported by the Network', () => {
    expectRejected({ network: { availabilityZoneCount: 2 } }, 'platform/platform/network: availabilityZoneCount (2) gives production fewer than 3 availability zones, so losing one zone loses half the capacity and quorum; use 3 or more zones');
  });

  test('the add-ons prop, which moved to a stack of its own, with where it went', () => {
    expectRejected(
      { addons: false } as unknown as Partial<ModelServePlatformProps>,
      'platform/platform: addons (false) is no longer a ModelServePlatform prop: the cluster add-ons install from a stack of their own, applied after the cluster\'s; drop it and add new PlatformAddons(addonsStack, "addons", { cluster: platform.cluster, ... }) from modelserve/addons in a second TerraformStack (nothing to add for addons: false)',
    );
  });

  test('a public endpoint open to the internet, reported by the Cluster', () => {
    expectRejected({ cluster: { publicEndpointCidrs: ['0.0.0.0/0'] } }, 'platform/platform/cluster: publicEndpointCidrs[0] ("0.0.0.0/0") opens the Kubernetes API to the whole internet; list your office, VPN or CI egress ranges, or set allowPublicEndpointFromAnywhere: true if that is really meant');
  });
});

describe('ModelServePlatform snapshots (regression guard)', () => {
  test.each<EnvironmentName>(['development', 'staging', 'production'])('%s', (environment) => {
    const { stack } = build({ environment, adminPrincipalArns: ['arn:aws:iam::123456789012:role/PlatformAdmin'] });
    expect(Testing.synth(stack)).toMatchSnapshot();
  });
});
