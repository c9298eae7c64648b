import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, S3Backend, TerraformStack, Testing } from 'cdktf';
import { Capacity, NodePools } from '../../lib/catalog';
import { PlatformAddons } from '../../lib/aws/addons/platform-addons';
import { EncryptionKey } from '../../lib/aws/encryption-key';
import { ModelServePlatform, ModelServePlatformProps } from '../../lib/aws/model-serve-platform';
import { PermissionsBoundary } from '../../lib/aws/permissions-boundary';
import { awsStack, expectRejectedBeforeSynth, Json } from '../support/aws-stack';

const BOUNDARY = 'arn:aws:iam::111122223333:policy/platform-boundary';
const INNER_BOUNDARY = 'arn:aws:iam::111122223333:policy/cluster-boundary';
const LOG_KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const base: ModelServePlatformProps = {
  name: 'modelserve',
  environment: 'production',
  region: 'us-east-1',
  nodePools: [NodePools.general(), NodePools.gpu({ gpu: 'T4' })],
  capacity: Capacity.karpenter(),
  adminPrincipalArns: ['arn:aws:iam::111122223333:role/PlatformAdmin'],
  // The add-ons stack reaches the API from outside the VPC.
  cluster: { publicEndpointCidrs: ['203.0.113.0/24'] },
  disasterRecovery: { region: 'us-west-2' },
};

function platformStack(app: App = Testing.app()): TerraformStack {
  const stack = new TerraformStack(app, 'platform');
  new S3Backend(stack, { bucket: 'state', key: 'platform.tfstate', region: 'us-east-1', encrypt: true });
  return stack;
}
/** PlatformAddons' Pod Identity roles, Karpenter's controller among them. */
const ADDON_ROLES = ['modelserve-prod-cluster-autoscaler', 'modelserve-prod-karpenter', 'modelserve-prod-lb-controller', 'modelserve-prod-loki'];
const roles = (out: Json): Json[] => Object.values(out.resource.aws_iam_role ?? {});

describe('ModelServePlatform permissionsBoundaryArn', () => {
  const stack = platformStack();
  const platform = new ModelServePlatform(stack, 'platform', { ...base, permissionsBoundaryArn: BOUNDARY });
  // A grant made after the platform: the boundary is applied at synth, so it gets it too.
  platform.modelStore?.grantRead({ clusterName: platform.cluster.clusterName, namespace: 'serving', serviceAccount: 'triton' });
  const out = JSON.parse(Testing.synth(stack));

  test('is on every aws_iam_role of the platform, whatever made it', () => {
    const names = roles(out).map((r) => r.name);
    // The cluster's four, Karpenter's node role, the flow logs', the model replication's and the grant's.
    expect(names).toEqual(expect.arrayContaining([
      'modelserve-prod-eks-cluster', 'modelserve-prod-eks-node', 'modelserve-prod-vpc-cni', 'modelserve-prod-aws-ebs-csi-driver',
      'modelserve-prod-karpenter-node', 'modelserve-prod-vpc-flow-logs',
    ]));
    expect(names.some((n) => n.startsWith('serving-triton-'))).toBe(true);
    expect(Object.keys(out.resource.aws_iam_role).some((k) => k.includes('replication-role'))).toBe(true);
    for (const role of roles(out)) expect([role.name, role.permissions_boundary]).toEqual([role.name, BOUNDARY]);
  });

  test('the same platform without it has no boundary anywhere', () => {
    const plain = platformStack();
    new ModelServePlatform(plain, 'platform', base);
    for (const role of roles(JSON.parse(Testing.synth(plain)))) expect(role.permissions_boundary).toBeUndefined();
  });

  test('a boundary that is not a managed policy ARN', () => {
    expectRejectedBeforeSynth(
      (s) => new ModelServePlatform(s, 'platform', { ...base, permissionsBoundaryArn: 'platform-boundary' }),
      'test/platform: permissionsBoundaryArn ("platform-boundary") is not an IAM managed policy ARN; use the boundary policy\'s ARN, arn:aws:iam::<account>:policy/<name> (aws iam list-policies --scope Local)',
    );
  });
});

