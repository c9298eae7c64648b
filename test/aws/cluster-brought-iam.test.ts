import { TerraformStack, Testing } from 'cdktf';
import { Capacity, NodePools } from '../../lib/catalog';
import { Cluster, ClusterProps } from '../../lib/aws/cluster';
import { EncryptionKey } from '../../lib/aws/encryption-key';
import { expectRejectedBeforeSynth, Json, policyOf } from '../support/aws-stack';

const base: ClusterProps = { name: 'modelserve', environment: 'production', subnetIds: ['subnet-0a0a0a0a', 'subnet-0b0b0b0b', 'subnet-0c0c0c0c'] };
const CLUSTER_ROLE = 'arn:aws:iam::111122223333:role/platform/eks-cluster';
const NODE_ROLE = 'arn:aws:iam::111122223333:role/platform/eks-node';
const BOUNDARY = 'arn:aws:iam::111122223333:policy/platform-boundary';
const LOG_KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const SECRETS_KEY = 'arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';

/** A cluster with a general and a GPU pool; `keys` brings the log and Secrets keys by ARN. */
function build(props: Partial<ClusterProps> = {}, keys = false): Json {
  const stack = new TerraformStack(Testing.app(), 'test');
  const brought = keys
    ? { logEncryptionKey: EncryptionKey.fromKeyArn(stack, 'log-key', LOG_KEY), secretsEncryptionKey: EncryptionKey.fromKeyArn(stack, 'secrets-key', SECRETS_KEY) }
    : {};
  const cluster = new Cluster(stack, 'eks', { ...base, ...brought, ...props });
  [NodePools.general(), NodePools.gpu({ gpu: 'T4' })].forEach((p) => cluster.addManagedNodeGroup(p));
  return JSON.parse(Testing.synth(stack));
}
const all = (out: Json, type: string): Json[] => Object.values(out.resource[type] ?? {});
const roleNames = (out: Json): string[] => all(out, 'aws_iam_role').map((r) => r.name).sort();
const attachedPolicies = (out: Json): string[] => all(out, 'aws_iam_role_policy_attachment').map((a) => a.policy_arn.split('/').pop()).sort();
const expectRejected = (props: Partial<ClusterProps>, message: string): void => expectRejectedBeforeSynth((stack) => new Cluster(stack, 'eks', { ...base, ...props }), message);

