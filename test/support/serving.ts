import { Testing } from 'cdk8s';
import { EnvironmentName, NodePools, NodePoolSpec, ValidationError } from '../../lib/catalog';
import { ModelService, ModelServiceProps, ServingChart } from '../../lib/k8s';

/** The pools of the production example: general, T4, A100, spot, high-memory. */
export const POOLS: readonly NodePoolSpec[] = [
  NodePools.general(),
  NodePools.gpu({ gpu: 'T4' }),
  NodePools.gpu({ gpu: 'A100' }),
  NodePools.spot(),
  NodePools.highMemory(),
];

export function chart(environment: EnvironmentName = 'production', nodePools: readonly NodePoolSpec[] = POOLS): ServingChart {
  return new ServingChart(Testing.app(), 'serving', { environment, nodePools });
}

/** A small CPU service that passes every check; tests override what they are about. */
export const CPU_SERVICE: ModelServiceProps = {
  model: { id: 'model_abc123', version: '1.0.0', uri: 's3://models-bucket/ner/{version}/' },
  image: 'registry.example.com/ner:1.4.2',
  resources: { cpu: 1, memoryGiB: 2 },
};

/** A T4 GPU service on Triton. */
export const GPU_SERVICE: ModelServiceProps = {
  model: { id: 'bert_ner', version: '2.0.0', uri: 's3://models-bucket/bert/{version}/' },
  image: 'nvcr.io/nvidia/tritonserver:24.08-py3',
  resources: { cpu: 2, memoryGiB: 8, gpu: { count: 1, model: 'T4' } },
};

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; [key: string]: any };

export function synth(c: ServingChart): K8sObject[] {
  return Testing.synth(c) as K8sObject[];
}

/** Objects of a kind, optionally by name. */
export function ofKind(objects: readonly K8sObject[], kind: string, name?: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

export function one(objects: readonly K8sObject[], kind: string, name?: string): K8sObject {
  const found = ofKind(objects, kind, name);
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0];
}

/** Objects of one model service (by the prune label). */
export function ofService(objects: readonly K8sObject[], name: string): K8sObject[] {
  return objects.filter((o) => o.metadata.labels?.['modelserve.io/service'] === name);
}

/**
 * The props are rejected with exactly `message` (or a match), and the chart holds nothing of the
 * service: the check ran before any object was created.
 */
export function expectServiceRejected(props: ModelServiceProps, message: string | RegExp, c: ServingChart = chart()): void {
  let error: unknown;
  try {
    new ModelService(c, 'svc', props);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  if (typeof message === 'string') expect((error as Error).message).toBe(message);
  else expect((error as Error).message).toMatch(message);
  expect(c.node.tryFindChild('svc')).toBeUndefined();
  expect(synth(c).filter((o) => o.metadata.labels?.['modelserve.io/service'] !== undefined)).toEqual([]);
}
