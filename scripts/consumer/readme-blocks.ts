/**
 * The README's code blocks and what each one claims to be. A ```ts block must be preceded by a
 * marker comment that says how it is checked, so that no snippet goes unchecked by accident:
 *
 *   <!-- check: aws app -->                          a whole cdktf program: compiled and synthesized
 *   <!-- check: k8s app -->                          a whole cdk8s program: compiled and synthesized
 *   <!-- check: aws fragment; given stack -->        compiled in a cdktf app that has `stack`
 *   <!-- check: k8s fragment; given chart, props --> compiled in a cdk8s app that has them
 *   <!-- check: catalog fragment -->                 compiled with `modelserve` only
 *
 * A fragment gets an import of every name of the side's entry points that it uses without
 * importing it; the `given` names are declared with the types in GIVEN. Any block (ts or not) may
 * also say `same as <file>[, <file>]` (its text is that file's, byte for byte); a ```sh block
 * `install <template folder>` (its `npm install` lines name exactly the template's packages); a
 * ```json block `cdk terrain` (it is the package.json change the consumer test makes for cdktn).
 */
import * as fs from 'fs';
import * as path from 'path';
import { cdkTerrainPackageChanges } from './cdk-terrain';

export type Side = 'aws' | 'k8s' | 'catalog';
export type Kind = 'app' | 'fragment';

export interface ReadmeBlock {
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly language: string;
  readonly code: string;
  readonly check?: BlockCheck;
}

export interface BlockCheck {
  readonly side?: Side;
  readonly kind?: Kind;
  readonly given: readonly string[];
  readonly sameAs: readonly string[];
  readonly install?: string;
  readonly cdkTerrain?: boolean;
}

/** Declarations of the names a fragment may assume: type import and declaration. */
export const GIVEN: Readonly<Record<string, { readonly side: Side; readonly from: string; readonly type: string; readonly list?: boolean }>> = {
  stack: { side: 'aws', from: 'cdktf', type: 'TerraformStack' },
  bootstrapStack: { side: 'aws', from: 'cdktf', type: 'TerraformStack' },
  addonsStack: { side: 'aws', from: 'cdktf', type: 'TerraformStack' },
  platform: { side: 'aws', from: 'modelserve/aws', type: 'ModelServePlatform' },
  // A catalog name is given on either side.
  nodePools: { side: 'catalog', from: 'modelserve', type: 'NodePoolSpec', list: true },
  app: { side: 'k8s', from: 'cdk8s', type: 'App' },
  chart: { side: 'k8s', from: 'modelserve/k8s', type: 'ServingChart' },
  props: { side: 'k8s', from: 'modelserve/k8s', type: 'ModelServiceProps' },
  resnetProps: { side: 'k8s', from: 'modelserve/k8s', type: 'ModelServiceProps' },
};

const MARKER = /^<!--\s*check:\s*(.*?)\s*-->\s*$/;
const TS_LANGUAGES = new Set(['ts', 'typescript']);

/** Every fenced block of `markdown`, with the marker on the line before its fence (if any). */
export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)\s*$/.exec(lines[i]);
    if (fence === null) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`README.md:${i + 1}: code block never closed`);
    const marker = i > 0 ? MARKER.exec(lines[i - 1]) : null;
    const block = { line: i + 1, language: fence[1], code: lines.slice(i + 1, end).join('\n') + '\n' };
    blocks.push(marker === null ? block : { ...block, check: parseCheck(marker[1], i + 1) });
    i = end;
  }
  for (const block of blocks) assertChecked(block);
  return blocks;
}

/** `aws fragment; given stack, bootstrapStack; same as a.ts` */
export function parseCheck(text: string, line: number): BlockCheck {
  let side: Side | undefined;
  let kind: Kind | undefined;
  let given: string[] = [];
  let sameAs: string[] = [];
  let install: string | undefined;
  let cdkTerrain = false;
  for (const part of text.split(';').map((p) => p.trim()).filter((p) => p !== '')) {
    const words = part.split(/[\s,]+/);
    if (words[0] === 'given') given = words.slice(1);
    else if (words[0] === 'same' && words[1] === 'as') sameAs = words.slice(2);
    else if (words[0] === 'install' && words.length === 2) install = words[1];
    else if (part === 'cdk terrain') cdkTerrain = true;
    else if (words.length === 2 && ['aws', 'k8s', 'catalog'].includes(words[0]) && ['app', 'fragment'].includes(words[1])) {
      [side, kind] = words as [Side, Kind];
    } else throw new Error(`README.md:${line}: "${part}" is not a check (see scripts/consumer/readme-blocks.ts)`);
  }
  for (const name of given) {
    if (GIVEN[name] === undefined) throw new Error(`README.md:${line}: given "${name}" is not one of ${Object.keys(GIVEN).join(', ')}`);
    if (side !== undefined && GIVEN[name].side !== side && GIVEN[name].side !== 'catalog') throw new Error(`README.md:${line}: given "${name}" belongs to the ${GIVEN[name].side} side`);
  }
  return { side, kind, given, sameAs, install, cdkTerrain };
}

