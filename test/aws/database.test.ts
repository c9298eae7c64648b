import { Database, DatabaseProps } from '../../lib/aws/database';
import { awsStack, expectRejectedBeforeSynth, synth } from '../support/aws-stack';

const base: DatabaseProps = {
  environment: 'production',
  identifier: 'modelserve-prod',
  vpcId: 'vpc-00000123',
  subnetIds: ['subnet-0a0a0a0a', 'subnet-0b0b0b0b', 'subnet-0c0c0c0c'],
  allowedSecurityGroupIds: ['sg-0000000a', 'sg-0000000c'],
};

function build(props: Partial<DatabaseProps> = {}) {
  const stack = awsStack();
  const database = new Database(stack, 'database', { ...base, ...props });
  return { database, out: synth(stack) };
}

function expectRejected(props: Partial<DatabaseProps>, message: string | RegExp): void {
  expectRejectedBeforeSynth((stack) => new Database(stack, 'database', { ...base, ...props }), message, { stack: awsStack });
}

describe('Database in production', () => {
  const { out } = build();
  const instance = out.only('aws_db_instance');

  test('is PostgreSQL 18 by default, with minor upgrades', () => {
    expect(instance.engine).toBe('postgres');
    expect(instance.engine_version).toBe('18');
    expect(instance.auto_minor_version_upgrade).toBe(true);
    expect(out.only('aws_db_parameter_group').family).toBe('postgres18');
  });

  test('encrypts storage with the customer key and is not publicly accessible', () => {
    const keyRef = '${aws_kms_key.database_key_CA7EEF20.arn}';
    expect(Object.keys(out.resources('aws_kms_key'))).toEqual(['database_key_CA7EEF20']);
    expect(instance).toMatchObject({
      storage_encrypted: true,
      kms_key_id: keyRef,
      performance_insights_enabled: true,
      performance_insights_kms_key_id: keyRef,
      publicly_accessible: false,
      storage_type: 'gp3',
      allocated_storage: 100,
      max_allocated_storage: 1000,
    });
  });

  test('lets RDS manage the master password in a KMS-encrypted secret', () => {
    expect(instance.manage_master_user_password).toBe(true);
    expect(instance.master_user_secret_kms_key_id).toBe('${aws_kms_key.database_key_CA7EEF20.arn}');
    expect(instance.password).toBeUndefined();
    expect(out.text).not.toMatch(/"password"/);
    expect(instance.iam_database_authentication_enabled).toBe(true);
  });

  test('forces TLS and logs slow statements', () => {
    const parameters = out.only('aws_db_parameter_group').parameter as { name: string; value: string }[];
    expect(parameters).toContainEqual(expect.objectContaining({ name: 'rds.force_ssl', value: '1' }));
    expect(parameters).toContainEqual(expect.objectContaining({ name: 'log_min_duration_statement', value: '1000' }));
  });

  test('is Multi-AZ with deletion protection, backups and a final snapshot', () => {
    expect(instance).toMatchObject({
      multi_az: true,
      deletion_protection: true,
      skip_final_snapshot: false,
      backup_retention_period: 14,
      copy_tags_to_snapshot: true,
      enabled_cloudwatch_logs_exports: ['postgresql', 'upgrade'],
    });
  });

  // Snapshot identifiers are unique per account and region and outlive the instance: a fixed
  // "<id>-final" fails the second destroy of a re-created database with DBSnapshotAlreadyExists.
  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html (FinalDBSnapshotIdentifier)
  test('names the final snapshot with a suffix drawn once per instance, redrawn when the identifier or key changes', () => {
    const suffix = out.only('terraform_data');
    expect(instance.final_snapshot_identifier).toMatch(/^modelserve-prod-final-\$\{substr\(terraform_data\.database_final-snapshot-suffix_[0-9A-F]+\.id, 0, 8\)\}$/);
    expect(suffix.triggers_replace).toEqual({ identifier: 'modelserve-prod', kmsKeyArn: '${aws_kms_key.database_key_CA7EEF20.arn}' });
  });

  test('admits only the listed security groups on 5432 and has no egress', () => {
    const rules = Object.values(out.resources('aws_vpc_security_group_ingress_rule'));
    expect(rules.map((r) => r.referenced_security_group_id)).toEqual(['sg-0000000a', 'sg-0000000c']);
    for (const rule of rules) expect(rule).toMatchObject({ ip_protocol: 'tcp', from_port: 5432, to_port: 5432 });
    expect(rules.some((r) => 'cidr_ipv4' in r)).toBe(false);
    const sg = out.only('aws_security_group');
    expect(sg.egress).toBeUndefined();
    expect(sg.ingress).toBeUndefined();
    expect(out.resources('aws_vpc_security_group_egress_rule')).toEqual({});
  });

  // Construct ids are Terraform addresses: keyed by the client group, removing one client must not
  // re-create the other clients' rules (and briefly cut them off the database).
  test('removing the first of three client groups changes only that rule\'s address', () => {
    const addresses = (groups: string[]) => Object.keys(build({ allowedSecurityGroupIds: groups }).out.resources('aws_vpc_security_group_ingress_rule'));
    const before = addresses(['sg-0000000a', 'sg-0000000b', 'sg-0000000c']);
    const after = addresses(['sg-0000000b', 'sg-0000000c']);
    expect(before).toHaveLength(3);
    expect(after.every((address) => before.includes(address))).toBe(true);
    expect(before.filter((address) => !after.includes(address))).toEqual([expect.stringMatching(/^database_ingress-sg-0000000a_/)]);
  });

  test('keeps exported logs for the preset retention, encrypted', () => {
    const groups = Object.values(out.resources('aws_cloudwatch_log_group'));
    expect(groups.map((g) => g.name).sort()).toEqual(['/aws/rds/instance/modelserve-prod/postgresql', '/aws/rds/instance/modelserve-prod/upgrade']);
    for (const g of groups) expect(g).toMatchObject({ retention_in_days: 90, kms_key_id: '${aws_kms_key.database_key_CA7EEF20.arn}' });
  });
});

