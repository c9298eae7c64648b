/**
 * The JSON Schemas in schemas/, generated from the TypeScript types: `npm run schemas` after a
 * change of a props type, `npm run schemas:check` in CI (fails, writing nothing, when a committed
 * schema differs from what the types give). See scripts/schemas/generate.ts for what each holds.
 */
import * as fs from 'fs';
import * as path from 'path';
import { generateSchemas } from './schemas/generate';

const REPO = path.resolve(__dirname, '..', '..');
const FOLDER = path.join(REPO, 'schemas');

function main(check: boolean): void {
  const files = generateSchemas(REPO);
  const stale = [...files].filter(([name, text]) => !fs.existsSync(path.join(FOLDER, name)) || fs.readFileSync(path.join(FOLDER, name), 'utf8') !== text).map(([name]) => name);
  const extra = fs.existsSync(FOLDER) ? fs.readdirSync(FOLDER).filter((name) => name.endsWith('.schema.json') && !files.has(name)) : [];
  if (check) {
    if (stale.length + extra.length === 0) return;
    process.stderr.write(`schemas/ is out of date with the TypeScript types (${[...stale, ...extra].join(', ')}): run npm run schemas and commit the result\n`);
    process.exitCode = 1;
    return;
  }
  fs.mkdirSync(FOLDER, { recursive: true });
  for (const name of stale) fs.writeFileSync(path.join(FOLDER, name), files.get(name)!);
  for (const name of extra) fs.rmSync(path.join(FOLDER, name));
  process.stdout.write(stale.length + extra.length === 0 ? 'schemas/ is up to date\n' : `wrote ${stale.join(', ') || 'nothing'}${extra.length ? `; removed ${extra.join(', ')}` : ''}\n`);
}

main(process.argv.includes('--check'));
