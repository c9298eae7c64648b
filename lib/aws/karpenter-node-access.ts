import { Ec2Tag } from '@cdktf/provider-aws/lib/ec2-tag';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { KARPENTER_DISCOVERY_TAG, karpenterNodeRoleName } from '../catalog';
import { AwsContext } from './aws-context';
import { checkConstructProps } from '../catalog/props-check';

export interface KarpenterNodeAccessProps {
  /** The cluster's name, a literal: the node role and the discovery tag are named after it. */
  readonly clusterName: string;
  /** The EKS resource's name attribute, so that the access entry waits for the cluster. */
  readonly clusterNameAttribute: string;
  /** The EKS-created cluster security group, which Karpenter's nodes join (as managed nodes do). */
  readonly clusterSecurityGroupId: string;
  /** @default - none beyond `Name` */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * What Karpenter's nodes need from the platform's stack: the node IAM role every EC2NodeClass
 * names (worker, image-pull and SSM policies; the CNI's comes from Pod Identity), an access entry of
 * type EC2_LINUX so that its nodes may join the cluster, and the discovery tag on the cluster
 * security group (the Network tags its private subnets). The controller, its role and the
 * interruption queue belong to the add-ons' stack.
 */
export class KarpenterNodeAccess extends Construct {
  public readonly nodeRoleName: string;
  public readonly nodeRoleArn: string;
  /** What a node of Karpenter's needs before it can join. */
  public readonly dependables: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: KarpenterNodeAccessProps) {
    checkConstructProps(KarpenterNodeAccess, scope, id, props);
    super(scope, id);
    const aws = AwsContext.of(this);
    const name = karpenterNodeRoleName(props.clusterName);
    const role = new IamRole(this, 'node-role', {
      name,
      description: `Nodes that Karpenter launches for EKS cluster ${props.clusterName}`,
      assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: `ec2.${aws.dnsSuffix}` }, Action: ['sts:AssumeRole'] }] }),
      tags: { ...props.tags, Name: name },
    });
    this.nodeRoleName = role.name;
    this.nodeRoleArn = role.arn;
    const policies = ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryPullOnly', 'AmazonSSMManagedInstanceCore'].map(
      (policy) => new IamRolePolicyAttachment(this, `node-${policy}`, { role: role.name, policyArn: `arn:${aws.partition}:iam::aws:policy/${policy}` }),
    );
    // EC2_LINUX entries put the node in system:nodes; no access policy may be associated with them
    // (https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html).
    const entry = new EksAccessEntry(this, 'node-access', { clusterName: props.clusterNameAttribute, principalArn: role.arn, type: 'EC2_LINUX', tags: { ...props.tags } });
    const securityGroupTag = new Ec2Tag(this, 'security-group-discovery', { resourceId: props.clusterSecurityGroupId, key: KARPENTER_DISCOVERY_TAG, value: props.clusterName });
    this.dependables = [entry, securityGroupTag, ...policies];
  }
}
