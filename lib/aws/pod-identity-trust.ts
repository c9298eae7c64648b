import { AwsContext } from './aws-context';

/** Who may assume a Pod Identity role: one service account of one namespace of one cluster. */
export interface PodIdentityTrustTarget {
  /** ARN of the EKS cluster (`Cluster.clusterArn`, or `eksClusterArn(aws, name)`). */
  readonly clusterArn: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** The session tag keys EKS Pod Identity puts on every session it opens, by what they name. */
export const POD_IDENTITY_SESSION_TAGS = {
  clusterArn: 'eks-cluster-arn',
  clusterName: 'eks-cluster-name',
  namespace: 'kubernetes-namespace',
  serviceAccount: 'kubernetes-service-account',
} as const;

/**
 * The trust policy of a role for EKS Pod Identity, scoped the way the EKS user guide documents:
 * the Pod Identity service assumes the role with session tags naming the cluster, namespace and
 * service account (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html#pod-id-abac-tags),
 * and the trust policy conditions on those request tags
 * (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html). Without them any Pod
 * Identity association in any cluster of the account that names the role could use it.
 * `sts:TagSession` is needed because the service passes those tags.
 */
export function podIdentityTrustPolicy(target: PodIdentityTrustTarget): string {
  const tag = (key: string) => `aws:RequestTag/${key}`;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EksPodIdentityOfOneServiceAccount',
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: {
          StringEquals: {
            [tag(POD_IDENTITY_SESSION_TAGS.clusterArn)]: target.clusterArn,
            [tag(POD_IDENTITY_SESSION_TAGS.namespace)]: target.namespace,
            [tag(POD_IDENTITY_SESSION_TAGS.serviceAccount)]: target.serviceAccount,
          },
        },
      },
    ],
  });
}

/** The ARN of cluster `clusterName` in the stack's account and region. */
export function eksClusterArn(aws: AwsContext, clusterName: string): string {
  return `arn:${aws.partition}:eks:${aws.region}:${aws.accountId}:cluster/${clusterName}`;
}
