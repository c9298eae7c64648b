/**
 * The service's settings, from the environment ModelPipeline sets (ORCHESTRATOR_CONTRACT in the
 * library) plus optional tunables. A bad value stops the process at start with one line naming
 * the variable, its value, the problem and the fix.
 */

export interface RedisConfig {
  /** `redis://host:port` or `rediss://host:port`, without credentials. */
  readonly url: string;
  readonly tls: boolean;
  readonly username?: string;
  readonly password?: string;
  /** PEM bundle to trust instead of Node's CA list (a private CA; ElastiCache's certificates chain to Amazon's public roots). */
  readonly caFile?: string;
  readonly keyPrefix: string;
  /**
   * Replicas that must hold a write before it is acknowledged (Redis WAIT): a number, or 'auto':
   * one when the primary has a replica connected (ElastiCache Multi-AZ: another zone), else none.
   */
  readonly waitReplicas: number | 'auto';
  readonly waitTimeoutMs: number;
}

export interface Config {
  readonly pipelineName: string;
  readonly definitionPath: string;
  /** Overrides the definition's resultTtlSeconds when set. */
  readonly resultTtlSeconds?: number;
  readonly port: number;
  readonly healthPath: string;
  readonly livenessPath: string;
  /** When set, /v1 requests need `Authorization: Bearer <token>`. */
  readonly apiToken?: string;
  readonly redis: RedisConfig;
  /** Runs one replica executes at once; more are left queued for another replica. */
  readonly maxConcurrentRuns: number;
  /** Unfinished runs (queued or running) across replicas before new ones are refused with 503. */
  readonly maxUnfinishedRuns: number;
  readonly maxInputBytes: number;
  readonly maxResponseBytes: number;
  readonly leaseMs: number;
  readonly pollMs: number;
  /** Claims of one run by workers that then stopped before finishing it, before the run is failed. */
  readonly maxClaims: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly shutdownGraceMs: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Names this replica in leases and logs. */
  readonly instanceId: string;
}

