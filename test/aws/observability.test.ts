import { Observability, ObservabilityProps } from '../../lib/aws/observability';
import { awsStack, expectRejectedBeforeSynth, Json, policyOf, synth } from '../support/aws-stack';

const base: ObservabilityProps = {
  environment: 'production',
  name: 'modelserve-prod',
  logGroupNames: ['/modelserve/prod/serving', '/modelserve/prod/gateway'],
  alarmEmails: ['oncall@example.com'],
  database: { instanceIdentifier: 'modelserve-prod', allocatedStorageGiB: 100 },
  cache: { cacheClusterIds: ['modelserve-prod-001', 'modelserve-prod-002'] },
};

function build(props: Partial<ObservabilityProps> = {}) {
  const stack = awsStack();
  const observability = new Observability(stack, 'observability', { ...base, ...props });
  return { observability, out: synth(stack) };
}

function expectRejected(props: Partial<ObservabilityProps>, message: string | RegExp): void {
  expectRejectedBeforeSynth((stack) => new Observability(stack, 'observability', { ...base, ...props }), message, { stack: awsStack });
}

describe('Observability', () => {
  const { out, observability } = build();
  const alarms = Object.values(out.resources('aws_cloudwatch_metric_alarm'));
  const byName = (name: string): Json => alarms.find((a) => a.alarm_name === name);
  const topicRef = expect.stringMatching(/^\$\{aws_sns_topic\.observability_alarms_\w+\.arn\}$/);

  test('creates encrypted log groups with the preset retention', () => {
    const groups = Object.values(out.resources('aws_cloudwatch_log_group'));
    expect(groups.map((g) => g.name).sort()).toEqual(['/modelserve/prod/gateway', '/modelserve/prod/serving']);
    for (const g of groups) expect(g).toMatchObject({ retention_in_days: 90, kms_key_id: expect.stringMatching(/aws_kms_key\.observability_key/) });
  });

  test('lets CloudWatch Logs and CloudWatch alarms use the key', () => {
    const policy = policyOf(out.only('aws_kms_key').policy);
    const logs = policy.Statement.find((s: Json) => s.Sid === 'CloudWatchLogsEncryptThisAccountsLogGroups');
    expect(logs.Principal.Service).toEqual([expect.stringMatching(/^logs\.\$\{data\.aws_region\..*\}\.\$\{data\.aws_partition\..*dns_suffix\}$/)]);
    const alarms = policy.Statement.find((s: Json) => s.Sid === 'ServicesPublishIntoEncryptedResources');
    expect(alarms.Principal.Service).toEqual([expect.stringMatching(/^cloudwatch\./)]);
  });

  test('encrypts the topic and subscribes the on-call email', () => {
    expect(out.only('aws_sns_topic')).toMatchObject({ name: 'modelserve-prod-alarms', kms_master_key_id: expect.stringMatching(/aws_kms_key\.observability_key/) });
    expect(out.only('aws_sns_topic_subscription')).toMatchObject({ protocol: 'email', endpoint: 'oncall@example.com', topic_arn: topicRef });
  });

  test('wires every alarm to the topic for alarm and recovery', () => {
    expect(alarms).toHaveLength(3 + 2 * 3);
    for (const alarm of alarms) {
      expect(alarm.alarm_actions).toEqual([topicRef]);
      expect(alarm.ok_actions).toEqual([topicRef]);
    }
    expect(observability.alarmNames).toHaveLength(9);
  });

  test('alarms on database CPU, free storage (10 % of allocated) and connections', () => {
    expect(byName('modelserve-prod-database-cpu')).toMatchObject({
      namespace: 'AWS/RDS',
      metric_name: 'CPUUtilization',
      dimensions: { DBInstanceIdentifier: 'modelserve-prod' },
      comparison_operator: 'GreaterThanThreshold',
      threshold: 80,
    });
    // RDS reports no FreeStorageSpace while it creates the instance: treated as breaching, missing
    // data would page on every first apply. "missing" keeps the alarm's state instead.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
    expect(byName('modelserve-prod-database-free-storage')).toMatchObject({ metric_name: 'FreeStorageSpace', comparison_operator: 'LessThanThreshold', threshold: 10 * 1024 ** 3, treat_missing_data: 'missing' });
    expect(alarms.filter((a) => a.treat_missing_data === 'breaching')).toEqual([]);
    expect(byName('modelserve-prod-database-connections')).toMatchObject({ metric_name: 'DatabaseConnections', threshold: 400 });
  });

  test('alarms on each cache node: engine CPU, memory and evictions', () => {
    for (const node of ['modelserve-prod-001', 'modelserve-prod-002']) {
      expect(byName(`modelserve-prod-cache-${node}-engine-cpu`)).toMatchObject({ namespace: 'AWS/ElastiCache', metric_name: 'EngineCPUUtilization', dimensions: { CacheClusterId: node }, threshold: 80 });
      expect(byName(`modelserve-prod-cache-${node}-memory`)).toMatchObject({ metric_name: 'DatabaseMemoryUsagePercentage', threshold: 80 });
      expect(byName(`modelserve-prod-cache-${node}-evictions`)).toMatchObject({ metric_name: 'Evictions', statistic: 'Sum', threshold: 100 });
    }
  });
});

