/**
 * The consumer test (`npm run test:consumer`, run by .ci/run): modelserve as a user meets it.
 * Packs the library, installs the tarball into a fresh copy of each first app (templates/), and
 * then, through the real compilers and CLIs:
 *
 * - the app as shipped (ES module, `module: nodenext`, TypeScript 7): its own test (`npm test`)
 *   and `npx cdktf synth` / `npx cdk8s synth` exactly as its config file says; `node main.ts`
 *   (Node's type stripping) writes the same output;
 * - the same app as the CLIs' scaffolds make it (CommonJS, `moduleResolution: node10`,
 *   TypeScript 5.9): compiled, tested and synthesized, with output identical to the first;
 * - type checks with node16, nodenext and bundler resolution on TypeScript 5.9 and 7;
 * - every ```ts block of README.md compiled in such an app (both setups), whole apps synthesized;
 * - a wrong prop: one line and the user's line through `node`, `cdktf synth` and `cdk8s synth`,
 *   no output left that looks current;
 * - the AWS side on CDK Terrain (cdktn) under the names the library imports.
 *
 * One install per app; the npm cache is shared. Exits 1 if any check failed, after running the
 * rest. CONSUMER_WORKDIR keeps the apps in a folder of your choice (default: a temporary one,
 * removed when every check passed).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkCdkTerrain } from './cdk-terrain';
import { checkErrors, checkMissingAddonPeers } from './errors';
import { fileClaimProblems, readmeBlocks, typescriptBlocks } from './readme-blocks';
import { run } from './shell';
import { CheckedBlock, EntryExports, snippetFile, writeSnippets } from './snippets';
import { copyTemplate, Template, TEMPLATES } from './templates';
import { compileVariant, typeCheckOnly, writeCommonJsVariant } from './variants';

const REPO = path.resolve(__dirname, '..', '..', '..');
const TYPESCRIPT_5 = '5.9.3';

const failures: string[] = [];

/** Runs one check; a failure is recorded and the next check runs. */
function check(name: string, body: () => void): void {
  console.log(`::: consumer: ${name}`);
  try {
    body();
  } catch (error) {
    failures.push(`${name}: ${(error as Error).message}`);
    console.log(`    FAILED: ${(error as Error).message.split('\n')[0]}`);
  }
}

function main(): void {
  if (Number(process.versions.node.split('.')[0]) < 22) throw new Error(`run the consumer test on Node.js 22 or 24, not ${process.version}`);
  const work = process.env.CONSUMER_WORKDIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'modelserve-consumer-'));
  fs.mkdirSync(work, { recursive: true });
  console.log(`::: consumer apps in ${work} (Node.js ${process.version})`);
  const blocks = readmeBlocks(fs.readFileSync(path.join(REPO, 'README.md'), 'utf8'));
  check('README blocks match the files they show', () => assertNone(fileClaimProblems(blocks, REPO)));
  check('every entry point belongs to a side', () => assertEntriesCovered());

  const tarball = packLibrary(work);
  run(`npm install --no-audit --no-fund --prefer-offline --prefix tools typescript@${TYPESCRIPT_5}`, { cwd: work });
  const typescript5 = path.join(work, 'tools', 'node_modules', 'typescript', 'bin', 'tsc');
  let infraApp: string | undefined;
  for (const template of TEMPLATES) {
    const app = path.join(work, template.folder);
    fs.rmSync(app, { recursive: true, force: true });
    copyTemplate(REPO, template, app);
    run(`npm install --no-audit --no-fund --prefer-offline ${tarball}`, { cwd: app });
    const side = typescriptBlocks(blocks).filter((b) => b.check.side === template.side || (template.side === 'k8s' && b.check.side === 'catalog'));
    checkTemplate(template, app, typescript5, side);
    if (template.side === 'aws') infraApp = app;
  }
  if (infraApp !== undefined) {
    const cdktfOutput = `${infraApp}.out`;
    check('the AWS side on CDK Terrain (cdktn) under the names it imports', () => checkCdkTerrain(REPO, work, tarball, cdktfOutput));
  }
  console.log(failures.length === 0 ? '::: consumer: all checks passed' : `::: consumer: ${failures.length} check(s) failed:\n${failures.join('\n\n')}`);
  process.exitCode = failures.length === 0 ? 0 : 1;
  // The apps take about 2 GB; a failed run keeps them to look into (the path is printed above).
  if (failures.length === 0 && process.env.CONSUMER_WORKDIR === undefined) fs.rmSync(work, { recursive: true, force: true });
}

