import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Construct } from 'constructs';
import { ENVIRONMENT_PRESETS, EnvironmentName, PropsValidator } from '../catalog';
import { AwsContext } from './aws-context';
import { isUnresolved, validateUnique, validateEnvironment, validateTags } from './aws-names';
import { EncryptionKey } from './encryption-key';
import { IEncryptionKey } from './encryption-key-attributes';
import { givenKeyArn, validateStoreKey } from './encryption-key-props';
import { AlarmSpec, cacheAlarms, CacheAlarmsProps, databaseAlarms, DatabaseAlarmsProps } from './observability-alarms';
import { validateLogRetention } from './log-retention';
import { checkConstructProps } from '../catalog/props-check';

export type { CacheAlarmsProps, DatabaseAlarmsProps } from './observability-alarms';

export interface ObservabilityProps {
  readonly environment: EnvironmentName;
  /** Prefix of the alarm names, the topic name and the key alias (`modelserve-prod`). */
  readonly name: string;
  /**
   * CloudWatch log groups to create, encrypted, with the preset's retention.
   * @default - none
   */
  readonly logGroupNames?: readonly string[];
  /** @default - the environment preset's `logRetentionDays` */
  readonly logRetentionDays?: number;
  /**
   * Addresses that receive the alarms by email (each must confirm its subscription).
   * @default - none
   */
  readonly alarmEmails?: readonly string[];
  /**
   * HTTPS endpoints that receive the alarms as SNS notifications (an incident tool's SNS
   * integration URL); each must confirm its subscription.
   * @default - none
   */
  readonly alarmHttpsEndpoints?: readonly string[];
  /** @default - no database alarms */
  readonly database?: DatabaseAlarmsProps;
  /** @default - no cache alarms */
  readonly cache?: CacheAlarmsProps;
  /**
   * Customer KMS key for the log groups and the topic (`EncryptionKey.fromKeyArn` for a key that
   * exists). Its policy must let `logs.<region>.amazonaws.com` and `cloudwatch.amazonaws.com` use it.
   * @default - a new key with rotation on that admits both
   */
  readonly encryptionKey?: IEncryptionKey;
  /**
   * Customer KMS key (ARN) for the log groups and the topic. Its policy must let
   * `logs.<region>.amazonaws.com` and `cloudwatch.amazonaws.com` use it.
   * @default - a new key with rotation on that admits both
   * @deprecated Use `encryptionKey` (`EncryptionKey.fromKeyArn(scope, id, arn)` for a key that exists); goes in 0.3.0.
   */
  readonly kmsKeyArn?: string;
  /**
   * Let AWS Budgets publish to the alarm topic (a `Budget` names it as subscriber): the topic gets
   * a policy that admits this account's budgets and CloudWatch alarms, and the key (unless
   * the key is yours, `encryptionKey`: then add the statement yourself) lets `budgets.amazonaws.com` use it.
   * @default false
   */
  readonly acceptBudgetNotifications?: boolean;
  /** @default - no tags beyond the provider's default tags */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Logs and alarms for the platform: encrypted log groups with the preset's retention, a
 * KMS-encrypted SNS topic, and alarms on the database (CPU, free storage, connections) and the
 * cache nodes (engine CPU, memory, evictions) that notify the topic when they fire and recover.
 */
export class Observability extends Construct {
  public readonly topicArn: string;
  /** Log group name → ARN. */
  public readonly logGroupArns: Readonly<Record<string, string>>;
  public readonly alarmNames: readonly string[];
  public readonly kmsKeyArn: string;
  /** The topic's policy, when it admits AWS Budgets: a budget that publishes here waits for it. */
  public readonly topicPolicy?: SnsTopicPolicy;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    checkConstructProps(Observability, scope, id, props);
    super(scope, id);
    validateObservabilityProps(this.node.path, props);
    const tags = props.tags ? { ...props.tags } : undefined;
    const aws = AwsContext.of(this);
    this.kmsKeyArn =
      givenKeyArn(props) ??
      new EncryptionKey(this, 'key', {
        description: `${props.name}: log groups and alarm topic`,
        alias: `modelserve/observability/${props.name}`,
        // Logs encrypts log events itself; CloudWatch alarms (and Budgets) need the key to publish to the topic.
        servicePrincipals: [`logs.${aws.region}.${aws.dnsSuffix}`, `cloudwatch.${aws.dnsSuffix}`, ...(props.acceptBudgetNotifications ? [BUDGETS_PRINCIPAL] : [])],
        tags,
      }).keyArn;

