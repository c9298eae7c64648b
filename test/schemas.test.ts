import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Ajv from 'ajv';
import { SUPPORTED_KEYWORDS } from '../lib/catalog/schema-check';
import { generateSchemas } from '../scripts/schemas/generate';

const REPO = join(__dirname, '..');
const SCHEMAS = join(REPO, 'schemas');
const committed = (file: string) => JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')) as Record<string, any>;
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

/** Every keyword of a schema, not counting property and definition names or the values of enum, const and default. */
function keywords(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => keywords(n, found));
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return found;
  for (const [key, value] of Object.entries(node)) {
    found.add(key);
    if (key === 'properties' || key === 'definitions' || key === 'x-constructs') Object.values(value as object).forEach((v) => keywords(v, found));
    else if (!['enum', 'const', 'default', 'x-classes', 'required'].includes(key)) keywords(value, found);
  }
  return found;
}

function libFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? libFiles(join(folder, e.name)) : e.name.endsWith('.ts') ? [join(folder, e.name)] : []));
}

describe('schemas/', () => {
  test('is what the TypeScript types give today (npm run schemas after a change of a props type)', () => {
    const fresh = generateSchemas(REPO);
    expect(readdirSync(SCHEMAS).sort()).toEqual([...fresh.keys()].sort());
    for (const [file, text] of fresh) expect({ file, same: readFileSync(join(SCHEMAS, file), 'utf8') === text }).toEqual({ file, same: true });
  }, 180_000);

  test('uses no keyword the runtime checker does not understand', () => {
    for (const file of readdirSync(SCHEMAS)) {
      const { definitions, ...top } = committed(file);
      const used = [...keywords(definitions ? Object.values(definitions) : [])];
      expect({ file, unsupported: used.filter((k) => !SUPPORTED_KEYWORDS.includes(k)) }).toEqual({ file, unsupported: [] });
      expect(Object.keys(top).sort()).toEqual(expect.arrayContaining(['$id', '$schema', 'title']));
    }
  });

  test('each is a draft-07 schema ajv compiles, with its own $id at the version the package publishes', () => {
    const ajv = new Ajv({ strict: false });
    for (const file of readdirSync(SCHEMAS)) {
      const schema = committed(file);
      expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
      expect(schema.$id).toBe(`https://unpkg.com/modelserve@${VERSION}/schemas/${file}`);
      expect(() => ajv.compile(schema)).not.toThrow();
    }
  });

  test('every construct of lib/ is in props.schema.json, and its constructor checks its props first', () => {
    const constructs = committed('props.schema.json')['x-constructs'] as Record<string, unknown>;
    // The discovery found the constructs of both sides, internal ones included.
    expect(Object.keys(constructs)).toEqual(expect.arrayContaining(['ModelService', 'ModelPipeline', 'ServingChart', 'ModelServePlatform', 'PlatformAddons', 'Cluster', 'ImportedCluster', 'EndpointPicker']));
    const classes = new Map<string, { file: string; source: string }>();
    for (const file of libFiles(join(REPO, 'lib'))) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      for (const value of Object.values(require(file) as Record<string, unknown>)) {
        if (typeof value === 'function' && value.toString().startsWith('class ')) classes.set(value.name, { file: relative(REPO, file), source: value.toString() });
      }
    }
    for (const name of Object.keys(constructs)) {
      const source = classes.get(name)?.source ?? '';
      // The constructor's first statement, as compiled.
      const first = /constructor\(scope, id, props[^)]*\) \{\s*([^;]*;)/.exec(source)?.[1];
      expect({ name, first }).toEqual({ name, first: expect.stringMatching(new RegExp(`checkConstructProps\\)?\\(${name}, scope, id, props\\);$`)) });
    }
  });

  test('x-classes names factories each class has', () => {
    const classes = committed('props.schema.json')['x-classes'] as Record<string, { factories?: string[] }>;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported: Record<string, Record<string, unknown>> = { ...require('../lib/k8s'), ...require('../lib/catalog'), ...require('../lib/aws/addons'), ...require('../lib/aws') };
    for (const [name, facts] of Object.entries(classes)) {
      for (const factory of facts.factories ?? []) expect({ name, factory, type: typeof exported[name]?.[factory] }).toEqual({ name, factory, type: 'function' });
    }
    expect(classes.Rollout.factories).toEqual(['rollingUpdate', 'recreate', 'blueGreen', 'canary', 'abTest', 'shadow', 'progressive']);
  });
});
