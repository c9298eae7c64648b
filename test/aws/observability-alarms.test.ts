import { Fn } from 'cdktf';
import { cacheAlarms, databaseAlarms } from '../../lib/aws/observability-alarms';

const GIB = 1024 ** 3;

describe('databaseAlarms', () => {
  test('CPU above 80 % and connections above 400 for three 5-minute periods; free storage below 10 % of the allocation', () => {
    expect(databaseAlarms({ instanceIdentifier: 'modelserve-prod', allocatedStorageGiB: 100 })).toEqual([
      expect.objectContaining({ id: 'database-cpu', metricName: 'CPUUtilization', statistic: 'Average', comparison: 'GreaterThanThreshold', threshold: 80, evaluationPeriods: 3 }),
      expect.objectContaining({ id: 'database-free-storage', metricName: 'FreeStorageSpace', statistic: 'Minimum', comparison: 'LessThanThreshold', threshold: 10 * GIB }),
      expect.objectContaining({ id: 'database-connections', metricName: 'DatabaseConnections', statistic: 'Maximum', threshold: 400, evaluationPeriods: 3 }),
    ]);
  });

  test('every alarm reads the instance in AWS/RDS', () => {
    for (const spec of databaseAlarms({ instanceIdentifier: 'db-1' })) {
      expect(spec).toMatchObject({ namespace: 'AWS/RDS', dimensions: { DBInstanceIdentifier: 'db-1' } });
    }
  });

  test('FreeStorageSpace is in bytes: 10 GiB when the allocation is unknown, a given floor rounded to the byte', () => {
    const free = (props: Parameters<typeof databaseAlarms>[0]) => databaseAlarms(props).find((s) => s.id === 'database-free-storage');
    expect(free({ instanceIdentifier: 'db' })).toMatchObject({ threshold: 10 * GIB, description: 'Database free storage below 10 GiB' });
    expect(free({ instanceIdentifier: 'db', allocatedStorageGiB: 25 })).toMatchObject({ threshold: Math.round(2.5 * GIB), description: 'Database free storage below 2.5 GiB' });
    expect(free({ instanceIdentifier: 'db', allocatedStorageGiB: 500, freeStorageGiB: 0.5 })?.threshold).toBe(GIB / 2);
  });

  test('no data for free storage (instance created, stopped, rebooted) keeps the state; the others leave it to the default', () => {
    const specs = databaseAlarms({ instanceIdentifier: 'db' });
    expect(specs.map((s) => [s.id, s.treatMissingData])).toEqual([['database-cpu', undefined], ['database-free-storage', 'missing'], ['database-connections', undefined]]);
  });

  test('thresholds from props, in the descriptions too', () => {
    const specs = databaseAlarms({ instanceIdentifier: 'db', cpuUtilizationPercent: 65, connections: 900 });
    expect(specs[0]).toMatchObject({ threshold: 65, description: 'Database CPU above 65 % for 15 minutes' });
    expect(specs[2]).toMatchObject({ threshold: 900, description: 'Database connections above 900 for 15 minutes' });
  });
});

describe('cacheAlarms', () => {
  test('three alarms per node, named after the node, each on its own CacheClusterId', () => {
    const specs = cacheAlarms({ cacheClusterIds: ['c-001', 'c-002'] });
    expect(specs.map((s) => s.id)).toEqual(['cache-c-001-engine-cpu', 'cache-c-001-memory', 'cache-c-001-evictions', 'cache-c-002-engine-cpu', 'cache-c-002-memory', 'cache-c-002-evictions']);
    expect(specs.map((s) => s.dimensions.CacheClusterId)).toEqual(['c-001', 'c-001', 'c-001', 'c-002', 'c-002', 'c-002']);
    for (const spec of specs) expect(spec.namespace).toBe('AWS/ElastiCache');
  });

  test('engine CPU and memory above 80 % for 15 minutes; more than 100 evictions in 5 minutes, where no data means none', () => {
    const [cpu, memory, evictions] = cacheAlarms({ cacheClusterIds: ['c-001'] });
    expect(cpu).toMatchObject({ metricName: 'EngineCPUUtilization', statistic: 'Average', threshold: 80, evaluationPeriods: 3 });
    expect(memory).toMatchObject({ metricName: 'DatabaseMemoryUsagePercentage', statistic: 'Average', threshold: 80, evaluationPeriods: 3 });
    expect(evictions).toMatchObject({ metricName: 'Evictions', statistic: 'Sum', threshold: 100, evaluationPeriods: 1, treatMissingData: 'notBreaching' });
  });

  test('a node id known only at apply is named by its position', () => {
    const token = Fn.join('-', ['c', '003']);
    const specs = cacheAlarms({ cacheClusterIds: ['c-001', token] });
    expect(specs.slice(3).map((s) => s.id)).toEqual(['cache-node-2-engine-cpu', 'cache-node-2-memory', 'cache-node-2-evictions']);
    expect(specs[3].dimensions.CacheClusterId).toBe(token);
  });

  test('thresholds from props', () => {
    const specs = cacheAlarms({ cacheClusterIds: ['c-001'], engineCpuUtilizationPercent: 60, memoryUsagePercent: 90, evictions: 0 });
    expect(specs.map((s) => s.threshold)).toEqual([60, 90, 0]);
    expect(specs[2].description).toBe('Cache c-001: more than 0 evictions in 5 minutes');
  });
});