describe('Cluster with keys that exist already (EncryptionKey.fromKeyArn)', () => {
  const out = build({}, true);

  test('the control-plane log group is encrypted with the imported log key', () => {
    expect(all(out, 'aws_cloudwatch_log_group')).toEqual([expect.objectContaining({ name: '/aws/eks/modelserve/cluster', kms_key_id: LOG_KEY })]);
  });

  test('Kubernetes Secrets are envelope-encrypted with the imported Secrets key', () => {
    expect(all(out, 'aws_eks_cluster')[0].encryption_config).toEqual({ resources: ['secrets'], provider: { key_arn: SECRETS_KEY } });
  });

  test('no key is made, and the cluster role made here is granted the imported Secrets key', () => {
    expect(out.resource.aws_kms_key).toBeUndefined();
    const [grant] = all(out, 'aws_iam_role_policy');
    expect(policyOf(grant.policy).Statement).toEqual([{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'], Resource: SECRETS_KEY }]);
  });
});

// What EKS needs of a role brought from elsewhere:
// https://docs.aws.amazon.com/eks/latest/userguide/cluster-iam-role.html (cluster role),
// https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html (node role),
// https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html (the cluster role uses the Secrets key).
describe('Cluster with its cluster role brought (clusterRoleArn)', () => {
  const out = build({ clusterRoleArn: CLUSTER_ROLE });
  const eks = all(out, 'aws_eks_cluster')[0];

  test('no cluster role, policy attachment or grant is made, and EKS uses the given role', () => {
    expect(roleNames(out)).not.toContain('modelserve-eks-cluster');
    expect(attachedPolicies(out)).not.toContain('AmazonEKSClusterPolicy');
    expect(out.resource.aws_iam_role_policy).toBeUndefined();
    expect(eks.role_arn).toBe(CLUSTER_ROLE);
  });

  test('the Secrets key made here lets the given role use it through its key policy', () => {
    const secretsKey = Object.values(out.resource.aws_kms_key as Record<string, Json>).find((k) => k.description.includes('Secrets'));
    const statement = policyOf(secretsKey.policy).Statement.find((s: Json) => s.Sid === 'RolesBroughtFromElsewhereUseTheKey');
    expect(statement).toMatchObject({ Principal: { AWS: [CLUSTER_ROLE] }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'] });
  });

  test('the cluster waits only for its log group, which still exists', () => {
    expect(eks.depends_on).toEqual([expect.stringMatching(/^aws_cloudwatch_log_group\./)]);
  });

  test('the node role and the add-ons\' roles are still made here', () => {
    expect(roleNames(out)).toEqual(['modelserve-aws-ebs-csi-driver', 'modelserve-eks-node', 'modelserve-vpc-cni']);
  });

  test('a Secrets key brought too is left as it is: no key, no grant', () => {
    const both = build({ clusterRoleArn: CLUSTER_ROLE }, true);
    expect(both.resource.aws_kms_key).toBeUndefined();
    expect(both.resource.aws_iam_role_policy).toBeUndefined();
  });
});

describe('Cluster with its node role brought (nodeRoleArn)', () => {
  const out = build({ nodeRoleArn: NODE_ROLE });

  test('no node role or node policies are made, and every node group uses the given role', () => {
    expect(roleNames(out)).not.toContain('modelserve-eks-node');
    expect(attachedPolicies(out)).toEqual(['AmazonEBSCSIDriverPolicy', 'AmazonEKSClusterPolicy', 'AmazonEKS_CNI_Policy']);
    const groups = all(out, 'aws_eks_node_group');
    expect(groups).toHaveLength(2);
    for (const group of groups) expect(group.node_role_arn).toBe(NODE_ROLE);
  });

  // EKS makes the nodes' EC2_LINUX access entry itself for a managed node group's role:
  // https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html
  test('no access entry is made for the nodes', () => {
    expect(all(out, 'aws_eks_access_entry').map((e) => e.type)).toEqual(['STANDARD']);
  });
});

describe('Cluster permissionsBoundaryArn', () => {
  const stack = new TerraformStack(Testing.app(), 'test');
  const cluster = new Cluster(stack, 'eks', { ...base, capacity: Capacity.karpenter(), permissionsBoundaryArn: BOUNDARY });
  cluster.addManagedNodeGroup(NodePools.general());
  const out = JSON.parse(Testing.synth(stack));

  test('is on every role the cluster makes: cluster, nodes, the add-ons\' Pod Identity roles and Karpenter\'s nodes', () => {
    const roles = all(out, 'aws_iam_role');
    expect(roles.map((r) => r.name).sort()).toEqual(['modelserve-aws-ebs-csi-driver', 'modelserve-eks-cluster', 'modelserve-eks-node', 'modelserve-karpenter-node', 'modelserve-vpc-cni']);
    for (const role of roles) expect(role.permissions_boundary).toBe(BOUNDARY);
  });

  test('without it, no role has a boundary', () => {
    for (const role of all(build(), 'aws_iam_role')) expect(role.permissions_boundary).toBeUndefined();
  });
});

describe('Cluster refuses what it is brought when it is the wrong thing', () => {
  test('a cluster role given as an instance profile', () => {
    expectRejected(
      { clusterRoleArn: 'arn:aws:iam::111122223333:instance-profile/eks-cluster' },
      'test/eks: clusterRoleArn ("arn:aws:iam::111122223333:instance-profile/eks-cluster") is the ARN of an instance profile, not of a role; use the role\'s ARN, arn:aws:iam::<account>:role/<name> (aws iam get-role --role-name <name> --query Role.Arn)',
    );
  });

  test('a node role given as a session of the role', () => {
    expectRejected(
      { nodeRoleArn: 'arn:aws:sts::111122223333:assumed-role/eks-node/i-0123' },
      'test/eks: nodeRoleArn ("arn:aws:sts::111122223333:assumed-role/eks-node/i-0123") is the ARN of a session of a role (STS), not of the role; use the role\'s ARN, arn:aws:iam::<account>:role/<name> (aws iam get-role --role-name <name> --query Role.Arn)',
    );
  });

  test('a permissions boundary given as a role', () => {
    expectRejected(
      { permissionsBoundaryArn: CLUSTER_ROLE },
      `test/eks: permissionsBoundaryArn ("${CLUSTER_ROLE}") is the ARN of a role, but a permissions boundary is a managed policy; use the boundary policy's ARN, arn:aws:iam::<account>:policy/<name> (aws iam list-policies --scope Local)`,
    );
  });

  test('a key given as its ARN string (JavaScript callers)', () => {
    expectRejected(
      { logEncryptionKey: LOG_KEY as never },
      `test/eks: logEncryptionKey ("${LOG_KEY}") is not an encryption key; pass EncryptionKey.fromKeyArn(scope, 'logEncryptionKey', '${LOG_KEY}') for a key that exists`,
    );
  });

  test('a key that is some other object', () => {
    expectRejected(
      { secretsEncryptionKey: { arn: SECRETS_KEY } as never },
      'test/eks: secretsEncryptionKey ("object") is not an encryption key; pass an EncryptionKey, or EncryptionKey.fromKeyArn(scope, id, keyArn) for a key that exists',
    );
  });
});
