import { TerraformStack, Testing } from 'cdktf';
import { NodePools } from '../../lib/catalog';
import { Cluster } from '../../lib/aws/cluster';
import { ICluster } from '../../lib/aws/cluster-attributes';
import { awsStack, expectRejectedBeforeSynth, Json } from '../support/aws-stack';

const CI = 'arn:aws:iam::111122223333:role/ci-deployer';
const ADMIN_POLICY = /^arn:\$\{.+\}:eks::aws:cluster-access-policy\/AmazonEKSClusterAdminPolicy$/;
const lookup = (stack: TerraformStack): ICluster =>
  Cluster.fromClusterName(stack, 'cluster', { clusterName: 'modelserve-prod', kubernetesVersion: '1.35', nodePools: [NodePools.general()] });
const all = (out: Json, type: string): Json[] => Object.values(out.resource[type] ?? {});

// https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html: an access entry, then an
// access policy associated with it at cluster scope.
describe('grantClusterAdmin on an imported cluster (ICluster)', () => {
  const stack = awsStack();
  const cluster = lookup(stack);
  const association = cluster.grantClusterAdmin('ci', CI);
  const out = JSON.parse(Testing.synth(stack));

  test('makes the access entry and the cluster-admin association on the looked-up cluster', () => {
    const [entry] = all(out, 'aws_eks_access_entry');
    // The data source's attribute: the entry waits for the lookup and its plan-time checks.
    expect(entry).toMatchObject({ principal_arn: CI, type: 'STANDARD', cluster_name: `\${data.aws_eks_cluster.${Object.keys(out.data.aws_eks_cluster)[0]}.name}` });
    const [admin] = all(out, 'aws_eks_access_policy_association');
    expect(admin).toMatchObject({ principal_arn: CI, cluster_name: entry.cluster_name, access_scope: { type: 'cluster' } });
    expect(admin.policy_arn).toMatch(ADMIN_POLICY);
    expect(admin.depends_on).toEqual([expect.stringMatching(/^aws_eks_access_entry\.cluster_ci-access_/)]);
  });

  test('returns the association it made', () => {
    expect(Object.keys(out.resource.aws_eks_access_policy_association)).toEqual([association.friendlyUniqueId]);
  });

  test('a cluster given by attributes grants on its literal name', () => {
    const other = awsStack();
    Cluster.fromClusterAttributes(other, 'cluster', {
      clusterName: 'modelserve-prod', clusterEndpoint: 'https://example.eks.amazonaws.com', clusterCertificateAuthorityData: 'Y2E=',
      kubernetesVersion: '1.35', vpcId: 'vpc-00000123', nodePools: [NodePools.general()],
    }).grantClusterAdmin('ci', CI);
    expect(all(JSON.parse(Testing.synth(other)), 'aws_eks_access_entry')[0].cluster_name).toBe('modelserve-prod');
  });

  test('an imported cluster\'s grants are not something the add-ons wait for', () => {
    expect(cluster.ready).toEqual([]);
  });
});

describe('grantClusterAdmin refuses', () => {
  test('a session of a role', () => {
    expectRejectedBeforeSynth(
      (stack) => lookup(stack).grantClusterAdmin('ci', 'arn:aws:sts::111122223333:assumed-role/ci-deployer/build-42'),
      'test/cluster: principalArn ("arn:aws:sts::111122223333:assumed-role/ci-deployer/build-42") is a session of a role, which access entries do not accept; use the role\'s ARN: arn:aws:iam::<account>:role/<name>',
      { stack: awsStack },
    );
  });

  test('an id used twice', () => {
    expectRejectedBeforeSynth(
      (stack) => {
        const cluster = lookup(stack);
        cluster.grantClusterAdmin('ci', CI);
        cluster.grantClusterAdmin('ci', 'arn:aws:iam::111122223333:role/other');
      },
      'test/cluster: grantClusterAdmin ("ci") is the id of an earlier grant on this cluster; give each grant its own id, e.g. the role\'s name',
      { stack: awsStack },
    );
  });

  // EKS: "You can only create one access entry for each principal" (creating-access-entries.html).
  test('a principal granted twice, here one the Cluster already lists as admin', () => {
    expectRejectedBeforeSynth(
      (stack) => {
        const cluster = new Cluster(stack, 'eks', { name: 'modelserve', environment: 'production', subnetIds: ['subnet-0a0a0a0a', 'subnet-0b0b0b0b'], adminPrincipalArns: [CI] });
        cluster.addManagedNodeGroup(NodePools.general());
        cluster.grantClusterAdmin('ci', CI);
      },
      `test/eks: principalArn ("${CI}") already has an access entry on this cluster, and EKS allows one per principal; grant each principal once`,
      { stack: awsStack },
    );
  });
});
