import { Testing } from 'cdk8s';
import { COST_ALLOCATION_TAGS } from '../../lib/catalog';
import { ModelPipeline, ModelService, Rollout, ServingChart, ServingPriorityClasses } from '../../lib/k8s';
import { schemaFailures } from '../support/schema';
import { CPU_SERVICE, expectServiceRejected, GPU_SERVICE, K8sObject, ofKind, ofService, one, POOLS, synth } from '../support/serving';

function teamChart(props: { team?: string; priorityClasses?: boolean } = {}): ServingChart {
  return new ServingChart(Testing.app(), 'serving', { environment: 'production', nodePools: POOLS, ...props });
}

/** The pod templates of the objects: Deployments' and the Argo Rollout's. */
function podTemplates(objects: readonly K8sObject[]): Array<{ owner: string; metadata: any; spec: any }> {
  return objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Rollout')
    .map((o) => ({ owner: `${o.kind}/${o.metadata.name}`, ...(o.spec.template ?? {}) }))
    .filter((t) => t.spec !== undefined);
}

describe('cost allocation labels (Kubecost and OpenCost read these)', () => {
  test('every object and every pod of a service carries environment, service and team', () => {
    const c = teamChart({ team: 'ml-platform' });
    new ModelService(c, 'ner', { ...CPU_SERVICE, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 10 }), autoscaling: { requestsPerSecond: 10 } });
    new ModelService(c, 'bert', { ...GPU_SERVICE, rollout: Rollout.progressive(), team: 'search' });
    const objects = synth(c);
    const expected = (service: string, team: string) => ({ [COST_ALLOCATION_TAGS.environment]: 'production', [COST_ALLOCATION_TAGS.service]: service, [COST_ALLOCATION_TAGS.team]: team });
    for (const [service, team] of [['ner', 'ml-platform'], ['bert', 'search']]) {
      const own = ofService(objects, service);
      expect(own.length).toBeGreaterThan(10);
      for (const o of own) expect({ object: `${o.kind}/${o.metadata.name}`, labels: o.metadata.labels }).toEqual({ object: `${o.kind}/${o.metadata.name}`, labels: expect.objectContaining(expected(service, team)) });
      const pods = podTemplates(own);
      expect(pods.length).toBeGreaterThan(0);
      for (const t of pods) expect(t.metadata.labels).toEqual(expect.objectContaining(expected(service, team)));
    }
  });

  test('without a team anywhere, no team label (and no empty one)', () => {
    const c = teamChart();
    new ModelService(c, 'ner', CPU_SERVICE);
    const d = one(synth(c), 'Deployment', 'ner');
    expect(d.spec.template.metadata.labels).not.toHaveProperty([COST_ALLOCATION_TAGS.team]);
    expect(d.spec.template.metadata.labels[COST_ALLOCATION_TAGS.environment]).toBe('production');
  });

  test('a pipeline\'s step pods carry environment and team, never the service key that Services select pods by', () => {
    const c = teamChart({ team: 'docs' });
    new ModelService(c, 'ocr', CPU_SERVICE);
    new ModelPipeline(c, 'ocr-batch', { stages: [{ service: 'ocr' }] });
    const template = one(synth(c), 'WorkflowTemplate', 'ocr-batch');
    expect(template.spec.podMetadata.labels).toEqual(expect.objectContaining({ [COST_ALLOCATION_TAGS.environment]: 'production', [COST_ALLOCATION_TAGS.team]: 'docs' }));
    expect(template.spec.podMetadata.labels).not.toHaveProperty([COST_ALLOCATION_TAGS.service]);
    expect(template.metadata.labels).not.toHaveProperty([COST_ALLOCATION_TAGS.service]);
  });

  test('a team that is not a label value is refused, with the field, value and fix', () => {
    expectServiceRejected({ ...CPU_SERVICE, team: 'ML Platform' }, 'serving/svc: team ("ML Platform") is not a valid label value (letters, digits, "-", "_" and ".", starting and ending with a letter or digit, at most 63 characters); name the team as the cost-allocation tags do, e.g. "search-ranking"');
    expect(() => teamChart({ team: 'a/b' })).toThrow('serving: team ("a/b") is not a valid label value');
  });
});

