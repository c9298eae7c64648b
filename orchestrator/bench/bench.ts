/**
 * Orchestrator benchmark: `npm run bench` (after `apt-get install -y redis-server`).
 *
 * Starts a redis-server (AOF, fsync on every write: the durability the tests prove), stub
 * services that answer at once, and one orchestrator process (the built service, as the image
 * runs it), then runs a three-step chain (a -> b -> c, each step taking the previous response):
 *
 * - latency: one run at a time. The orchestrator's added latency per step is measured at the
 *   stubs, on one clock: from the moment step i's answer is sent to the moment step i+1's
 *   request arrives (read, check and save the response, WAIT if replicas, start the next call);
 *   the first step counts from the client's POST, the last up to the client's answer.
 * - throughput: `--concurrency` clients posting `?wait=true` for `--seconds`: runs per second,
 *   and the same per-step figure under load.
 *
 * The stubs answer in microseconds, so every millisecond measured is the orchestrator's, Redis'
 * and the loopback's. Options: --runs 300 --concurrency 32 --seconds 10 --fsync always|everysec
 * --cpu-prof <folder>
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = new Map<string, string>();
for (let i = 2; i + 1 < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const RUNS = Number(args.get('runs') ?? 300);
const CONCURRENCY = Number(args.get('concurrency') ?? 32);
const SECONDS = Number(args.get('seconds') ?? 10);
const FSYNC = args.get('fsync') ?? 'always';
/** Writes a V8 CPU profile of the orchestrator into this folder (open it in Chrome DevTools). */
const CPU_PROFILE_DIR = args.get('cpu-prof');
const STEPS = ['a', 'b', 'c'];

type StepTimes = Record<string, { received: number; replied: number }>;
/** Per run: when the client sent it and got the answer, and when each step's call arrived and was answered. */
interface RunTimes {
  readonly id: string;
  readonly sent: number;
  readonly answered: number;
  readonly steps: StepTimes;
}
/** Filled by the stubs, by run id (the client learns the id only with the answer). */
const stepTimes = new Map<string, StepTimes>();
const times = new Map<string, { sent: number; answered: number }>();

async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

async function startRedis(dir: string): Promise<{ port: number; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', FSYNC], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ok, fail) => {
    child.on('error', (e) => fail(new Error(`redis-server could not start (${e.message}); install it: apt-get install -y redis-server`)));
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('Ready to accept connections') && ok());
  });
  return { port, process: child };
}

/** Each step answers at once with a small JSON, recording when the call arrived and when it was answered. */
async function startStubs(): Promise<{ server: Server; port: number }> {
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = performance.now();
      const run = String(req.headers['x-modelserve-run-id']);
      const step = String(req.headers['x-modelserve-step']);
      const body = JSON.stringify({ step, seen: JSON.parse(Buffer.concat(chunks).toString()) === null ? 0 : 1 });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body, () => {
        const t = stepTimes.get(run) ?? {};
        t[step] = { received, replied: performance.now() };
        stepTimes.set(run, t);
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, port: (server.address() as { port: number }).port };
}

async function startOrchestrator(redisPort: number, stubPort: number, dir: string): Promise<{ port: number; process: ChildProcess }> {
  const definition = {
    apiVersion: 'modelserve.io/v1alpha1', kind: 'PipelineDefinition', name: 'bench', namespace: 'bench', timeoutSeconds: 60, resultTtlSeconds: 600,
    steps: STEPS.map((name, i) => ({ name, service: name, method: 'POST', url: `http://127.0.0.1:${stubPort}/${name}`, dependsOn: i === 0 ? [] : [STEPS[i - 1]], timeoutSeconds: 30, retries: 0 })),
    outputs: ['c'],
    retryOn: { statuses: [408, 429, 502, 503, 504], timeouts: true, connectionErrors: true },
  };
  const path = join(dir, 'pipeline.json');
  writeFileSync(path, JSON.stringify(definition));
  const port = await freePort();
  const profile = CPU_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROFILE_DIR] : [];
  const child = spawn(process.execPath, [...profile, resolve(__dirname, '../src/main.js')], {
    env: {
      PATH: process.env.PATH, PIPELINE_NAME: 'bench', PIPELINE_DEFINITION_PATH: path, REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      PIPELINE_HTTP_PORT: String(port), LOG_LEVEL: 'warn', PIPELINE_MAX_CONCURRENT_RUNS: '1000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    if ((await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0)) === 200) return { port, process: child };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the orchestrator did not become healthy');
}

async function oneRun(port: number): Promise<void> {
  const sent = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/v1/runs?wait=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"page":"s3://bench/page.png"}' });
  const body = (await res.json()) as { id: string; state: string };
  const answered = performance.now();
  if (body.state !== 'succeeded') throw new Error(`run ${body.id} ${body.state}`);
  times.set(body.id, { sent, answered });
}

