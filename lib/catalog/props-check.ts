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
 * A schema of schemas/ (`npm run schemas` writes them from the types), read when first needed:
 * lib/catalog/ sits two folders below schemas/ in the repository, build/lib/catalog/ three in the package.
 */
export function readSchemaFile<T>(name: string): T {
  const candidates = [join(__dirname, '..', '..', 'schemas', name), join(__dirname, '..', '..', '..', 'schemas', name)];
  const file = candidates.find((c) => existsSync(c));
  if (file === undefined) throw new Error(`modelserve: schemas/${name} is missing (looked in ${candidates.join(', ')}); reinstall the package`);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** The generated schema of every construct's props, read once, on the first check. */
export function propsSchema(): { schema: PropsSchema; checker: SchemaChecker } {
  if (loaded !== undefined) return loaded;
  const schema = readSchemaFile<PropsSchema>('props.schema.json');
  loaded = { schema, checker: new SchemaChecker(schema) };
  return loaded;
}

/** What a construct's scope offers (constructs' `Construct`, without importing it here). */
export interface ScopeLike {
  readonly node: { readonly path: string; tryRemoveChild(childName: string): boolean };
}

/** A construct class, its constructor private or not. */
export interface ConstructClass {
  readonly name: string;
  readonly prototype: object;
}

/** Above 0 while a construct is built on trial: the constructs inside it skip the check. */
let trialDepth = 0;

/**
 * Checks a construct's props against its TypeScript type, as the compiler would for a typed caller,
 * before anything joins the tree: JavaScript types (a string `'false'` where a boolean belongs, a
 * string where a list does), unknown keys (with the closest known one), missing required fields,
 * null, NaN and Infinity, and objects that must come from a class (`Rollout.canary()`). Throws
 * a ValidationError: `<path>: <field> (<value>) <problem>; <fix>`.
 *
 * Every construct calls it first: `checkConstructProps(ModelService, scope, id, props)`.
 */
export function checkConstructProps(construct: ConstructClass, scope: ScopeLike | undefined, id: string, props: unknown): void {
  if (trialDepth > 0) return;
  const node = propsSchema().schema['x-constructs'][construct.name];
  if (node === undefined) throw new Error(`modelserve: ${construct.name} has no entry in schemas/props.schema.json; run npm run schemas`);
  if (props === undefined && node['x-optional']) return;
  const problems = propsProblems(construct.name, props);
  if (problems.length === 0) return;
  const path = scope !== undefined && scope.node.path ? `${scope.node.path}/${id}` : id;
  throw ownRefusal(construct, scope, id, props, path, problems) ?? validationError(path, problems[0]);
}

/**
 * A construct's own checks know its domain (which Kubernetes versions have add-on pins, what a
 * missing issuer should be, that a prop moved elsewhere), so where the types find a problem they
 * have a say first: the construct is built once on trial, in its place, and removed again. If its
 * own checks refuse a field the types found wrong, theirs is the message; if they pass, or fail on
 * the wrong type itself (a TypeError), the types' message is. Only bad props pay for the trial.
 */
function ownRefusal(
  construct: ConstructClass,
  scope: ScopeLike | undefined,
  id: string,
  props: unknown,
  path: string,
  problems: readonly SchemaProblem[],
): ValidationError | undefined {
  if (scope === undefined) return undefined;
  trialDepth++;
  try {
    Reflect.construct(construct as unknown as new (...args: unknown[]) => unknown, [scope, id, props]);
    return undefined;
  } catch (e) {
    if (!(e instanceof ValidationError) || (e.constructPath !== path && !e.constructPath.startsWith(`${path}/`))) return undefined;
    // Some checks name a part by path (`platform/addons/prometheus: alerting.routes`), the types by field (`prometheus.alerting.routes`).
    const address = (constructPath: string, field: string) => `${constructPath}/${field}`.replace(/\//g, '.');
    const refused = address(e.constructPath, e.field);
    return problems.some((p) => sameOrNested(address(path, formatField(p.path)), refused)) ? e : undefined;
  } finally {
    trialDepth--;
    scope.node.tryRemoveChild(id);
  }
}

/** `a` and `b` name the same field, or one is inside the other (`resources` and `resources.gpu.model`). */
function sameOrNested(a: string, b: string): boolean {
  const inside = (inner: string, outer: string) => inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
  return a === b || inside(a, b) || inside(b, a);
}

/** Every problem of `props` for `construct`, unknown keys first. */
function propsProblems(construct: string, props: unknown): SchemaProblem[] {
  const { schema, checker } = propsSchema();
  const root = schema['x-constructs'][construct];
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    const { node: resolved } = checker.resolve(root.anyOf?.[0] ?? root);
    const required = resolved.required ?? [];
    return [{ path: [], value: props, problem: props === undefined ? 'are missing' : `are ${props === null ? 'null' : Array.isArray(props) ? 'a list' : `a ${typeof props}`}, not an object`, fix: `pass { ${required.join(', ')} }` }];
  }
  return checker.problems(root, props, { rootNoun: `${/^[AEIOU]/.test(construct) ? 'an' : 'a'} ${construct} prop` });
}

function validationError(path: string, problem: SchemaProblem): ValidationError {
  return new ValidationError(path, formatField(problem.path), problem.value, problem.problem, problem.fix);
}