// SNS delivers to email and https subscriptions; an https endpoint must be an https:// URL.
// https://docs.aws.amazon.com/sns/latest/dg/sns-http-https-endpoint-as-subscriber.html
describe('Observability alarm subscribers', () => {
  test('email and HTTPS endpoints from props subscribe to the topic', () => {
    const { out } = build({ alarmEmails: ['oncall@example.com', 'platform@example.com'], alarmHttpsEndpoints: ['https://events.example.com/integration/sns/abc'] });
    const subscriptions = Object.values(out.resources('aws_sns_topic_subscription'));
    expect(subscriptions.map((s) => [s.protocol, s.endpoint]).sort()).toEqual([
      ['email', 'oncall@example.com'],
      ['email', 'platform@example.com'],
      ['https', 'https://events.example.com/integration/sns/abc'],
    ]);
  });

  // Construct ids are Terraform addresses: an id from the position re-creates every later entry when
  // the first is removed (a replaced subscription must be confirmed again, a replaced log group
  // loses its logs). Ids from the values touch only the removed entry.
  test.each([
    ['alarmEmails', ['a@example.com', 'b@example.com', 'c@example.com'], 'aws_sns_topic_subscription'],
    ['alarmHttpsEndpoints', ['https://a.example.com/sns', 'https://b.example.com/sns', 'https://c.example.com/sns'], 'aws_sns_topic_subscription'],
    ['logGroupNames', ['/a/one', '/a/two', '/a/three'], 'aws_cloudwatch_log_group'],
  ] as const)('removing the first of three %s changes only that resource\'s address', (field, values, type) => {
    const addresses = (list: readonly string[]) => Object.keys(build({ alarmEmails: [], [field]: list }).out.resources(type));
    const before = addresses(values);
    const after = addresses(values.slice(1));
    expect(before).toHaveLength(3);
    expect(after).toHaveLength(2);
    expect(after.every((address) => before.includes(address))).toBe(true);
  });

  test('an HTTPS endpoint that is not an https:// URL, and a subscriber listed twice', () => {
    expectRejected({ alarmHttpsEndpoints: ['http://events.example.com/sns'] }, 'test/observability: alarmHttpsEndpoints[0] ("http://events.example.com/sns") is not an https:// URL, which SNS needs for the https protocol; use the endpoint\'s https:// URL');
    expectRejected({ alarmEmails: ['oncall@example.com', 'oncall@example.com'] }, /alarmEmails \(\["oncall@example.com","oncall@example.com"\]\) lists "oncall@example.com" twice; list each entry once/);
  });
});

describe('Observability options', () => {
  test('takes overridden thresholds', () => {
    const { out } = build({
      database: { instanceIdentifier: 'db', cpuUtilizationPercent: 70, freeStorageGiB: 25, connections: 900 },
      cache: { cacheClusterIds: ['c-001'], engineCpuUtilizationPercent: 60, memoryUsagePercent: 90, evictions: 0 },
    });
    const alarms = Object.values(out.resources('aws_cloudwatch_metric_alarm'));
    const threshold = (name: string) => alarms.find((a) => a.alarm_name === `modelserve-prod-${name}`).threshold;
    expect(threshold('database-cpu')).toBe(70);
    expect(threshold('database-free-storage')).toBe(25 * 1024 ** 3);
    expect(threshold('database-connections')).toBe(900);
    expect(threshold('cache-c-001-engine-cpu')).toBe(60);
    expect(threshold('cache-c-001-memory')).toBe(90);
    expect(threshold('cache-c-001-evictions')).toBe(0);
  });

  test('falls back to 10 GiB free storage when the allocation is unknown', () => {
    const alarms = Object.values(build({ database: { instanceIdentifier: 'db' } }).out.resources('aws_cloudwatch_metric_alarm'));
    expect(alarms.find((a) => a.metric_name === 'FreeStorageSpace').threshold).toBe(10 * 1024 ** 3);
  });

  test('has only logs and a topic without database or cache', () => {
    const { out } = build({ database: undefined, cache: undefined });
    expect(out.resources('aws_cloudwatch_metric_alarm')).toEqual({});
    expect(Object.keys(out.resources('aws_sns_topic'))).toHaveLength(1);
  });

  test('uses the development retention', () => {
    const { out } = build({ environment: 'development' });
    expect(Object.values(out.resources('aws_cloudwatch_log_group'))[0].retention_in_days).toBe(7);
  });
});

