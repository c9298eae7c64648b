import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { run, tempDir } from './engines';

/** One synthetic series: its labels (the metric name under `__name__`) and samples `[unix seconds, value]`. */
export interface Series {
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: readonly (readonly [number, number])[];
}

/** Samples every `stepSeconds` from `from` to `to` (inclusive), valued by `value(t)`. */
export function sampled(name: string, labels: Readonly<Record<string, string>>, from: number, to: number, stepSeconds: number, value: (t: number) => number): Series {
  const samples: [number, number][] = [];
  for (let t = from; t <= to; t += stepSeconds) samples.push([t, value(t)]);
  return { labels: { __name__: name, ...labels }, samples };
}

/** A counter growing by `perSecond` from 0 at `from`. */
export function counter(name: string, labels: Readonly<Record<string, string>>, perSecond: number, from: number, to: number, stepSeconds: number): Series {
  return sampled(name, labels, from, to, stepSeconds, (t) => (t - from) * perSecond);
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * The series in the OpenMetrics text format that `promtool tsdb create-blocks-from openmetrics`
 * reads: samples of one metric name together, no type metadata (every series "unknown", which
 * PromQL treats like any other), timestamps in seconds, `# EOF` last.
 */
export function openMetricsText(series: readonly Series[]): string {
  const byName = new Map<string, Series[]>();
  for (const s of series) {
    const name = s.labels.__name__;
    if (!name) throw new Error(`series without __name__: ${JSON.stringify(s.labels)}`);
    byName.set(name, [...(byName.get(name) ?? []), s]);
  }
  const lines: string[] = [];
  for (const [name, group] of byName) {
    for (const s of group) {
      const labels = Object.entries(s.labels).filter(([k]) => k !== '__name__').map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
      for (const [t, v] of s.samples) lines.push(`${name}{${labels}} ${Number.isNaN(v) ? 'NaN' : v} ${t}`);
    }
  }
  return `${lines.join('\n')}\n# EOF\n`;
}

export interface InstantVector {
  readonly resultType: 'vector';
  readonly result: readonly { metric: Record<string, string>; value: [number, string] }[];
}
export interface InstantScalar {
  readonly resultType: 'scalar';
  readonly result: [number, string];
}
export type InstantResult = InstantVector | InstantScalar | { readonly resultType: 'matrix' | 'string'; readonly result: unknown };

/**
 * One HTTP exchange on a connection of its own (no keep-alive pool that would outlive the test
 * file, as fetch's does).
 */
export function httpExchange(url: string, options: { method?: string; body?: string; contentType?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', agent: false, headers: options.contentType ? { 'content-type': options.contentType } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error(`timed out: ${url}`)));
    req.end(options.body);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A real Prometheus server on 127.0.0.1 and a random free port, over a TSDB built from synthetic
 * series with promtool. No scrape configuration: the data is exactly what the test wrote.
 */
export class PrometheusServer {
  /** Builds the TSDB and starts the server; resolves once `/-/ready` answers. */
  public static async start(binaries: { prometheus: string; promtool: string }, series: readonly Series[]): Promise<PrometheusServer> {
    const dir = tempDir('prometheus');
    try {
      writeFileSync(join(dir.path, 'series.om'), openMetricsText(series));
      const blocks = run(binaries.promtool, ['tsdb', 'create-blocks-from', 'openmetrics', 'series.om', 'data'], { cwd: dir.path });
      if (blocks.status !== 0) throw new Error(`promtool tsdb create-blocks-from failed:\n${blocks.stdout}\n${blocks.stderr}`);
      writeFileSync(join(dir.path, 'prometheus.yml'), 'global: {}\n');
      const port = await freePort();
      const child = spawn(binaries.prometheus, [
        `--config.file=${join(dir.path, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir.path, 'data')}`,
        // Synthetic samples may lie further back than the default 15 days.
        '--storage.tsdb.retention.time=100y',
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const server = new PrometheusServer(`http://127.0.0.1:${port}`, child, dir.remove);
      await server.waitUntilReady(() => stderr);
      return server;
    } catch (e) {
      dir.remove();
      throw e;
    }
  }

  private constructor(public readonly url: string, private readonly child: ChildProcess, private readonly cleanup: () => void) {}

  private async waitUntilReady(log: () => string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`prometheus exited with ${this.child.exitCode}:\n${log()}`);
      try {
        if ((await httpExchange(`${this.url}/-/ready`)).status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.stop();
    throw new Error(`prometheus did not become ready in 30 s:\n${log()}`);
  }

  /** An instant query at `time` (unix seconds), as KEDA and Argo Rollouts send it; throws on a PromQL error. */
  public async query(expr: string, time: number): Promise<InstantResult> {
    const response = await httpExchange(`${this.url}/api/v1/query`, {
      method: 'POST',
      contentType: 'application/x-www-form-urlencoded',
      body: new URLSearchParams({ query: expr, time: String(time) }).toString(),
    });
    const body = JSON.parse(response.body) as { status: string; error?: string; data?: InstantResult };
    if (body.status !== 'success' || !body.data) throw new Error(`query failed (${response.status}): ${body.error}\n${expr}`);
    return body.data;
  }

  /** Stops the server and removes its data. */
  public async stop(): Promise<void> {
    await stopChild(this.child);
    this.cleanup();
  }
}

/**
 * A real Alertmanager on 127.0.0.1 and a random free port, with clustering off (no gossip port),
 * over the given configuration.
 */
export class AlertmanagerServer {
  public static async start(binary: string, configYaml: string): Promise<AlertmanagerServer> {
    const dir = tempDir('alertmanager');
    try {
      writeFileSync(join(dir.path, 'alertmanager.yml'), configYaml);
      const port = await freePort();
      const child = spawn(binary, [
        `--config.file=${join(dir.path, 'alertmanager.yml')}`,
        `--storage.path=${join(dir.path, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const server = new AlertmanagerServer(`http://127.0.0.1:${port}`, child, dir.remove);
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`alertmanager exited with ${child.exitCode}:\n${stderr}`);
        const ready = await httpExchange(`${server.url}/-/ready`).catch(() => undefined);
        if (ready?.status === 200) return server;
        await new Promise((r) => setTimeout(r, 100));
      }
      await server.stop();
      throw new Error(`alertmanager did not become ready in 30 s:\n${stderr}`);
    } catch (e) {
      dir.remove();
      throw e;
    }
  }

  private constructor(public readonly url: string, private readonly child: ChildProcess, private readonly cleanup: () => void) {}

  /** Posts alerts as Prometheus does (API v2). */
  public async post(alerts: readonly { labels: Record<string, string> }[]): Promise<void> {
    const r = await httpExchange(`${this.url}/api/v2/alerts`, { method: 'POST', contentType: 'application/json', body: JSON.stringify(alerts) });
    if (r.status !== 200) throw new Error(`posting alerts failed (${r.status}): ${r.body}`);
  }

  /** Every alert with its state (active, suppressed) and what inhibits or silences it. */
  public async alerts(): Promise<{ labels: Record<string, string>; status: { state: string; inhibitedBy: string[]; silencedBy: string[] } }[]> {
    return JSON.parse((await httpExchange(`${this.url}/api/v2/alerts`)).body);
  }

  public async stop(): Promise<void> {
    await stopChild(this.child);
    this.cleanup();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5_000)))]);
  clearTimeout(timer);
  if (child.exitCode === null) child.kill('SIGKILL');
}
