import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { PropsValidator } from '../catalog';
import { podIdentityRoleName, validatePodIdentityTarget } from './addons/pod-identity-role';
import { AwsContext } from './aws-context';
import { eksClusterArn, podIdentityTrustPolicy } from './pod-identity-trust';
import { checkConstructProps } from '../catalog/props-check';

export const MODEL_STORE_ACCESS_LEVELS = ['read', 'read-write'] as const;
/** `read`: download models (serving). `read-write`: also upload and delete (training, CI). */
export type ModelStoreAccessLevel = (typeof MODEL_STORE_ACCESS_LEVELS)[number];

/** Who is granted the model store: one Kubernetes service account of one cluster, and its role's name. */
export interface ModelStoreGrantTarget {
  /** EKS cluster the workload runs in (`cluster.clusterName` of an `ICluster`). */
  readonly clusterName: string;
  /** Kubernetes namespace of the service account. */
  readonly namespace: string;
  /** Kubernetes service account the pods run as. */
  readonly serviceAccount: string;
  /**
   * IAM role name.
   * @default - `<namespace>-<serviceAccount>-` and a hash of the construct path, at most 64 characters
   */
  readonly roleName?: string;
  /** @default - no tags beyond the provider's default tags */
  readonly tags?: Readonly<Record<string, string>>;
}

/** What a workload needs to reach the model store: who it is and what it may do. */
export interface ModelStoreGrant extends ModelStoreGrantTarget {
  /** @default 'read' */
  readonly access?: ModelStoreAccessLevel;
}

export interface ModelStoreAccessProps extends ModelStoreGrant {
  /** ARN of the model bucket. */
  readonly bucketArn: string;
  /** ARN of the KMS key the bucket encrypts with. */
  readonly kmsKeyArn: string;
}

/**
 * Gives one Kubernetes service account access to the model bucket through EKS Pod Identity: an IAM
 * role that only that service account of that cluster can assume (podIdentityTrustPolicy), a policy limited to
 * this bucket and its key, and the association that binds the role to the service account.
 */
export class ModelStoreAccess extends Construct {
  public readonly role: IamRole;
  public readonly roleArn: string;
  public readonly roleName: string;
  public readonly access: ModelStoreAccessLevel;
  public readonly associationId: string;

  constructor(scope: Construct, id: string, props: ModelStoreAccessProps) {
    checkConstructProps(ModelStoreAccess, scope, id, props);
    super(scope, id);
    const v = new PropsValidator(this.node.path);
    validatePodIdentityTarget(v, props);
    const access = props.access ?? 'read';
    v.oneOf('access', access, MODEL_STORE_ACCESS_LEVELS);

    const aws = AwsContext.of(this);
    const tags = props.tags ? { ...props.tags } : undefined;

    this.role = new IamRole(this, 'role', {
      name: props.roleName ?? podIdentityRoleName(props, this.node.path, 'model-store'),
      description: `${access} access to the model store for ${props.namespace}/${props.serviceAccount}`,
      assumeRolePolicy: podIdentityTrustPolicy({
        clusterArn: eksClusterArn(aws, props.clusterName),
        namespace: props.namespace,
        serviceAccount: props.serviceAccount,
      }),
      tags,
    });

    const objectActions = access === 'read-write' ? ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'] : ['s3:GetObject'];
    // Decrypt to read; GenerateDataKey to write (and Decrypt again for multipart uploads).
    const keyActions = access === 'read-write' ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'];
    new IamRolePolicy(this, 'policy', {
      name: 'model-store',
      role: this.role.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'ListModels', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [props.bucketArn] },
          { Sid: access === 'read-write' ? 'ReadWriteModels' : 'ReadModels', Effect: 'Allow', Action: objectActions, Resource: [`${props.bucketArn}/*`] },
          {
            Sid: 'UseBucketKeyThroughS3',
            Effect: 'Allow',
            Action: keyActions,
            Resource: [props.kmsKeyArn],
            Condition: { StringEquals: { 'kms:ViaService': `s3.${aws.region}.${aws.dnsSuffix}` } },
          },
        ],
      }),
    });

    const association = new EksPodIdentityAssociation(this, 'association', {
      clusterName: props.clusterName,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      roleArn: this.role.arn,
      tags,
    });

    this.roleArn = this.role.arn;
    this.roleName = this.role.name;
    this.access = access;
    this.associationId = association.associationId;
  }
}
