import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { PropsValidator } from '../catalog';
import { AwsContext } from './aws-context';
import { isUnresolved } from './aws-names';
import { AWS_REGION_NAME } from './aws-provider';
import { SecureBucket } from './secure-bucket';

export interface ModelStoreReplication {
  /** ARN of a versioned bucket, usually in another region, that receives a copy of every model. */
  readonly destinationBucketArn: string;
  /**
   * KMS key (key ARN, not an alias: IAM grants a key by its ARN) the destination encrypts replicas
   * with, in the destination's region. Required: every model here is SSE-KMS encrypted, and S3
   * replicates KMS-encrypted objects only with a destination key.
   */
  readonly destinationKmsKeyArn: string;
  /**
   * Region of the destination bucket, so that the role may use the destination key only through S3
   * there (`kms:ViaService`).
   * @default - read from destinationKmsKeyArn; no kms:ViaService condition when that is a token
   */
  readonly destinationRegion?: string;
  /**
   * Storage class of the replicas.
   * @default 'STANDARD'
   */
  readonly storageClass?: string;
  /**
   * S3 Replication Time Control: designed to replicate 99.99 % of objects within 15 minutes (service
   * credits below 99.9 % a month), with replication metrics; billed per GB replicated.
   * @default false
   */
  readonly replicationTimeControl?: boolean;
  /**
   * Name of the role S3 replicates with (IAM names are per account: give each environment its own).
   * @default - a generated name starting with `model-store-replication-`
   */
  readonly roleName?: string;
  /**
   * What the replication must wait for: the destination's versioning, when the destination is
   * created in the same apply (S3 refuses replication to a bucket that is not versioned).
   * @default - nothing
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

const S3_BUCKET_ARN = /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/.+$/;
const REPLICA_STORAGE_CLASSES = ['STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE', 'REDUCED_REDUNDANCY'];
/** Replication Time Control's threshold: the only value S3 accepts (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html). */
const RTC_MINUTES = 15;

/** Checks a replication of the bucket `bucketName`; `field` prefixes the fields in messages. */
export function validateModelStoreReplication(v: PropsValidator, field: string, r: ModelStoreReplication, bucketName: string): void {
  if (!isUnresolved(r.destinationBucketArn)) {
    v.that(S3_BUCKET_ARN.test(r.destinationBucketArn), `${field}.destinationBucketArn`, r.destinationBucketArn, 'is not an S3 bucket ARN', 'use "arn:aws:s3:::<bucket>"');
    v.that(
      isUnresolved(bucketName) || !r.destinationBucketArn.endsWith(`:::${bucketName}`),
      `${field}.destinationBucketArn`,
      r.destinationBucketArn,
      'is the model bucket itself',
      'replicate to another bucket (usually in another region)',
    );
  }
  if (!isUnresolved(r.destinationKmsKeyArn)) {
    v.that(
      KMS_KEY_ARN.test(r.destinationKmsKeyArn),
      `${field}.destinationKmsKeyArn`,
      r.destinationKmsKeyArn,
      /:alias\//.test(r.destinationKmsKeyArn) ? 'is an alias ARN, which IAM policies cannot grant (KMS authorizes the key ARN)' : 'is not a KMS key ARN',
      'use "arn:aws:kms:<region>:<account>:key/<id>"',
    );
  }
  if (r.destinationRegion !== undefined && !isUnresolved(r.destinationRegion)) {
    v.that(AWS_REGION_NAME.test(r.destinationRegion), `${field}.destinationRegion`, r.destinationRegion, 'is not an AWS region name', 'use a name such as us-west-2');
    const keyRegion = KMS_KEY_ARN.exec(r.destinationKmsKeyArn)?.[1];
    v.that(
      keyRegion === undefined || keyRegion === r.destinationRegion,
      `${field}.destinationKmsKeyArn`,
      r.destinationKmsKeyArn,
      `is a key in ${keyRegion}, not in the destination's region (${r.destinationRegion}); S3 encrypts replicas only with a key of the destination's region`,
      `create a key in ${r.destinationRegion}`,
    );
  }
  v.oneOf(`${field}.storageClass`, r.storageClass, REPLICA_STORAGE_CLASSES);
  if (r.roleName !== undefined && !isUnresolved(r.roleName)) {
    v.that(/^[\w+=,.@-]{1,64}$/.test(r.roleName), `${field}.roleName`, r.roleName, 'is not an IAM role name', 'use 1 to 64 letters, digits and +=,.@_-');
  }
}

export interface ReplicatedBucket {
  readonly bucket: SecureBucket;
  /** The key the source objects are encrypted with. */
  readonly kmsKeyArn: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Replicates every object of `source` to the destination: a role S3 assumes for this bucket only,
 * with the permissions AWS lists for replicating SSE-KMS objects
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html),
 * narrowed to this source and destination, and one replication rule. Returns the role's ARN.
 */
export function replicateBucket(scope: Construct, source: ReplicatedBucket, r: ModelStoreReplication): string {
  const aws = AwsContext.of(scope);
  const role = new IamRole(scope, 'replication-role', {
    name: r.roleName,
    namePrefix: r.roleName === undefined ? 'model-store-replication-' : undefined,
    description: `S3 replication of ${source.bucket.bucketName}`,
    assumeRolePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 's3.amazonaws.com' },
          Action: 'sts:AssumeRole',
          // AWS's example trusts S3 unconditioned
          // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html);
          // the source account narrows it to this account's replications.
          Condition: { StringEquals: { 'aws:SourceAccount': aws.accountId } },
        },
      ],
    }),
    tags: source.tags ? { ...source.tags } : undefined,
  });
  new IamRolePolicy(scope, 'replication-policy', {
    name: 'replicate-models',
    role: role.id,
    policy: JSON.stringify({ Version: '2012-10-17', Statement: replicationStatements(aws, source, r) }),
  });
  new S3BucketReplicationConfigurationA(scope, 'replication', {
    bucket: source.bucket.bucket.id,
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
          ...(r.replicationTimeControl
            ? {
              metrics: { status: 'Enabled', eventThreshold: { minutes: RTC_MINUTES } },
              replicationTime: { status: 'Enabled', time: { minutes: RTC_MINUTES } },
            }
            : {}),
        },
      },
    ],
    // S3 refuses replication from, or to, a bucket that is not versioned yet.
    dependsOn: [source.bucket.versioning, ...(r.dependsOn ?? [])],
  });
  return role.arn;
}