export class ConfigError extends Error {
  constructor(variable: string, value: string | undefined, problem: string, fix: string) {
    super(`environment: ${variable} (${value === undefined ? 'not set' : JSON.stringify(value)}) ${problem}; ${fix}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const MiB = 1024 * 1024;

export function loadConfig(env: Env, instanceId: string): Config {
  const read = reader(env);
  const pipelineName = read.required('PIPELINE_NAME', 'set it to the pipeline\'s name (ModelPipeline sets it)');
  const redis = loadRedisConfig(env, pipelineName);
  return {
    pipelineName,
    definitionPath: read.string('PIPELINE_DEFINITION_PATH') ?? '/etc/modelserve/pipeline/pipeline.json',
    resultTtlSeconds: read.integer('PIPELINE_RESULT_TTL_SECONDS', 1, 90 * 86_400, undefined, 'seconds'),
    port: read.integer('PIPELINE_HTTP_PORT', 1, 65_535, 8080, 'a TCP port')!,
    healthPath: read.path('PIPELINE_HEALTH_PATH', '/healthz'),
    livenessPath: read.path('PIPELINE_LIVENESS_PATH', '/livez'),
    apiToken: read.token('PIPELINE_API_TOKEN'),
    redis,
    maxConcurrentRuns: read.integer('PIPELINE_MAX_CONCURRENT_RUNS', 1, 100_000, 100, 'runs')!,
    maxUnfinishedRuns: read.integer('PIPELINE_MAX_UNFINISHED_RUNS', 1, 10_000_000, 10_000, 'runs')!,
    maxInputBytes: read.integer('PIPELINE_MAX_INPUT_BYTES', 2, 256 * MiB, MiB, 'bytes')!,
    maxResponseBytes: read.integer('PIPELINE_MAX_RESPONSE_BYTES', 2, 256 * MiB, 8 * MiB, 'bytes')!,
    leaseMs: read.integer('PIPELINE_LEASE_MS', 500, 600_000, 15_000, 'milliseconds')!,
    pollMs: read.integer('PIPELINE_POLL_MS', 10, 60_000, 250, 'milliseconds')!,
    maxClaims: read.integer('PIPELINE_MAX_CLAIMS', 1, 100, 5, 'claims')!,
    retryBaseMs: read.integer('PIPELINE_RETRY_BASE_MS', 1, 60_000, 250, 'milliseconds')!,
    retryMaxMs: read.integer('PIPELINE_RETRY_MAX_MS', 1, 600_000, 10_000, 'milliseconds')!,
    shutdownGraceMs: read.integer('PIPELINE_SHUTDOWN_GRACE_SECONDS', 0, 3600, 30, 'seconds')! * 1000,
    logLevel: read.oneOf('LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
    instanceId,
  };
}

function loadRedisConfig(env: Env, pipelineName: string): RedisConfig {
  const read = reader(env);
  let url = read.string('REDIS_URL');
  if (url === undefined) {
    const host = read.required('REDIS_HOST', 'set REDIS_URL (rediss://host:port) or REDIS_HOST and REDIS_PORT');
    const port = read.integer('REDIS_PORT', 1, 65_535, 6379, 'a TCP port')!;
    const tls = read.boolean('REDIS_TLS', true);
    url = `${tls ? 'rediss' : 'redis'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('REDIS_URL', url, 'is not a URL', 'give rediss://<host>:<port> (or redis:// for a Redis without TLS)');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError('REDIS_URL', url, 'is not a redis:// or rediss:// URL', 'give rediss://<host>:<port>');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    // A token in a URL ends up in logs and in `kubectl describe`; it belongs in a Secret.
    throw new ConfigError('REDIS_URL', `${parsed.protocol}//***@${parsed.host}`, 'holds credentials', 'remove them from the URL and give the token as REDIS_AUTH_TOKEN from a Secret');
  }
  const tls = parsed.protocol === 'rediss:';
  if (env.REDIS_TLS !== undefined && read.boolean('REDIS_TLS', tls) !== tls) {
    throw new ConfigError('REDIS_TLS', env.REDIS_TLS, `disagrees with REDIS_URL (${parsed.protocol}//)`, 'make them agree: rediss:// with REDIS_TLS=true');
  }
  const waitRaw = read.string('REDIS_WAIT_REPLICAS') ?? 'auto';
  const waitReplicas = waitRaw === 'auto' ? 'auto' : read.integer('REDIS_WAIT_REPLICAS', 0, 5, 0, 'replicas (or "auto")')!;
  return {
    url: `${parsed.protocol}//${parsed.host}`,
    tls,
    username: read.string('REDIS_USERNAME'),
    password: read.string('REDIS_AUTH_TOKEN'),
    caFile: read.string('REDIS_TLS_CA_FILE'),
    keyPrefix: read.string('REDIS_KEY_PREFIX') ?? `modelserve:${pipelineName}:`,
    waitReplicas,
    waitTimeoutMs: read.integer('REDIS_WAIT_TIMEOUT_MS', 1, 4000, 2000, 'milliseconds (under the 5 s command timeout)')!,
  };
}

function reader(env: Env) {
  const string = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v === '' ? undefined : v;
  };
  return {
    string,
    required(name: string, fix: string): string {
      const v = string(name);
      if (v === undefined) throw new ConfigError(name, env[name], 'is not set', fix);
      return v;
    },
    integer(name: string, min: number, max: number, fallback: number | undefined, unit: string): number | undefined {
      const v = string(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
        throw new ConfigError(name, v, `is not a whole number from ${min} to ${max}`, `set it in ${unit}, e.g. ${fallback ?? min}`);
      }
      return n;
    },
    boolean(name: string, fallback: boolean): boolean {
      const v = string(name);
      if (v === undefined) return fallback;
      if (v !== 'true' && v !== 'false') throw new ConfigError(name, v, 'is not "true" or "false"', 'write true or false');
      return v === 'true';
    },
    path(name: string, fallback: string): string {
      const v = string(name) ?? fallback;
      if (!/^\/[A-Za-z0-9._~\-/]*$/.test(v)) throw new ConfigError(name, v, 'is not a URL path', `give a path such as ${fallback}`);
      return v;
    },
    token(name: string): string | undefined {
      const v = string(name);
      if (v === undefined) return undefined;
      // Secrets synced from files often end with a newline; a token is compared byte for byte.
      const t = v.trim();
      if (t.length < 16 || /[\s]/.test(t)) throw new ConfigError(name, '<hidden>', 'is shorter than 16 characters or contains spaces', 'use a random token of at least 32 characters, e.g. `openssl rand -hex 32`');
      return t;
    },
    oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
      const v = string(name) ?? fallback;
      if (!values.includes(v as T)) throw new ConfigError(name, v, 'is not a known value', `use one of ${values.join(', ')}`);
      return v as T;
    },
  };
}
