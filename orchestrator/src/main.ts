import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { Config, loadConfig } from './config';
import { parseDefinition, PipelineDefinition } from './definition';
import { createApi } from './http-api';
import { createLogger, Logger } from './log';
import { PipelineMetrics } from './pipeline-metrics';
import { connectRedis, RedisConnection } from './redis-connection';
import { onlineReplicas, ReplicaBarrier } from './replica-barrier';
import { RunStore } from './run-store';
import { RunWaiters } from './run-waiters';
import { Worker } from './worker';

/**
 * The orchestrator process: reads its settings and the pipeline definition (refusing to start
 * on a bad one), serves the API at once (liveness answers even while Redis is unreachable;
 * health answers 200 only once Redis does), runs and resumes runs, and on SIGTERM stops taking
 * runs, lets the ones in flight finish for PIPELINE_SHUTDOWN_GRACE_SECONDS and hands the rest
 * back to the other replicas.
 */
function main(): void {
  const instanceId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const bootLog = createLogger('info', { instance: instanceId });
  let config: Config;
  let definition: PipelineDefinition;
  try {
    config = loadConfig(process.env, instanceId);
    definition = readDefinition(config);
  } catch (e) {
    bootLog.error('cannot start', { error: (e as Error).message });
    process.exit(1);
  }
  const log = createLogger(config.logLevel, { pipeline: definition.name, instance: instanceId });
  process.on('unhandledRejection', (e) => log.error('unhandled rejection', { error: String(e) }));
  process.on('uncaughtException', (e) => {
    // Run state is in Redis and every write is fenced: exiting is safe, another start resumes.
    log.error('uncaught exception, exiting', { error: e.message, stack: e.stack });
    process.exit(1);
  });

  const metrics = new PipelineMetrics(definition.name);
  const redis = connectRedis(config.redis, log, 'modelserve-orchestrator');
  const barrier = new ReplicaBarrier(redis, config.redis.waitReplicas, config.redis.waitTimeoutMs, metrics, log);
  const store = new RunStore(redis, barrier, {
    keyPrefix: config.redis.keyPrefix,
    pipeline: definition.name,
    timeoutMs: definition.timeoutSeconds * 1000,
    resultTtlMs: (config.resultTtlSeconds ?? definition.resultTtlSeconds) * 1000,
    leaseMs: config.leaseMs,
    maxUnfinishedRuns: config.maxUnfinishedRuns,
    maxClaims: config.maxClaims,
  });
  const waiters = new RunWaiters();
  const runLifetimeMs = (definition.timeoutSeconds + (config.resultTtlSeconds ?? definition.resultTtlSeconds)) * 1000;
  const worker = new Worker(store, definition, { ...config, runLifetimeMs }, waiters, metrics, log);
  let stopping = false;
  const unhealthy = async () => {
    if (stopping) return 'shutting down';
    try {
      await redis.command(['PING']);
      metrics.setRedisUp(true);
      return undefined;
    } catch (e) {
      metrics.setRedisUp(false);
      return `Redis unreachable: ${(e as Error).message}`;
    }
  };

  const server = createServer(createApi({ config, definition, store, worker, waiters, metrics, log, unhealthy, accepting: () => !stopping }));
  // A client must send its whole request within a minute, its headers within 20 s (slow clients
  // cannot hold sockets open); waiting for a run's answer is not bounded by these.
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = 65_000;
  server.listen(config.port, () => log.info('listening', { port: config.port, steps: definition.steps.map((s) => s.name), auth: config.apiToken ? 'bearer' : 'mesh' }));

  void redis.subscribe(store.eventsChannel, (message) => {
    if (!message.startsWith('finished:')) return;
    const id = message.slice('finished:'.length);
    waiters.notify(id);
    worker.onRunEnded(id);
  }).catch((e: Error) => log.error('cannot subscribe to run events', { error: e.message }));
  barrier.start();
  worker.start();
  void logDurability(redis, log);

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal, activeRuns: worker.activeRuns, graceMs: config.shutdownGraceMs });
    server.close();
    server.closeIdleConnections();
    await worker.stop(config.shutdownGraceMs);
    waiters.notifyAll();
    // Let the woken waiters answer before their sockets close.
    await new Promise((r) => setTimeout(r, 200));
    barrier.stop();
    server.closeAllConnections();
    await redis.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

function readDefinition(config: Config): PipelineDefinition {
  let text: string;
  try {
    text = readFileSync(config.definitionPath, 'utf8');
  } catch (e) {
    throw new Error(`PIPELINE_DEFINITION_PATH (${config.definitionPath}) cannot be read (${(e as NodeJS.ErrnoException).code}); mount the pipeline's ConfigMap there (ModelPipeline does)`);
  }
  const definition = parseDefinition(text, config.definitionPath);
  if (definition.name !== config.pipelineName) {
    throw new Error(`PIPELINE_NAME (${config.pipelineName}) differs from the definition's name (${definition.name}); mount the definition of this pipeline`);
  }
  return definition;
}

/** Says in the log what a Redis restart would keep: AOF settings where CONFIG is allowed, replicas either way. */
async function logDurability(redis: RedisConnection, log: Logger): Promise<void> {
  for (let i = 0; i < 50 && !redis.isReady; i++) await new Promise((r) => setTimeout(r, 200));
  let aof = 'unknown (CONFIG is refused, as on ElastiCache)';
  try {
    const reply = await redis.command<string[]>(['CONFIG', 'GET', 'append*']);
    const c: Record<string, string> = {};
    for (let i = 0; i + 1 < reply.length; i += 2) c[reply[i]] = reply[i + 1];
    aof = c.appendonly === 'yes' ? `on, appendfsync ${c.appendfsync}` : 'off';
  } catch {
    // ElastiCache refuses CONFIG; the replica count below is what protects the runs there.
  }
  try {
    const info = await redis.command<string>(['INFO', 'replication']);
    const replicas = onlineReplicas(info);
    const level = aof.startsWith('on, appendfsync always') || replicas > 0 ? 'info' : 'warn';
    log[level]('redis durability', { aof, replicasOnline: replicas });
  } catch (e) {
    log.warn('redis durability unknown', { error: (e as Error).message });
  }
}

main();
