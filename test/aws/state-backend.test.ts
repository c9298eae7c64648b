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
  test('stores encrypted state with S3-native locking', () => {
    expect(backendOf()).toEqual({ bucket: 'acme-modelserve-state', key: 'test/terraform.tfstate', region: 'us-east-1', encrypt: true, use_lockfile: true });
  });

  test('keeps absolute local paths out of the output', () => {
    const stack = awsStack();
    configureStateBackend(stack, backendOptions);
    expect(Testing.synth(stack)).not.toMatch(/terraform\.test\.tfstate|"local"/);
  });

  test('adds a DynamoDB lock table and a KMS key when given', () => {
    expect(backendOf({ key: 'platform/prod.tfstate', dynamodbTable: 'terraform-locks', kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/abc' })).toMatchObject({
      key: 'platform/prod.tfstate',
      dynamodb_table: 'terraform-locks',
      kms_key_id: 'arn:aws:kms:us-east-1:111122223333:key/abc',
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