describe('priority classes', () => {
  const classes = Testing.synth(new ServingPriorityClasses(Testing.app(), 'priority', { environment: 'production' })) as K8sObject[];

  test('three cluster-scoped classes per environment, batch never preempting', () => {
    expect(classes.map((o) => [o.metadata.name, o.value, o.preemptionPolicy, o.globalDefault, o.metadata.namespace])).toEqual([
      ['modelserve-production-critical', 100_000, 'PreemptLowerPriority', false, undefined],
      ['modelserve-production-standard', 90_000, 'PreemptLowerPriority', false, undefined],
      ['modelserve-production-batch', 3_000, 'Never', false, undefined],
    ]);
    expect(schemaFailures(classes).failures).toEqual([]);
  });

  test('values are ordered: production serving over staging over development, every serving class over every batch class', () => {
    const all = (['production', 'staging', 'development'] as const).flatMap((environment) =>
      Testing.synth(new ServingPriorityClasses(Testing.app(), 'p', { environment })) as K8sObject[]);
    const value = (name: string) => all.find((o) => o.metadata.name === name)!.value as number;
    const order = ['production-critical', 'production-standard', 'staging-critical', 'staging-standard', 'development-critical', 'development-standard', 'production-batch', 'staging-batch', 'development-batch'].map((n) => value(`modelserve-${n}`));
    expect(order).toEqual([...order].sort((a, b) => b - a));
    expect(new Set(order).size).toBe(order.length);
    // User-defined classes stay below 1,000,000,000 (system classes are 2,000,000,000).
    expect(Math.max(...order)).toBeLessThan(1_000_000_000);
    // Batch can never preempt anything, serving of any environment included.
    expect(all.filter((o) => o.metadata.name.endsWith('-batch')).every((o) => o.preemptionPolicy === 'Never')).toBe(true);
  });

  test('pods get the environment\'s standard class by default, critical or batch when asked', () => {
    const c = teamChart();
    new ModelService(c, 'plain', CPU_SERVICE);
    new ModelService(c, 'vip', { ...CPU_SERVICE, priority: 'critical' });
    new ModelService(c, 'offline', { ...CPU_SERVICE, priority: 'batch' });
    const objects = synth(c);
    const className = (name: string) => one(objects, 'Deployment', name).spec.template.spec.priorityClassName;
    expect([className('plain'), className('vip'), className('offline')]).toEqual(['modelserve-production-standard', 'modelserve-production-critical', 'modelserve-production-batch']);
    // Every class a pod names is one that ServingPriorityClasses emits.
    for (const d of ofKind(objects, 'Deployment')) expect(classes.map((o) => o.metadata.name)).toContain(d.spec.template.spec.priorityClassName);
  });

  test('a pipeline\'s batch pods run at the batch class; its online orchestrator at standard, so neither preempts production serving', () => {
    const c = new ServingChart(Testing.app(), 'serving', { environment: 'production', nodePools: POOLS, modelStoreUri: 's3://models-bucket' });
    new ModelService(c, 'ocr', CPU_SERVICE);
    new ModelPipeline(c, 'docs', { stages: [{ service: 'ocr' }], online: { image: 'registry.example.com/orchestrator:1.0.0', redis: { host: 'redis.internal', authToken: { secretName: 'redis', key: 'token' } } } });
    const objects = synth(c);
    expect(one(objects, 'WorkflowTemplate', 'docs').spec.podPriorityClassName).toBe('modelserve-production-batch');
    expect(one(objects, 'Deployment', 'docs-orchestrator').spec.template.spec.priorityClassName).toBe('modelserve-production-standard');
  });

  test('the chart can leave priority classes to the platform team', () => {
    const c = teamChart({ priorityClasses: false });
    new ModelService(c, 'ocr', { ...CPU_SERVICE, priority: 'critical' });
    new ModelPipeline(c, 'docs', { stages: [{ service: 'ocr' }] });
    const objects = synth(c);
    expect(one(objects, 'Deployment', 'ocr').spec.template.spec).not.toHaveProperty('priorityClassName');
    expect(one(objects, 'WorkflowTemplate', 'docs').spec).not.toHaveProperty('podPriorityClassName');
  });

  test('an unknown priority is refused', () => {
    expectServiceRejected({ ...CPU_SERVICE, priority: 'urgent' as never }, 'serving/svc: priority ("urgent") is not supported; use one of "critical", "standard", "batch"');
  });
});
