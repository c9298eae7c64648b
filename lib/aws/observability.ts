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
import { validateLogRetention } from './log-retention';
import { checkConstructProps } from '../catalog/props-check';

const GIB = 1024 ** 3;

export interface DatabaseAlarmsProps {
  /** RDS instance identifier (`Database.instanceIdentifier`). */
  readonly instanceIdentifier: string;
  /**
   * Allocated storage, to put the free-storage alarm at 10 % of it.
   * @default - unknown: the free-storage alarm fires below 10 GiB
   */
  readonly allocatedStorageGiB?: number;
  /** @default 80 */
  readonly cpuUtilizationPercent?: number;
  /** @default - 10 % of allocatedStorageGiB, or 10 GiB when that is not given */
  readonly freeStorageGiB?: number;
  /**
   * Connections above which to alarm; set it to about 80 % of the instance's `max_connections`.
   * @default 400
   */
  readonly connections?: number;
}

export interface CacheAlarmsProps {
  /** Member node ids (`Cache.cacheClusterIds`): ElastiCache reports these metrics per node. */
  readonly cacheClusterIds: readonly string[];
  /** @default 80 */
  readonly engineCpuUtilizationPercent?: number;
  /** @default 80 */
  readonly memoryUsagePercent?: number;
  /**
   * Evicted keys per 5 minutes above which to alarm.
   * @default 100
   */
  readonly evictions?: number;
}

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
   * Customer KMS key (ARN) for the log groups and the topic. Its policy must let
   * `logs.<region>.amazonaws.com` and `cloudwatch.amazonaws.com` use it.
   * @default - a new key with rotation on that admits both
   */
  readonly kmsKeyArn?: string;
  /**
   * Let AWS Budgets publish to the alarm topic (a `Budget` names it as subscriber): the topic gets
   * a policy that admits this account's budgets and CloudWatch alarms, and the key (unless
   * `kmsKeyArn` is yours: then add the statement yourself) lets `budgets.amazonaws.com` use it.
   * @default false
   */
  readonly acceptBudgetNotifications?: boolean;
  /** @default - no tags beyond the provider's default tags */
  readonly tags?: Readonly<Record<string, string>>;
}

