import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { S3Backend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { EnvironmentName, PropsValidator } from '../catalog';
import { isUnresolved, validateDynamoDbTableName, validateRegion, validateS3BucketName, validateEnvironment, validateTags } from './aws-names';
import { EncryptionKey } from './encryption-key';
import { IEncryptionKey } from './encryption-key-attributes';
import { givenKeyArn, validateStoreKey } from './encryption-key-props';
import { SecureBucket } from './secure-bucket';
import { checkConstructProps } from '../catalog/props-check';

const KEY_ID = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})';
const KMS_KEY = new RegExp(`^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/${KEY_ID}|${KEY_ID})$`);

export interface StateBackendOptions {
  /** Bucket that holds the state (see StateBackendBootstrap). */
  readonly bucket: string;
  /**
   * Object key of this stack's state.
   * @default - `<stack id>/terraform.tfstate`
   */
  readonly key?: string;
  /** Region of the bucket. */
  readonly region: string;
  /**
   * KMS key that encrypts the state object: its key ARN or key id (Terraform's S3 backend refuses
   * aliases). Given, the backend asks for SSE-KMS with it (`encrypt`, `kms_key_id`).
   * @default - no encryption header, so S3 applies the bucket's default encryption: with
   * StateBackendBootstrap, SSE-KMS under its customer key (an `encrypt = true` without a key would
   * ask for SSE-S3 instead, which that bucket refuses)
   */
  readonly kmsKeyId?: string;
  /**
   * Also lock through this DynamoDB table, for Terraform versions before 1.10 that cannot lock
   * with S3 alone. Terraform 1.10 and later lock with a lock file in the bucket either way.
   * @default - S3-native locking only
   */
  readonly dynamodbTable?: string;
  /**
   * Role to assume for state access.
   * @default - the caller's credentials
   */
  readonly roleArn?: string;
}

/**
 * Stores the stack's state in S3, encrypted, with S3-native locking (a `.tflock` object written
 * with a conditional put; Terraform 1.10+), optionally also locked in DynamoDB. A configured
 * backend also keeps absolute local paths out of the synthesized output.
 */
export function configureStateBackend(stack: TerraformStack, options: StateBackendOptions): S3Backend {
  const v = new PropsValidator(stack.node.path);
  validateS3BucketName(v, 'bucket', options.bucket);
  validateRegion(v, 'region', options.region);
  const key = options.key ?? `${stack.node.id}/terraform.tfstate`;
  v.that(key.length > 0 && key.length <= 1024 && !key.startsWith('/') && !key.endsWith('/'), 'key', key, 'is not a usable state object key', 'use a path such as "platform/production/terraform.tfstate"');
  if (options.dynamodbTable !== undefined) validateDynamoDbTableName(v, 'dynamodbTable', options.dynamodbTable);
  if (options.kmsKeyId !== undefined) {
    // What Terraform's S3 backend accepts (internal/backend/remote-state/s3/validate.go): a key ARN or a key id.
    v.that(KMS_KEY.test(options.kmsKeyId), 'kmsKeyId', options.kmsKeyId, 'is not a KMS key ARN or key id, the forms Terraform\'s S3 backend accepts (no aliases)', 'use the key ARN, e.g. StateBackendBootstrap\'s keyArn output');
  }

  const backend = new S3Backend(stack, {
    bucket: options.bucket,
    key,
    region: options.region,
    // Without a key, encrypt = true would send AES256 and override the bucket's SSE-KMS default.
    encrypt: options.kmsKeyId !== undefined ? true : undefined,
    kmsKeyId: options.kmsKeyId,
    dynamodbTable: options.dynamodbTable,
    roleArn: options.roleArn,
  });
  // cdktf 0.21 predates `use_lockfile` (Terraform 1.10), so it is written as an override.
  backend.addOverride('use_lockfile', true);
  return backend;
}

export interface StateBackendBootstrapProps {
  readonly environment: EnvironmentName;
  /** Globally unique name of the state bucket. */
  readonly bucketName: string;
  /**
   * Create a DynamoDB lock table of this name, for Terraform older than 1.10.
   * @default - no table: S3-native locking
   */
  readonly lockTableName?: string;
  /**
   * Days an overwritten state version is kept (every apply writes one).
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Customer KMS key for the state and the lock table (`EncryptionKey.fromKeyArn` for a key that
   * exists).
   * @default - a new key with rotation on
   */
  readonly encryptionKey?: IEncryptionKey;
  /**
   * Customer KMS key (ARN) for the state and the lock table.
   * @default - a new key with rotation on
   * @deprecated Use `encryptionKey` (`EncryptionKey.fromKeyArn(scope, id, arn)` for a key that exists); goes in 0.3.0.
   */
  readonly kmsKeyArn?: string;
  /** @default - no tags beyond the provider's default tags */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The bucket (and optional lock table) that Terraform state lives in, created once per account
 * from a stack with local state. State holds every secret Terraform has seen, so the bucket is
 * private, versioned, KMS-encrypted, TLS-only, never force-destroyed and guarded by
 * `prevent_destroy`.
 */
export class StateBackendBootstrap extends Construct {
  public readonly bucketName: string;
  public readonly bucketArn: string;
  public readonly keyArn: string;
  public readonly lockTableName?: string;
  public readonly lockTableArn?: string;

  constructor(scope: Construct, id: string, props: StateBackendBootstrapProps) {
    checkConstructProps(StateBackendBootstrap, scope, id, props);
    super(scope, id);
    const v = new PropsValidator(this.node.path);
    validateEnvironment(v, props.environment);
    validateTags(v, 'tags', props.tags);
    validateS3BucketName(v, 'bucketName', props.bucketName);
    if (props.lockTableName !== undefined) validateDynamoDbTableName(v, 'lockTableName', props.lockTableName);
    const noncurrentDays = props.noncurrentVersionExpirationDays ?? 90;
    v.integerInRange('noncurrentVersionExpirationDays', noncurrentDays, 1, 36500);
    validateStoreKey(v, props);

    const tags = props.tags ? { ...props.tags } : undefined;
    this.keyArn =
      givenKeyArn(props) ??
      new EncryptionKey(this, 'key', {
        description: `Terraform state in s3://${props.bucketName}`,
        alias: `modelserve/terraform-state/${isUnresolved(props.bucketName) ? this.node.addr : props.bucketName}`,
        tags,
      }).keyArn;

    const bucket = new SecureBucket(this, 'bucket', {
      bucketName: props.bucketName,
      kmsKeyArn: this.keyArn,
      noncurrentVersionExpirationDays: noncurrentDays,
      abortIncompleteMultipartUploadDays: 7,
      forceDestroy: false,
      preventDestroy: true,
      // State holds every secret Terraform has seen: only under the customer key.
      requireKmsUploads: true,
      tags,
    });
    this.bucketName = bucket.bucketName;
    this.bucketArn = bucket.bucketArn;

    if (props.lockTableName !== undefined) {
      const table = new DynamodbTable(this, 'lock-table', {
        name: props.lockTableName,
        billingMode: 'PAY_PER_REQUEST',
        hashKey: 'LockID',
        attribute: [{ name: 'LockID', type: 'S' }],
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: this.keyArn },
        deletionProtectionEnabled: true,
        tags,
        lifecycle: { preventDestroy: true },
      });
      this.lockTableName = table.name;
      this.lockTableArn = table.arn;
    }
  }
}
