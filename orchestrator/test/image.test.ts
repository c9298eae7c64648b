import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { requireBuild } from './support/orchestrator-process';
import { contractEnv, documentServices, DOCUMENTS, pointedAt } from './support/pipelines';
import { describeWithRedis, freePort, RedisServer } from './support/redis-server';
import { StubServices } from './support/stub-services';

const ROOT = resolve(__dirname, '..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const instructions = dockerfile.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));

/** No Docker engine here: the Dockerfile's promises are read from it, and the layout it builds is run as a process. */
describe('the Dockerfile', () => {
  test('is multi-stage on an exactly pinned Node base, overridable with a digest', () => {
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(base).toMatch(/^node:\d+\.\d+\.\d+-[a-z]+-slim$/);
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    expect(froms).toEqual(['FROM ${NODE_IMAGE} AS build', 'FROM ${NODE_IMAGE}']);
  });

  test('the final stage runs as uid 1000, not root, and starts what the build produces', () => {
    const final = instructions.slice(instructions.lastIndexOf('FROM ${NODE_IMAGE}'));
    expect(final.filter((l) => l.startsWith('USER '))).toEqual(['USER 1000:1000']);
    const entrypoint = JSON.parse(final.find((l) => l.startsWith('ENTRYPOINT '))!.slice('ENTRYPOINT '.length));
    expect(entrypoint).toEqual(['node', 'build/src/main.js']);
    requireBuild();
    expect(existsSync(join(ROOT, entrypoint[1]))).toBe(true);
  });

  test('copies only files that exist, and ships no npm, tests or dev dependencies', () => {
    const copies = instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from=')).flatMap((l) => l.split(/\s+/).slice(1, -1));
    for (const source of copies) expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
    expect(dockerfile).toContain('npm prune --omit=dev');
    expect(dockerfile).toContain('rm -rf /usr/local/lib/node_modules /usr/local/bin/npm');
    expect(readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['node_modules', 'build', 'test']));
  });
});

/**
 * The image's layout (package.json, build/src, production node_modules only) in a directory the
 * service's user cannot write, run as uid 1000 with nothing but PATH set: what the pod does with
 * runAsUser 1000 and a read-only root file system.
 */
describeWithRedis()('the service laid out as the image lays it out', () => {
  const asRoot = process.getuid?.() === 0;
  if (!asRoot) console.warn('SKIPPED: running as uid 1000 needs the tests to run as root (they do in CI\'s container)');
  let app: string;
  let redis: RedisServer;
  let stubs: StubServices;

  beforeAll(async () => {
    requireBuild();
    app = mkdtempSync(join(tmpdir(), 'modelserve-image-'));
    redis = await RedisServer.start();
    stubs = documentServices(await StubServices.start());
    cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
    cpSync(join(ROOT, 'build/src'), join(app, 'build/src'), { recursive: true });
    const production = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim().split('\n').slice(1);
    for (const dir of production) cpSync(dir, join(app, relative(ROOT, dir)), { recursive: true });
  });
  afterAll(async () => {
    await stubs?.stop();
    await redis?.stop();
    if (app) rmSync(app, { recursive: true, force: true });
  });

  test('production dependencies are the Redis client alone', () => {
    expect(readdirSync(join(app, 'node_modules'))).toEqual(['@redis']);
    expect(readdirSync(join(app, 'node_modules/@redis'))).toEqual(['client']);
  });

  (asRoot ? test : test.skip)('runs a pipeline as uid 1000 from a directory it cannot write', async () => {
    const definition = pointedAt(DOCUMENTS, stubs.origin);
    const definitionPath = join(app, 'pipeline.json');
    writeFileSync(definitionPath, JSON.stringify(definition));
    readOnlyForOthers(app);
    const port = await freePort();
    const child = spawn(process.execPath, [join(app, 'build/src/main.js')], {
      cwd: app,
      uid: 1000,
      gid: 1000,
      env: { PATH: process.env.PATH ?? '', ...contractEnv(redis, definitionPath, definition, { PIPELINE_HTTP_PORT: String(port) }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    child.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
    try {
      expect(() => writeFileSyncAs1000(join(app, 'build/src/main.js'))).toThrow();
      for (let i = 0; i < 300 && (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0)) !== 200; i++) await new Promise((r) => setTimeout(r, 100));
      const r = await fetch(`http://127.0.0.1:${port}/v1/runs?wait=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"page":"image"}' });
      expect(((await r.json()) as { state: string }).state).toBe('succeeded');
      expect(logs).not.toMatch(/EACCES|EROFS/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

/** Directories 0755 and files 0644, owned by root: readable by uid 1000, not writable. */
function readOnlyForOthers(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) readOnlyForOthers(path);
    else chmodSync(path, 0o644);
  }
}

/** Tries a write as uid 1000 (in a child process, since this one stays root). */
function writeFileSyncAs1000(path: string): void {
  const r = spawnSync(process.execPath, ['-e', `require('fs').appendFileSync(${JSON.stringify(path)}, '//')`], { uid: 1000, gid: 1000, cwd: dirname(path) });
  if (r.status !== 0) throw new Error(r.stderr.toString());
}