describe('ModelServePlatform with what it is brought', () => {
  const CLUSTER_ROLE = 'arn:aws:iam::111122223333:role/eks-cluster';
  const NODE_ROLE = 'arn:aws:iam::111122223333:role/eks-node';
  const stack = platformStack();
  new ModelServePlatform(stack, 'platform', {
    ...base,
    logEncryptionKey: EncryptionKey.fromKeyArn(stack, 'log-key', LOG_KEY),
    cluster: { publicEndpointCidrs: ['203.0.113.0/24'], clusterRoleArn: CLUSTER_ROLE, nodeRoleArn: NODE_ROLE },
  });
  const out = JSON.parse(Testing.synth(stack));
  const logGroup = (name: string): Json => Object.values(out.resource.aws_cloudwatch_log_group as Record<string, Json>).find((g) => g.name === name);

  test('the imported log key encrypts the flow logs and the control-plane logs, and no log key is made', () => {
    expect(logGroup('/aws/vpc/modelserve-prod/flow-logs').kms_key_id).toBe(LOG_KEY);
    expect(logGroup('/aws/eks/modelserve-prod/cluster').kms_key_id).toBe(LOG_KEY);
    const aliases = Object.values(out.resource.aws_kms_alias as Record<string, Json>).map((a) => a.name);
    expect(aliases).not.toContain('alias/modelserve-prod-logs');
    expect(aliases.filter((a) => /eks-logs|flow-logs/.test(a))).toEqual([]);
  });

  test('the brought roles reach the cluster through its overrides', () => {
    const names = roles(out).map((r) => r.name);
    expect(names).not.toContain('modelserve-prod-eks-cluster');
    expect(names).not.toContain('modelserve-prod-eks-node');
    expect(Object.values(out.resource.aws_eks_cluster as Record<string, Json>)[0].role_arn).toBe(CLUSTER_ROLE);
    for (const group of Object.values(out.resource.aws_eks_node_group as Record<string, Json>)) expect(group.node_role_arn).toBe(NODE_ROLE);
  });
});

describe('PermissionsBoundary.of', () => {
  test('the add-ons stack: every role of PlatformAddons gets the boundary', () => {
    const app = Testing.app();
    const platform = new ModelServePlatform(platformStack(app), 'platform', base);
    const addonsStack = new TerraformStack(app, 'addons');
    new AwsProvider(addonsStack, 'aws', { region: 'us-east-1' });
    new PlatformAddons(addonsStack, 'addons', { cluster: platform.cluster });
    PermissionsBoundary.of(addonsStack).apply(BOUNDARY);
    const addonRoles = roles(JSON.parse(Testing.synth(addonsStack)));
    expect(addonRoles.map((r) => r.name).sort()).toEqual(ADDON_ROLES);
    for (const role of addonRoles) expect([role.name, role.permissions_boundary]).toEqual([role.name, BOUNDARY]);
  });

  test('the boundary of the inner scope wins', () => {
    const stack = platformStack();
    PermissionsBoundary.of(stack).apply(BOUNDARY);
    new ModelServePlatform(stack, 'platform', { ...base, permissionsBoundaryArn: INNER_BOUNDARY });
    for (const role of roles(JSON.parse(Testing.synth(stack)))) expect(role.permissions_boundary).toBe(INNER_BOUNDARY);
  });

  test('the App is refused: cdktf runs aspects from each stack down, so none would be applied', () => {
    const app = new App();
    expect(() => PermissionsBoundary.of(app).apply(BOUNDARY)).toThrow(
      '<app>: PermissionsBoundary.of ("<app>") is the App, which cdktf\'s aspects never visit (they run from each stack down), so no role would get the boundary; apply it to each stack: PermissionsBoundary.of(stack).apply(arn)',
    );
  });

  test('a role ARN is refused', () => {
    expectRejectedBeforeSynth(
      (stack) => PermissionsBoundary.of(stack).apply('arn:aws:iam::111122223333:role/boundary'),
      'test: permissionsBoundaryArn ("arn:aws:iam::111122223333:role/boundary") is the ARN of a role, but a permissions boundary is a managed policy; use the boundary policy\'s ARN, arn:aws:iam::<account>:policy/<name> (aws iam list-policies --scope Local)',
      { stack: awsStack },
    );
  });
});
