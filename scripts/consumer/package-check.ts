/**
 * The package as npm would publish it (`npm run test:package`, run by .ci/run):
 *
 * - `npm publish --dry-run` is clean: the fields a registry page shows are set, the tarball holds
 *   the compiled library, the JSON Schemas, LICENSE, README.md and package.json and nothing else,
 *   every `exports` target and every schema is in it, and npm warns about nothing but the missing login;
 * - a git URL install builds the same package: `npm pack git+file://<this repository>` (what
 *   `npm install git+https://…` runs: clone, install, `prepare`, pack) gives the same files,
 *   byte for byte, as `npm pack` here.
 *
 * Run it on a clean checkout (CI does): the git install builds the committed HEAD.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from './shell';

const REPO = path.resolve(__dirname, '..', '..', '..');
const REQUIRED_FIELDS = ['name', 'version', 'description', 'keywords', 'license', 'repository', 'files', 'engines', 'exports', 'typesVersions'];
const ALLOWED_FILES = /^(LICENSE|README\.md|package\.json|build\/lib\/.+\.(js|d\.ts)|schemas\/[a-z-]+\.schema\.json)$/;

interface Packed {
  filename: string;
  files: { path: string }[];
}

const problems: string[] = [];

function publishDryRun(): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as Record<string, unknown> & { exports: Record<string, unknown> };
  problems.push(...REQUIRED_FIELDS.filter((field) => manifest[field] === undefined).map((field) => `package.json has no "${field}"`));
  if (manifest.private === true) problems.push('package.json says "private": true, so npm refuses to publish it');

  const result = run('npm publish --dry-run --json', { cwd: REPO, mayFail: true });
  if (result.status !== 0) problems.push(`npm publish --dry-run failed:\n${result.stderr}`);
  const warnings = result.stderr.split('\n').filter((l) => /^npm warn/i.test(l) && !/requires you to be logged in/.test(l));
  problems.push(...warnings.map((w) => `npm publish --dry-run: ${w}`));
  const packed = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as Record<string, Packed> | Packed;
  const files = ('files' in packed ? (packed as Packed) : Object.values(packed)[0]).files.map((f) => f.path);
  problems.push(...files.filter((f) => !ALLOWED_FILES.test(f)).map((f) => `the package would ship ${f}`));
  // The constructs read schemas/props.schema.json at runtime; editors read the spec schemas.
  const schemas = fs.readdirSync(path.join(REPO, 'schemas')).map((f) => `schemas/${f}`);
  for (const wanted of ['LICENSE', 'README.md', 'package.json', ...schemas, ...exportTargets(manifest.exports)]) {
    if (!files.includes(wanted)) problems.push(`the package would not ship ${wanted}`);
  }
}

function exportTargets(exports: Record<string, unknown>): string[] {
  const targets = Object.values(exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t as Record<string, string>)));
  return targets.map((t) => t.replace(/^\.\//, ''));
}

function gitInstallBuildsTheSamePackage(): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'modelserve-package-'));
  const local = packInto(path.join(work, 'local'), '.');
  const fromGit = packInto(path.join(work, 'git'), `git+file://${REPO}#HEAD`);
  const [a, b] = [local, fromGit].map((tarball) => {
    const folder = `${tarball}.d`;
    fs.mkdirSync(folder);
    run(`tar -xzf ${tarball} -C ${folder}`, { cwd: work });
    return path.join(folder, 'package');
  });
  const list = (dir: string): string[] => fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
  const [filesA, filesB] = [list(a), list(b)];
  if (filesA.join('\n') !== filesB.join('\n')) problems.push(`the git install ships other files than npm pack:\n${diffLists(filesA, filesB)}`);
  const differing = filesA.filter((f) => filesB.includes(f) && !fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f))));
  if (differing.length > 0) problems.push(`the git install builds different files (uncommitted changes?): ${differing.slice(0, 10).join(', ')}`);
  fs.rmSync(work, { recursive: true, force: true });
}

function packInto(folder: string, spec: string): string {
  fs.mkdirSync(folder, { recursive: true });
  const result = run(`npm pack --json --pack-destination ${folder} ${spec}`, { cwd: REPO });
  const [{ filename }] = JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as Packed[];
  return path.join(folder, filename);
}

function diffLists(a: readonly string[], b: readonly string[]): string {
  return [...a.filter((f) => !b.includes(f)).map((f) => `- ${f}`), ...b.filter((f) => !a.includes(f)).map((f) => `+ ${f}`)].join('\n');
}

publishDryRun();
gitInstallBuildsTheSamePackage();
for (const problem of problems) console.error(problem);
console.log(problems.length === 0 ? 'package: publish dry run clean; the git install builds the same files as npm pack' : `package: ${problems.length} problem(s)`);
process.exitCode = problems.length === 0 ? 0 : 1;
