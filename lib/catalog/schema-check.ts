import { closestName } from './did-you-mean';
import { formatValue } from './validation-error';

export type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

/**
 * The part of JSON Schema (draft-07) that ts-json-schema-generator writes for the props types, and
 * the marks scripts/schemas adds where a value must be made by code: `x-instanceof` (a class,
 * checked by its prototype chain), `x-construct` (a construct implementing an interface),
 * `x-external` (a dependency's behavioural interface: any object), `x-factories` (in spec schemas:
 * a class written as its factory call).
 */
export interface SchemaNode {
  readonly type?: JsonType | readonly JsonType[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | SchemaNode;
  readonly items?: SchemaNode;
  readonly anyOf?: readonly SchemaNode[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly $ref?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly 'x-instanceof'?: string;
  readonly 'x-construct'?: string;
  readonly 'x-external'?: string;
  readonly 'x-factories'?: string;
}

/** Keywords the checker understands; a schema using any other fails its test (test/schemas.test.ts). */
export const SUPPORTED_KEYWORDS: readonly string[] = [
  'type', 'properties', 'required', 'additionalProperties', 'items', 'anyOf', 'enum', 'const', '$ref', 'description', 'default', 'deprecated',
  'x-instanceof', 'x-construct', 'x-external', 'x-factories',
];

export interface ClassFacts {
  readonly factories?: readonly string[];
  readonly construct?: boolean;
}

export interface SchemaDocument {
  readonly definitions: Readonly<Record<string, SchemaNode>>;
  readonly 'x-classes'?: Readonly<Record<string, ClassFacts>>;
}

/** A step into a value: a prop (`autoscaling`), an entry of a map (`env["LOG_LEVEL"]`) or a list index. */
export type PathSegment = string | number | { readonly entry: string };

export interface SchemaProblem {
  readonly path: readonly PathSegment[];
  readonly value: unknown;
  readonly problem: string;
  readonly fix: string;
  /** The key itself is the mistake (not a field of the object): point at the key, not its value. */
  readonly unknownKey?: boolean;
}

/** `{ $ref: '#/definitions/<name>' }`: where a check of the named type starts. */
export function definitionRef(name: string): SchemaNode {
  return { $ref: `#/definitions/${name}` };
}

/** `autoscaling.minReplicas`, `env["LOG_LEVEL"]`, `stages[1][0].service`; `props` for the root. */
export function formatField(path: readonly PathSegment[]): string {
  if (path.length === 0) return 'props';
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : typeof s === 'object' ? `[${JSON.stringify(s.entry)}]` : i === 0 ? s : `.${s}`)).join('');
}

const CONSTRUCT_BRAND = Symbol.for('constructs.Construct');

/** True when `value` is an object of a class named `name`, or of a subclass of it. */
export function isInstanceNamed(value: unknown, name: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  for (let proto = Object.getPrototypeOf(value); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    if ((proto as { constructor?: { name?: string } }).constructor?.name === name) return true;
  }
  return false;
}

