import { Chart, Testing } from 'cdk8s';
import { servingApp } from '../../examples/serving/main';
import { restrictedViolations } from '../support/pod-security';
import { schemaFailures } from '../support/schema';
import { K8sObject, ofKind, ofService, one } from '../support/serving';

const app = servingApp(Testing.app());
const allCharts = app.node.children.filter((c): c is Chart => c instanceof Chart);
// The spec files' chart has tests of its own (spec-files.test.ts): byte for byte the same as its
// services written in TypeScript, valid against the schemas, restricted.
const charts = allCharts.filter((c) => c.node.id !== 'serving-specs');
const byChart = Object.fromEntries(charts.map((c) => [c.node.id, Testing.synth(c) as K8sObject[]]));
const production = byChart['serving-production'];
const strategies = byChart['serving-strategies'];
const llm = byChart['serving-llm'];

describe('examples/serving', () => {
  test('synthesizes production\'s Karpenter capacity, the PriorityClasses of production and staging, the production chart, the strategies chart, the language models and the spec files', () => {
    expect(allCharts.map((c) => c.node.id)).toEqual([
      'capacity-production', 'priority-classes-production', 'priority-classes-staging', 'serving-production', 'serving-strategies', 'serving-llm', 'serving-specs',
    ]);
  });

  test('snapshot', () => {
    expect(byChart).toMatchSnapshot();
  });

  test('every object is valid against the Kubernetes 1.36 and CRD schemas (the InferencePool against its upstream CRD)', () => {
    const all = Object.values(byChart).flat();
    const result = schemaFailures(all);
    expect(result.failures).toEqual([]);
    expect(result.checked).toBe(all.length);
  });

  test('every workload meets Pod Security "restricted"', () => {
    const deployments = ofKind([...production, ...strategies, ...llm], 'Deployment');
    expect(deployments.length).toBeGreaterThan(10);
    for (const d of deployments) {
      expect({ deployment: d.metadata.name, violations: restrictedViolations(d.spec.template.spec) }).toEqual({ deployment: d.metadata.name, violations: [] });
    }
  });

  test('the restricted check itself catches what the profile forbids', () => {
    const pod = one(production, 'Deployment', 'bert-ner').spec.template.spec;
    const loosened = structuredClone(pod);
    loosened.containers[0].securityContext.allowPrivilegeEscalation = true;
    loosened.containers[0].securityContext.capabilities = { add: ['NET_ADMIN'] };
    loosened.volumes.push({ name: 'host', hostPath: { path: '/var' } });
    expect(restrictedViolations(loosened)).toEqual(expect.arrayContaining([
      'volume host is a hostPath',
      'container model-server does not set allowPrivilegeEscalation: false',
      'container model-server does not drop ALL capabilities',
      'container model-server adds capability NET_ADMIN',
    ]));
  });

  test('output is deterministic', () => {
    const again = servingApp(Testing.app());
    const synthAgain = again.node.children.filter((c): c is Chart => c instanceof Chart && c.node.id !== 'serving-specs').map((c) => Testing.synth(c));
    expect(synthAgain).toEqual([byChart['capacity-production'], byChart['priority-classes-production'], byChart['priority-classes-staging'], production, strategies, llm]);
  });

  test('BERT NER runs on the T4 pool and scales through KEDA on GPU use and request rate', () => {
    const pod = one(production, 'Deployment', 'bert-ner').spec.template.spec;
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values).toEqual(['gpu-t4']);
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
    expect(one(production, 'ScaledObject', 'bert-ner').spec.triggers.map((t: { name: string }) => t.name)).toEqual(['gpu-utilization', 'requests-per-second']);
    expect(ofKind(ofService(production, 'bert-ner'), 'HorizontalPodAutoscaler')).toEqual([]);
  });

  test('the sentiment model takes one time-sliced slot of the shared T4 pool and scales on requests', () => {
    const pod = one(production, 'Deployment', 'sentiment').spec.template.spec;
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values).toEqual(['gpu-t4-shared']);
    expect(pod.containers[0].resources.limits).toMatchObject({ 'nvidia.com/gpu.shared': 1 });
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBeUndefined();
    expect(one(production, 'ScaledObject', 'sentiment').spec.triggers.map((t: { name: string }) => t.name)).toEqual(['requests-per-second']);
  });

  test('ResNet runs on A100s with 10 % of requests on the canary', () => {
    expect(ofKind(ofService(production, 'resnet'), 'Deployment').map((d) => [d.metadata.name, d.spec.template.metadata.labels.version])).toEqual([
      ['resnet-stable', '1.0.0'],
      ['resnet-canary', '1.1.0'],
    ]);
    const weights = one(production, 'VirtualService', 'resnet').spec.http[0].route.map((r: { destination: { subset: string }; weight: number }) => [r.destination.subset, r.weight]);
    expect(weights).toEqual([['stable', 90], ['canary', 10]]);
    expect(one(production, 'Deployment', 'resnet-canary').spec.template.spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
  });

  test('the document pipeline runs ResNet and OCR side by side, then NER on the text', () => {
    const template = one(production, 'WorkflowTemplate', 'documents');
    expect(template.spec.templates[0].dag.tasks.map((t: { name: string; dependencies?: string[] }) => [t.name, t.dependencies ?? []])).toEqual([
      ['resnet', []],
      ['ocr', []],
      ['bert-ner', ['ocr']],
    ]);
    const urls = template.spec.templates.slice(1).map((t: any) => t.container.env.find((e: { name: string }) => e.name === 'STEP_URL').value);
    expect(urls).toEqual([
      'http://resnet.models-production.svc.cluster.local/v2/models/resnet50/infer',
      'http://ocr.models-production.svc.cluster.local/v1/ocr',
      'http://bert-ner.models-production.svc.cluster.local/v2/models/bert-ner/infer',
    ]);
    expect(template.spec.activeDeadlineSeconds).toBe(1800);
  });

  test('the pipeline\'s step pods meet Pod Security "restricted", Argo\'s own containers included', () => {
    const template = one(production, 'WorkflowTemplate', 'documents');
    const patch = JSON.parse(template.spec.podSpecPatch);
    for (const t of template.spec.templates.slice(1)) {
      const pod = { securityContext: template.spec.securityContext, volumes: template.spec.volumes, initContainers: patch.initContainers, containers: [t.container, ...patch.containers] };
      expect({ step: t.name, violations: restrictedViolations(pod) }).toEqual({ step: t.name, violations: [] });
    }
  });

  test('the orchestrator is a CPU service with the Redis endpoint in env, its token from a Secret, and egress to the cache only', () => {
    const o = ofService(production, 'documents-orchestrator');
    const pod = one(o, 'Deployment').spec.template.spec;
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values).toEqual(['general']);
    expect(pod.containers[0].env).toContainEqual({ name: 'REDIS_HOST', value: 'master.modelserve-prod-cache.abc123.use1.cache.amazonaws.com' });
    expect(pod.containers[0].env).toContainEqual({ name: 'REDIS_PORT', value: '6379' });
    expect(pod.containers[0].env).toContainEqual({ name: 'REDIS_AUTH_TOKEN', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'token', optional: false } } });
    expect(one(o, 'HorizontalPodAutoscaler').spec.metrics[0].containerResource.name).toBe('cpu');
    const definition = JSON.parse(one(o, 'ConfigMap', 'documents-orchestrator-config').data['pipeline.json']);
    expect(definition.steps.map((s: { name: string }) => s.name)).toEqual(['resnet', 'ocr', 'bert-ner']);
    expect(definition.outputs).toEqual(['resnet', 'bert-ner']);
    // Only the orchestrator's pods reach the cache subnets, on the cache's port; not the whole namespace.
    expect(one(production, 'NetworkPolicy', 'documents-orchestrator-redis').spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ port: 6379, protocol: 'TCP' }] }]);
    expect(ofKind(production, 'NetworkPolicy').filter((p) => JSON.stringify(p.spec.egress ?? []).includes('"port":6379')).map((p) => p.metadata.name)).toEqual(['documents-orchestrator-redis']);
    // Its assets are optional: the loader does not refuse an empty prefix.
    expect(pod.initContainers[0].command[2]).not.toContain('No objects under');
  });

  test('one service per strategy, and the stopped one answers 503 with no pods', () => {
    const deployments = ofKind(strategies, 'Deployment').map((d) => d.metadata.name);
    expect(deployments).toEqual(['rolling', 'recreate', 'blue-green-blue', 'blue-green-green', 'canary-stable', 'canary-canary', 'ab-test-a', 'ab-test-b', 'shadow-stable', 'shadow-shadow', 'progressive', 'chaos', 'stopped']);
    // The progressive service's Deployment only holds the pod template; its Argo Rollout runs the
    // pods and scales the Deployment down as they become available.
    expect(one(strategies, 'Deployment', 'progressive').spec.replicas).toBeUndefined();
    // Two replicas: the canary runs both pods' worth (setCanaryScale) rather than one.
    expect(one(strategies, 'Rollout', 'progressive').spec.strategy.canary.steps).toEqual([
      { setCanaryScale: { weight: 100 } }, { setWeight: 10 }, { pause: { duration: '600s' } },
      { setCanaryScale: { weight: 100 } }, { setWeight: 50 }, { pause: {} },
    ]);
    expect(ofKind(strategies, 'AnalysisTemplate').map((t) => t.metadata.name)).toEqual(['progressive-error-rate', 'progressive-latency-p99', 'progressive-failed-health-checks']);
    expect(one(strategies, 'Deployment', 'stopped').spec.replicas).toBe(0);
    expect(one(strategies, 'VirtualService', 'stopped').spec.http[0].directResponse.status).toBe(503);
    expect(one(strategies, 'Deployment', 'recreate').spec.strategy).toEqual({ type: 'Recreate' });
    expect(one(strategies, 'VirtualService', 'shadow').spec.http[0].mirrorPercentage).toEqual({ value: 50 });
  });
});