function assertChecked(block: ReadmeBlock): void {
  if (!TS_LANGUAGES.has(block.language)) return;
  const check = block.check;
  if (check?.side === undefined || check.kind === undefined) {
    throw new Error(`README.md:${block.line}: a ts block needs a marker on the line before it, e.g. <!-- check: k8s fragment; given chart -->`);
  }
  if (check.kind === 'app' && check.given.length > 0) throw new Error(`README.md:${block.line}: a whole app is given nothing`);
  if (check.side === 'catalog' && check.kind === 'app') throw new Error(`README.md:${block.line}: the catalog has no app of its own`);
}

/** The ts blocks, each with its check (readmeBlocks guarantees one). */
export function typescriptBlocks(blocks: readonly ReadmeBlock[]): (ReadmeBlock & { check: BlockCheck & { side: Side; kind: Kind } })[] {
  return blocks.filter((b) => TS_LANGUAGES.has(b.language)) as (ReadmeBlock & { check: BlockCheck & { side: Side; kind: Kind } })[];
}

/** Problems with `same as` and `install` claims, relative to the repository root. */
export function fileClaimProblems(blocks: readonly ReadmeBlock[], root: string): string[] {
  const problems: string[] = [];
  for (const block of blocks) {
    for (const file of block.check?.sameAs ?? []) {
      const full = path.join(root, file);
      if (!fs.existsSync(full)) problems.push(`README.md:${block.line}: same as ${file}, which does not exist`);
      else if (fs.readFileSync(full, 'utf8') !== block.code) problems.push(`README.md:${block.line}: differs from ${file}`);
    }
    if (block.check?.install !== undefined) problems.push(...installProblems(block, path.join(root, block.check.install)));
    if (block.check?.cdkTerrain === true && block.code !== `${JSON.stringify(cdkTerrainPackageChanges(), null, 2)}\n`) {
      problems.push(`README.md:${block.line}: is not the package.json change scripts/consumer/cdk-terrain.ts tests`);
    }
  }
  return problems;
}

/**
 * The block's `npm install` lines must install exactly the template's dependencies (plain
 * `npm install`) and devDependencies (`--save-dev`), at the template's versions where they pin one.
 */
function installProblems(block: ReadmeBlock, templateFolder: string): string[] {
  const where = `README.md:${block.line}`;
  const manifestPath = path.join(templateFolder, 'package.json');
  if (!fs.existsSync(manifestPath)) return [`${where}: install ${templateFolder}, which has no package.json`];
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const installed = { dependencies: new Map<string, string | undefined>(), devDependencies: new Map<string, string | undefined>() };
  for (const line of block.code.split('\n').map((l) => l.replace(/#.*$/, '').trim())) {
    const words = line.split(/\s+/);
    if (words[0] !== 'npm' || !['install', 'i'].includes(words[1])) continue;
    const target = words.includes('--save-dev') || words.includes('-D') ? installed.devDependencies : installed.dependencies;
    for (const spec of words.slice(2).filter((w) => !w.startsWith('-'))) {
      const at = spec.lastIndexOf('@');
      if (at > 0) target.set(spec.slice(0, at), spec.slice(at + 1));
      else target.set(spec, undefined);
    }
  }
  const problems: string[] = [];
  for (const group of ['dependencies', 'devDependencies'] as const) {
    const expected = manifest[group] ?? {};
    const names = [...installed[group].keys()].sort();
    if (names.join(' ') !== Object.keys(expected).sort().join(' ')) {
      problems.push(`${where}: installs ${group} ${names.join(' ') || 'none'}; ${manifestPath} has ${Object.keys(expected).sort().join(' ')}`);
    }
    for (const [name, version] of installed[group]) {
      if (version !== undefined && expected[name] !== undefined && version !== expected[name]) {
        problems.push(`${where}: installs ${name}@${version}; ${manifestPath} has ${expected[name]}`);
      }
    }
  }
  return problems;
}