interface AlarmSpec {
  readonly id: string;
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly statistic: 'Average' | 'Minimum' | 'Maximum' | 'Sum';
  readonly comparison: 'GreaterThanThreshold' | 'LessThanThreshold';
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly treatMissingData?: string;
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
    const preset = ENVIRONMENT_PRESETS[props.environment];
    const v = new PropsValidator(this.node.path);
    validateEnvironment(v, props.environment);
    validateTags(v, 'tags', props.tags);
    v.that(/^[A-Za-z0-9_-]{1,200}$/.test(props.name), 'name', props.name, 'is not a valid name for a topic and alarms', 'use 1 to 200 letters, digits, "-" and "_"');
    const logGroupNames = props.logGroupNames ?? [];
    logGroupNames.forEach((name, i) => {
      if (isUnresolved(name)) return;
      v.that(/^[.\-_/#A-Za-z0-9]{1,512}$/.test(name) && !name.startsWith('aws/'), `logGroupNames[${i}]`, name, 'is not a valid log group name', 'use 1 to 512 letters, digits and ._-/#, not starting with "aws/"');
    });
    validateUnique(v, 'logGroupNames', logGroupNames);
    const retention = props.logRetentionDays ?? preset.logRetentionDays;
    validateLogRetention(v, 'logRetentionDays', retention);
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

    const tags = props.tags ? { ...props.tags } : undefined;
    const aws = AwsContext.of(this);
    this.kmsKeyArn =
      props.kmsKeyArn ??
      new EncryptionKey(this, 'key', {
        description: `${props.name}: log groups and alarm topic`,
        alias: `modelserve/observability/${props.name}`,
        // Logs encrypts log events itself; CloudWatch alarms (and Budgets) need the key to publish to the topic.
        servicePrincipals: [`logs.${aws.region}.${aws.dnsSuffix}`, `cloudwatch.${aws.dnsSuffix}`, ...(props.acceptBudgetNotifications ? [BUDGETS_PRINCIPAL] : [])],
        tags,
      }).keyArn;

    // Ids from the values, not list positions: removing one entry must leave the others' addresses
    // alone (a replaced log group loses its logs, a replaced subscription must be confirmed again).
    const logGroupArns: Record<string, string> = {};
    logGroupNames.forEach((name, i) => {
      const group = new CloudwatchLogGroup(this, `log-group-${idOf(name, i)}`, { name, retentionInDays: retention, kmsKeyId: this.kmsKeyArn, tags });
      logGroupArns[name] = group.arn;
    });
    this.logGroupArns = logGroupArns;

    const topic = new SnsTopic(this, 'alarms', {
      name: `${props.name}-alarms`,
      displayName: `${props.name} alarms`,
      kmsMasterKeyId: this.kmsKeyArn,
      tags,
    });
    this.topicArn = topic.arn;
    if (props.acceptBudgetNotifications) this.topicPolicy = this.admitBudgets(topic);
    (props.alarmEmails ?? []).forEach((email, i) => {
      new SnsTopicSubscription(this, `email-${idOf(email, i)}`, { topicArn: topic.arn, protocol: 'email', endpoint: email });
    });
    (props.alarmHttpsEndpoints ?? []).forEach((url, i) => {
      new SnsTopicSubscription(this, `https-${idOf(url, i)}`, { topicArn: topic.arn, protocol: 'https', endpoint: url });
    });

    const specs: AlarmSpec[] = [];
    if (db) {
      const dimensions = { DBInstanceIdentifier: db.instanceIdentifier };
      const freeGiB = db.freeStorageGiB ?? (db.allocatedStorageGiB ? db.allocatedStorageGiB * 0.1 : 10);
      const cpu = db.cpuUtilizationPercent ?? 80;
      const connections = db.connections ?? 400;
      specs.push(
        { id: 'database-cpu', description: `Database CPU above ${cpu} % for 15 minutes`, namespace: 'AWS/RDS', metricName: 'CPUUtilization', dimensions, statistic: 'Average', comparison: 'GreaterThanThreshold', threshold: cpu, evaluationPeriods: 3 },
        // No data while the instance is created, stopped or rebooted is not low storage: missing
        // data keeps the alarm as it was instead of paging on every first apply.
        { id: 'database-free-storage', description: `Database free storage below ${freeGiB} GiB`, namespace: 'AWS/RDS', metricName: 'FreeStorageSpace', dimensions, statistic: 'Minimum', comparison: 'LessThanThreshold', threshold: Math.round(freeGiB * GIB), evaluationPeriods: 1, treatMissingData: 'missing' },
        { id: 'database-connections', description: `Database connections above ${connections} for 15 minutes`, namespace: 'AWS/RDS', metricName: 'DatabaseConnections', dimensions, statistic: 'Maximum', comparison: 'GreaterThanThreshold', threshold: connections, evaluationPeriods: 3 },
      );
    }
    if (cache) {
      const cpu = cache.engineCpuUtilizationPercent ?? 80;
      const memory = cache.memoryUsagePercent ?? 80;
      const evictions = cache.evictions ?? 100;
      cache.cacheClusterIds.forEach((clusterId, i) => {
        const dimensions = { CacheClusterId: clusterId };
        const node = isUnresolved(clusterId) ? `node-${i + 1}` : clusterId;
        specs.push(
          { id: `cache-${node}-engine-cpu`, description: `Cache ${node}: engine CPU above ${cpu} % for 15 minutes`, namespace: 'AWS/ElastiCache', metricName: 'EngineCPUUtilization', dimensions, statistic: 'Average', comparison: 'GreaterThanThreshold', threshold: cpu, evaluationPeriods: 3 },
          { id: `cache-${node}-memory`, description: `Cache ${node}: memory use above ${memory} %`, namespace: 'AWS/ElastiCache', metricName: 'DatabaseMemoryUsagePercentage', dimensions, statistic: 'Average', comparison: 'GreaterThanThreshold', threshold: memory, evaluationPeriods: 3 },
          { id: `cache-${node}-evictions`, description: `Cache ${node}: more than ${evictions} evictions in 5 minutes`, namespace: 'AWS/ElastiCache', metricName: 'Evictions', dimensions, statistic: 'Sum', comparison: 'GreaterThanThreshold', threshold: evictions, evaluationPeriods: 1, treatMissingData: 'notBreaching' },
        );
      });
    }

    this.alarmNames = specs.map((spec) => {
      const alarmName = `${props.name}-${spec.id}`;
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
    });
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
