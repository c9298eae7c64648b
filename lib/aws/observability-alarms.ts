import { isUnresolved } from './aws-names';

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


/** One CloudWatch alarm, as data: Observability names it `<name>-<id>` and points its actions at the topic. */
export interface AlarmSpec {
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
 * CPU and connections over 15 minutes, and free storage below 10 % of the allocated storage (or
 * 10 GiB when that is not known).
 */
export function databaseAlarms(db: DatabaseAlarmsProps): AlarmSpec[] {
  const dimensions = { DBInstanceIdentifier: db.instanceIdentifier };
  const freeGiB = db.freeStorageGiB ?? (db.allocatedStorageGiB ? db.allocatedStorageGiB * 0.1 : 10);
  const cpu = db.cpuUtilizationPercent ?? 80;
  const connections = db.connections ?? 400;
  const rds = { namespace: 'AWS/RDS', dimensions };
  return [
    {
      id: 'database-cpu',
      description: `Database CPU above ${cpu} % for 15 minutes`,
      ...rds,
      metricName: 'CPUUtilization',
      statistic: 'Average',
      comparison: 'GreaterThanThreshold',
      threshold: cpu,
      evaluationPeriods: 3,
    },
    // No data while the instance is created, stopped or rebooted is not low storage: missing
    // data keeps the alarm as it was instead of paging on every first apply.
    {
      id: 'database-free-storage',
      description: `Database free storage below ${freeGiB} GiB`,
      ...rds,
      metricName: 'FreeStorageSpace',
      statistic: 'Minimum',
      comparison: 'LessThanThreshold',
      threshold: Math.round(freeGiB * GIB),
      evaluationPeriods: 1,
      treatMissingData: 'missing',
    },
    {
      id: 'database-connections',
      description: `Database connections above ${connections} for 15 minutes`,
      ...rds,
      metricName: 'DatabaseConnections',
      statistic: 'Maximum',
      comparison: 'GreaterThanThreshold',
      threshold: connections,
      evaluationPeriods: 3,
    },
  ];
}

/**
 * Per member node (ElastiCache reports these metrics per node): engine CPU over 15 minutes, memory
 * use, and evictions in 5 minutes. A node id that is a token is named by its position, `node-<n>`.
 */
export function cacheAlarms(cache: CacheAlarmsProps): AlarmSpec[] {
  const cpu = cache.engineCpuUtilizationPercent ?? 80;
  const memory = cache.memoryUsagePercent ?? 80;
  const evictions = cache.evictions ?? 100;
  return cache.cacheClusterIds.flatMap((clusterId, i): AlarmSpec[] => {
    const elastiCache = { namespace: 'AWS/ElastiCache', dimensions: { CacheClusterId: clusterId } };
    const node = isUnresolved(clusterId) ? `node-${i + 1}` : clusterId;
    return [
      {
        id: `cache-${node}-engine-cpu`,
        description: `Cache ${node}: engine CPU above ${cpu} % for 15 minutes`,
        ...elastiCache,
        metricName: 'EngineCPUUtilization',
        statistic: 'Average',
        comparison: 'GreaterThanThreshold',
        threshold: cpu,
        evaluationPeriods: 3,
      },
      {
        id: `cache-${node}-memory`,
        description: `Cache ${node}: memory use above ${memory} %`,
        ...elastiCache,
        metricName: 'DatabaseMemoryUsagePercentage',
        statistic: 'Average',
        comparison: 'GreaterThanThreshold',
        threshold: memory,
        evaluationPeriods: 3,
      },
      {
        id: `cache-${node}-evictions`,
        description: `Cache ${node}: more than ${evictions} evictions in 5 minutes`,
        ...elastiCache,
        metricName: 'Evictions',
        statistic: 'Sum',
        comparison: 'GreaterThanThreshold',
        threshold: evictions,
        evaluationPeriods: 1,
        treatMissingData: 'notBreaching',
      },
    ];
  });
}
