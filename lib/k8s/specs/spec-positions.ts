import type * as Yaml from 'yaml';
import { SpecLocation } from './spec-error';

/** A parsed document and what is needed to turn its nodes' offsets into lines and columns. */
export interface PositionedDocument {
  readonly file: string;
  readonly document: Yaml.Document;
  readonly lineCounter: Yaml.LineCounter;
  /** Offset of the document's value in the file (the documents of one file share its counter). */
  readonly node: Yaml.Node | null;
}

/** `autoscaling.minReplicas` → ['autoscaling', 'minReplicas']; `env["A.B"]` → ['env', 'A.B']; `stages[1][0]` → ['stages', 1, 0]. */
export function fieldSegments(field: string): Array<string | number> {
  const segments: Array<string | number> = [];
  for (const match of field.matchAll(/\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]|([^.[\]]+)/g)) {
    if (match[1] !== undefined) segments.push(JSON.parse(`"${match[1]}"`) as string);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(match[3]);
  }
  return segments;
}

/**
 * Where a field is written, as far as the document has it: the key of an unknown field, the value
 * of a wrong one, the nearest enclosing object of a missing one. A class written as its factory
 * call (`rollout: { canary: { weight: 10 } }`) is looked through, since a construct names the
 * field `rollout.weight`.
 */
export function locate(yaml: typeof Yaml, at: PositionedDocument, segments: ReadonlyArray<string | number>, pointAtKey = false): SpecLocation {
  const { node, keyNode } = find(yaml, at, segments);
  const target = (pointAtKey && keyNode ? keyNode : node) as Yaml.Node | null | undefined;
  const offset = target?.range?.[0] ?? at.node?.range?.[0] ?? 0;
  const { line, col } = at.lineCounter.linePos(offset);
  return { file: at.file, line, column: col };
}

/** The text a scalar is written as (`1.0` for the number 1), if the field is a scalar of the document. */
export function sourceText(yaml: typeof Yaml, at: PositionedDocument, segments: ReadonlyArray<string | number>): string | undefined {
  const { node, complete } = find(yaml, at, segments);
  return complete && yaml.isScalar(node) && typeof node.source === 'string' ? node.source : undefined;
}

function find(
  yaml: typeof Yaml,
  at: PositionedDocument,
  segments: ReadonlyArray<string | number>,
): { node: unknown; keyNode?: unknown; complete: boolean } {
  let node: unknown = at.node;
  let keyNode: unknown;
  for (let i = 0; i < segments.length; i++) {
    const found = child(yaml, node, segments[i]);
    if (found !== undefined) {
      keyNode = found.key;
      node = found.value;
      continue;
    }
    const call = factoryCallArgument(yaml, node);
    if (call === undefined) return { node, keyNode, complete: false };
    node = call;
    i--;
  }
  return { node, keyNode, complete: true };
}

function child(yaml: typeof Yaml, node: unknown, segment: string | number): { key?: unknown; value: unknown } | undefined {
  if (yaml.isMap(node)) {
    const pair = node.items.find((p) => yaml.isScalar(p.key) && String(p.key.value) === String(segment));
    return pair === undefined ? undefined : { key: pair.key, value: pair.value ?? pair.key };
  }
  if (yaml.isSeq(node) && typeof segment === 'number' && segment < node.items.length) return { value: node.items[segment] };
  return undefined;
}

/** The argument node of a one-key map such as `{ canary: { ... } }`. */
function factoryCallArgument(yaml: typeof Yaml, node: unknown): unknown {
  if (!yaml.isMap(node) || node.items.length !== 1) return undefined;
  const value = node.items[0].value;
  return yaml.isMap(value) ? value : undefined;
}
