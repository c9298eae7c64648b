/**
 * The public surface, kept on purpose: `npm run api` after a deliberate change, `npm run api:check`
 * in CI. Everything follows package.json `exports`, so a new entry point is one line there:
 *
 * 1. `typesVersions` (what resolves `modelserve/aws` for `moduleResolution: node10`) is derived
 *    from `exports`;
 * 2. API Extractor writes one report per entry point, `api/<entry>.api.md`: every exported
 *    signature, so that a review sees each change of the surface;
 * 3. TypeDoc writes the API reference, `docs/api/` (one Markdown page per entry point).
 *
 * With `--check` nothing is written: it fails if any of the three differs from what is committed.
 * Reads the compiled declarations: run `npm run build` first (the npm scripts do).
 */
import {
  CompilerState, ConsoleMessageId, Extractor, ExtractorConfig, ExtractorLogLevel, ExtractorMessage, IConfigFile, IExtractorConfigPrepareOptions,
} from '@microsoft/api-extractor';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..', '..');
const PACKAGE_JSON = path.join(REPO, 'package.json');
const REPORT_FOLDER = path.join(REPO, 'api');
const DOCS_FOLDER = path.join(REPO, 'docs', 'api');

interface Entry {
  /** `.`, `./aws`, … as in `exports`. */
  readonly subpath: string;
  /** `modelserve`, `aws`, …: the report's file name. */
  readonly name: string;
  /** The entry's declarations, relative to the package (`./build/lib/aws/index.d.ts`). */
  readonly types: string;
}

interface PackageJson {
  name: string;
  exports: Record<string, string | { types?: string; default?: string }>;
  typesVersions?: Record<string, Record<string, string[]>>;
}

export function entryPoints(manifest: PackageJson): Entry[] {
  return Object.entries(manifest.exports)
    .filter(([subpath]) => subpath !== './package.json')
    .map(([subpath, target]) => {
      const types = typeof target === 'string' ? undefined : target.types;
      if (types === undefined) throw new Error(`package.json exports["${subpath}"] has no "types"`);
      return { subpath, name: subpath === '.' ? manifest.name : subpath.slice(2).replace(/\//g, '-'), types };
    });
}

/** node10 ignores `exports`; `typesVersions` maps each subpath to its declarations instead. */
export function typesVersionsFor(entries: readonly Entry[]): Record<string, Record<string, string[]>> {
  const paths = Object.fromEntries(entries.filter((e) => e.subpath !== '.').map((e) => [e.subpath.slice(2), [e.types.replace(/^\.\//, '')]]));
  return { '*': paths };
}

function extractorConfig(entry: Entry, manifest: PackageJson): ExtractorConfig {
  const configObject: IConfigFile = {
    projectFolder: REPO,
    mainEntryPointFilePath: path.join(REPO, entry.types),
    compiler: { tsconfigFilePath: path.join(REPO, 'tsconfig.build.json') },
    apiReport: { enabled: true, reportFolder: REPORT_FOLDER, reportTempFolder: path.join(REPO, 'build', 'api'), reportFileName: entry.name },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    messages: {
      extractorMessageReporting: {
        // Findings go into the report, where a review reads them (ae-forgotten-export: a type that a
        // signature uses and the entry point does not export).
        default: { logLevel: ExtractorLogLevel.None, addToApiReportFile: true },
        'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None, addToApiReportFile: false },
        // Listed with .d.ts line numbers, which move with every unrelated edit; "(undocumented)"
        // stays inline beside each signature.
        'ae-undocumented': { logLevel: ExtractorLogLevel.None, addToApiReportFile: false },
      },
      tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None, addToApiReportFile: false } },
      compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Error } },
    },
  };
  return ExtractorConfig.prepare({ configObject, configObjectFullPath: undefined, packageJsonFullPath: PACKAGE_JSON, packageJson: manifest as unknown as IExtractorConfigPrepareOptions['packageJson'] });
}

/** Writes (or, with check, compares) the reports; returns the problems found. */
function apiReports(entries: readonly Entry[], manifest: PackageJson, check: boolean): string[] {
  const configs = entries.map((e) => extractorConfig(e, manifest));
  const compilerState = CompilerState.create(configs[0], { additionalEntryPoints: configs.map((c) => c.mainEntryPointFilePath) });
  // Quiet about its bundled compiler; in CI, show what changed.
  const messageCallback = (message: ExtractorMessage): void => {
    if (message.messageId === ConsoleMessageId.Preamble) message.handled = true;
  };
  const problems: string[] = [];
  configs.forEach((config, i) => {
    const result = Extractor.invoke(config, { localBuild: !check, compilerState, messageCallback, printApiReportDiff: check });
    const report = path.relative(REPO, config.reportFilePath);
    if (check && result.apiReportChanged) problems.push(`${report} differs from the surface of ${entries[i].subpath} (diff above): run npm run api and review it`);
    else if (!result.succeeded) problems.push(`${report}: API Extractor found ${result.errorCount} error(s), ${result.warningCount} warning(s) in ${entries[i].subpath}`);
  });
  return problems;
}

/**
 * TypeDoc into `out`, one Markdown page per entry point, named by the entry file's `@module` tag
 * (other options: typedoc.json). Reads the sources (`build/lib/x.d.ts` → `lib/x.ts`) for the comments.
 */
function apiReference(entries: readonly Entry[], out: string): void {
  const typedoc = path.join(REPO, 'node_modules', 'typedoc', 'bin', 'typedoc');
  const sources = entries.map((e) => e.types.replace(/^\.\/build\//, '').replace(/\.d\.ts$/, '.ts'));
  const args = [typedoc, '--options', path.join(REPO, 'typedoc.json'), '--logLevel', 'Error', '--out', out, ...sources];
  const result = spawnSync(process.execPath, args, { cwd: REPO, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`typedoc failed:\n${result.stdout}${result.stderr}`);
}

function sameFolders(a: string, b: string): boolean {
  const list = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).sort() : []);
  const [filesA, filesB] = [list(a), list(b)];
  return filesA.join('\n') === filesB.join('\n') && filesA.every((f) => fs.statSync(path.join(a, f)).isDirectory() || fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f))));
}

function main(): void {
  const check = process.argv.includes('--check');
  const manifest = JSON.parse(fs.readFileSync(PACKAGE_JSON, 'utf8')) as PackageJson;
  const entries = entryPoints(manifest);
  const problems: string[] = [];

  const typesVersions = typesVersionsFor(entries);
  if (JSON.stringify(manifest.typesVersions) !== JSON.stringify(typesVersions)) {
    if (check) problems.push('package.json typesVersions does not match exports: run npm run api');
    else fs.writeFileSync(PACKAGE_JSON, `${JSON.stringify({ ...manifest, typesVersions }, null, 2)}\n`);
  }
  if (!check) fs.mkdirSync(REPORT_FOLDER, { recursive: true });
  problems.push(...apiReports(entries, manifest, check));
  if (check) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'modelserve-api-docs-'));
    apiReference(entries, out);
    if (!sameFolders(out, DOCS_FOLDER)) problems.push('docs/api/ is not what TypeDoc generates from the sources: run npm run api');
    fs.rmSync(out, { recursive: true, force: true });
  } else {
    fs.rmSync(DOCS_FOLDER, { recursive: true, force: true });
    apiReference(entries, DOCS_FOLDER);
  }

  for (const problem of problems) console.error(problem);
  console.log(problems.length === 0 ? `API surface: ${entries.map((e) => e.subpath).join(', ')} ${check ? 'match the committed reports and reference' : 'written to api/ and docs/api/'}` : `${problems.length} problem(s)`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}

main();