    this.logGroupArns = this.logGroups(props, tags);
    const topic = new SnsTopic(this, 'alarms', {
      name: `${props.name}-alarms`,
      displayName: `${props.name} alarms`,
      kmsMasterKeyId: this.kmsKeyArn,
      tags,
    });
    this.topicArn = topic.arn;
    if (props.acceptBudgetNotifications) this.topicPolicy = this.admitBudgets(topic);
    this.subscribe(topic, props);
    const specs = [...(props.database ? databaseAlarms(props.database) : []), ...(props.cache ? cacheAlarms(props.cache) : [])];
    this.alarmNames = specs.map((spec) => this.alarm(props.name, spec, topic, tags));
  }

  /**
   * Ids from the values, not list positions: removing one entry must leave the others' addresses
   * alone (a replaced log group loses its logs, a replaced subscription must be confirmed again).
   * Returns each group's ARN by name.
   */
  private logGroups(props: ObservabilityProps, tags: Record<string, string> | undefined): Record<string, string> {
    const logGroupArns: Record<string, string> = {};
    (props.logGroupNames ?? []).forEach((name, i) => {
      const group = new CloudwatchLogGroup(this, `log-group-${idOf(name, i)}`, { name, retentionInDays: logRetentionDays(props), kmsKeyId: this.kmsKeyArn, tags });
      logGroupArns[name] = group.arn;
    });
    return logGroupArns;
  }

  /** The alarm topic's email and HTTPS subscribers, with ids from their addresses (see logGroups). */
  private subscribe(topic: SnsTopic, props: ObservabilityProps): void {
    (props.alarmEmails ?? []).forEach((email, i) => {
      new SnsTopicSubscription(this, `email-${idOf(email, i)}`, { topicArn: topic.arn, protocol: 'email', endpoint: email });
    });
    (props.alarmHttpsEndpoints ?? []).forEach((url, i) => {
      new SnsTopicSubscription(this, `https-${idOf(url, i)}`, { topicArn: topic.arn, protocol: 'https', endpoint: url });
    });
  }

  /** One alarm, `<name>-<spec id>`, that notifies the topic when it fires and when it recovers; returns its name. */
  private alarm(name: string, spec: AlarmSpec, topic: SnsTopic, tags: Record<string, string> | undefined): string {
    const alarmName = `${name}-${spec.id}`;
    new CloudwatchMetricAlarm(this, spec.id, {
      alarmName,
      alarmDescription: spec.description,
      namespace: spec.namespace,
      metricName: spec.metricName,
      dimensions: spec.dimensions,
      statistic: spec.statistic,
      period: 300,
      evaluationPeriods: spec.evaluationPeriods,
      comparisonOperator: spec.comparison,
      threshold: spec.threshold,
      treatMissingData: spec.treatMissingData ?? 'missing',
      alarmActions: [topic.arn],
      okActions: [topic.arn],
      tags,
    });
    return alarmName;
  }

  /**
   * The topic's policy replaces SNS's default one, so it names every publisher: this account's
   * CloudWatch alarms (https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger)
   * and its budgets, with the conditions AWS documents for them
   * (https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html).
   * Principals of the account keep what their IAM policies grant.
   */
  private admitBudgets(topic: SnsTopic): SnsTopicPolicy {
    const aws = AwsContext.of(this);
    return new SnsTopicPolicy(this, 'alarms-policy', {
      arn: topic.arn,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'CloudWatchAlarmsOfThisAccountPublish',
            Effect: 'Allow',
            Principal: { Service: `cloudwatch.${aws.dnsSuffix}` },
            Action: 'SNS:Publish',
            Resource: topic.arn,
            Condition: {
              StringEquals: { 'aws:SourceAccount': aws.accountId },
              ArnLike: { 'aws:SourceArn': `arn:${aws.partition}:cloudwatch:${aws.region}:${aws.accountId}:alarm:*` },
            },
          },
          {
            Sid: 'BudgetsOfThisAccountPublish',
            Effect: 'Allow',
            Principal: { Service: BUDGETS_PRINCIPAL },
            Action: 'SNS:Publish',
            Resource: topic.arn,
            Condition: {
              StringEquals: { 'aws:SourceAccount': aws.accountId },
              ArnLike: { 'aws:SourceArn': `arn:${aws.partition}:budgets::${aws.accountId}:*` },
            },
          },
        ],
      }),
    });
  }
}

