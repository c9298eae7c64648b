import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration, S3BucketLifecycleConfigurationRule } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { ENVIRONMENT_PRESETS, EnvironmentName, PropsValidator } from '../catalog';
import { checkConstructProps } from '../catalog/props-check';

/** A lifecycle rule that expires current objects, for data kept only for a retention period. */
export interface SecureBucketExpiration {
  /** Days after an object is written before it expires. */
  readonly days: number;
  /** Id of the lifecycle rule, named after the reason (`expire-logs-after-retention`): the S3 console lists rules by id. */
  readonly ruleId: string;
}

export interface SecureBucketProps {
  /** Validated by the construct that owns the bucket. */
  readonly bucketName: string;
  readonly kmsKeyArn: string;
  readonly noncurrentVersionExpirationDays: number;
  readonly abortIncompleteMultipartUploadDays: number;
  /** Let `terraform destroy` empty a bucket that still holds objects. */
  readonly forceDestroy: boolean;
  /** `lifecycle.prevent_destroy` on the bucket: Terraform refuses any plan that would delete it. */
  readonly preventDestroy: boolean;
  /**
   * Expire current objects, as a third rule of the bucket's one lifecycle configuration (a second
   * configuration would replace this one's rules). The bucket is versioned, so an expired object
   * becomes noncurrent and is deleted `noncurrentVersionExpirationDays` later.
   * @default - objects never expire
   */
  readonly expiration?: SecureBucketExpiration;
  /**
   * Refuse uploads that ask for an encryption other than SSE-KMS (e.g. SSE-S3's AES256), so that
   * every object is under the bucket's KMS key; uploads without an encryption header get it by default.
   * @default false
   */
  readonly requireKmsUploads?: boolean;
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * The AWS provider, for a bucket in another region (a replica's).
   * @default - the stack's default AWS provider
   */
  readonly provider?: TerraformProvider;
}

/**
 * The bucket baseline that ModelStore, StateBackendBootstrap and LogStore share: versioning, SSE-KMS with a
 * bucket key (one KMS call per object prefix and hour instead of per request), every public
 * access block on, ACLs disabled (BucketOwnerEnforced), a policy that refuses plain HTTP and TLS
 * older than 1.2, and lifecycle rules so that old versions and failed uploads do not pile up
 * (and, for data with a retention, current objects expire).
 * Not validated here: the owning construct checks its props and names the field the user set.
 */
export class SecureBucket extends Construct {
  public readonly bucket: S3Bucket;
  public readonly bucketName: string;
  public readonly bucketArn: string;
  /** Resources that replication and other bucket-level settings must wait for. */
  public readonly versioning: S3BucketVersioningA;
  public readonly publicAccessBlock: S3BucketPublicAccessBlock;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    checkConstructProps(SecureBucket, scope, id, props);
    super(scope, id);
    this.bucket = new S3Bucket(this, 'bucket', {
      bucket: props.bucketName,
      provider: props.provider,
      forceDestroy: props.forceDestroy,
      tags: props.tags ? { ...props.tags } : undefined,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;
    const bucket = { bucket: this.bucket.id, provider: props.provider };

    this.publicAccessBlock = new S3BucketPublicAccessBlock(this, 'public-access-block', {
      ...bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', { ...bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    this.versioning = new S3BucketVersioningA(this, 'versioning', { ...bucket, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      ...bucket,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn },
          bucketKeyEnabled: true,
        },
      ],
    });
    new S3BucketPolicy(this, 'policy', {
      ...bucket,
      policy: JSON.stringify(secureBucketPolicy(this.bucketArn, props.requireKmsUploads ?? false)),
      // S3 rejects a bucket policy while the public access block is being written.
      dependsOn: [this.publicAccessBlock],
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      ...bucket,
      rule: secureBucketLifecycleRules(props),
      // Noncurrent-version rules are only meaningful on a versioned bucket.
      dependsOn: [this.versioning],
    });
  }
}

/** Refuses plain HTTP and TLS older than 1.2 and, when asked, uploads not encrypted under KMS. */
export function secureBucketPolicy(bucketArn: string, requireKmsUploads: boolean): Record<string, unknown> {
  const everything = [bucketArn, `${bucketArn}/*`];
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: everything,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'DenyOutdatedTls',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: everything,
        Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
      },
      ...(requireKmsUploads
        ? [{
          // https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms
          Sid: 'DenyUploadsNotUnderKms',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: `${bucketArn}/*`,
          Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
        }]
        : []),
    ],
  };
}

/**
 * The bucket's one lifecycle configuration: noncurrent versions and failed multipart uploads go
 * after their days, and current objects expire when the owner asks (a retention).
 */
export function secureBucketLifecycleRules(
  props: Pick<SecureBucketProps, 'noncurrentVersionExpirationDays' | 'abortIncompleteMultipartUploadDays' | 'expiration'>,
): S3BucketLifecycleConfigurationRule[] {
  return [
    {
      id: 'expire-noncurrent-versions',
      status: 'Enabled',
      filter: [{ prefix: '' }],
      noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationDays }],
      // Once the last noncurrent version is gone, the delete marker left behind is noise.
      expiration: [{ expiredObjectDeleteMarker: true }],
    },
    {
      id: 'abort-incomplete-multipart-uploads',
      status: 'Enabled',
      filter: [{ prefix: '' }],
      abortIncompleteMultipartUpload: [{ daysAfterInitiation: props.abortIncompleteMultipartUploadDays }],
    },
    ...(props.expiration
      ? [{ id: props.expiration.ruleId, status: 'Enabled', filter: [{ prefix: '' }], expiration: [{ days: props.expiration.days }] }]
      : []),
  ];
}

/**
 * For owners of a SecureBucket: refuses `forceDestroy` where the environment preset protects data,
 * since `terraform destroy` would then delete every object. `contents` names them (`model`, `log`).
 */
export function validateForceDestroy(v: PropsValidator, forceDestroy: boolean, environment: EnvironmentName, contents: string): void {
  v.that(
    !(forceDestroy && ENVIRONMENT_PRESETS[environment].protectData),
    'forceDestroy',
    forceDestroy,
    `would let terraform destroy delete every ${contents} in ${environment}`,
    'leave forceDestroy off; empty the bucket by hand if it really must go',
  );
}
