import { databaseParameters } from '../../lib/aws/database-parameters';

describe('databaseParameters', () => {
  test('TLS only, then slow-statement, lock-wait and autovacuum logging, all applied at once', () => {
    expect(databaseParameters(1000, undefined)).toEqual([
      { name: 'rds.force_ssl', value: '1', applyMethod: 'immediate' },
      { name: 'log_min_duration_statement', value: '1000', applyMethod: 'immediate' },
      { name: 'log_lock_waits', value: '1', applyMethod: 'immediate' },
      { name: 'log_autovacuum_min_duration', value: '10000', applyMethod: 'immediate' },
    ]);
  });

  test('-1 (log no statement by duration) is written as PostgreSQL reads it', () => {
    expect(databaseParameters(-1, undefined)[1]).toEqual({ name: 'log_min_duration_statement', value: '-1', applyMethod: 'immediate' });
  });

  test("a user's value replaces a default in its place; new parameters follow the defaults", () => {
    const parameters = databaseParameters(250, { work_mem: '65536', log_lock_waits: '0' });
    expect(parameters.map((p) => [p.name, p.value])).toEqual([
      ['rds.force_ssl', '1'],
      ['log_min_duration_statement', '250'],
      ['log_lock_waits', '0'],
      ['log_autovacuum_min_duration', '10000'],
      ['work_mem', '65536'],
    ]);
  });

  // "You can use the immediate value with dynamic parameters only" (ApplyMethod):
  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBParameterGroup.html
  test('parameters PostgreSQL reads only at start-up wait for a reboot', () => {
    const parameters = databaseParameters(1000, { shared_buffers: '262144', max_connections: '500', shared_preload_libraries: 'pg_stat_statements', work_mem: '4096' });
    const method = (name: string) => parameters.find((p) => p.name === name)?.applyMethod;
    expect(method('shared_buffers')).toBe('pending-reboot');
    expect(method('max_connections')).toBe('pending-reboot');
    expect(method('shared_preload_libraries')).toBe('pending-reboot');
    expect(method('work_mem')).toBe('immediate');
  });
});
