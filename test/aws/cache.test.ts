import { Cache, CacheProps } from '../../lib/aws/cache';
import { awsStack, expectRejectedBeforeSynth, Json, synth } from '../support/aws-stack';

const base: CacheProps = {
  environment: 'production',
  name: 'modelserve-prod',
  vpcId: 'vpc-00000123',
  subnetIds: ['subnet-0a0a0a0a', 'subnet-0b0b0b0b', 'subnet-0c0c0c0c'],
  allowedSecurityGroupIds: ['sg-0000000a'],
};

function build(props: Partial<CacheProps> = {}) {
  const stack = awsStack();
  const cache = new Cache(stack, 'cache', { ...base, ...props });
  return { cache, out: synth(stack) };
}

function expectRejected(props: Partial<CacheProps>, message: string | RegExp): void {
  expectRejectedBeforeSynth((stack) => new Cache(stack, 'cache', { ...base, ...props }), message, { stack: awsStack });
}

const keyRef = '${aws_kms_key.cache_key_85736327.arn}';

describe('Cache in production', () => {
  const { out, cache } = build();
  const group = out.only('aws_elasticache_replication_group');

  // aws_elasticache_parameter_group: name, family and description force a new group, and it has no
  // name_prefix; with create_before_destroy, a replacement under the same name fails with
  // CacheParameterGroupAlreadyExists. So what replaces the group must change its name.
  // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/elasticache_parameter_group
  test('a minor upgrade keeps the parameter group; a new family makes one of a new name before dropping the old', () => {
    const group = (props: Partial<CacheProps>) => build(props).out.only('aws_elasticache_parameter_group');
    const v70 = group({ engineVersion: '7.0' });
    const v71 = group({ engineVersion: '7.1' });
    expect({ name: v70.name, description: v70.description, family: v70.family }).toEqual({ name: v71.name, description: v71.description, family: v71.family });
    expect(v71.description).not.toMatch(/7\.1/);
    const valkey = group({ engine: 'valkey', engineVersion: '8.2' });
    expect(valkey).toMatchObject({ name: 'modelserve-prod-valkey8', family: 'valkey8' });
    expect(valkey.name).not.toBe(v71.name);
    expect(v71.lifecycle).toEqual({ create_before_destroy: true });
  });

  test('is Redis 7.1 on the redis7 parameter family by default', () => {
    expect(group).toMatchObject({ engine: 'redis', engine_version: '7.1', node_type: 'cache.r7g.large' });
    expect(out.only('aws_elasticache_parameter_group').family).toBe('redis7');
  });

  test('encrypts at rest with the customer key and requires TLS', () => {
    expect(Object.keys(out.resources('aws_kms_key'))).toEqual(['cache_key_85736327']);
    expect(group).toMatchObject({
      at_rest_encryption_enabled: 'true',
      kms_key_id: keyRef,
      transit_encryption_enabled: true,
      transit_encryption_mode: 'required',
    });
  });

  test('fails over automatically across AZs with 3 nodes', () => {
    expect(group).toMatchObject({ num_cache_clusters: 3, automatic_failover_enabled: true, multi_az_enabled: true });
    expect(cache.cacheClusterIds).toEqual(['modelserve-prod-001', 'modelserve-prod-002', 'modelserve-prod-003']);
  });

  test('keeps snapshots for the preset days, in fixed windows, with a final snapshot', () => {
    expect(group).toMatchObject({
      snapshot_retention_limit: 7,
      snapshot_window: '03:00-04:00',
      maintenance_window: 'sun:05:00-sun:06:00',
    });
    // Snapshot names are unique per account and region and outlive the group: a fixed name fails
    // the second destroy of a re-created cache (SnapshotAlreadyExistsFault).
    // https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DeleteReplicationGroup.html
    expect(group.final_snapshot_identifier).toMatch(/^modelserve-prod-final-\$\{substr\(terraform_data\.cache_final-snapshot-suffix_[0-9A-F]+\.id, 0, 8\)\}$/);
    expect(out.only('terraform_data').triggers_replace).toEqual({ name: 'modelserve-prod', kmsKeyArn: keyRef });
  });

  // Write-only arguments are sent to the provider and never stored in the plan or state; an
  // ephemeral resource's value exists only during the run and may feed only write-only arguments.
  // https://developer.hashicorp.com/terraform/language/manage-sensitive-data/write-only
  // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/elasticache_replication_group#auth_token_wo
  // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/secretsmanager_secret_version#secret_string_wo
  test('its AUTH token reaches ElastiCache and Secrets Manager through write-only arguments only', () => {
    const secret = out.only('aws_secretsmanager_secret');
    expect(secret).toMatchObject({ kms_key_id: keyRef, recovery_window_in_days: 30 });
    const [[drawName, draw]] = Object.entries(out.json.ephemeral.aws_secretsmanager_random_password as Record<string, Json>);
    expect(draw).toEqual({ password_length: 64, exclude_punctuation: true, include_space: false });
    const token = `\${ephemeral.aws_secretsmanager_random_password.${drawName}.random_password}`;
    expect(group).toMatchObject({ auth_token_wo: token, auth_token_wo_version: 1, auth_token_update_strategy: 'ROTATE' });
    expect(group.auth_token).toBeUndefined();
    const version = out.only('aws_secretsmanager_secret_version');
    expect(version).toMatchObject({ secret_string_wo: token, secret_string_wo_version: 1 });
    expect(version.secret_string).toBeUndefined();
    // Replaced with the group (its id changes only then), so the two never hold different draws.
    expect(version.lifecycle).toEqual({ replace_triggered_by: [expect.stringMatching(/^aws_elasticache_replication_group\.cache_replication-group_\w+\.id$/)] });
    // Nothing that would hold the token in the state: no data-source draw, no auth_token.
    expect(out.json.data?.aws_secretsmanager_random_password).toBeUndefined();
    expect(out.text).not.toMatch(/"auth_token"|"secret_string"/);
  });

  test('asks for the Terraform and AWS provider versions that have write-only arguments', () => {
    expect(out.json.terraform).toMatchObject({ required_version: '>= 1.11.0', required_providers: { aws: { version: '>= 6.64.0' } } });
  });

  test('a new token version rotates both; a version that is not a positive whole number is refused', () => {
    const rotated = build({ authTokenVersion: 2 }).out;
    expect(rotated.only('aws_elasticache_replication_group').auth_token_wo_version).toBe(2);
    expect(rotated.only('aws_secretsmanager_secret_version').secret_string_wo_version).toBe(2);
    expectRejected({ authTokenVersion: 0 }, /^test\/cache: authTokenVersion \(0\) must be a whole number from 1 to 1000000; start at 1 and raise it by one to rotate the token$/);
  });

  test('admits only the listed security groups on 6379', () => {
    const rule = out.only('aws_vpc_security_group_ingress_rule');
    expect(rule).toMatchObject({ referenced_security_group_id: 'sg-0000000a', ip_protocol: 'tcp', from_port: 6379, to_port: 6379 });
    expect(out.only('aws_security_group').egress).toBeUndefined();
  });
});

