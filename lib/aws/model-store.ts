import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import { Construct } from 'constructs';
import { EnvironmentName, PropsValidator } from '../catalog';
import { AwsContext } from './aws-context';
import { isUnresolved, validateS3BucketName, validateEnvironment, validateTags } from './aws-names';
import { EncryptionKey } from './encryption-key';
import { ModelStoreAccess, ModelStoreGrant } from './model-store-access';
import { SecureBucket, validateForceDestroy } from './secure-bucket';

export interface ModelStoreReplication {
  /** ARN of a versioned bucket, usually in another region, that receives a copy of every model. */
  readonly destinationBucketArn: string;
  /**
   * KMS key (ARN) the destination encrypts replicas with. Required: every model here is
   * SSE-KMS encrypted, and S3 replicates KMS-encrypted objects only with a destination key.
   */
  readonly destinationKmsKeyArn: string;
  /**
   * Storage class of the replicas.
   * @default 'STANDARD'
   */
  readonly storageClass?: string;
}

export interface ModelStoreAccessLogging {
  /** Bucket that receives the server access logs (SSE-S3 encrypted: S3 cannot write logs with SSE-KMS). */
  readonly targetBucketName: string;
  /** @default - `<bucketName>/` */
  readonly prefix?: string;
}

export interface ModelStoreProps {
  readonly environment: EnvironmentName;
  /** Globally unique S3 bucket name for the model artifacts. */
  readonly bucketName: string;
  /**
   * Days a replaced or deleted model version is kept before it expires.
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Days before an unfinished multipart upload is aborted (its parts cost storage).
   * @default 7
   */
  readonly abortIncompleteMultipartUploadDays?: number;
  /** @default - no replication */
  readonly replication?: ModelStoreReplication;
  /** @default - no server access logs */
  readonly accessLogging?: ModelStoreAccessLogging;
  /**
   * Let `terraform destroy` delete the bucket while it still holds models. Refused where the
   * environment preset protects data.
   * @default false
   */
  readonly forceDestroy?: boolean;
  /**
   * Customer KMS key (ARN) for the objects.
   * @default - a new key with rotation on
   */
  readonly kmsKeyArn?: string;
  /** @default - no tags beyond the provider's default tags */
  readonly tags?: Readonly<Record<string, string>>;
}

const S3_BUCKET_ARN = /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/;
const REPLICA_STORAGE_CLASSES = ['STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE', 'REDUCED_REDUNDANCY'];

/**
 * The S3 bucket that holds model artifacts: private, versioned, SSE-KMS with a customer key,
 * TLS-only, with lifecycle rules for old versions and failed uploads, and optional cross-region
 * replication and access logs. `grantServiceAccount` gives a Kubernetes service account access
 * through EKS Pod Identity.
 */
export class ModelStore extends Construct {
  public readonly bucketName: string;
  public readonly bucketArn: string;
  public readonly keyArn: string;
  public readonly secureBucket: SecureBucket;
  /** Role S3 replicates with, when replication is on. */
  public readonly replicationRoleArn?: string;