// AWS Budgets publishes to a topic only if its policy admits budgets.amazonaws.com, with the
// conditions AWS documents (https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html),
// and to an encrypted topic only if the key lets the service make data keys
// (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
describe('Observability accepting budget notifications', () => {
  const { out, observability } = build({ acceptBudgetNotifications: true });
  const topicRef = expect.stringMatching(/^\$\{aws_sns_topic\.observability_alarms_\w+\.arn\}$/);
  const account = expect.stringMatching(/^\$\{data\.aws_caller_identity\..*\.account_id\}$/);

  test('the topic admits this account\'s budgets, and still its alarms, to publish and nothing more', () => {
    const policy = out.only('aws_sns_topic_policy');
    expect(policy.arn).toEqual(topicRef);
    const statements = policyOf(policy.policy).Statement;
    expect(statements).toEqual([
      {
        Sid: 'CloudWatchAlarmsOfThisAccountPublish',
        Effect: 'Allow',
        Principal: { Service: expect.stringMatching(/^cloudwatch\./) },
        Action: 'SNS:Publish',
        Resource: topicRef,
        Condition: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': expect.stringMatching(/^arn:.*:cloudwatch:.*:alarm:\*$/) } },
      },
      {
        Sid: 'BudgetsOfThisAccountPublish',
        Effect: 'Allow',
        Principal: { Service: 'budgets.amazonaws.com' },
        Action: 'SNS:Publish',
        Resource: topicRef,
        Condition: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': expect.stringMatching(/^arn:\$\{data\.aws_partition\..*\}:budgets::\$\{data\.aws_caller_identity\..*\}:\*$/) } },
      },
    ]);
    expect(observability.topicPolicy).toBeDefined();
  });

  test('the key lets Budgets make and read data keys for the topic', () => {
    const publish = policyOf(out.only('aws_kms_key').policy).Statement.find((s: Json) => s.Sid === 'ServicesPublishIntoEncryptedResources');
    expect(publish.Principal.Service).toEqual([expect.stringMatching(/^cloudwatch\./), 'budgets.amazonaws.com']);
    expect(publish.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
  });

  test('without budgets, SNS\'s default policy stays and the key admits CloudWatch only', () => {
    const plain = build().out;
    expect(plain.resources('aws_sns_topic_policy')).toEqual({});
    const publish = policyOf(plain.only('aws_kms_key').policy).Statement.find((s: Json) => s.Sid === 'ServicesPublishIntoEncryptedResources');
    expect(publish.Principal.Service).toEqual([expect.stringMatching(/^cloudwatch\./)]);
  });
});

describe('Observability refuses', () => {
  test('a retention CloudWatch Logs does not offer', () => {
    expectRejected({ logRetentionDays: 100 }, /^test\/observability: logRetentionDays \(100\) is not a retention CloudWatch Logs accepts; use one of 1, 3, 5/);
  });

  test('a CPU threshold above 100 %', () => {
    expectRejected({ database: { instanceIdentifier: 'db', cpuUtilizationPercent: 120 } }, /database\.cpuUtilizationPercent \(120\) must be a number from 1 to 100/);
  });

  test('a malformed email', () => {
    expectRejected({ alarmEmails: ['oncall'] }, /alarmEmails\[0\] \("oncall"\) is not an email address/);
  });

  test('a log group name with spaces', () => {
    expectRejected({ logGroupNames: ['model serving'] }, /logGroupNames\[0\] \("model serving"\) is not a valid log group name/);
  });

  test('cache alarms without nodes', () => {
    expectRejected({ cache: { cacheClusterIds: [] } }, /cache\.cacheClusterIds \(\[\]\) is empty/);
  });
});
