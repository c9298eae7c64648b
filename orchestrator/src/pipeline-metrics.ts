import { Counter, Gauge, Histogram, LATENCY_BUCKETS, Registry } from './metrics';

/**
 * Every metric the service exports. Names start with `modelserve_pipeline_`; each carries the
 * pipeline's name so that one Prometheus can tell several pipelines' orchestrators apart.
 * Queue depth and unfinished runs are the same for every replica (they are read from Redis):
 * aggregate them with max(), not sum().
 */
export class PipelineMetrics {
  public readonly registry = new Registry();
  public readonly runsCreated = this.registry.register(new Counter('modelserve_pipeline_runs_created_total', 'Runs accepted by the API and stored in Redis.'));
  public readonly runsStarted = this.registry.register(new Counter('modelserve_pipeline_runs_started_total', 'Runs a worker began executing for the first time.'));
  public readonly runsResumed = this.registry.register(
    new Counter('modelserve_pipeline_runs_resumed_total', 'Unfinished runs taken over from a worker that stopped or handed them off.'),
  );
  public readonly runsFinished = this.registry.register(
    new Counter('modelserve_pipeline_runs_finished_total', 'Runs finished, by final state (succeeded, failed, cancelled).'),
  );
  public readonly runDuration = this.registry.register(
    new Histogram('modelserve_pipeline_run_duration_seconds', 'Time from a run\'s creation to its end, by final state.', LATENCY_BUCKETS),
  );
  public readonly stepDuration = this.registry.register(
    new Histogram('modelserve_pipeline_step_duration_seconds', 'Time of one call of a step\'s service, by step and outcome (ok, retried, failed).', LATENCY_BUCKETS),
  );
  public readonly stepRetries = this.registry.register(
    new Counter('modelserve_pipeline_step_retries_total', 'Step calls retried, by step and reason (timeout, connection, status_<code>).'),
  );
  public readonly queueDepth = this.registry.register(
    new Gauge('modelserve_pipeline_queue_depth', 'Unfinished runs no worker holds a lease on: waiting for capacity or for recovery.'),
  );
  public readonly unfinishedRuns = this.registry.register(new Gauge('modelserve_pipeline_unfinished_runs', 'Runs queued or running, across replicas.'));
  public readonly activeRuns = this.registry.register(new Gauge('modelserve_pipeline_active_runs', 'Runs this replica is executing now.'));
  public readonly redisUp = this.registry.register(new Gauge('modelserve_pipeline_redis_up', '1 when the last Redis command from this replica succeeded.'));
  public readonly replicationWaitShort = this.registry.register(
    new Counter('modelserve_pipeline_redis_replication_wait_short_total', 'Writes that fewer replicas than required confirmed within REDIS_WAIT_TIMEOUT_MS.'),
  );
  public readonly httpRequests = this.registry.register(new Counter('modelserve_pipeline_http_requests_total', 'API requests, by route and status code.'));
  private readonly processCpu = this.registry.register(new Counter('process_cpu_seconds_total', 'User and system CPU time of the process.'));
  private readonly processMemory = this.registry.register(new Gauge('process_resident_memory_bytes', 'Resident memory of the process.'));
  private readonly processStart = this.registry.register(new Gauge('process_start_time_seconds', 'Start of the process, Unix seconds.'));
  private lastCpuMicros = 0;

  constructor(public readonly pipeline: string) {
    const p = { pipeline };
    this.runsCreated.init(p);
    this.runsStarted.init(p);
    this.runsResumed.init(p);
    for (const state of ['succeeded', 'failed', 'cancelled']) this.runsFinished.init({ pipeline, state });
    this.activeRuns.set(p, 0);
    this.processStart.set({}, Math.round(Date.now() / 1000 - process.uptime()));
  }

  setRedisUp(up: boolean): void {
    this.redisUp.set({ pipeline: this.pipeline }, up ? 1 : 0);
  }

  render(): string {
    const cpu = process.cpuUsage();
    const micros = cpu.user + cpu.system;
    this.processCpu.inc({}, (micros - this.lastCpuMicros) / 1e6);
    this.lastCpuMicros = micros;
    this.processMemory.set({}, process.memoryUsage.rss());
    return this.registry.render();
  }
}
