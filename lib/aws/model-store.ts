import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { Construct } from 'constructs';
import { EnvironmentName, PropsValidator } from '../catalog';
import { validateS3BucketName, validateEnvironment, validateTags } from './aws-names';
import { EncryptionKey } from './encryption-key';
import { IEncryptionKey } from './encryption-key-attributes';
import { givenKeyArn, validateStoreKey } from './encryption-key-props';
import { ModelStoreAccess, ModelStoreAccessLevel, ModelStoreGrant, ModelStoreGrantTarget } from './model-store-access';
import { ModelStoreReplication, replicateBucket, validateModelStoreReplication } from './model-store-replication';
import { SecureBucket, validateForceDestroy } from './secure-bucket';
import { checkConstructProps } from '../catalog/props-check';

// The replication's props are part of ModelStore's; the helpers that build it stay internal.
export type { ModelStoreReplication } from './model-store-replication';

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
   * Customer KMS key for the objects (`EncryptionKey.fromKeyArn` for a key that exists).
   * @default - a new key with rotation on
   */
  readonly encryptionKey?: IEncryptionKey;
  /**
   * Customer KMS key (ARN) for the objects.
   * @default - a new key with rotation on
   * @deprecated Use `encryptionKey` (`EncryptionKey.fromKeyArn(scope, id, arn)` for a key that exists); goes in 0.3.0.
   */
  readonly kmsKeyArn?: string;
  /** @default - no tags beyond the provider's default tags */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The S3 bucket that holds model artifacts: private, versioned, SSE-KMS with a customer key,
 * TLS-only, with lifecycle rules for old versions and failed uploads, and optional cross-region
 * replication and access logs. `grantRead` and `grantReadWrite` give a Kubernetes service account
 * access through EKS Pod Identity.
 */
export class ModelStore extends Construct {
  public readonly bucketName: string;
  public readonly bucketArn: string;
  public readonly keyArn: string;
  public readonly secureBucket: SecureBucket;
  private readonly props: ModelStoreProps;
  private replicationRole?: string;

  constructor(scope: Construct, id: string, props: ModelStoreProps) {
    checkConstructProps(ModelStore, scope, id, props);
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
    validateStoreKey(v, props);
    if (props.replication) validateModelStoreReplication(v, 'replication', props.replication, props.bucketName);
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

    this.props = props;
    const tags = props.tags ? { ...props.tags } : undefined;
    this.keyArn =
      givenKeyArn(props) ??
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
    if (props.replication) this.addReplication(props.replication);
  }

  /**
   * Replicates every model to another bucket (a bucket has one replication configuration: call
   * once, or give the `replication` prop). Returns the ARN of the role S3 replicates with.
   */
  public addReplication(replication: ModelStoreReplication): string {
    const v = new PropsValidator(this.node.path);
    v.that(
      this.replicationRole === undefined,
      'replication',
      replication.destinationBucketArn,
      'is a second replication of the model bucket, which has one replication configuration',
      'replicate once (the replication prop or one addReplication call)',
    );
    validateModelStoreReplication(v, 'replication', replication, this.props.bucketName);
    const tags = this.props.tags ? { ...this.props.tags } : undefined;
    this.replicationRole = replicateBucket(this, { bucket: this.secureBucket, kmsKeyArn: this.keyArn, tags }, replication);
    return this.replicationRole;
  }

  /** Role S3 replicates with, when replication is on. */
  public get replicationRoleArn(): string | undefined {
    return this.replicationRole;
  }

  /**
   * Lets pods of one Kubernetes service account download the models, through EKS Pod Identity: a
   * role only that service account of that cluster can assume, allowed `s3:ListBucket` on the
   * bucket, `s3:GetObject` on its objects and `kms:Decrypt` through S3, and the association that
   * binds it. Returns the access it makes (`roleArn`, `roleName`). One grant per service account.
   */
  public grantRead(target: ModelStoreGrantTarget): ModelStoreAccess {
    return this.grant('grantRead', target, 'read');
  }

  /**
   * As `grantRead`, and also upload and delete models (training jobs, CI): `s3:PutObject`,
   * `s3:DeleteObject`, `s3:AbortMultipartUpload`, `kms:GenerateDataKey`.
   */
  public grantReadWrite(target: ModelStoreGrantTarget): ModelStoreAccess {
    return this.grant('grantReadWrite', target, 'read-write');
  }

  /**
   * Lets pods of one Kubernetes service account read (or read and write) the models, through EKS
   * Pod Identity. Call once per service account.
   * @deprecated Use `grantRead(target)` or `grantReadWrite(target)`; goes in 0.3.0.
   */
  public grantServiceAccount(grant: ModelStoreGrant): ModelStoreAccess {
    return this.grant('grantServiceAccount', grant, grant.access);
  }

  /** The access of one service account, under an id of its namespace and name (so a second grant of it is refused). */
  private grant(method: string, target: ModelStoreGrantTarget, access: ModelStoreAccessLevel | undefined): ModelStoreAccess {
    const v = new PropsValidator(this.node.path);
    v.that(
      typeof target === 'object' && target !== null,
      method,
      target,
      'is not a service account to grant',
      'pass { clusterName, namespace, serviceAccount }',
    );
    const id = `access-${target.namespace}-${target.serviceAccount}`;
    if (this.node.tryFindChild(id)) {
      v.fail(
        method,
        `${target.namespace}/${target.serviceAccount}`,
        'is granted twice',
        'grant each service account once, with the widest access it needs',
      );
    }
    return new ModelStoreAccess(this, id, { ...target, access, bucketArn: this.bucketArn, kmsKeyArn: this.keyArn });
  }
}