describe('examples/serving: the platform guide\'s parts', () => {
  const classes = [...byChart['priority-classes-production'], ...byChart['priority-classes-staging']].map((o) => o.metadata.name);
  const podSpecs = (objects: readonly K8sObject[]) => [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'Rollout')].filter((o) => o.spec.template).map((o) => ({ owner: o.metadata.name, spec: o.spec.template.spec }));

  test('every pod of production (and staging) names a PriorityClass the example emits; BERT NER is critical, the batch pipeline batch', () => {
    for (const { owner, spec } of podSpecs([...production, ...strategies, ...llm])) {
      expect({ owner, known: classes.includes(spec.priorityClassName) }).toEqual({ owner, known: true });
    }
    expect(one(production, 'Deployment', 'bert-ner').spec.template.spec.priorityClassName).toBe('modelserve-production-critical');
    expect(one(production, 'Deployment', 'ocr').spec.template.spec.priorityClassName).toBe('modelserve-production-standard');
    expect(one(production, 'WorkflowTemplate', 'documents').spec.podPriorityClassName).toBe('modelserve-production-batch');
    expect(one(strategies, 'Deployment', 'rolling').spec.template.spec.priorityClassName).toBe('modelserve-staging-standard');
  });

  test('production\'s objects carry the team that pays', () => {
    for (const o of ofService(production, 'resnet')) expect(o.metadata.labels?.['modelserve.io/team']).toBe('ml-platform');
  });

  test('OCR: an office-hours window beside its CPU trigger, warmed pods, and an external API behind TLS origination', () => {
    const so = one(production, 'ScaledObject', 'ocr');
    expect(so.spec.triggers.map((t: { type: string }) => t.type)).toEqual(['cron', 'cpu']);
    expect(so.spec.triggers[0].metadata).toEqual({ timezone: 'Europe/Berlin', start: '30 7 * * 1-5', end: '0 19 * * 1-5', desiredReplicas: '6' });
    expect(ofKind(production, 'HorizontalPodAutoscaler').map((h) => h.metadata.name)).not.toContain('ocr');
    expect(one(production, 'Deployment', 'ocr').spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(['model-server', 'model-warmer']);
    expect(one(production, 'ServiceEntry', 'ocr-dictionary.example.com').spec.hosts).toEqual(['dictionary.example.com']);
    expect(one(production, 'DestinationRule', 'ocr-dictionary.example.com').spec.trafficPolicy.portLevelSettings[0].tls.mode).toBe('SIMPLE');
    expect(one(production, 'NetworkPolicy', 'ocr-egress').spec.egress.map((r: { ports: Array<{ port: number }> }) => r.ports.map((p) => p.port))).toEqual([[443]]);
  });

  test('sentiment gets VPA recommendations only; the staging chaos service injects faults for chaos-test requests only', () => {
    expect(one(production, 'VerticalPodAutoscaler', 'sentiment').spec.updatePolicy).toEqual({ updateMode: 'Off' });
    const routes = one(strategies, 'VirtualService', 'chaos').spec.http;
    expect(routes.filter((r: { fault?: unknown }) => r.fault).map((r: { name: string }) => r.name)).toEqual(['primary-grpc-faults', 'primary-faults']);
    expect(routes.find((r: { name: string }) => r.name === 'primary-faults').match[0].headers).toEqual({ 'x-chaos-test': { exact: 'true' } });
  });
});
