import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * The real engines the monitoring tests run: Debian's `prometheus` (server and promtool) and
 * `prometheus-alertmanager` (the server, named so by Debian, and amtool). `.ci/run` installs them.
 * `sh` and `curl` (the model warmer's script) come with the machine's base system.
 */
export const ENGINES = {
  promtool: ['promtool'],
  prometheus: ['prometheus'],
  amtool: ['amtool'],
  alertmanager: ['prometheus-alertmanager', 'alertmanager'],
  // The model warmer's script runs under a real sh and curl, as in its container.
  sh: ['sh'],
  curl: ['curl'],
} as const;
export type EngineName = keyof typeof ENGINES;

const INSTALL = 'apt-get install -y prometheus prometheus-alertmanager curl';

/** Absolute path of an engine's binary on PATH, or undefined. */
export function findEngine(name: EngineName): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const binary of ENGINES[name]) {
    for (const dir of dirs) {
      const path = join(dir, binary);
      if (existsSync(path)) return path;
    }
  }
  return undefined;
}

/**
 * The engines' paths, when every one is installed. In CI (`CI=true`) a missing engine fails the
 * test file at once; on a workstation its tests are skipped with a loud message, so that a
 * missing install is never mistaken for a pass.
 */
export function requireEngines<N extends EngineName>(...names: N[]): { readonly [K in N]: string } | undefined {
  const missing = names.filter((n) => findEngine(n) === undefined);
  if (missing.length === 0) return Object.fromEntries(names.map((n) => [n, findEngine(n)!])) as { [K in N]: string };
  const message = `${missing.join(', ')} not found on PATH; install with \`${INSTALL}\``;
  if (process.env.CI === 'true') throw new Error(`CI needs the real engines: ${message}`);
  console.warn(`\n${'!'.repeat(100)}\nSKIPPED: tests that need ${missing.join(', ')}: ${message}\n${'!'.repeat(100)}\n`);
  return undefined;
}

/** `describe` when the engines exist, `describe.skip` otherwise (see requireEngines). */
export function describeWith(engines: object | undefined): jest.Describe {
  return engines ? describe : describe.skip;
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a binary to completion (no shell), with a timeout so that a hung engine fails the test. */
export function run(binary: string, args: readonly string[], options: { cwd?: string; input?: string } = {}): RunResult {
  const r = spawnSync(binary, [...args], { cwd: options.cwd, input: options.input, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary folder and its removal. */
export function tempDir(prefix: string): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `modelserve-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