function checkTemplate(template: Template, app: string, typescript5: string, blocks: readonly CheckedBlock[]): void {
  const { folder, cli } = template;
  check(`${folder}: as shipped (ES module, nodenext, TypeScript 7): npm test, npx ${cli} synth`, () => {
    const version = run('npx tsc --version', { cwd: app }).stdout.trim();
    if (!version.startsWith('Version 7.')) throw new Error(`the template's typescript is ${version}, not 7`);
    run('npm test', { cwd: app });
    run(`npx ${cli} synth`, { cwd: app });
    assertSynthesized(template, app);
    // Kept for the comparisons that follow (the error checks empty the output folder).
    fs.rmSync(`${app}.out`, { recursive: true, force: true });
    fs.cpSync(path.join(app, template.outdir), `${app}.out`, { recursive: true });
  });
  check(`${folder}: main.ts run by Node's own type stripping gives the same output`, () => {
    const outdir = fs.mkdtempSync(path.join(app, 'stripped-'));
    run(`node ${template.nodeFlags} main.ts`, { cwd: app, env: { [template.outdirVariable]: outdir } });
    assertSameFiles(template, `${app}.out`, outdir);
  });
  check(`${folder}: each entry point loads only the peers it lists (scripts/consumer/templates.ts)`, () => assertPeersLoaded(template, app));
  if (template.side === 'aws') {
    check(`${folder}: without the Helm and Kubernetes providers, modelserve/aws loads and modelserve/addons names them in one line`, () => checkMissingAddonPeers(app));
  }
  const entryExports = loadEntryExports(template, app);
  check(`${folder}: README blocks of the ${template.side} side compile (TypeScript 7, nodenext) and whole apps synthesize`, () => {
    writeSnippets(app, blocks, entryExports);
    run('npx tsc -p tsconfig.readme.json', { cwd: app });
    for (const block of blocks.filter((b) => b.check.kind === 'app')) synthesizeSnippet(template, app, block);
  });
  check(`${folder}: type checks with nodenext and bundler on TypeScript 5.9, bundler on 7`, () => {
    typeCheckOnly(app, typescript5, { module: 'nodenext' });
    typeCheckOnly(app, typescript5, { module: 'preserve', moduleResolution: 'bundler' });
    typeCheckOnly(app, 'node_modules/typescript/bin/tsc', { module: 'preserve', moduleResolution: 'bundler' });
  });
  const commonJs = `${app}-commonjs`;
  check(`${folder}: as the CLIs scaffold it (CommonJS, node10, TypeScript 5.9): test, synth, same output`, () => {
    writeCommonJsVariant(app, commonJs, template);
    compileVariant(commonJs, typescript5);
    run('node --test build/main.test.js', { cwd: commonJs });
    run(`npx ${cli} synth --app "node ${template.nodeFlags} build/main.js"`, { cwd: commonJs });
    assertSynthesized(template, commonJs);
    assertSameFiles(template, `${app}.out`, path.join(commonJs, template.outdir));
    writeSnippets(commonJs, blocks, entryExports);
    run(`node ${typescript5} -p tsconfig.readme.json`, { cwd: commonJs });
  });
  check(`${folder}: CommonJS with node16 on TypeScript 7; node10 is refused by TypeScript 7 (TS5108)`, () => {
    typeCheckOnly(commonJs, 'node_modules/typescript/bin/tsc', { module: 'node16', moduleResolution: 'node16' });
    const refused = typeCheckOnly(commonJs, 'node_modules/typescript/bin/tsc', { module: 'commonjs', moduleResolution: 'node10' }, true);
    if (!refused.stdout.includes('TS5108')) throw new Error(`expected TypeScript 7 to refuse node10 with TS5108:\n${refused.stdout}`);
  });
  check(`${folder}: a wrong prop reads as one line through node and npx ${cli} synth, and leaves no output`, () => {
    checkErrors(template, app, 'node_modules/typescript/bin/tsc');
    checkErrors(template, commonJs, typescript5, { nodeOnly: true });
  });
}

function packLibrary(work: string): string {
  const packed = run(`npm pack --json --pack-destination ${work}`, { cwd: REPO });
  const [{ filename }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string }[];
  return path.join(work, filename);
}

/** What `require(entry)` gives at run time in the app, for the fragments' imports. */
function loadEntryExports(template: Template, app: string): EntryExports {
  const specifiers = Object.keys(template.entries).map(specifierOf);
  const script = `console.log(JSON.stringify(${JSON.stringify(specifiers)}.map((s) => ({ specifier: s, names: Object.keys(require(s)) }))))`;
  const result = run(`node --disable-warning=DEP0044 -e '${script}'`, { cwd: app });
  return JSON.parse(result.stdout) as EntryExports;
}

