import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';

// Node reports an uncaught error with a source excerpt of the throw site (the library's, not the
// user's), the stack and a dump of the error's fields, and `cdktf synth` prints all of it twice.
// A ValidationError's message is the whole story, so an app that dies of one prints that line and
// the line of the user's code that led to it, and exits with 1.
//
// Only where nothing else reports uncaught errors: under jest, with MODELSERVE_DEBUG set, or in a
// program with its own 'uncaughtException' listener, Node's report is left as it is.

/** Set (to anything but `0` or empty) for Node's own report: source excerpt, stack, fields. */
const DEBUG_VARIABLE = 'MODELSERVE_DEBUG';

/** Errors to report in one line, each with the user's line that led to it (if found). */
const oneLiners = new WeakMap<Error, string | undefined>();
let listening = false;

/** Called by ValidationError's constructor: if `error` ends the process, say it in one line. */
export function reportInOneLineIfUncaught(error: Error): void {
  if (!oneLineReportWanted()) return;
  oneLiners.set(error, firstUserFrame());
  listenUntilTheTurnEnds();
}

function oneLineReportWanted(): boolean {
  if (typeof process === 'undefined' || typeof process.on !== 'function') return false;
  const debug = process.env[DEBUG_VARIABLE];
  if (debug !== undefined && debug !== '' && debug !== '0') return false;
  const otherListeners = process.listenerCount('uncaughtException') - (listening ? 1 : 0);
  return process.env.JEST_WORKER_ID === undefined && otherListeners === 0;
}

// From the error's construction to the end of the current turn of the event loop: long enough
// for an error thrown from an app's top level (CommonJS or ES module) to arrive, short enough that
// an error the app catches leaves no listener behind.
function listenUntilTheTurnEnds(): void {
  if (listening) return;
  listening = true;
  process.on('uncaughtException', reportUncaught);
  setImmediate(() => {
    process.off('uncaughtException', reportUncaught);
    listening = false;
  }).unref();
}

function reportUncaught(error: unknown): void {
  if (error instanceof Error && oneLiners.has(error)) {
    removeStaleCdktfOutput();
    const where = oneLiners.get(error);
    process.stderr.write(`${error.message}\n${where === undefined ? '' : `    at ${where}\n`}`);
  } else {
    // Another error in the same turn: what Node would have printed, less the source excerpt.
    process.stderr.write(`${inspect(error)}\n\nNode.js ${process.version}\n`);
  }
  process.exit(1);
}

/**
 * `cdk8s synth` empties its output folder before it runs the app, `cdktf synth` does not: after a
 * failed synth, cdktf.out would still hold the previous run's stacks, which look current (and
 * `cdktf deploy --skip-synth` would apply them). Under cdktf-cli (which names the folder in
 * CDKTF_OUTDIR) the manifest and the stack files it lists are removed; the stacks' .terraform
 * folders (providers, plugins) stay.
 */
export function removeStaleCdktfOutput(outdir = process.env.CDKTF_OUTDIR): void {
  if (outdir === undefined || outdir === '') return;
  const manifestPath = resolve(outdir, 'manifest.json');
  if (!existsSync(manifestPath)) return;
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { stacks?: Record<string, { synthesizedStackPath?: unknown }> };
    for (const stack of Object.values(manifest.stacks ?? {})) {
      const file = typeof stack.synthesizedStackPath === 'string' ? resolve(outdir, stack.synthesizedStackPath) : undefined;
      if (file !== undefined && isInside(resolve(outdir), file)) rmSync(file, { force: true });
    }
    rmSync(manifestPath, { force: true });
  } catch {
    // Not a manifest cdktf wrote: leave the folder alone.
  }
}

function isInside(folder: string, file: string): boolean {
  const path = relative(folder, file);
  return path !== '' && !path.startsWith('..') && !isAbsolute(path);
}

/** The compiled library's root folder (`build/lib`): frames under it are ours, not the user's. */
const LIBRARY_ROOT = dirname(__dirname) + sep;

/** `main.ts:14:1` (relative to the working folder) for the first frame outside the library. */
function firstUserFrame(): string | undefined {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50; // a construct nested in a platform is more than 10 frames deep
  Error.captureStackTrace(holder, firstUserFrame);
  Error.stackTraceLimit = limit;
  for (const frame of (holder.stack ?? '').split('\n').slice(1)) {
    const location = frameLocation(frame);
    if (location === undefined) continue;
    const { file, position } = location;
    if (file.startsWith('node:') || file.startsWith(LIBRARY_ROOT) || file.includes(`${sep}node_modules${sep}`)) continue;
    const shown = relative(process.cwd(), file);
    return `${shown.startsWith('..') ? file : shown}${position}`;
  }
  return undefined;
}

/** File and `:line:column` of `    at new X (file:///app/main.js:14:1)`; undefined for native frames. */
function frameLocation(frame: string): { file: string; position: string } | undefined {
  const match = /\(?([^\s()]+?)(:\d+:\d+)\)?$/.exec(frame.trim());
  if (match === null) return undefined;
  const [, file, position] = match;
  return { file: file.startsWith('file://') ? fileURLToPath(file) : file, position };
}
