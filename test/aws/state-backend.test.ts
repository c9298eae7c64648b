import { Testing } from 'cdktf';
import { configureStateBackend, StateBackendBootstrap, StateBackendBootstrapProps, StateBackendOptions } from '../../lib/aws/state-backend';
import { awsStack, expectRejectedBeforeSynth, Json, policyOf, synth } from '../support/aws-stack';

const backendOptions: StateBackendOptions = { bucket: 'acme-modelserve-state', region: 'us-east-1' };

function backendOf(options: Partial<StateBackendOptions> = {}): Json {
  const stack = awsStack();
  configureStateBackend(stack, { ...backendOptions, ...options });
  return synth(stack).json.terraform.backend.s3;
}

function expectBackendRejected(options: Partial<StateBackendOptions>, message: string | RegExp): void {
  expectRejectedBeforeSynth((stack) => configureStateBackend(stack, { ...backendOptions, ...options }), message, { stack: awsStack });
}

describe('configureStateBackend', () => {
  // Terraform's S3 backend with encrypt = true and no kms_key_id sends "AES256" (SSE-S3) on every
  // write, overriding the bucket's default SSE-KMS with the customer key; with no header, S3 applies
  // the bucket default. https://developer.hashicorp.com/terraform/language/backend/s3#encrypt
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html
  test('without a key, leaves encryption to the bucket default (the bootstrap bucket\'s customer KMS key), with S3-native locking', () => {
    expect(backendOf()).toEqual({ bucket: 'acme-modelserve-state', key: 'test/terraform.tfstate', region: 'us-east-1', use_lockfile: true });
  });

  test('with a key, asks for SSE-KMS under it', () => {
    const keyArn = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(backendOf({ kmsKeyId: keyArn })).toMatchObject({ encrypt: true, kms_key_id: keyArn });
    expect(backendOf({ kmsKeyId: 'mrk-1234abcd12ab34cd56ef1234567890ab' })).toMatchObject({ encrypt: true, kms_key_id: 'mrk-1234abcd12ab34cd56ef1234567890ab' });
  });

  // Terraform's S3 backend accepts a key ARN or a key id and refuses aliases
  // (hashicorp/terraform internal/backend/remote-state/s3/validate.go, validateKMSKey).
  test('refuses a KMS alias, which the S3 backend does not take', () => {
    expectBackendRejected(
      { kmsKeyId: 'alias/modelserve/terraform-state' },
      'test: kmsKeyId ("alias/modelserve/terraform-state") is not a KMS key ARN or key id, the forms Terraform\'s S3 backend accepts (no aliases); use the key ARN, e.g. StateBackendBootstrap\'s keyArn output',
    );
  });

  test('keeps absolute local paths out of the output', () => {
    const stack = awsStack();
    configureStateBackend(stack, backendOptions);
    expect(Testing.synth(stack)).not.toMatch(/terraform\.test\.tfstate|"local"/);
  });

  test('adds a DynamoDB lock table and a KMS key when given', () => {
    expect(backendOf({ key: 'platform/prod.tfstate', dynamodbTable: 'terraform-locks', kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' })).toMatchObject({
      key: 'platform/prod.tfstate',
      dynamodb_table: 'terraform-locks',
      kms_key_id: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      use_lockfile: true,
    });
  });

  test('refuses a bucket name S3 would reject', () => {
    expectBackendRejected({ bucket: 'Acme_State' }, /^test: bucket \("Acme_State"\) is not a valid name: 3 to 63 lowercase/);
  });

  test('refuses a region that is not a region code', () => {
    expectBackendRejected({ region: 'US East' }, /^test: region \("US East"\) is not a valid name: an AWS region code/);
  });

  test('refuses a key that is a directory', () => {
    expectBackendRejected({ key: 'platform/' }, /key \("platform\/"\) is not a usable state object key/);
  });
});

const bootstrapBase: StateBackendBootstrapProps = { environment: 'production', bucketName: 'acme-modelserve-state' };

function bootstrap(props: Partial<StateBackendBootstrapProps> = {}) {
  const stack = awsStack();
  const construct = new StateBackendBootstrap(stack, 'state', { ...bootstrapBase, ...props });
  return { construct, out: synth(stack) };
}

function expectBootstrapRejected(props: Partial<StateBackendBootstrapProps>, message: string | RegExp): void {
  expectRejectedBeforeSynth((stack) => new StateBackendBootstrap(stack, 'state', { ...bootstrapBase, ...props }), message, { stack: awsStack });
}

describe('StateBackendBootstrap', () => {
  const { out } = bootstrap({ lockTableName: 'terraform-locks' });

  test('creates the state bucket so that it cannot be destroyed by accident', () => {
    expect(out.only('aws_s3_bucket')).toMatchObject({ bucket: 'acme-modelserve-state', force_destroy: false, lifecycle: { prevent_destroy: true } });
  });

  test('makes the bucket private, versioned, KMS-encrypted and TLS-only', () => {
    expect(out.only('aws_s3_bucket_public_access_block')).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(out.only('aws_s3_bucket_versioning').versioning_configuration.status).toBe('Enabled');
    const [rule] = out.only('aws_s3_bucket_server_side_encryption_configuration').rule;
    expect(rule.apply_server_side_encryption_by_default).toMatchObject({ sse_algorithm: 'aws:kms', kms_master_key_id: expect.stringMatching(/aws_kms_key\.state_key/) });
    const deny = policyOf(out.only('aws_s3_bucket_policy').policy).Statement.find((s: Json) => s.Sid === 'DenyInsecureTransport');
    expect(deny.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
  });

  // Requiring SSE-KMS on uploads: https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms
  test('refuses state written under anything but KMS (an explicit AES256), so state is always under the customer key', () => {
    const deny = policyOf(out.only('aws_s3_bucket_policy').policy).Statement.find((s: Json) => s.Sid === 'DenyUploadsNotUnderKms');
    expect(deny).toEqual({
      Sid: 'DenyUploadsNotUnderKms',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: expect.stringMatching(/^\$\{aws_s3_bucket\.state_bucket_\w+\.arn\}\/\*$/),
      Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
    });
  });

  test('creates a pay-per-request lock table with PITR and KMS', () => {
    expect(out.only('aws_dynamodb_table')).toMatchObject({
      name: 'terraform-locks',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'LockID',
      attribute: [{ name: 'LockID', type: 'S' }],
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true, kms_key_arn: expect.stringMatching(/aws_kms_key\.state_key/) },
    });
  });

  test('creates no lock table unless asked', () => {
    expect(bootstrap().out.resources('aws_dynamodb_table')).toEqual({});
  });

  test('refuses a bucket name S3 would reject', () => {
    expectBootstrapRejected({ bucketName: 'state..bucket' }, /^test\/state: bucketName \("state\.\.bucket"\) is not a valid name/);
  });

  test('refuses a lock table name DynamoDB would reject', () => {
    expectBootstrapRejected({ lockTableName: 'locks table' }, /lockTableName \("locks table"\) is not a valid name: 3 to 255 letters/);
  });
});