/**
 * Read the source's versions, write replicas (no deletes: delete markers are not replicated), and
 * use each key only through S3 in its region and for its bucket. Both buckets use S3 Bucket Keys,
 * so the encryption context is the bucket ARN (the object ARN for objects written before the
 * bucket key), and S3 decrypts the destination's bucket key to check it.
 */
function replicationStatements(aws: AwsContext, source: ReplicatedBucket, r: ModelStoreReplication): object[] {
  const bucketArn = source.bucket.bucketArn;
  const destinationRegion = r.destinationRegion ?? KMS_KEY_ARN.exec(r.destinationKmsKeyArn)?.[1];
  const viaS3 = (region: string | undefined) => (region === undefined ? {} : { StringEquals: { 'kms:ViaService': `s3.${region}.${aws.dnsSuffix}` } });
  const context = (arn: string) => ({ StringLike: { 'kms:EncryptionContext:aws:s3:arn': [arn, `${arn}/*`] } });
  return [
    { Sid: 'ReadReplicationConfiguration', Effect: 'Allow', Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'], Resource: [bucketArn] },
    {
      Sid: 'ReadSourceVersions',
      Effect: 'Allow',
      Action: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
      Resource: [`${bucketArn}/*`],
    },
    { Sid: 'WriteReplicas', Effect: 'Allow', Action: ['s3:ReplicateObject', 's3:ReplicateTags'], Resource: [`${r.destinationBucketArn}/*`] },
    {
      Sid: 'DecryptSource',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [source.kmsKeyArn],
      Condition: { ...viaS3(aws.region), ...context(bucketArn) },
    },
    {
      Sid: 'EncryptReplicas',
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: [r.destinationKmsKeyArn],
      Condition: { ...viaS3(destinationRegion), ...context(r.destinationBucketArn) },
    },
  ];
}