function article(noun: string): string {
  return /^[aeiouAEIOU]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

/**
 * Checks plain JavaScript values against the generated schemas and says what is wrong in the
 * project's terms: the field, the value, the problem and the fix. A union is judged by the member
 * the value was evidently meant to be (the one whose `kind` it carries, or whose shape it has), so
 * that the message is about that member's fields rather than a list of every member's complaints.
 */
export class SchemaChecker {
  constructor(private readonly document: SchemaDocument) {}

  /** Every problem of `value`, unknown keys first, then each field in the order written, then missing ones. */
  problems(node: SchemaNode, value: unknown, options: { readonly rootNoun?: string; readonly path?: readonly PathSegment[] } = {}): SchemaProblem[] {
    const out: SchemaProblem[] = [];
    this.check(node, value, [...(options.path ?? [])], out, options.rootNoun);
    return out;
  }

  /** The node a `$ref` points at (followed to the end), and the name of the last definition on the way. */
  resolve(node: SchemaNode): { node: SchemaNode; name?: string } {
    let name: string | undefined;
    let current = node;
    while (current.$ref !== undefined) {
      name = decodeURIComponent(current.$ref.replace(/^#\/definitions\//, ''));
      const target = this.document.definitions[name];
      if (target === undefined) throw new Error(`the props schema has no definition ${name}: run npm run schemas`);
      current = target;
    }
    return { node: current, name };
  }

  private check(start: SchemaNode, value: unknown, path: PathSegment[], out: SchemaProblem[], noun?: string): void {
    if (value === undefined) return;
    const { node, name } = this.resolve(start);
    if (node.anyOf !== undefined) return this.checkUnion(node, value, path, out);
    if (node['x-instanceof'] !== undefined) return this.checkInstance(node['x-instanceof'], value, path, out);
    if (node['x-construct'] !== undefined) {
      if (typeof value !== 'object' || value === null || !(CONSTRUCT_BRAND in value)) out.push({ path, value, problem: `is not ${article(node['x-construct'])}`, fix: `pass a construct that implements ${node['x-construct']}` });
      return;
    }
    if (node.type !== undefined && !typeMatches(node.type, value)) return void out.push(this.mismatch(start, value, path));
    if (node.const !== undefined && value !== node.const) return void out.push({ path, value, problem: 'is not supported', fix: `use ${formatValue(node.const)}` });
    if (node.enum !== undefined && !node.enum.includes(value)) {
      return void out.push({ path, value, problem: 'is not supported', fix: `use one of ${node.enum.map((v) => formatValue(v)).join(', ')}` });
    }
    if (Array.isArray(value)) {
      if (node.items !== undefined) value.forEach((item, i) => (item === undefined ? out.push({ path: [...path, i], value: item, problem: 'is empty', fix: 'remove the hole from the list' }) : this.check(node.items!, item, [...path, i], out)));
    } else if (typeof value === 'object' && value !== null && (node.properties !== undefined || node.additionalProperties !== undefined)) {
      this.checkObject(node, value as Record<string, unknown>, path, out, noun ?? (name ? `a field of ${name}` : `a field of ${formatField(path)}`));
    }
  }

  private checkObject(node: SchemaNode, value: Record<string, unknown>, path: PathSegment[], out: SchemaProblem[], noun: string): void {
    const properties = node.properties ?? {};
    const known = Object.keys(properties);
    const extra = node.additionalProperties;
    const meant = new Set<string>();
    const keys = Object.keys(value);
    // As TypeScript checks excess keys of object literals only, an object made by a class (a Cluster
    // given where its connection attributes are asked for) may carry more than the interface names.
    const literal = isPlainObject(value);
    for (const key of keys) {
      if (!literal || Object.prototype.hasOwnProperty.call(properties, key) || typeof extra === 'object' || extra === true || extra === undefined) continue;
      const suggestion = closestName(key, known.filter((k) => !keys.includes(k)));
      if (suggestion !== undefined) meant.add(suggestion);
      out.push({ path: [...path, key], value: value[key], unknownKey: true, problem: `is not ${noun}`, fix: suggestion !== undefined ? `did you mean ${suggestion}?` : `remove it, or use one of ${known.join(', ')}` });
    }
    const required = node.required ?? [];
    for (const key of keys) {
      // null for a required field: the fix is the value it needs, not leaving it out.
      if (value[key] === null && required.includes(key)) out.push({ path: [...path, key], value: null, problem: 'is null', fix: `${this.isObject(properties[key]) ? 'pass' : 'give'} ${this.example(properties[key])}` });
      else if (Object.prototype.hasOwnProperty.call(properties, key)) this.check(properties[key], value[key], [...path, key], out);
      else if (typeof extra === 'object') this.check(extra, value[key], [...path, { entry: key }], out);
    }
    for (const key of required) {
      if (value[key] !== undefined || meant.has(key)) continue;
      out.push({ path: [...path, key], value: undefined, problem: 'is missing', fix: `${this.isObject(properties[key]) ? 'pass' : 'give'} ${this.example(properties[key])}` });
    }
  }

  private checkUnion(node: SchemaNode, value: unknown, path: PathSegment[], out: SchemaProblem[]): void {
    if (node['x-factories'] !== undefined) return this.checkFactoryCall(node, value, path, out);
    const attempts = node.anyOf!.map((member) => {
      const problems: SchemaProblem[] = [];
      this.check(member, value, path, problems);
      return { problems, fit: this.fit(member, value) };
    });
    if (attempts.some((a) => a.problems.length === 0)) return;
    const fitting = attempts.filter((a) => a.fit > 0).sort((a, b) => b.fit - a.fit || a.problems.length - b.problems.length);
    if (fitting.length === 0) return void out.push(this.mismatch(node, value, path));
    out.push(...fitting[0].problems);
  }

  /**
   * A class written as its factory call in a spec file: the factory's name (`triton`), or a map of
   * its name to its argument (`canary: { ... }`). A name that is no factory is the mistake to name.
   */
  private checkFactoryCall(node: SchemaNode, value: unknown, path: PathSegment[], out: SchemaProblem[]): void {
    const forms = node.anyOf!.map((m) => this.resolve(m).node);
    const bare = forms.filter((f) => typeof f.const === 'string').map((f) => f.const as string);
    const called = forms.flatMap((f) => Object.keys(f.properties ?? {}));
    const className = node['x-factories']!;
    const usage = [...bare.map((b) => JSON.stringify(b)), ...called.map((c) => `{ ${c}: ... }`)].join(', ');
    if (typeof value === 'string' && !bare.includes(value)) {
      const meant = closestName(value, [...bare, ...called]);
      const fix = meant === undefined ? `use one of ${usage}` : bare.includes(meant) ? `did you mean ${meant}?` : `did you mean { ${meant}: ... }? (${meant} takes an argument)`;
      return void out.push({ path, value, problem: `is not a ${className} factory`, fix });
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const keys = Object.keys(value);
      const key = keys.find((k) => !called.includes(k));
      if (keys.length !== 1 || key !== undefined) {
        const meant = key === undefined ? undefined : closestName(key, called);
        if (key !== undefined) return void out.push({ path: [...path, key], value: (value as Record<string, unknown>)[key], unknownKey: true, problem: `is not a ${className} factory`, fix: meant ? `did you mean ${meant}?` : `use one of ${usage}` });
        return void out.push({ path, value, problem: `calls ${keys.length} ${className} factories`, fix: `keep one of ${keys.join(', ')}` });
      }
      const form = forms.find((f) => f.properties?.[keys[0]] !== undefined)!;
      return this.check(form, value, path, out);
    }
    if (typeof value === 'string') return;
    out.push({ path, value, problem: `is ${describeValue(value)}, not a ${className}`, fix: `use one of ${usage}` });
  }

  private checkInstance(className: string, value: unknown, path: PathSegment[], out: SchemaProblem[]): void {
    if (isInstanceNamed(value, className)) return;
    const facts = this.document['x-classes']?.[className];
    const factories = facts?.factories ?? [];
    const calls = factories.map((f, i) => (i === 0 ? `${className}.${f}()` : `.${f}()`));
    const fix = calls.length > 0
      ? `use ${calls.length === 1 ? calls[0] : `${calls.slice(0, -1).join(', ')} or ${calls[calls.length - 1]}`}`
      : facts?.construct ? `create one with new ${className}(scope, id, props)` : `pass ${article(className)}`;
    out.push({ path, value, problem: `is not ${article(className)}`, fix });
  }

  /** How well `value` matches the shape of a union member: 0 not at all; higher for a member whose `kind` it carries. */
  private fit(start: SchemaNode, value: unknown): number {
    const { node } = this.resolve(start);
    if (node.anyOf !== undefined) return Math.max(...node.anyOf.map((m) => this.fit(m, value)));
    if (node['x-instanceof'] !== undefined) return isInstanceNamed(value, node['x-instanceof']) ? 3 : 0;
    if (node['x-construct'] !== undefined) return typeof value === 'object' && value !== null && CONSTRUCT_BRAND in value ? 3 : 0;
    if (node.type !== undefined && !typeMatches(node.type, value)) return 0;
    if (node.const !== undefined) return value === node.const ? 3 : 0.5;
    if (typeof value !== 'object' || value === null || Array.isArray(value) || node.properties === undefined) return 1;
    let fit = 1;
    for (const [key, property] of Object.entries(node.properties)) {
      const discriminator = this.resolve(property).node.const;
      if (discriminator === undefined || !(key in value)) continue;
      if ((value as Record<string, unknown>)[key] !== discriminator) return 0.5;
      fit += 2;
    }
    const keys = Object.keys(value);
    return fit + keys.filter((k) => k in node.properties!).length / (keys.length + 1);
  }

  private mismatch(node: SchemaNode, value: unknown, path: PathSegment[]): SchemaProblem {
    const expected = this.describe(node);
    if (typeof value === 'number' && !Number.isFinite(value)) return { path, value, problem: 'is not a finite number', fix: `give ${expected}` };
    return { path, value, problem: `is ${describeValue(value)}, not ${expected}`, fix: fixFor(value, this.types(node), expected) };
  }

  /** `a number`, `true or false`, `an object (AutoscalingOptions)`, `"a" or "b"`, `a Rollout or a list`... */
  describe(start: SchemaNode): string {
    const { node, name } = this.resolve(start);
    if (node.anyOf !== undefined) return [...new Set(node.anyOf.map((m) => this.describe(m)))].join(' or ');
    if (node['x-instanceof'] !== undefined) return article(node['x-instanceof']);
    if (node['x-construct'] !== undefined) return `a construct implementing ${node['x-construct']}`;
    if (node.const !== undefined) return formatValue(node.const);
    if (node.enum !== undefined) return `one of ${node.enum.map((v) => formatValue(v)).join(', ')}`;
    const types = node.type === undefined ? [] : typeof node.type === 'string' ? [node.type] : node.type;
    const described = types.map((t) => TYPE_NAMES[t]).join(' or ') || 'a value';
    return name !== undefined && types.includes('object') && node.properties !== undefined ? `${described} (${name})` : described;
  }

  private types(start: SchemaNode): Set<JsonType> {
    const { node } = this.resolve(start);
    if (node.anyOf !== undefined) return new Set(node.anyOf.flatMap((m) => [...this.types(m)]));
    if (node.type === undefined) return new Set(node['x-instanceof'] || node['x-construct'] ? ['object'] : []);
    return new Set(typeof node.type === 'string' ? [node.type] : node.type);
  }

  private isObject(start: SchemaNode | undefined): boolean {
    return start !== undefined && this.resolve(start).node.properties !== undefined;
  }

  /** `{ id, version }` for an object with required fields; what it is otherwise. */
  private example(start: SchemaNode | undefined): string {
    if (start === undefined) return 'a value';
    const { node } = this.resolve(start);
    if (node.properties !== undefined && (node.required ?? []).length > 0) return `{ ${node.required!.join(', ')} }`;
    return this.describe(start);
  }
}

const TYPE_NAMES: Readonly<Record<JsonType, string>> = {
  object: 'an object',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'null',
};

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function typeMatches(type: JsonType | readonly JsonType[], value: unknown): boolean {
  const types = typeof type === 'string' ? [type] : type;
  return types.some((t) => {
    switch (t) {
      case 'string': return typeof value === 'string';
      case 'number': return typeof value === 'number' && Number.isFinite(value);
      case 'integer': return Number.isInteger(value);
      case 'boolean': return typeof value === 'boolean';
      case 'null': return value === null;
      case 'array': return Array.isArray(value);
      case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    }
  });
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
    return name && name !== 'Object' ? article(name) : 'an object';
  }
  return article(typeof value);
}

/** The fix for a value of the wrong type, in words that work for a YAML file and for JavaScript. */
function fixFor(value: unknown, expected: ReadonlySet<JsonType>, described: string): string {
  if (value === null) return `remove it, or give ${described}`;
  if (typeof value === 'string') {
    if (expected.has('boolean') && (value === 'true' || value === 'false')) return `use ${value} without quotes`;
    if ((expected.has('number') || expected.has('integer')) && value.trim() !== '' && Number.isFinite(Number(value))) return `use ${Number(value)} without quotes`;
  }
  if ((typeof value === 'number' || typeof value === 'boolean') && expected.has('string')) return `quote it: "${String(value)}"`;
  if (expected.has('array') && !Array.isArray(value)) return `give a list, e.g. [${formatValue(value)}]`;
  return `give ${described}`;
}
