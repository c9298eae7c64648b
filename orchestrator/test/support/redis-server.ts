import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * Debian's redis-server, started by the tests on 127.0.0.1 with a free port and a temporary
 * folder (`apt-get install -y redis-server`; `.ci/run` installs it). In CI (`CI=true`) a missing
 * binary fails the test file; on a workstation its tests are skipped with a loud message.
 */
export function findRedisServer(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const path = join(dir, 'redis-server');
    if (existsSync(path)) return path;
  }
  return undefined;
}

export function requireRedisServer(): string | undefined {
  const binary = findRedisServer();
  if (binary) return binary;
  const message = 'redis-server not found on PATH; install with `apt-get install -y redis-server`';
  if (process.env.CI === 'true') throw new Error(`CI needs the real Redis: ${message}`);
  console.warn(`\n${'!'.repeat(100)}\nSKIPPED: tests that need redis-server: ${message}\n${'!'.repeat(100)}\n`);
  return undefined;
}

/** `describe` when redis-server exists, `describe.skip` otherwise. */
export function describeWithRedis(): jest.Describe {
  return requireRedisServer() ? describe : describe.skip;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RedisServerOptions {
  /** requirepass: what the orchestrator sends as REDIS_AUTH_TOKEN. */
  readonly password?: string;
  /** Serve TLS only (port 0 for plain TCP), with these PEM files. */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca: string };
  /** AOF with fsync before every reply: an acknowledged write survives kill -9. */
  readonly appendfsyncAlways?: boolean;
  /** Replicate this primary. */
  readonly replicaOf?: { readonly port: number };
  /** Commands the server refuses (renamed to ""), as ElastiCache refuses CONFIG. */
  readonly disabledCommands?: readonly string[];
}

/** One redis-server process; `kill()` is SIGKILL, `start()` again reuses its port and folder. */
export class RedisServer {
  public readonly dir: string;
  private process?: ChildProcess;
  private log = '';

  private constructor(public readonly port: number, private readonly options: RedisServerOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'modelserve-redis-'));
  }

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), options);
    await server.start();
    return server;
  }

  get url(): string {
    return `${this.options.tls ? 'rediss' : 'redis'}://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const o = this.options;
    const conf = [
      'bind 127.0.0.1',
      `dir ${this.dir}`,
      'save ""',
      'daemonize no',
      'protected-mode no',
      'loglevel notice',
      ...(o.tls
        ? ['port 0', `tls-port ${this.port}`, `tls-cert-file ${o.tls.cert}`, `tls-key-file ${o.tls.key}`, `tls-ca-cert-file ${o.tls.ca}`, 'tls-auth-clients no']
        : [`port ${this.port}`]),
      ...(o.password ? [`requirepass ${o.password}`] : []),
      ...(o.appendfsyncAlways ? ['appendonly yes', 'appendfsync always'] : ['appendonly no']),
      ...(o.disabledCommands ?? []).map((c) => `rename-command ${c} ""`),
      ...(o.replicaOf ? [`replicaof 127.0.0.1 ${o.replicaOf.port}`, ...(o.password ? [`masterauth ${o.password}`] : [])] : []),
    ];
    const confPath = join(this.dir, 'redis.conf');
    writeFileSync(confPath, `${conf.join('\n')}\n`);
    const child = spawn(findRedisServer()!, [confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    child.stdout!.on('data', (d: Buffer) => (this.log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!/Ready to accept connections/.test(this.log)) {
      if (child.exitCode !== null) throw new Error(`redis-server exited: ${this.log}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not start: ${this.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL: no shutdown save, no goodbye to clients. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** Freezes the process (SIGSTOP) or thaws it (SIGCONT). */
  pause(paused: boolean): void {
    this.process?.kill(paused ? 'SIGSTOP' : 'SIGCONT');
  }

  async stop(): Promise<void> {
    this.pause(false);
    await this.signal('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** redis-cli against this server, for setup and inspection. */
  cli(...args: string[]): string {
    const tlsArgs = this.options.tls ? ['--tls', '--cacert', this.options.tls.ca] : [];
    const auth = this.options.password ? ['--no-auth-warning', '-a', this.options.password] : [];
    const r = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), ...tlsArgs, ...auth, ...args], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(sig);
    await exited;
  }
}
