import { SchemaChecker, SchemaNode } from '../../catalog/schema-check';
import { CanaryPause } from '../progressive/progressive-options';
import { ModelServer } from '../model-server';
import { PipelinePayloads } from '../pipeline/pipeline-payloads';
import { Rollout } from '../rollout';

/**
 * The classes a spec file writes as factory calls (`rollout: { canary: {...} }`), by the name the
 * spec schema gives them (`x-factories`). test/k8s/spec-files.test.ts fails when the schema names
 * a class that is not here.
 */
export const FACTORY_CLASSES: Readonly<Record<string, object>> = { Rollout, ModelServer, CanaryPause, PipelinePayloads };

/**
 * The props a checked document stands for: every factory call replaced by the object it makes
 * (`{ canary: { newVersion, weight } }` → `Rollout.canary({ newVersion, weight })`, `triton` →
 * `ModelServer.triton()`). Call it only on a value the schema accepts.
 */
export function instantiate(checker: SchemaChecker, start: SchemaNode, value: unknown): unknown {
  const { node } = checker.resolve(start);
  const className = node['x-factories'];
  if (className !== undefined) return callFactory(checker, node, className, value);
  if (node.anyOf !== undefined) {
    const member = node.anyOf.find((m) => checker.problems(m, value).length === 0);
    return member === undefined ? value : instantiate(checker, member, value);
  }
  if (Array.isArray(value)) return node.items === undefined ? value : value.map((item) => instantiate(checker, node.items!, item));
  if (typeof value !== 'object' || value === null) return value;
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const property = node.properties?.[key] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
    result[key] = property === undefined ? child : instantiate(checker, property, child);
  }
  return result;
}

function callFactory(checker: SchemaChecker, node: SchemaNode, className: string, value: unknown): unknown {
  const factories = FACTORY_CLASSES[className] as Record<string, (argument?: unknown) => unknown> | undefined;
  if (factories === undefined) throw new Error(`modelserve: the spec schema names class ${className}, which spec files cannot build yet; add it to FACTORY_CLASSES`);
  if (typeof value === 'string') return factories[value]();
  const [[factory, argument]] = Object.entries(value as Record<string, unknown>);
  const form = node.anyOf?.map((m) => checker.resolve(m).node).find((m) => m.properties?.[factory] !== undefined);
  return factories[factory](form === undefined ? argument : instantiate(checker, form.properties![factory], argument));
}