function collect(): RunTimes[] {
  const runs = [...times].map(([id, t]) => ({ id, ...t, steps: stepTimes.get(id) ?? {} }));
  times.clear();
  stepTimes.clear();
  return runs;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** The orchestrator's share of each step: see the header comment. */
function perStepOverheads(runs: RunTimes[]): number[] {
  const out: number[] = [];
  for (const t of runs) {
    if (STEPS.some((s) => !t.steps[s])) continue;
    const { a, b, c } = t.steps;
    const spans = [a.received - t.sent, b.received - a.replied, c.received - b.replied, t.answered - c.replied];
    // Four gaps around three steps: the first and last are shared by creating and finishing the run.
    out.push(spans.reduce((a, b) => a + b, 0) / STEPS.length);
  }
  return out;
}

function interStepGaps(runs: RunTimes[]): number[] {
  return runs.flatMap(({ steps: { a, b, c } }) => (a && b && c ? [b.received - a.replied, c.received - b.replied] : []));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'modelserve-bench-'));
  const load = loadavg()[0];
  const redis = await startRedis(dir);
  const stubs = await startStubs();
  const orchestrator = await startOrchestrator(redis.port, stubs.port, dir);
  try {
    // Warm-up: connections, JIT, Redis' script cache.
    for (let i = 0; i < 50; i++) await oneRun(orchestrator.port);
    collect();

    for (let i = 0; i < RUNS; i++) await oneRun(orchestrator.port);
    const sequential = collect();
    const seqRun = sequential.map((t) => t.answered - t.sent);
    const seqStep = perStepOverheads(sequential);
    const seqGap = interStepGaps(sequential);

    let done = 0;
    const until = performance.now() + SECONDS * 1000;
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        await oneRun(orchestrator.port);
        done++;
      }
    }));
    const elapsed = (performance.now() - started) / 1000;
    const loaded = collect();
    const loadedRun = loaded.map((t) => t.answered - t.sent);
    const fmt = (n: number) => n.toFixed(2);
    console.log(`\nmodelserve pipeline orchestrator benchmark: ${STEPS.length}-step chain, stubs answering at once, Redis AOF appendfsync ${FSYNC}`);
    console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}, 1-minute load average ${load.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after\n`);
    console.log('| measure | p50 ms | p99 ms |');
    console.log('|---|---|---|');
    console.log(`| one run at a time (${RUNS} runs): whole run | ${fmt(quantile(seqRun, 0.5))} | ${fmt(quantile(seqRun, 0.99))} |`);
    console.log(`| one run at a time: orchestrator's added latency per step | ${fmt(quantile(seqStep, 0.5))} | ${fmt(quantile(seqStep, 0.99))} |`);
    console.log(`| one run at a time: between one step's answer and the next step's call | ${fmt(quantile(seqGap, 0.5))} | ${fmt(quantile(seqGap, 0.99))} |`);
    console.log(`| ${CONCURRENCY} clients: whole run | ${fmt(quantile(loadedRun, 0.5))} | ${fmt(quantile(loadedRun, 0.99))} |`);
    console.log(`| ${CONCURRENCY} clients: orchestrator's added latency per step | ${fmt(quantile(perStepOverheads(loaded), 0.5))} | ${fmt(quantile(perStepOverheads(loaded), 0.99))} |`);
    console.log(`\nthroughput: ${(done / elapsed).toFixed(0)} runs/s (${done} runs in ${elapsed.toFixed(1)} s with ${CONCURRENCY} clients, ${(done * STEPS.length / elapsed).toFixed(0)} step calls/s)`);
  } finally {
    // SIGTERM: the orchestrator shuts down cleanly, and V8 writes the CPU profile on exit.
    orchestrator.process.kill('SIGTERM');
    await new Promise((r) => orchestrator.process.once('exit', r));
    redis.process.kill('SIGKILL');
    stubs.server.closeAllConnections();
    stubs.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
