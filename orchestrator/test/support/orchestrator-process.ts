import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './redis-server';

/** The built service, as the image runs it (`npm test` builds first). */
export const MAIN = resolve(__dirname, '../../build/src/main.js');

export function requireBuild(): void {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run the tests with \`npm test\` (it builds first) or \`npm run build\``);
}

/** Writes a definition to a temporary file and returns its path. */
export function writeDefinition(definition: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'modelserve-pipeline-'));
  const path = join(dir, 'pipeline.json');
  writeFileSync(path, JSON.stringify(definition, null, 2));
  return path;
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: any;
}

/**
 * One orchestrator as a child process (node build/src/main.js), with the environment
 * ModelPipeline gives it. `kill()` is SIGKILL, the fault tests' crash; `terminate()` is
 * Kubernetes' SIGTERM.
 */
export class OrchestratorProcess {
  public logs = '';
  private child!: ChildProcess;

  private constructor(public readonly port: number, private readonly env: Record<string, string>) {}

  static async start(env: Record<string, string>, options: { waitHealthy?: boolean } = {}): Promise<OrchestratorProcess> {
    requireBuild();
    const port = await freePort();
    const o = new OrchestratorProcess(port, { PIPELINE_HTTP_PORT: String(port), ...env });
    o.child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    o.child.stdout!.on('data', (d: Buffer) => (o.logs += d.toString()));
    o.child.stderr!.on('data', (d: Buffer) => (o.logs += d.toString()));
    if (options.waitHealthy ?? true) await o.waitUntil(async () => (await o.request('GET', '/healthz').catch(() => undefined))?.status === 200, 'healthy');
    return o;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get exited(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve(this.child.exitCode);
    return new Promise((r) => this.child.once('exit', (code) => r(code)));
  }

  /** Parsed log lines. */
  get logLines(): any[] {
    return this.logs.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  }

  async request(method: string, path: string, body?: string | object, headers: Record<string, string> = {}): Promise<Reply> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  async waitUntil(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (this.child.exitCode !== null) throw new Error(`orchestrator exited (${this.child.exitCode}) while waiting for ${what}:\n${this.logs}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${this.logs.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = this.exited;
    this.child.kill('SIGKILL');
    await exited;
  }

  /** Freezes the process (SIGSTOP): a worker paused by a long GC or a frozen node, whose lease runs out. */
  pause(paused: boolean): void {
    this.child.kill(paused ? 'SIGSTOP' : 'SIGCONT');
  }

  async terminate(): Promise<number | null> {
    const exited = this.exited;
    this.child.kill('SIGTERM');
    return exited;
  }
}
