import { ValidationError } from './validation-error';

/**
 * The oldest Node.js major the library still runs on. 22 and 24 (LTS) are supported; 20 reached
 * end of life on 2026-04-30 and still works (CI runs the suite on it), so it is not refused.
 */
export const OLDEST_NODE_MAJOR = 20;

/** Throws if `version` (`process.version`, e.g. `v18.20.8`) is older than the library runs on. */
export function checkNodeVersion(version: string): void {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (Number.isInteger(major) && major < OLDEST_NODE_MAJOR) {
    throw new ValidationError('modelserve', 'Node.js', version, `is older than Node.js ${OLDEST_NODE_MAJOR}, which modelserve does not run on`, 'run the app with Node.js 22 or 24 (LTS)');
  }
}

// Every entry point loads the catalog, so an app on an old Node stops here with one line rather
// than with a TypeError from deep inside an engine.
checkNodeVersion(process.version);
