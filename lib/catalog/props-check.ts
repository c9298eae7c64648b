import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatField, SchemaChecker, SchemaDocument, SchemaNode, SchemaProblem } from './schema-check';
import { ValidationError } from './validation-error';

/** schemas/props.schema.json with what the checker reads of it. */
export interface PropsSchema extends SchemaDocument {
  /** Each construct's props, by class name; `x-optional` when the constructor has a default. */
  readonly 'x-constructs': Readonly<Record<string, SchemaNode & { readonly 'x-optional'?: boolean }>>;
}

let loaded: { schema: PropsSchema; checker: SchemaChecker } | undefined;

/**
 * The generated schema of every construct's props (`npm run schemas`), read once, on the first
 * check: lib/catalog/ in the repository, build/lib/catalog/ in the package, both beside schemas/.
 */
export function propsSchema(): { schema: PropsSchema; checker: SchemaChecker } {
  if (loaded !== undefined) return loaded;
  const candidates = [join(__dirname, '..', '..', 'schemas', 'props.schema.json'), join(__dirname, '..', '..', '..', 'schemas', 'props.schema.json')];
  const file = candidates.find((c) => existsSync(c));
  if (file === undefined) throw new Error(`modelserve: schemas/props.schema.json is missing (looked in ${candidates.join(', ')}); reinstall the package`);
  const schema = JSON.parse(readFileSync(file, 'utf8')) as PropsSchema;
  loaded = { schema, checker: new SchemaChecker(schema) };
  return loaded;
}

/** What a construct's scope offers for its path (constructs' `Construct`, without importing it here). */
export interface ScopeLike {
  readonly node: { readonly path: string };
}

/**
 * Checks a construct's props against its TypeScript type, as the compiler would for a typed caller,
 * before anything joins the tree: JavaScript types (a string `'false'` where a boolean belongs, a
 * string where a list does), unknown keys (with the closest known one), missing required fields,
 * null, NaN and Infinity, and objects that must come from a class (`Rollout.canary()`). Throws the
 * first problem as a ValidationError: `<path>: <field> (<value>) <problem>; <fix>`. The construct's
 * own checks (ranges, cross-field rules) run after this, on values of the right types.
 *
 * Every construct calls it first: `checkConstructProps('ModelService', scope, id, props)`.
 */
export function checkConstructProps(construct: string, scope: ScopeLike | undefined, id: string, props: unknown): void {
  const node = propsSchema().schema['x-constructs'][construct];
  if (node === undefined) throw new Error(`modelserve: ${construct} has no entry in schemas/props.schema.json; run npm run schemas`);
  if (props === undefined && node['x-optional']) return;
  const path = scope !== undefined && scope.node.path ? `${scope.node.path}/${id}` : id;
  const first = propsProblems(construct, props)[0];
  if (first !== undefined) throw validationError(path, first);
}

/** Every problem of `props` for `construct` (the spec loader reports them all). */
export function propsProblems(construct: string, props: unknown, node?: SchemaNode): SchemaProblem[] {
  const { schema, checker } = propsSchema();
  const root = node ?? schema['x-constructs'][construct];
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    const { node: resolved } = checker.resolve(root.anyOf?.[0] ?? root);
    const required = resolved.required ?? [];
    return [{ path: [], value: props, problem: props === undefined ? 'are missing' : `are ${props === null ? 'null' : Array.isArray(props) ? 'a list' : `a ${typeof props}`}, not an object`, fix: `pass { ${required.join(', ')} }` }];
  }
  return checker.problems(root, props, { rootNoun: `${/^[AEIOU]/.test(construct) ? 'an' : 'a'} ${construct} prop` });
}

export function validationError(path: string, problem: SchemaProblem): ValidationError {
  return new ValidationError(path, formatField(problem.path), problem.value, problem.problem, problem.fix);
}
