/** Parameters that PostgreSQL reads only at start-up: RDS refuses `immediate` for them. */
const STATIC_PARAMETERS = new Set([
  'shared_buffers', 'max_connections', 'shared_preload_libraries', 'max_worker_processes', 'wal_buffers', 'max_wal_senders', 'max_replication_slots',
  'track_activity_query_size',
]);

/** One entry of an RDS parameter group. */
export interface DatabaseParameter {
  readonly name: string;
  readonly value: string;
  readonly applyMethod: 'immediate' | 'pending-reboot';
}

/**
 * The parameter group's entries: TLS only, slow-statement, lock-wait and autovacuum logging, then
 * the user's own parameters (a user value replaces a default in its place). Each is applied at once
 * unless PostgreSQL reads it only at start-up.
 */
export function databaseParameters(logMinDurationStatementMs: number, extra: Readonly<Record<string, string>> | undefined): DatabaseParameter[] {
  const parameters: Record<string, string> = {
    'rds.force_ssl': '1',
    log_min_duration_statement: String(logMinDurationStatementMs),
    log_lock_waits: '1',
    log_autovacuum_min_duration: '10000',
    ...extra,
  };
  return Object.entries(parameters).map(([name, value]) => ({
    name,
    value,
    applyMethod: STATIC_PARAMETERS.has(name) ? 'pending-reboot' : 'immediate',
  }));
}
