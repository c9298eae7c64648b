import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, S3Backend, TerraformStack, Testing } from 'cdktf';
import { NodePools } from '../../lib/catalog';
import { DisasterRecovery } from '../../lib/aws/disaster-recovery';
import { ModelServePlatform, ModelServePlatformProps } from '../../lib/aws/model-serve-platform';
import { ModelStore } from '../../lib/aws/model-store';
import { expectRejectedBeforeSynth, Json, policyOf } from '../support/aws-stack';

const base: ModelServePlatformProps = {
  name: 'modelserve',
  environment: 'production',
  region: 'us-east-1',
  nodePools: [NodePools.general()],
  disasterRecovery: { region: 'us-west-2' },
};

function stackFor(app: App = Testing.app()): TerraformStack {
  const stack = new TerraformStack(app, 'platform');
  new S3Backend(stack, { bucket: 'state', key: 'platform.tfstate', region: 'us-east-1', encrypt: true });
  return stack;
}

function build(props: Partial<ModelServePlatformProps> = {}): { out: Json; platform: ModelServePlatform } {
  const stack = stackFor();
  const platform = new ModelServePlatform(stack, 'platform', { ...base, ...props });
  return { out: JSON.parse(Testing.synth(stack)), platform };
}

function expectRejected(props: Partial<ModelServePlatformProps>, message: string | RegExp, prepare?: (stack: TerraformStack) => void): void {
  expectRejectedBeforeSynth(
    (stack) => {
      prepare?.(stack);
      new ModelServePlatform(stack, 'platform', { ...base, ...props });
    },
    message,
    { stack: stackFor },
  );
}

const all = (out: Json, type: string): Json[] => Object.values(out.resource[type] ?? {});
const key = (out: Json, name: string): Json => Object.entries(out.resource.aws_kms_key).find(([k]) => k.includes(name))?.[1];
const ref = (out: Json, type: string, name: string, attribute: string): string => {
  const found = Object.keys(out.resource[type]).filter((k) => k.includes(name));
  if (found.length !== 1) throw new Error(`expected one ${type} named like ${name}, found ${found.join(', ')}`);
  return `\${${type}.${found[0]}.${attribute}}`;
};