describe('Cache in development', () => {
  const { out } = build({ environment: 'development', name: 'modelserve-dev' });
  const group = out.only('aws_elasticache_replication_group');

  test('is one node without failover, still encrypted', () => {
    expect(group).toMatchObject({
      num_cache_clusters: 1,
      automatic_failover_enabled: false,
      multi_az_enabled: false,
      at_rest_encryption_enabled: 'true',
      transit_encryption_enabled: true,
    });
    expect(group.final_snapshot_identifier).toBeUndefined();
  });
});

describe('Cache options', () => {
  test('runs Valkey 8 on the valkey8 family', () => {
    const { out } = build({ engine: 'valkey' });
    expect(out.only('aws_elasticache_replication_group')).toMatchObject({ engine: 'valkey', engine_version: '8.2' });
    expect(out.only('aws_elasticache_parameter_group').family).toBe('valkey8');
  });

  test('passes extra parameters to the parameter group', () => {
    const { out } = build({ parameters: { 'maxmemory-policy': 'allkeys-lru' } });
    expect(out.only('aws_elasticache_parameter_group').parameter).toEqual([{ name: 'maxmemory-policy', value: 'allkeys-lru' }]);
  });
});

describe('Cache refuses', () => {
  test('automatic failover with one node', () => {
    expectRejected(
      { environment: 'development', nodeCount: 1, automaticFailover: true },
      'test/cache: automaticFailover (true) needs a replica to promote, but nodeCount is 1; raise nodeCount to 2 or more, or turn automaticFailover off',
    );
  });

  test('one node in production', () => {
    expectRejected({ nodeCount: 1 }, /^test\/cache: nodeCount \(1\) leaves production without a replica to fail over to; use 2 or more nodes$/);
  });

  test('automatic failover off in production', () => {
    expectRejected({ automaticFailover: false }, /automaticFailover \(false\) is off, so a primary failure in production/);
  });

  test('Multi-AZ without automatic failover', () => {
    expectRejected({ environment: 'development', nodeCount: 2, automaticFailover: false, multiAz: true }, /multiAz \(true\) needs automatic failover/);
  });

  test('more than six nodes', () => {
    expectRejected({ nodeCount: 7 }, /nodeCount \(7\) must be a whole number from 1 to 6/);
  });

  test('a Redis version without a known parameter family', () => {
    expectRejected({ engineVersion: '6.2' }, /engineVersion \("6.2"\) is not supported; use one of "7.0", "7.1"/);
  });

  test('a Redis version with the Valkey engine', () => {
    expectRejected({ engine: 'valkey', engineVersion: '7.1' }, /engineVersion \("7.1"\) is not supported; use one of "7.2", "8.0", "8.1", "8.2"/);
  });

  test.each(['Modelserve', 'model--serve', 'modelserve-', '1cache', 'a'.repeat(41)])('a replication group id ElastiCache rejects: %s', (name) => {
    expectRejected({ name }, new RegExp(`^test/cache: name \\(${JSON.stringify(name)}\\) is not a valid name: 1 to 40 lowercase`));
  });

  test('windows that are not UTC hh:mm ranges', () => {
    expectRejected({ snapshotWindow: '3am' }, 'test/cache: snapshotWindow ("3am") is not a daily window; write it as "hh:mm-hh:mm" in UTC, e.g. "03:00-04:00"');
    expectRejected({ maintenanceWindow: 'sun:24:00-sun:25:00' }, 'test/cache: maintenanceWindow ("sun:24:00-sun:25:00") is not a weekly window; write it as "ddd:hh:mm-ddd:hh:mm" in UTC, e.g. "sun:05:00-sun:06:00"');
  });

  // ElastiCache: "The minimum maintenance window is a 60 minute period"
  // (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html,
  // PreferredMaintenanceWindow); the daily snapshot window is at least 60 minutes and must not fall
  // in the maintenance window (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-automatic.html).
  test('a snapshot window inside the maintenance window, or windows under an hour', () => {
    expectRejected(
      { snapshotWindow: '05:30-06:30' },
      'test/cache: snapshotWindow ("05:30-06:30") overlaps maintenanceWindow ("sun:05:00-sun:06:00"), which ElastiCache refuses; move one of them so that the daily window ends before the weekly one starts',
    );
    expectRejected({ snapshotWindow: '03:00-03:30' }, /snapshotWindow \("03:00-03:30"\) lasts 30 minutes, but ElastiCache requires at least 60/);
    expectRejected({ maintenanceWindow: 'sun:05:00-sun:05:30' }, /maintenanceWindow \("sun:05:00-sun:05:30"\) lasts 30 minutes, but ElastiCache requires at least 60/);
  });

  // https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html
  test('a node type ElastiCache does not offer', () => {
    expectRejected({ nodeType: 'cache.r7g.32xlarge' }, /^test\/cache: nodeType \("cache.r7g.32xlarge"\) is not a size AWS offers in cache.r7g; use one of cache.r7g.large, /);
    expectRejected({ nodeType: 'cache.t4g.large' }, /nodeType \("cache.t4g.large"\) is not a size AWS offers in cache.t4g; use one of cache.t4g.micro, cache.t4g.small, cache.t4g.medium$/);
  });

  test('snapshots off in production', () => {
    expectRejected({ snapshotRetentionDays: 0 }, /snapshotRetentionDays \(0\) turns off snapshots, which production keeps/);
  });
});
