import * as fs from 'fs';
import * as path from 'path';
import { GIVEN, ReadmeBlock, BlockCheck, Side, Kind } from './readme-blocks';

export type CheckedBlock = ReadmeBlock & { readonly check: BlockCheck & { readonly side: Side; readonly kind: Kind } };

/** Names each entry point exports at run time, in the order a fragment's imports prefer them. */
export type EntryExports = readonly { readonly specifier: string; readonly names: readonly string[] }[];

/** The file name a README block is compiled as: `readme/line-245.ts`. */
export function snippetFile(block: ReadmeBlock): string {
  return path.join('readme', `line-${block.line}.ts`);
}

/**
 * The TypeScript file for a README block: a whole app as written; a fragment after the
 * declarations of its `given` names and an import of every entry point name it uses but does not
 * import itself.
 */
export function snippetSource(block: CheckedBlock, entryExports: EntryExports): string {
  if (block.check.kind === 'app') return block.code;
  const own = importedNames(block.code);
  const prelude: string[] = [`// README.md line ${block.line}: ${block.check.side} fragment`];
  const givenTypes = new Map<string, string>();
  for (const name of block.check.given) {
    const { from, type } = GIVEN[name];
    givenTypes.set(`${from}#${type}`, `import type { ${type} as Given${type} } from '${from}';`);
  }
  prelude.push(...givenTypes.values());
  const taken = new Set([...own, ...block.check.given]);
  // The catalog's fragments show what `modelserve` alone offers.
  const entries = block.check.side === 'catalog' ? entryExports.filter((e) => e.specifier === 'modelserve') : entryExports;
  for (const { specifier, names } of entries) {
    const used = names.filter((n) => !taken.has(n) && new RegExp(`\\b${n}\\b`).test(block.code));
    used.forEach((n) => taken.add(n));
    if (used.length > 0) prelude.push(`import { ${used.join(', ')} } from '${specifier}';`);
  }
  prelude.push(...block.check.given.map((name) => `declare const ${name}: ${GIVEN[name].list ? `readonly Given${GIVEN[name].type}[]` : `Given${GIVEN[name].type}`};`));
  prelude.push('export {};');
  return `${prelude.join('\n')}\n${block.code}`;
}

/** Names a snippet imports itself (`import { A, B as C } from ...`, default and namespace imports). */
export function importedNames(code: string): Set<string> {
  const names = new Set<string>();
  for (const match of code.matchAll(/import\s+(type\s+)?([^'";]+?)\s+from\s+['"]/g)) {
    const clause = match[2];
    const braces = /\{([^}]*)\}/.exec(clause);
    for (const part of braces?.[1].split(',') ?? []) {
      const name = part.trim().split(/\s+as\s+/).pop()?.replace(/^type\s+/, '');
      if (name) names.add(name);
    }
    const outside = clause.replace(/\{[^}]*\}/, '').replace(/\*\s+as\s+/, '').split(',').map((p) => p.trim());
    outside.filter((p) => /^[A-Za-z_$][\w$]*$/.test(p)).forEach((p) => names.add(p));
  }
  return names;
}

/** Writes the side's blocks into `appFolder/readme/` with a tsconfig that compiles only them. */
export function writeSnippets(appFolder: string, blocks: readonly CheckedBlock[], entryExports: EntryExports): void {
  fs.rmSync(path.join(appFolder, 'readme'), { recursive: true, force: true });
  fs.mkdirSync(path.join(appFolder, 'readme'));
  for (const block of blocks) fs.writeFileSync(path.join(appFolder, snippetFile(block)), snippetSource(block, entryExports));
  const tsconfig = { extends: './tsconfig.json', compilerOptions: { rootDir: '.', outDir: 'build' }, include: ['readme/*.ts'] };
  fs.writeFileSync(path.join(appFolder, 'tsconfig.readme.json'), JSON.stringify(tsconfig, null, 2));
}