describe('DisasterRecovery through the platform, production', () => {
  const { out, platform } = build();
  const DR = 'aws.us-west-2';

  // A resource in another region needs a provider configured for it: the AWS provider's
  // multiple-configuration pattern (https://developer.hashicorp.com/terraform/language/providers/configuration#alias-multiple-provider-configurations).
  test('a provider for us-west-2, aliased, with the platform provider\'s default tags', () => {
    const [primary, dr] = out.provider.aws;
    expect(dr).toEqual({ alias: 'us-west-2', region: 'us-west-2', default_tags: primary.default_tags });
  });

  // RDS starts the replication from the destination region, with a key of that region
  // (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/AutomatedBackups.Replicating.Enable.html).
  test('replicates the database\'s automated backups, from us-west-2 and under a key there, for as long as the database keeps its own', () => {
    const [replication] = all(out, 'aws_db_instance_automated_backups_replication');
    expect(replication).toEqual({
      provider: DR,
      source_db_instance_arn: ref(out, 'aws_db_instance', 'database', 'arn'),
      kms_key_id: ref(out, 'aws_kms_key', 'database-backup-key', 'arn'),
      retention_period: 14,
    });
    expect(key(out, 'database-backup-key')).toMatchObject({ provider: DR, enable_key_rotation: true });
    expect(platform.disasterRecovery?.region).toBe('us-west-2');
  });

  test('the replica bucket in us-west-2: versioned, private, TLS-only, under its own key there', () => {
    const bucket = all(out, 'aws_s3_bucket').find((b) => b.bucket.includes('-dr-'));
    expect(bucket).toMatchObject({ provider: DR, force_destroy: false, bucket: expect.stringMatching(/^modelserve-prod-dr-\$\{data\.aws_caller_identity\..*\.account_id\}-us-west-2$/) });
    const onReplica = (type: string) => all(out, type).filter((r) => r.provider === DR);
    expect(onReplica('aws_s3_bucket_versioning').map((v) => v.versioning_configuration)).toEqual([{ status: 'Enabled' }]);
    expect(onReplica('aws_s3_bucket_public_access_block')).toEqual([expect.objectContaining({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true })]);
    const [sse] = onReplica('aws_s3_bucket_server_side_encryption_configuration');
    expect(sse.rule[0].apply_server_side_encryption_by_default).toEqual({ sse_algorithm: 'aws:kms', kms_master_key_id: ref(out, 'aws_kms_key', 'model-replica-key', 'arn') });
    expect(key(out, 'model-replica-key')).toMatchObject({ provider: DR, enable_key_rotation: true });
    const policy = policyOf(onReplica('aws_s3_bucket_policy')[0].policy);
    expect(policy.Statement.map((s: Json) => s.Sid)).toEqual(['DenyInsecureTransport', 'DenyOutdatedTls', 'DenyUploadsNotUnderKms']);
  });

  // S3 Replication Time Control (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html):
  // replication time and metrics, both at 15 minutes, the only value S3 takes.
  test('replicates every model there under the replica key, with Replication Time Control, once both buckets are versioned', () => {
    const [config] = all(out, 'aws_s3_bucket_replication_configuration');
    expect(config.provider).toBeUndefined();
    expect(config.bucket).toBe(ref(out, 'aws_s3_bucket', 'model-store', 'id'));
    expect(config.rule[0].destination).toEqual({
      bucket: ref(out, 'aws_s3_bucket', 'model-replica', 'arn'),
      storage_class: 'STANDARD',
      encryption_configuration: { replica_kms_key_id: ref(out, 'aws_kms_key', 'model-replica-key', 'arn') },
      metrics: { status: 'Enabled', event_threshold: { minutes: 15 } },
      replication_time: { status: 'Enabled', time: { minutes: 15 } },
    });
    expect(config.rule[0].delete_marker_replication).toEqual({ status: 'Disabled' });
    expect([...config.depends_on].sort()).toEqual([expect.stringMatching(/versioning\.platform_disaster-recovery_model-replica/), expect.stringMatching(/versioning\.platform_model-store_bucket/)].sort());
  });

  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html:
  // read the source's versions, replicate, decrypt with the source key and encrypt with the
  // replica key through S3, the encryption context being the bucket ARN under S3 Bucket Keys.
  test('the replication role may do only that, to these buckets and keys, through S3 in each region', () => {
    const [role] = all(out, 'aws_iam_role').filter((r) => r.name === 'modelserve-prod-model-replication');
    expect(policyOf(role.assume_role_policy).Statement).toEqual([expect.objectContaining({ Principal: { Service: 's3.amazonaws.com' }, Action: 'sts:AssumeRole' })]);
    const [policy] = all(out, 'aws_iam_role_policy').filter((p) => p.name === 'replicate-models').map((p) => policyOf(p.policy));
    const source = ref(out, 'aws_s3_bucket', 'model-store', 'arn');
    const replica = ref(out, 'aws_s3_bucket', 'model-replica', 'arn');
    const bySid = Object.fromEntries(policy.Statement.map((s: Json) => [s.Sid, s]));
    expect(bySid.ReadReplicationConfiguration).toMatchObject({ Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'], Resource: [source] });
    expect(bySid.ReadSourceVersions).toMatchObject({ Action: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'], Resource: [`${source}/*`] });
    // Delete markers are not replicated, so no s3:ReplicateDelete.
    expect(bySid.WriteReplicas).toMatchObject({ Action: ['s3:ReplicateObject', 's3:ReplicateTags'], Resource: [`${replica}/*`] });
    expect(bySid.DecryptSource).toEqual({
      Sid: 'DecryptSource',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [ref(out, 'aws_kms_key', 'model-store_key', 'arn')],
      Condition: {
        StringEquals: { 'kms:ViaService': expect.stringMatching(/^s3\.\$\{data\.aws_region\..*\}\.\$\{data\.aws_partition\..*\.dns_suffix\}$/) },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [source, `${source}/*`] },
      },
    });
    expect(bySid.EncryptReplicas).toEqual({
      Sid: 'EncryptReplicas',
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: [ref(out, 'aws_kms_key', 'model-replica-key', 'arn')],
      Condition: {
        StringEquals: { 'kms:ViaService': expect.stringMatching(/^s3\.us-west-2\.\$\{data\.aws_partition\..*\.dns_suffix\}$/) },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [replica, `${replica}/*`] },
      },
    });
    expect(Object.keys(bySid)).toHaveLength(5);
    expect(JSON.stringify(policy)).not.toMatch(/"\*"|s3:\*|kms:\*/);
  });

  test('outputs what a recovery starts from', () => {
    expect(out.output.dr_database_backups_arn.value).toBe(ref(out, 'aws_db_instance_automated_backups_replication', 'database-backups', 'id'));
    expect(out.output.dr_model_bucket_name.value).toBe(ref(out, 'aws_s3_bucket', 'model-replica', 'bucket'));
  });
});

describe('DisasterRecovery choices', () => {
  test('off unless asked for', () => {
    const { out } = build({ disasterRecovery: undefined });
    expect(out.provider.aws).toHaveLength(1);
    expect(out.resource.aws_db_instance_automated_backups_replication).toBeUndefined();
    expect(out.resource.aws_s3_bucket_replication_configuration).toBeUndefined();
    expect(Object.keys(out.output).filter((o) => o.startsWith('dr_'))).toEqual([]);
  });

  test('each copy on its own, the backups kept longer, Replication Time Control off', () => {
    const backupsOnly = build({ disasterRecovery: { region: 'us-west-2', models: false, databaseBackupRetentionDays: 35 } }).out;
    expect(backupsOnly.resource.aws_s3_bucket_replication_configuration).toBeUndefined();
    expect(all(backupsOnly, 'aws_db_instance_automated_backups_replication')[0].retention_period).toBe(35);
    const modelsOnly = build({ disasterRecovery: { region: 'eu-west-1', databaseBackups: false, replicationTimeControl: false } }).out;
    expect(modelsOnly.resource.aws_db_instance_automated_backups_replication).toBeUndefined();
    const { destination } = all(modelsOnly, 'aws_s3_bucket_replication_configuration')[0].rule[0];
    expect(destination.metrics).toBeUndefined();
    expect(destination.replication_time).toBeUndefined();
  });

  test('what the platform does not have is not copied', () => {
    const { out } = build({ database: false });
    expect(out.resource.aws_db_instance_automated_backups_replication).toBeUndefined();
    expect(all(out, 'aws_s3_bucket_replication_configuration')).toHaveLength(1);
  });

  test('on the stack\'s own provider, with the DR provider given', () => {
    const stack = stackFor();
    new AwsProvider(stack, 'aws', { region: 'eu-central-1', profile: 'deployer' });
    const dr = new AwsProvider(stack, 'aws-dr', { alias: 'dr', region: 'eu-west-1', profile: 'deployer' });
    new ModelServePlatform(stack, 'platform', { ...base, region: undefined, disasterRecovery: { region: 'eu-west-1', provider: dr } });
    const out = JSON.parse(Testing.synth(stack));
    expect(out.provider.aws).toHaveLength(2);
    expect(all(out, 'aws_db_instance_automated_backups_replication')[0].provider).toBe('aws.dr');
    expect(all(out, 'aws_s3_bucket').filter((b) => b.provider === 'aws.dr')).toHaveLength(1);
  });

  test('on its own, beside a model store of the stack', () => {
    const stack = stackFor();
    new AwsProvider(stack, 'aws', { region: 'us-east-2' });
    const dr = new AwsProvider(stack, 'aws-dr', { alias: 'dr', region: 'us-west-2' });
    const modelStore = new ModelStore(stack, 'models', { environment: 'staging', bucketName: 'acme-models-staging' });
    const recovery = new DisasterRecovery(stack, 'dr', { environment: 'staging', name: 'acme-staging', region: 'us-west-2', provider: dr, modelStore });
    const out = JSON.parse(Testing.synth(stack));
    expect(recovery.databaseBackupsArn).toBeUndefined();
    expect(recovery.modelReplicaBucketName).toBeDefined();
    expect(modelStore.replicationRoleArn).toBeDefined();
    expect(all(out, 'aws_iam_role').map((r) => r.name)).toEqual(['acme-staging-model-replication']);
  });
});

describe('DisasterRecovery refuses, before writing anything', () => {
  test('the platform\'s own region', () => {
    expectRejected(
      { disasterRecovery: { region: 'us-east-1' } },
      'platform/platform: disasterRecovery.region ("us-east-1") is the platform\'s own region, so an outage of the region takes the copies with the originals; choose another region, e.g. us-west-2',
    );
  });

  test('a region the catalog\'s region table does not list, or no region name at all', () => {
    expectRejected(
      { disasterRecovery: { region: 'us-west-9' } },
      'platform/platform: disasterRecovery.region ("us-west-9") is not a region of the catalog\'s region table (lib/catalog/regions.ts), so nothing about it can be checked; use a commercial region the table lists, e.g. us-west-2',
    );
    expectRejected({ disasterRecovery: { region: 'Oregon' } }, 'platform/platform: disasterRecovery.region ("Oregon") is not an AWS region name; use a name such as us-west-2');
    expectRejected({ disasterRecovery: {} as never }, 'platform/platform: disasterRecovery.region (not set) is not an AWS region name; use a name such as us-west-2');
  });

  test('a platform region not known at synth, which the DR region cannot be compared with', () => {
    expectRejected(
      { region: undefined },
      'platform/platform: disasterRecovery.region ("us-west-2") cannot be told apart from the platform\'s region, which is not known at synth (it comes from the environment or a token); give the platform its region, or write the region in your AwsProvider',
      (stack) => new AwsProvider(stack, 'aws', {}),
    );
  });

  test('the stack\'s own provider without a DR provider: a copy would deploy with other credentials', () => {
    expectRejected(
      { region: undefined },
      'platform/platform: disasterRecovery.provider (not set) is needed: the stack\'s AWS provider is yours, and a copy for the second region without its credentials, role or profile would deploy as someone else; pass new AwsProvider(stack, "aws-dr", { alias: "dr", region: "us-west-2", ... }) with your provider\'s settings',
      (stack) => new AwsProvider(stack, 'aws', { region: 'us-east-1', assumeRole: [{ roleArn: 'arn:aws:iam::123456789012:role/Deployer' }] }),
    );
  });

  test('a DR provider for another region, or without an alias', () => {
    const withProvider = (config: { alias?: string; region: string }, message: string) =>
      expectRejectedBeforeSynth(
        (stack) => {
          const provider = new AwsProvider(stack, 'aws-dr', config);
          new ModelServePlatform(stack, 'platform', { ...base, disasterRecovery: { region: 'us-west-2', provider } });
        },
        message,
        { stack: stackFor },
      );
    withProvider({ alias: 'dr', region: 'eu-west-1' }, 'platform/platform: disasterRecovery.provider ("eu-west-1") is for another region than disasterRecovery.region (us-west-2); give the provider the same region');
    // The stack's default provider, passed on its own (with the platform, a second default provider is refused earlier).
    expectRejectedBeforeSynth(
      (stack) => {
        const provider = new AwsProvider(stack, 'aws', { region: 'us-west-2' });
        const modelStore = new ModelStore(stack, 'models', { environment: 'staging', bucketName: 'acme-models-staging' });
        new DisasterRecovery(stack, 'dr', { environment: 'staging', name: 'acme-staging', primaryRegion: 'us-east-2', region: 'us-west-2', provider, modelStore });
      },
      'platform/dr: provider (not set) is not an AWS provider with an alias, so resources would land in the default provider\'s region; give the provider an alias',
      { stack: stackFor },
    );
  });

  test('copies asked of stores the platform does not have, or none at all', () => {
    expectRejected({ database: false, disasterRecovery: { region: 'us-west-2', databaseBackups: true } }, 'platform/platform: disasterRecovery.databaseBackups (true) is on but the platform has no database; drop databaseBackups, or give the platform its database');
    expectRejected(
      { database: false, disasterRecovery: { region: 'us-west-2', models: false } },
      'platform/platform: disasterRecovery ({"databaseBackups":false,"models":false}) replicates nothing; leave databaseBackups or models on (each needs its store), or drop disaster recovery',
    );
  });

  test('a replicated-backup retention RDS does not take, or a database without backups', () => {
    expectRejected({ disasterRecovery: { region: 'us-west-2', databaseBackupRetentionDays: 36 } }, 'platform/platform: disasterRecovery.databaseBackupRetentionDays (36) must be a whole number from 1 to 35; RDS keeps replicated backups for 1 to 35 days');
    expectRejected(
      { environment: 'development', database: { backupRetentionDays: 0 } },
      'platform/platform: disasterRecovery.databaseBackups (true) is on but the database keeps no automated backups (backupRetentionDays 0), so there is nothing to replicate; give the database a backup retention of 1 day or more, or set databaseBackups: false',
    );
  });
});
