import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { Construct } from 'constructs';
import { PropsValidator } from '../catalog';
import { validateAccessEntryPrincipalArn } from './aws-arns';
import { AwsContext } from './aws-context';
import { isUnresolved } from './aws-names';

/** Who gets cluster-admin on which cluster. */
export interface ClusterAdminAccess {
  /** The cluster's name: the EKS resource's attribute, so that the entry waits for the cluster. */
  readonly clusterName: string;
  /** An IAM role or user (not a session). */
  readonly principalArn: string;
  /** Terraform `count`, for a grant decided at apply (the deployer's). */
  readonly count?: number;
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Cluster-admin through an EKS access entry of type STANDARD and the AmazonEKSClusterAdminPolicy
 * association, made under `cluster` as `<id>-access` and `<id>-cluster-admin`; returns the
 * association, which waits for the entry. Shared by `Cluster` and the imported cluster.
 */
export function grantClusterAdminAccess(cluster: Construct, id: string, access: ClusterAdminAccess): EksAccessPolicyAssociation {
  const v = new PropsValidator(cluster.node.path);
  v.that(
    typeof id === 'string' && id.length > 0 && cluster.node.tryFindChild(`${id}-access`) === undefined,
    'grantClusterAdmin',
    id,
    'is the id of an earlier grant on this cluster',
    'give each grant its own id, e.g. the role\'s name',
  );
  validateAccessEntryPrincipalArn(v, 'principalArn', access.principalArn);
  const literal = !isUnresolved(access.principalArn);
  const granted = literal && cluster.node.children.some((c) => c instanceof EksAccessEntry && c.principalArnInput === access.principalArn);
  v.that(
    !granted,
    'principalArn',
    access.principalArn,
    'already has an access entry on this cluster, and EKS allows one per principal',
    'grant each principal once',
  );
  const entry = new EksAccessEntry(cluster, `${id}-access`, {
    count: access.count,
    clusterName: access.clusterName,
    principalArn: access.principalArn,
    type: 'STANDARD',
    tags: access.tags ? { ...access.tags } : undefined,
  });
  return new EksAccessPolicyAssociation(cluster, `${id}-cluster-admin`, {
    count: access.count,
    clusterName: access.clusterName,
    principalArn: access.principalArn,
    policyArn: `arn:${AwsContext.of(cluster).partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
    accessScope: { type: 'cluster' },
    dependsOn: [entry],
  });
}