describe('Database in development', () => {
  const { out } = build({ environment: 'development', identifier: 'modelserve-dev' });
  const instance = out.only('aws_db_instance');

  test('is single-AZ without deletion protection or a final snapshot', () => {
    expect(instance).toMatchObject({ multi_az: false, deletion_protection: false, skip_final_snapshot: true, instance_class: 'db.t4g.medium' });
    expect(instance.final_snapshot_identifier).toBeUndefined();
  });

  test('is still encrypted, private and TLS-only', () => {
    expect(instance).toMatchObject({ storage_encrypted: true, publicly_accessible: false, manage_master_user_password: true });
    const parameters = out.only('aws_db_parameter_group').parameter as { name: string; value: string }[];
    expect(parameters).toContainEqual(expect.objectContaining({ name: 'rds.force_ssl', value: '1' }));
  });
});

describe('Database options', () => {
  test('takes another major version and its parameter family', () => {
    const { out } = build({ engineVersion: '16.4' });
    expect(out.only('aws_db_instance').engine_version).toBe('16.4');
    expect(out.only('aws_db_parameter_group').family).toBe('postgres16');
  });

  test('uses a given key instead of creating one', () => {
    const { out, database } = build({ kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/abc' });
    expect(out.resources('aws_kms_key')).toEqual({});
    expect(out.only('aws_db_instance').kms_key_id).toBe('arn:aws:kms:us-east-1:111122223333:key/abc');
    expect(database.kmsKeyArn).toBe('arn:aws:kms:us-east-1:111122223333:key/abc');
  });

  test('exposes what IAM auth policies and clients need', () => {
    const { database } = build();
    for (const value of [database.endpoint, database.address, database.masterUserSecretArn, database.securityGroupId, database.instanceIdentifier, database.dbiResourceId]) {
      expect(typeof value).toBe('string');
      expect(value).toMatch(/TfToken/);
    }
    expect(database.databaseName).toBe('modelserve');
  });
});

describe('Database refuses', () => {
  test('backups of 0 days in production', () => {
    expectRejected(
      { backupRetentionDays: 0 },
      'test/database: backupRetentionDays (0) turns off automated backups and point-in-time recovery, which production requires; keep backups for at least 7 days',
    );
  });

  test('fewer than 7 days of backups in production', () => {
    expectRejected({ backupRetentionDays: 3 }, /^test\/database: backupRetentionDays \(3\) is below the 7 days production requires; /);
  });

  test('backups of 0 days in staging, which protects data', () => {
    expectRejected({ environment: 'staging', backupRetentionDays: 0 }, /^test\/database: backupRetentionDays \(0\) turns off automated backups/);
  });

  test('more than 35 days of backups', () => {
    expectRejected({ backupRetentionDays: 36 }, /backupRetentionDays \(36\) must be a whole number from 0 to 35/);
  });

  test.each([
    ['1modelserve', 'starts with a digit'],
    ['model--serve', 'has a double hyphen'],
    ['modelserve-', 'ends with a hyphen'],
    ['model_serve', 'has an underscore'],
    ['a'.repeat(64), 'is longer than 63'],
  ])('an identifier RDS rejects: %s (%s)', (identifier) => {
    expectRejected({ identifier }, new RegExp(`^test/database: identifier \\(${JSON.stringify(identifier)}\\) is not a valid name: 1 to 63 letters`));
  });

  test('a PostgreSQL major RDS does not support', () => {
    expectRejected({ engineVersion: '13' }, /engineVersion \("13"\) is not a PostgreSQL version RDS supports \(majors 14, 15, 16, 17, 18\)/);
    expectRejected({ engineVersion: 'latest' }, /engineVersion \("latest"\)/);
  });

  test('a single subnet', () => {
    expectRejected({ subnetIds: ['subnet-0a0a0a0a'] }, /subnetIds \(\["subnet-0a0a0a0a"\]\) needs at least 2 entries; give subnets in at least two availability zones/);
  });

  test('no client security group', () => {
    expectRejected({ allowedSecurityGroupIds: [] }, /allowedSecurityGroupIds \(\[\]\) needs at least 1 entry/);
  });

  test('turning rds.force_ssl off through parameters', () => {
    expectRejected({ parameters: { 'rds.force_ssl': '0' } }, /parameters\["rds.force_ssl"\] \("0"\) would allow unencrypted connections/);
  });

  test('storage autoscaling below the allocated storage', () => {
    expectRejected({ allocatedStorageGiB: 200, maxAllocatedStorageGiB: 100 }, /maxAllocatedStorageGiB \(100\) is below allocatedStorageGiB \(200\)/);
  });

  test('a malformed backup window', () => {
    expectRejected({ backupWindow: '03:00-04:60' }, 'test/database: backupWindow ("03:00-04:60") is not a daily window; write it as "hh:mm-hh:mm" in UTC, e.g. "03:00-04:00"');
  });

  test('a malformed maintenance window', () => {
    expectRejected({ maintenanceWindow: 'sunday 4am' }, /maintenanceWindow \("sunday 4am"\) is not a weekly window/);
  });

  // CreateDBInstance: PreferredBackupWindow and PreferredMaintenanceWindow "must be at least 30
  // minutes" and "must not conflict" with each other.
  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
  test('a backup window that overlaps the maintenance window on its day', () => {
    expectRejected(
      { backupWindow: '05:00-06:00' },
      'test/database: backupWindow ("05:00-06:00") overlaps maintenanceWindow ("sun:04:30-sun:05:30"), which RDS refuses; move one of them so that the daily window ends before the weekly one starts',
    );
    expectRejected({ backupWindow: '23:30-00:30', maintenanceWindow: 'mon:00:00-mon:01:00' }, /backupWindow \("23:30-00:30"\) overlaps maintenanceWindow/);
    expectRejected({ backupWindow: '23:30-00:30', maintenanceWindow: 'sat:23:45-sun:00:15' }, /backupWindow \("23:30-00:30"\) overlaps maintenanceWindow/);
  });

  test('windows shorter than the 30 minutes RDS requires', () => {
    expectRejected({ backupWindow: '03:00-03:20' }, 'test/database: backupWindow ("03:00-03:20") lasts 20 minutes, but RDS requires at least 30; widen it to 30 minutes or more');
    expectRejected({ maintenanceWindow: 'sun:04:30-sun:04:45' }, /maintenanceWindow \("sun:04:30-sun:04:45"\) lasts 15 minutes, but RDS requires at least 30/);
  });

  test('windows that touch but do not overlap, and a maintenance window across midnight, are accepted', () => {
    const touching = build({ backupWindow: '03:00-04:30', maintenanceWindow: 'sun:04:30-sun:05:30' }).out.only('aws_db_instance');
    expect(touching).toMatchObject({ backup_window: '03:00-04:30', maintenance_window: 'sun:04:30-sun:05:30' });
    const midnight = build({ backupWindow: '02:00-03:00', maintenanceWindow: 'sat:23:30-sun:00:30' }).out.only('aws_db_instance');
    expect(midnight).toMatchObject({ backup_window: '02:00-03:00', maintenance_window: 'sat:23:30-sun:00:30' });
  });

  // Instance classes RDS for PostgreSQL offers (hardware specifications and engine support):
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Summary.html
  test('an instance class AWS does not offer', () => {
    expectRejected({ instanceClass: 'db.r6g.32xlarge' }, /^test\/database: instanceClass \("db.r6g.32xlarge"\) is not a size AWS offers in db.r6g; use one of db.r6g.large, db.r6g.xlarge, .*db.r6g.16xlarge$/);
    expectRejected({ instanceClass: 'db.r9z.large' }, /instanceClass \("db.r9z.large"\) is not an RDS for PostgreSQL instance class the catalog knows; use a family of db.t3, db.t4g/);
    expectRejected({ instanceClass: 'r6g.large' }, /instanceClass \("r6g.large"\) is not an RDS for PostgreSQL instance class the catalog knows/);
  });
});