/** AWS Budgets' service principal, as its SNS and KMS documentation names it. */
const BUDGETS_PRINCIPAL = 'budgets.amazonaws.com';

function logRetentionDays(props: ObservabilityProps): number {
  return props.logRetentionDays ?? ENVIRONMENT_PRESETS[props.environment].logRetentionDays;
}

/** Checks every prop (the first problem is the one reported) before anything is built. */
function validateObservabilityProps(path: string, props: ObservabilityProps): void {
  const v = new PropsValidator(path);
  validateEnvironment(v, props.environment);
  validateTags(v, 'tags', props.tags);
  v.that(/^[A-Za-z0-9_-]{1,200}$/.test(props.name), 'name', props.name, 'is not a valid name for a topic and alarms', 'use 1 to 200 letters, digits, "-" and "_"');
  validateStoreKey(v, props);
  const logGroupNames = props.logGroupNames ?? [];
  logGroupNames.forEach((name, i) => {
    if (isUnresolved(name)) return;
    v.that(
      /^[.\-_/#A-Za-z0-9]{1,512}$/.test(name) && !name.startsWith('aws/'),
      `logGroupNames[${i}]`,
      name,
      'is not a valid log group name',
      'use 1 to 512 letters, digits and ._-/#, not starting with "aws/"',
    );
  });
  validateUnique(v, 'logGroupNames', logGroupNames);
  validateLogRetention(v, 'logRetentionDays', logRetentionDays(props));
  validateSubscribers(v, props);
  validateAlarmThresholds(v, props);
}

function validateSubscribers(v: PropsValidator, props: ObservabilityProps): void {
  (props.alarmEmails ?? []).forEach((email, i) => {
    if (isUnresolved(email)) return;
    v.that(/^[^@\s/]+@[^@\s/]+\.[^@\s/]+$/.test(email), `alarmEmails[${i}]`, email, 'is not an email address', 'use an address such as "oncall@example.com"');
  });
  validateUnique(v, 'alarmEmails', props.alarmEmails ?? []);
  (props.alarmHttpsEndpoints ?? []).forEach((url, i) => {
    if (isUnresolved(url)) return;
    v.that(isHttpsUrl(url), `alarmHttpsEndpoints[${i}]`, url, 'is not an https:// URL, which SNS needs for the https protocol', 'use the endpoint\'s https:// URL');
  });
  validateUnique(v, 'alarmHttpsEndpoints', props.alarmHttpsEndpoints ?? []);
}

function validateAlarmThresholds(v: PropsValidator, props: ObservabilityProps): void {
  const db = props.database;
  if (db) {
    v.that(db.instanceIdentifier.length > 0, 'database.instanceIdentifier', db.instanceIdentifier, 'is empty', 'pass Database.instanceIdentifier');
    v.numberInRange('database.cpuUtilizationPercent', db.cpuUtilizationPercent, 1, 100);
    v.integerInRange('database.allocatedStorageGiB', db.allocatedStorageGiB, 20, 65536);
    v.numberInRange('database.freeStorageGiB', db.freeStorageGiB, 0.1, 65536);
    v.integerInRange('database.connections', db.connections, 1, 100000);
  }
  const cache = props.cache;
  if (cache) {
    v.that(cache.cacheClusterIds.length > 0, 'cache.cacheClusterIds', cache.cacheClusterIds, 'is empty', 'pass Cache.cacheClusterIds');
    v.numberInRange('cache.engineCpuUtilizationPercent', cache.engineCpuUtilizationPercent, 1, 100);
    v.numberInRange('cache.memoryUsagePercent', cache.memoryUsagePercent, 1, 100);
    v.integerInRange('cache.evictions', cache.evictions, 0, 1e9);
  }
}

/** A construct id from a value (a token, unknown here, keeps its position); "/" is the path separator of construct ids. */
function idOf(value: string, index: number): string {
  return isUnresolved(value) ? String(index) : value.replace(/\//g, '|');
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname.length > 0;
  } catch {
    return false;
  }
}
