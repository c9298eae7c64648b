import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createClient } from '@redis/client';
import { RedisConfig } from './config';
import { Logger } from './log';

export type RedisReply = string | number | null | RedisReply[];

/** The few things the service asks of a Redis connection. */
export interface RedisConnection {
  command<T extends RedisReply = RedisReply>(args: readonly string[]): Promise<T>;
  readonly isReady: boolean;
  /** A second connection with the same settings, for SUBSCRIBE (a subscribed connection takes no other command). */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<void>;
  close(): Promise<void>;
}

/** Raised when Redis does not answer in time: callers answer 503 rather than hang. */
export class RedisTimeoutError extends Error {
  constructor(ms: number, what: string) {
    super(`Redis did not answer ${what} within ${ms} ms`);
    this.name = 'RedisTimeoutError';
  }
}

const COMMAND_TIMEOUT_MS = 5000;

/**
 * Connects to Redis as ElastiCache requires: TLS (rediss://) verified against Node's CA list or
 * REDIS_TLS_CA_FILE, AUTH with the token. RESP2 and plain `AUTH <token>` work with ElastiCache's
 * AUTH tokens and with Valkey alike. Commands fail at once while disconnected (no offline queue):
 * the API answers 503 and the executor retries its writes within its lease.
 */
export function connectRedis(cfg: RedisConfig, log: Logger, clientName: string): RedisConnection {
  const url = new URL(cfg.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 6379);
  const reconnectStrategy = (retries: number) => Math.min(50 * 2 ** retries, 2000);
  const ca = cfg.caFile ? readFileSync(cfg.caFile) : undefined;
  const socket = cfg.tls
    ? { host, port, tls: true as const, ca, servername: isIP(host) ? undefined : host, connectTimeout: 5000, reconnectStrategy }
    : { host, port, connectTimeout: 5000, reconnectStrategy };
  const options = { RESP: 2 as const, username: cfg.username, password: cfg.password, name: clientName, disableOfflineQueue: true, socket };

  const clients: Array<{ close(): Promise<void>; destroy(): void }> = [];
  let lastErrorLog = 0;
  const open = (queueWhileOffline: boolean) => {
    const client = createClient({ ...options, disableOfflineQueue: !queueWhileOffline });
    client.on('error', (err: Error) => {
      // node-redis reports each failed reconnect; once a second is enough to diagnose.
      if (Date.now() - lastErrorLog > 1000) {
        lastErrorLog = Date.now();
        log.warn('redis connection error', { error: err.message, redis: `${host}:${port}`, tls: cfg.tls });
      }
    });
    client.on('ready', () => log.info('redis connected', { redis: `${host}:${port}`, tls: cfg.tls, client: clientName }));
    // connect() retries until it succeeds or the client is closed; errors are reported above.
    client.connect().catch(() => undefined);
    clients.push(client);
    return client;
  };
  const main = open(false);

  return {
    get isReady() {
      return main.isReady;
    },
    async command<T extends RedisReply>(args: readonly string[]): Promise<T> {
      return withTimeout(main.sendCommand<T>(args as string[]), COMMAND_TIMEOUT_MS, args[0]);
    },
    async subscribe(channel, onMessage) {
      // Queued until connected, and subscribed again by node-redis after every reconnect.
      const sub = open(true);
      await sub.subscribe(channel, (message: string) => onMessage(message));
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => c.destroy())));
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new RedisTimeoutError(ms, what)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * A Lua script run with EVALSHA, loaded again with EVAL when Redis answers NOSCRIPT (its script
 * cache is empty after a restart or failover).
 */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run<T extends RedisReply>(redis: RedisConnection, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<T> {
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    try {
      return await redis.command<T>(['EVALSHA', this.sha, ...tail]);
    } catch (e) {
      if (!String((e as Error).message).startsWith('NOSCRIPT')) throw e;
      return redis.command<T>(['EVAL', this.source, ...tail]);
    }
  }
}