function specifierOf(entry: string): string {
  return entry === '.' ? 'modelserve' : `modelserve/${entry.slice(2)}`;
}

/**
 * Which of modelserve's peer dependencies each entry point loads (in a fresh `node`), against what
 * the template lists for it: an import must not need a package the README does not install.
 */
function assertPeersLoaded(template: Template, app: string): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', 'modelserve', 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
  const peers = Object.keys(manifest.peerDependencies);
  const problems: string[] = [];
  for (const [entry, allowed] of Object.entries(template.entries)) {
    const script = [
      `require(${JSON.stringify(specifierOf(entry))});`,
      'const top = Object.keys(require.cache).map((f) => /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(f.slice(process.cwd().length))?.[1]);',
      'console.log(JSON.stringify([...new Set(top.filter(Boolean))]));',
    ].join('\n');
    fs.writeFileSync(path.join(app, 'loaded-peers.cjs'), script);
    const loaded = (JSON.parse(run('node --disable-warning=DEP0044 loaded-peers.cjs', { cwd: app }).stdout) as string[]).filter((p) => peers.includes(p));
    const exceptions = template.loadsTodayToo?.[entry] ?? [];
    const unexpected = loaded.filter((p) => !allowed.includes(p) && !exceptions.includes(p));
    const stale = exceptions.filter((p) => !loaded.includes(p));
    if (unexpected.length > 0) problems.push(`${specifierOf(entry)} loads ${unexpected.join(', ')}, which it does not list`);
    if (stale.length > 0) problems.push(`${specifierOf(entry)} no longer loads ${stale.join(', ')}: delete it from loadsTodayToo`);
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

function synthesizeSnippet(template: Template, app: string, block: CheckedBlock): void {
  const outdir = fs.mkdtempSync(path.join(app, 'readme-out-'));
  const compiled = path.join('build', snippetFile(block).replace(/\.ts$/, '.js'));
  run(`node ${template.nodeFlags} ${compiled}`, { cwd: app, env: { [template.outdirVariable]: outdir } });
  const written = fs.readdirSync(outdir, { recursive: true }).map(String);
  const wanted = template.side === 'aws' ? /cdk\.tf\.json$/ : /\.k8s\.yaml$/;
  if (!written.some((f) => wanted.test(f))) throw new Error(`README.md:${block.line}: the app synthesized nothing into ${outdir}`);
}

/** The synthesized files under an output folder, relative to it. */
function synthesizedFiles(template: Template, outdir: string): string[] {
  if (!fs.existsSync(outdir)) return [];
  const pattern = template.side === 'aws' ? /(^|\/)(cdk\.tf\.json|manifest\.json)$/ : /\.k8s\.yaml$/;
  return fs.readdirSync(outdir, { recursive: true }).map(String).filter((f) => pattern.test(f)).sort();
}

function assertSynthesized(template: Template, app: string): void {
  const files = synthesizedFiles(template, path.join(app, template.outdir));
  const expected = template.side === 'aws'
    ? ['manifest.json', 'stacks/modelserve-production-addons/cdk.tf.json', 'stacks/modelserve-production/cdk.tf.json']
    : ['serving.k8s.yaml'];
  if (files.join(' ') !== expected.join(' ')) throw new Error(`${template.cli} synth wrote ${files.join(', ') || 'nothing'}; expected ${expected.join(', ')}`);
}

/** The same synthesized files, byte for byte. */
function assertSameFiles(template: Template, expected: string, actual: string): void {
  const files = synthesizedFiles(template, expected);
  const got = synthesizedFiles(template, actual);
  if (got.join(' ') !== files.join(' ')) throw new Error(`${actual} holds ${got.join(', ') || 'nothing'}; ${expected} holds ${files.join(', ')}`);
  for (const file of files) {
    if (!fs.readFileSync(path.join(expected, file)).equals(fs.readFileSync(path.join(actual, file)))) throw new Error(`${file} differs between ${expected} and ${actual}`);
  }
}

function assertEntriesCovered(): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const loaded = new Set(TEMPLATES.flatMap((t) => Object.keys(t.entries)));
  const missing = Object.keys(manifest.exports).filter((e) => e !== './package.json' && !loaded.has(e));
  if (missing.length > 0) throw new Error(`entry point(s) ${missing.join(', ')} belong to no side: add them to TEMPLATES (scripts/consumer/templates.ts)`);
}

function assertNone(problems: readonly string[]): void {
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

main();
