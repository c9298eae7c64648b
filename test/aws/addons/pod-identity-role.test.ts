import { IamStatement } from '../../../lib/aws/addons/iam-statement';
import { PodIdentityRole, PodIdentityRoleProps } from '../../../lib/aws/addons/pod-identity-role';
import { awsStack, expectRejectedBeforeSynth, policyOf, synth } from '../../support/aws-stack';

const READ_QUEUE: IamStatement = { Sid: 'ReadQueue', Effect: 'Allow', Action: ['sqs:ReceiveMessage'], Resource: ['arn:aws:sqs:us-east-1:123456789012:q'] };
const base: PodIdentityRoleProps = { clusterName: 'modelserve-prod', namespace: 'jobs', serviceAccount: 'reader', statements: [READ_QUEUE] };

function build(props: Partial<PodIdentityRoleProps> = {}) {
  const stack = awsStack();
  const role = new PodIdentityRole(stack, 'reader', { ...base, ...props });
  return { role, out: synth(stack) };
}

function expectRejected(props: Partial<PodIdentityRoleProps>, message: string): void {
  expectRejectedBeforeSynth((stack) => new PodIdentityRole(stack, 'reader', { ...base, ...props }), message, { stack: awsStack });
}

describe('PodIdentityRole', () => {
  const { out, role } = build();

  // The session tags EKS Pod Identity sets (eks-cluster-arn, kubernetes-namespace,
  // kubernetes-service-account) are what the EKS user guide conditions a trust policy on:
  // https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html,
  // https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html. aws:SourceArn is not documented for it.
  test('a role only this service account of this namespace of this cluster can assume', () => {
    const trust = policyOf(out.only('aws_iam_role').assume_role_policy);
    expect(trust.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: {
          StringEquals: {
            'aws:RequestTag/eks-cluster-arn': expect.stringMatching(/^arn:\$\{data\.aws_partition\..*\}:eks:\$\{data\.aws_region\..*\}:\$\{data\.aws_caller_identity\..*\}:cluster\/modelserve-prod$/),
            'aws:RequestTag/kubernetes-namespace': 'jobs',
            'aws:RequestTag/kubernetes-service-account': 'reader',
          },
        },
      }),
    ]);
  });

  test('one inline policy made of the statements, and the association to namespace/serviceAccount', () => {
    const policy = out.only('aws_iam_role_policy');
    expect(policy.name).toBe('reader');
    expect(policyOf(policy.policy)).toEqual({ Version: '2012-10-17', Statement: [READ_QUEUE] });
    expect(out.only('aws_eks_pod_identity_association')).toMatchObject({ cluster_name: 'modelserve-prod', namespace: 'jobs', service_account: 'reader' });
    expect(role.dependables).toHaveLength(2);
  });

  test('a default name from namespace, service account and a hash of the path, within IAM\'s 64 characters', () => {
    expect(out.only('aws_iam_role').name).toMatch(/^jobs-reader-[0-9a-f]{8}$/);
    expect(build({ namespace: 'n'.repeat(63), serviceAccount: 's'.repeat(100) }).out.only('aws_iam_role').name).toHaveLength(64);
    expect(build({ roleName: 'custom' }).out.only('aws_iam_role').name).toBe('custom');
  });

  test('rejects what least privilege rules out, and names IAM or Kubernetes would refuse', () => {
    expectRejected({ statements: [] }, 'test/reader: statements ([]) is empty, so the role could do nothing; give the statements the workload needs');
    expectRejected(
      { statements: [{ Sid: 'All', Effect: 'Allow', Action: ['s3:*'], Resource: '*' }] },
      'test/reader: statements[0].Action ("s3:*") allows every action on every resource; list the actions one by one or scope Resource',
    );
    expectRejected(
      { statements: [{ Sid: 'All', Effect: 'Allow', Action: ['*'], Resource: ['arn:aws:s3:::b'] }] },
      'test/reader: statements[0].Action ("*") allows every action on every resource; list the actions one by one or scope Resource',
    );
    expectRejected({ statements: [READ_QUEUE, READ_QUEUE] }, 'test/reader: statements[1].Sid ("ReadQueue") is used twice; give each statement its own Sid');
    expectRejected({ statements: [{ ...READ_QUEUE, Sid: 'read-queue' }] }, 'test/reader: statements[0].Sid ("read-queue") is not a valid statement id; use letters and digits only');
    expectRejected({ namespace: 'Jobs' }, 'test/reader: namespace ("Jobs") is not a valid name: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters; rename it so that it follows that rule');
    expectRejected({ roleName: 'x'.repeat(65) }, `test/reader: roleName ("${'x'.repeat(65)}") is not a valid IAM role name; use 1 to 64 letters, digits and +=,.@_-`);
    expectRejected({ clusterName: '' }, 'test/reader: clusterName ("") is empty; give the EKS cluster name');
  });
});