  constructor(scope: Construct, id: string, props: ModelStoreProps) {
    super(scope, id);
    const v = new PropsValidator(this.node.path);
    validateEnvironment(v, props.environment);
    validateTags(v, 'tags', props.tags);
    validateS3BucketName(v, 'bucketName', props.bucketName);
    const noncurrentDays = props.noncurrentVersionExpirationDays ?? 90;
    v.integerInRange('noncurrentVersionExpirationDays', noncurrentDays, 1, 36500);
    const abortDays = props.abortIncompleteMultipartUploadDays ?? 7;
    v.integerInRange('abortIncompleteMultipartUploadDays', abortDays, 1, 365);
    const forceDestroy = props.forceDestroy ?? false;
    validateForceDestroy(v, forceDestroy, props.environment, 'model');
    if (props.replication) {
      const r = props.replication;
      if (!isUnresolved(r.destinationBucketArn)) {
        v.that(S3_BUCKET_ARN.test(r.destinationBucketArn), 'replication.destinationBucketArn', r.destinationBucketArn, 'is not an S3 bucket ARN', 'use "arn:aws:s3:::<bucket>"');
        v.that(
          isUnresolved(props.bucketName) || !r.destinationBucketArn.endsWith(`:::${props.bucketName}`),
          'replication.destinationBucketArn',
          r.destinationBucketArn,
          'is the model bucket itself',
          'replicate to another bucket (usually in another region)',
        );
      }
      if (!isUnresolved(r.destinationKmsKeyArn)) {
        v.that(KMS_KEY_ARN.test(r.destinationKmsKeyArn), 'replication.destinationKmsKeyArn', r.destinationKmsKeyArn, 'is not a KMS key ARN', 'use "arn:aws:kms:<region>:<account>:key/<id>"');
      }
      v.oneOf('replication.storageClass', r.storageClass, REPLICA_STORAGE_CLASSES);
    }
    if (props.accessLogging) {
      validateS3BucketName(v, 'accessLogging.targetBucketName', props.accessLogging.targetBucketName);
      v.that(
        props.accessLogging.targetBucketName !== props.bucketName,
        'accessLogging.targetBucketName',
        props.accessLogging.targetBucketName,
        'is the model bucket itself, so every log write would log again',
        'send the logs to a separate bucket',
      );
    }

    const tags = props.tags ? { ...props.tags } : undefined;
    this.keyArn =
      props.kmsKeyArn ??
      new EncryptionKey(this, 'key', {
        description: `Model artifacts in s3://${props.bucketName}`,
        alias: `modelserve/s3/${props.bucketName}`,
        tags,
      }).keyArn;

    this.secureBucket = new SecureBucket(this, 'bucket', {
      bucketName: props.bucketName,
      kmsKeyArn: this.keyArn,
      noncurrentVersionExpirationDays: noncurrentDays,
      abortIncompleteMultipartUploadDays: abortDays,
      forceDestroy,
      preventDestroy: false,
      tags,
    });
    this.bucketName = this.secureBucket.bucketName;
    this.bucketArn = this.secureBucket.bucketArn;

    if (props.accessLogging) {
      new S3BucketLoggingA(this, 'access-logging', {
        bucket: this.secureBucket.bucket.id,
        targetBucket: props.accessLogging.targetBucketName,
        targetPrefix: props.accessLogging.prefix ?? `${props.bucketName}/`,
      });
    }
    if (props.replication) {
      this.replicationRoleArn = this.replicate(props.replication, tags);
    }
  }

  /**
   * Lets pods of one Kubernetes service account read (or read and write) the models, through EKS
   * Pod Identity. Call once per service account.
   */
  public grantServiceAccount(grant: ModelStoreGrant): ModelStoreAccess {
    const id = `access-${grant.namespace}-${grant.serviceAccount}`;
    if (this.node.tryFindChild(id)) {
      new PropsValidator(this.node.path).fail(
        'grantServiceAccount',
        `${grant.namespace}/${grant.serviceAccount}`,
        'is granted twice',
        'grant each service account once, with the widest access it needs',
      );
    }
    return new ModelStoreAccess(this, id, { ...grant, bucketArn: this.bucketArn, kmsKeyArn: this.keyArn });
  }

  private replicate(r: ModelStoreReplication, tags: Record<string, string> | undefined): string {
    const aws = AwsContext.of(this);
    const role = new IamRole(this, 'replication-role', {
      namePrefix: 'model-store-replication-',
      description: `S3 replication of ${this.bucketName}`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': aws.accountId } },
          },
        ],
      }),
      tags,
    });
    new IamRolePolicy(this, 'replication-policy', {
      name: 'replicate-models',
      role: role.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'ReadReplicationConfiguration', Effect: 'Allow', Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'], Resource: [this.bucketArn] },
          {
            Sid: 'ReadSourceVersions',
            Effect: 'Allow',
            Action: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
            Resource: [`${this.bucketArn}/*`],
          },
          { Sid: 'WriteReplicas', Effect: 'Allow', Action: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], Resource: [`${r.destinationBucketArn}/*`] },
          {
            Sid: 'DecryptSource',
            Effect: 'Allow',
            Action: ['kms:Decrypt'],
            Resource: [this.keyArn],
            Condition: { StringEquals: { 'kms:ViaService': `s3.${aws.region}.${aws.dnsSuffix}` } },
          },
          { Sid: 'EncryptReplicas', Effect: 'Allow', Action: ['kms:Encrypt', 'kms:GenerateDataKey'], Resource: [r.destinationKmsKeyArn] },
        ],
      }),
    });
    new S3BucketReplicationConfigurationA(this, 'replication', {
      bucket: this.secureBucket.bucket.id,
      role: role.arn,
      rule: [
        {
          id: 'replicate-models',
          status: 'Enabled',
          filter: { prefix: '' },
          // A deletion here should not delete the disaster-recovery copy.
          deleteMarkerReplication: { status: 'Disabled' },
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
          destination: {
            bucket: r.destinationBucketArn,
            storageClass: r.storageClass ?? 'STANDARD',
            encryptionConfiguration: { replicaKmsKeyId: r.destinationKmsKeyArn },
          },
        },
      ],
      // S3 refuses replication on a bucket that is not versioned yet.
      dependsOn: [this.secureBucket.versioning],
    });
    return role.arn;
  }
}
