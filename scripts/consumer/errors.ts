import * as fs from 'fs';
import * as path from 'path';
import { Result, run } from './shell';
import { Template } from './templates';

/**
 * A wrong prop (TEMPLATES[].broken) run three ways, after a successful synth left output behind:
 * - `node broken.js`: exit 1, stderr exactly the message and `    at broken.ts:<line>:<column>`;
 * - `npx <cli> synth`: exit 1, the message without Node's source excerpt, stack or field dump,
 *   and no synthesized file left in the output folder;
 * - `MODELSERVE_DEBUG=1 node broken.js`: Node's full report, for when the one line is not enough.
 */
export function checkErrors(template: Template, app: string, tsc: string, options: { nodeOnly?: boolean } = {}): void {
  fs.writeFileSync(path.join(app, 'broken.ts'), `${template.broken.source}\n`);
  try {
    compileBroken(app, tsc);
    const node = run(`node ${template.nodeFlags} build/broken.js`, { cwd: app, mayFail: true });
    assertOneLine(template, node, 'node');
    const debug = run(`node ${template.nodeFlags} build/broken.js`, { cwd: app, mayFail: true, env: { MODELSERVE_DEBUG: '1' } });
    if (debug.status === 0 || !/^ {4}at .*validation-error\.js/m.test(debug.stderr)) {
      throw new Error(`MODELSERVE_DEBUG=1 should give Node's report with the stack; got:\n${debug.stderr}`);
    }
    if (options.nodeOnly === true) return;
    run(`npx ${template.cli} synth --app "node ${template.nodeFlags} build/main.js"`, { cwd: app });
    const synth = run(`npx ${template.cli} synth --app "node ${template.nodeFlags} build/broken.js"`, { cwd: app, mayFail: true });
    assertNoNodeReport(template, synth, `${template.cli} synth`);
    assertNothingLooksCurrent(template, app);
  } finally {
    fs.rmSync(path.join(app, 'broken.ts'), { force: true });
    fs.rmSync(path.join(app, 'build', 'broken.js'), { force: true });
  }
}

/** broken.ts with the app's own compiler and options (it type-checks: the prop is wrong in value). */
function compileBroken(app: string, tsc: string): void {
  const tsconfig = { extends: './tsconfig.json', include: ['broken.ts'], compilerOptions: { rootDir: '.', outDir: 'build' } };
  fs.writeFileSync(path.join(app, 'tsconfig.broken.json'), JSON.stringify(tsconfig, null, 2));
  run(`node ${tsc} -p tsconfig.broken.json`, { cwd: app });
}

function assertOneLine(template: Template, result: Result, how: string): void {
  const lines = result.stderr.replace(/\n$/, '').split('\n');
  const ok = result.status === 1 && lines.length === 2 && template.broken.message.test(lines[0]) && template.broken.line.test(lines[1]);
  if (!ok) throw new Error(`${how}: expected exit 1 and two lines (the message, then "    at broken.ts:<line>:<column>"); got exit ${result.status}:\n${result.stderr}`);
}

function assertNoNodeReport(template: Template, result: Result, how: string): void {
  const output = `${result.stdout}\n${result.stderr}`;
  const messageLines = output.split('\n').map((l) => l.replace(/^.*\[ERROR\] default - /, '').trim()).filter((l) => template.broken.message.test(l));
  const nodeReport = ['throw new ValidationError', 'constructPath:', 'Node.js v', 'at PropsValidator'].filter((s) => output.includes(s));
  if (result.status === 0 || messageLines.length === 0 || nodeReport.length > 0) {
    throw new Error(`${how}: expected a failure with the one-line message and none of Node's report (${nodeReport.join(', ')}); got exit ${result.status}:\n${output}`);
  }
}

/** cdk8s-cli empties its output folder before the app runs; modelserve does it for cdktf-cli. */
function assertNothingLooksCurrent(template: Template, app: string): void {
  const outdir = path.join(app, template.outdir);
  const left = fs.existsSync(outdir) ? fs.readdirSync(outdir, { recursive: true }).map(String).filter((f) => /(manifest\.json|cdk\.tf\.json|\.ya?ml)$/.test(f)) : [];
  if (left.length > 0) throw new Error(`after the failed synth, ${template.outdir}/ still holds ${left.join(', ')}`);
}

/**
 * An app that installed the AWS side without the Helm and Kubernetes providers: `modelserve/aws`
 * still loads, and `modelserve/addons` fails with one line naming the packages and the command
 * (plus at most the line of the app that imported it), exit 1.
 */
export function checkMissingAddonPeers(app: string): void {
  const peers = ['@cdktf/provider-helm', '@cdktf/provider-kubernetes'];
  const moved = peers.map((p) => [path.join(app, 'node_modules', p), path.join(app, 'node_modules', `${p}.away`)] as const);
  moved.forEach(([from, to]) => fs.renameSync(from, to));
  try {
    fs.writeFileSync(path.join(app, 'aws-only.mjs'), "import { ModelServePlatform } from 'modelserve/aws';\nconsole.log(typeof ModelServePlatform);\n");
    const aws = run('node --disable-warning=DEP0044 aws-only.mjs', { cwd: app });
    if (aws.stdout.trim() !== 'function') throw new Error(`modelserve/aws should load without the add-on providers; got ${aws.stdout}`);
    fs.writeFileSync(path.join(app, 'addons-without-peers.mjs'), "import { PlatformAddons } from 'modelserve/addons';\nconsole.log(typeof PlatformAddons);\n");
    const addons = run('node --disable-warning=DEP0044 addons-without-peers.mjs', { cwd: app, mayFail: true });
    const lines = addons.stderr.replace(/\n$/, '').split('\n');
    const message = /^modelserve\/addons: peerDependencies \(\["@cdktf\/provider-helm","@cdktf\/provider-kubernetes"\]\) are not installed, .*; npm install @cdktf\/provider-helm@\S+ @cdktf\/provider-kubernetes@\S+$/;
    if (addons.status !== 1 || lines.length > 2 || !message.test(lines[0])) {
      throw new Error(`modelserve/addons without its providers: expected exit 1 and the one-line message; got exit ${addons.status}:\n${addons.stderr}`);
    }
  } finally {
    moved.forEach(([from, to]) => fs.renameSync(to, from));
    for (const file of ['aws-only.mjs', 'addons-without-peers.mjs']) fs.rmSync(path.join(app, file), { force: true });
  }
}
