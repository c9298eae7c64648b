import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Testing } from 'cdk8s';
import { ValidationError } from '../../lib/catalog';
import { DEFAULT_STEP_IMAGE, ModelPipeline, ModelPipelineProps, ModelServer, ModelService, ModelServiceProps, ORCHESTRATOR_CONTRACT, PipelinePayloads, ServingChart } from '../../lib/k8s';
import { stepScript } from '../../lib/k8s/pipeline/step-script';
import { restrictedViolations } from '../support/pod-security';
import { schemaFailures } from '../support/schema';
import { CPU_SERVICE, GPU_SERVICE, K8sObject, ofKind, one, POOLS, synth } from '../support/serving';

const NS = 'models-production';
const host = (svc: string) => `http://${svc}.${NS}.svc.cluster.local`;
const REDIS = { host: 'master.modelserve-prod-cache.abc123.use1.cache.amazonaws.com', authToken: { secretName: 'redis-auth', key: 'token' } };
const ONLINE = { image: 'registry.example.com/pipeline-orchestrator:2.3.1', redis: REDIS };

/** A CPU service on a custom server with a `/predict` endpoint. */
function custom(name: string): ModelServiceProps {
  return { ...CPU_SERVICE, name, model: { ...CPU_SERVICE.model, id: name }, server: ModelServer.custom({ port: 8080, healthPath: '/healthz' }) };
}

/** A production chart with OCR (custom), BERT NER (Triton on a T4), and the classification pipeline's services. */
function servingChart(app: App = Testing.app()): { chart: ServingChart; ocr: ModelService; ner: ModelService } {
  const chart = new ServingChart(app, 'serving', { environment: 'production', nodePools: POOLS, modelStoreUri: 's3://models-bucket' });
  const ocr = new ModelService(chart, 'ocr', custom('ocr'));
  const ner = new ModelService(chart, 'ner', { ...GPU_SERVICE, name: 'bert-ner' });
  for (const name of ['classify', 'detect', 'caption', 'merge']) new ModelService(chart, name, custom(name));
  return { chart, ocr, ner };
}

const pipelineObjects = (objects: readonly K8sObject[], name: string) => objects.filter((o) => o.metadata.labels?.['modelserve.io/pipeline'] === name);

describe('ModelPipeline: an ordered chain (OCR → NER)', () => {
  const { chart, ocr } = servingChart();
  const pipeline = new ModelPipeline(chart, 'documents', {
    stages: [{ service: ocr, path: '/v1/ocr', timeoutSeconds: 30 }, { service: 'bert-ner', retries: 4 }],
    online: ONLINE,
  });
  const objects = synth(chart);
  const template = one(objects, 'WorkflowTemplate', 'documents');
  const task = (name: string) => template.spec.templates[0].dag.tasks.find((t: any) => t.name === name);
  const stepTemplate = (name: string) => template.spec.templates.find((t: any) => t.name === `call-${name}`);

  test('the WorkflowTemplate runs a DAG whose dependencies follow the stage order', () => {
    expect(template.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(template.metadata.namespace).toBe(NS);
    expect(template.spec.entrypoint).toBe('pipeline');
    expect(template.spec.templates.map((t: any) => t.name)).toEqual(['pipeline', 'call-ocr', 'call-bert-ner']);
    expect(template.spec.templates[0].dag.tasks.map((t: any) => [t.name, t.template, t.dependencies ?? []])).toEqual([
      ['ocr', 'call-ocr', []],
      ['bert-ner', 'call-bert-ner', ['ocr']],
    ]);
  });

  test('each step POSTs to its service through the mesh, on the given path or the server\'s own', () => {
    const env = (name: string) => Object.fromEntries(stepTemplate(name).container.env.map((e: any) => [e.name, e.value]));
    expect(env('ocr')).toEqual({ STEP_URL: `${host('ocr')}/v1/ocr`, STEP_TIMEOUT_SECONDS: '30' });
    // Triton speaks KServe v2: /v2/models/<model id>/infer.
    expect(env('bert-ner')).toEqual({ STEP_URL: `${host('bert-ner')}/v2/models/bert_ner/infer`, STEP_TIMEOUT_SECONDS: '60' });
    expect(pipeline.plan.steps.map((s) => s.url)).toEqual([`${host('ocr')}/v1/ocr`, `${host('bert-ner')}/v2/models/bert_ner/infer`]);
  });

  test('the input is a workflow parameter, and each step\'s response the next step\'s request', () => {
    expect(template.spec.arguments.parameters).toEqual([{ name: 'input', description: 'JSON the first steps receive as their request body' }]);
    expect(task('ocr').arguments.artifacts).toEqual([{ name: 'input', raw: { data: '{{workflow.parameters.input}}' } }]);
    expect(task('bert-ner').arguments.artifacts).toEqual([{ name: 'ocr', raw: { data: '{{tasks.ocr.outputs.parameters.response}}' } }]);
    expect(stepTemplate('bert-ner').inputs.artifacts).toEqual([{ name: 'ocr', path: '/inputs/ocr.json' }]);
    expect(stepTemplate('ocr').outputs.parameters).toEqual([{ name: 'response', valueFrom: { path: '/tmp/response.json' } }]);
    // The result of a run is the last step's response, on the entry node.
    expect(template.spec.templates[0].outputs).toEqual({ parameters: [{ name: 'bert-ner', valueFrom: { parameter: '{{tasks.bert-ner.outputs.parameters.response}}' } }] });
  });

  test('retries and timeouts per step: retried only when the script says it may pass next time', () => {
    expect(stepTemplate('ocr').retryStrategy).toEqual({
      limit: 2,
      retryPolicy: 'Always',
      expression: 'lastRetry.status == "Error" || asInt(lastRetry.exitCode) == 75',
      backoff: { duration: '10s', factor: 2, cap: '2m' },
    });
    expect(stepTemplate('bert-ner').retryStrategy.limit).toBe(4);
    // One attempt: the call's timeout plus 60 s for the pod to start.
    expect(stepTemplate('ocr').activeDeadlineSeconds).toBe(90);
    expect(stepTemplate('bert-ner').activeDeadlineSeconds).toBe(120);
  });

  test('a run has a deadline, a TTL, and pod garbage collection', () => {
    expect(template.spec.activeDeadlineSeconds).toBe(3600);
    expect(template.spec.ttlStrategy).toEqual({ secondsAfterSuccess: 3600, secondsAfterFailure: 604800 });
    expect(template.spec.podGC).toEqual({ strategy: 'OnPodSuccess' });
    expect(template.spec.parallelism).toBeUndefined();
  });

  test('step pods run the pinned curl image, with the Istio sidecar as a native sidecar so that they complete', () => {
    expect(stepTemplate('ocr').container.image).toBe(DEFAULT_STEP_IMAGE);
    expect(DEFAULT_STEP_IMAGE).toBe('curlimages/curl:8.20.0');
    expect(template.spec.podMetadata.annotations).toEqual({ 'sidecar.istio.io/nativeSidecar': 'true' });
    // Never the service label: the Service and the model's NetworkPolicy select on it.
    // The pipeline label and who pays (environment; the chart names no team), never the service key.
    expect(template.spec.podMetadata.labels).toEqual({ 'modelserve.io/pipeline': 'documents', 'modelserve.io/environment': 'production' });
    expect(stepTemplate('ocr').metadata.labels).toEqual({ 'modelserve.io/pipeline-step': 'ocr' });
  });

  test('the pods run as a dedicated ServiceAccount whose Role only reports task results', () => {
    expect(template.spec.serviceAccountName).toBe('documents-workflow');
    const sa = one(objects, 'ServiceAccount', 'documents-workflow');
    // The step's container (curl, fed the run's input) gets no API token: nothing mounts one into
    // the pod, and Argo mounts the executor's token into its init and wait containers only
    // (argo-workflows workflowpod.go: executor.serviceAccountName, whose Secret it looks up as
    // `<account>.service-account-token`; it refuses automountServiceAccountToken: false without one).
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(template.spec.automountServiceAccountToken).toBe(false);
    expect(template.spec.executor).toEqual({ serviceAccountName: 'documents-workflow' });
    const token = one(objects, 'Secret', 'documents-workflow.service-account-token');
    expect(token.type).toBe('kubernetes.io/service-account-token');
    expect(token.metadata.annotations).toEqual({ 'kubernetes.io/service-account.name': 'documents-workflow' });
    expect(one(objects, 'Role', 'documents-workflow').rules).toEqual([{ apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] }]);
    const binding = one(objects, 'RoleBinding', 'documents-workflow');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'documents-workflow' });
    expect(binding.subjects).toEqual([{ apiGroup: '', kind: 'ServiceAccount', name: 'documents-workflow', namespace: NS }]);
    expect(ofKind(objects, 'ClusterRole')).toEqual([]);
    expect(ofKind(objects, 'ClusterRoleBinding')).toEqual([]);
  });

  test('every step pod, Argo\'s init and wait containers included, meets Pod Security "restricted"', () => {
    const patch = JSON.parse(template.spec.podSpecPatch);
    const executor = (name: string, list: any[]) => ({ name, image: 'quay.io/argoproj/argoexec:v4.0.0', ...list.find((c) => c.name === name) });
    for (const t of template.spec.templates.slice(1)) {
      // The pod Argo builds: its init container, the step's container and the wait container, under the spec's pod settings.
      const pod = {
        securityContext: template.spec.securityContext,
        volumes: template.spec.volumes,
        initContainers: [executor('init', patch.initContainers)],
        containers: [t.container, executor('wait', patch.containers)],
      };
      expect({ step: t.name, violations: restrictedViolations(pod) }).toEqual({ step: t.name, violations: [] });
    }
    expect(template.spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(stepTemplate('ocr').container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(template.spec.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }]);
  });

  test('the step pods reach the API server (Argo\'s wait container) on private addresses only, nothing on the internet', () => {
    const policy = one(objects, 'NetworkPolicy', 'documents-steps-api');
    expect(policy.spec.podSelector).toEqual({ matchLabels: { 'modelserve.io/pipeline': 'documents' }, matchExpressions: [{ key: 'modelserve.io/pipeline-step', operator: 'Exists' }] });
    expect(policy.spec.egress).toEqual([{
      to: [{ ipBlock: { cidr: '10.0.0.0/8' } }, { ipBlock: { cidr: '172.16.0.0/12' } }, { ipBlock: { cidr: '192.168.0.0/16' } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    }]);
    // The step pods carry the pipeline label and a step label: the policy selects them.
    expect(template.spec.podMetadata.labels['modelserve.io/pipeline']).toBe('documents');
    expect(stepTemplate('ocr').metadata.labels['modelserve.io/pipeline-step']).toBe('ocr');
  });

  test('the restricted check sees what the executor patch fixes', () => {
    const t = stepTemplate('ocr');
    const pod = { securityContext: template.spec.securityContext, containers: [t.container, { name: 'wait', image: 'argoexec' }] };
    expect(restrictedViolations(pod)).toEqual(['container wait does not set allowPrivilegeEscalation: false', 'container wait does not drop ALL capabilities']);
  });

  test('the orchestrator is a ModelService with the definition in its ConfigMap, mounted where the contract says', () => {
    const deployment = one(objects, 'Deployment', 'documents-orchestrator');
    const pod = deployment.spec.template.spec;
    const config = one(objects, 'ConfigMap', 'documents-orchestrator-config');
    const definition = JSON.parse(config.data['pipeline.json']);
    expect(definition).toEqual({
      apiVersion: 'modelserve.io/v1alpha1',
      kind: 'PipelineDefinition',
      name: 'documents',
      namespace: NS,
      timeoutSeconds: 90,
      resultTtlSeconds: 86400,
      steps: [
        { name: 'ocr', service: 'ocr', method: 'POST', url: `${host('ocr')}/v1/ocr`, dependsOn: [], timeoutSeconds: 30, retries: 2 },
        { name: 'bert-ner', service: 'bert-ner', method: 'POST', url: `${host('bert-ner')}/v2/models/bert_ner/infer`, dependsOn: ['ocr'], timeoutSeconds: 60, retries: 4 },
      ],
      outputs: ['bert-ner'],
      retryOn: { statuses: [408, 429, 502, 503, 504], timeouts: true, connectionErrors: true },
    });
    expect(pipeline.definition).toEqual(definition);
    const mount = pod.containers[0].volumeMounts.find((m: any) => m.mountPath === '/etc/modelserve/pipeline');
    expect(pod.volumes.find((v: any) => v.name === mount.name).configMap.name).toBe('documents-orchestrator-config');
    expect(ORCHESTRATOR_CONTRACT.definitionDir).toBe('/etc/modelserve/pipeline');
    // The definition's hash is on the pods: a changed pipeline rolls the orchestrator.
    expect(deployment.spec.template.metadata.annotations['modelserve.io/config-hash']).toMatch(/^[0-9a-f]{16}$/);
    expect(pipeline.orchestrator?.host).toBe(`documents-orchestrator.${NS}.svc.cluster.local`);
  });

  test('the orchestrator gets Redis from env, over TLS, its token from the existing Secret', () => {
    const env = one(objects, 'Deployment', 'documents-orchestrator').spec.template.spec.containers[0].env;
    const value = (name: string) => env.find((e: any) => e.name === name);
    expect(value('REDIS_HOST')).toEqual({ name: 'REDIS_HOST', value: REDIS.host });
    expect(value('REDIS_PORT')).toEqual({ name: 'REDIS_PORT', value: '6379' });
    expect(value('REDIS_TLS')).toEqual({ name: 'REDIS_TLS', value: 'true' });
    expect(value('REDIS_URL')).toEqual({ name: 'REDIS_URL', value: `rediss://${REDIS.host}:6379` });
    expect(value('REDIS_KEY_PREFIX')).toEqual({ name: 'REDIS_KEY_PREFIX', value: `modelserve:${NS}:documents:` });
    expect(value('REDIS_AUTH_TOKEN')).toEqual({ name: 'REDIS_AUTH_TOKEN', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'token', optional: false } } });
    expect(value('PIPELINE_NAME')).toEqual({ name: 'PIPELINE_NAME', value: 'documents' });
    expect(value('PIPELINE_DEFINITION_PATH')).toEqual({ name: 'PIPELINE_DEFINITION_PATH', value: '/etc/modelserve/pipeline/pipeline.json' });
    expect(value('PIPELINE_RESULT_TTL_SECONDS')).toEqual({ name: 'PIPELINE_RESULT_TTL_SECONDS', value: '86400' });
    // No CIDR given: the pipeline adds no egress policy of its own.
    expect(ofKind(objects, 'NetworkPolicy', 'documents-orchestrator-redis')).toEqual([]);
  });

  test('the orchestrator serves REST on 8080 on CPU, versioned by its image tag, with a mesh timeout covering a run and its answer', () => {
    const deployment = one(objects, 'Deployment', 'documents-orchestrator');
    const c = deployment.spec.template.spec.containers[0];
    expect(c.image).toBe('registry.example.com/pipeline-orchestrator:2.3.1');
    expect(c.ports).toEqual([{ containerPort: 8080, name: 'http' }]);
    expect(c.readinessProbe.httpGet.path).toBe('/healthz');
    expect(c.livenessProbe.httpGet.path).toBe('/livez');
    expect(c.resources.limits['nvidia.com/gpu']).toBeUndefined();
    expect(deployment.metadata.labels?.['modelserve.io/model-version']).toBe('2.3.1');
    expect(one(objects, 'HorizontalPodAutoscaler', 'documents-orchestrator').spec).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
    // ocr 30 s + bert-ner 60 s.
    // ...and 10 s for a client waiting on the run to hear how it ended.
    expect(one(objects, 'VirtualService', 'documents-orchestrator').spec.http[0].timeout).toBe('100s');
  });

  test('every object is valid against the Kubernetes and CRD schemas (Argo Workflows included)', () => {
    const result = schemaFailures(objects);
    expect(result.failures).toEqual([]);
    expect(result.checked).toBe(objects.length);
  });
});

describe('ModelPipeline: fan-out and fan-in (classify → [detect, caption] → merge)', () => {
  const { chart } = servingChart();
  const pipeline = new ModelPipeline(chart, 'images', {
    stages: [{ service: 'classify', path: '/predict' }, [{ service: 'detect', path: '/predict' }, { service: 'caption', path: '/predict' }], { service: 'merge', path: '/merge' }],
    batch: { parallelism: 4, activeDeadlineSeconds: 900, ttl: { secondsAfterSuccess: 600 } },
  });
  const objects = synth(chart);
  const template = one(objects, 'WorkflowTemplate', 'images');
  const tasks = template.spec.templates[0].dag.tasks;

  test('the side-by-side steps depend on the stage before, and the merge on both', () => {
    expect(tasks.map((t: any) => [t.name, t.dependencies ?? []])).toEqual([
      ['classify', []],
      ['detect', ['classify']],
      ['caption', ['classify']],
      ['merge', ['detect', 'caption']],
    ]);
    expect(tasks[3].arguments.artifacts).toEqual([
      { name: 'detect', raw: { data: '{{tasks.detect.outputs.parameters.response}}' } },
      { name: 'caption', raw: { data: '{{tasks.caption.outputs.parameters.response}}' } },
    ]);
    expect(pipeline.plan.outputs).toEqual(['merge']);
  });

  test('the merge step\'s request is one object of both responses, keyed by step name', () => {
    const script = template.spec.templates.find((t: any) => t.name === 'call-merge').container.args[0];
    expect(script).toContain(`{ printf '{"detect":'; cat /inputs/detect.json; printf ',"caption":'; cat /inputs/caption.json; printf '}'; } > /tmp/request.json`);
  });

  test('batch options reach the template', () => {
    expect(template.spec.parallelism).toBe(4);
    expect(template.spec.activeDeadlineSeconds).toBe(900);
    expect(template.spec.ttlStrategy).toEqual({ secondsAfterSuccess: 600, secondsAfterFailure: 604800 });
  });

  test('batch only: no orchestrator', () => {
    expect(pipeline.orchestrator).toBeUndefined();
    expect(objects.filter((o) => o.metadata.name.startsWith('images-orchestrator'))).toEqual([]);
    expect(pipelineObjects(objects, 'images').map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/images-workflow', 'Secret/images-workflow.service-account-token', 'NetworkPolicy/images-steps-api',
      'Role/images-workflow', 'RoleBinding/images-workflow', 'WorkflowTemplate/images',
    ]);
  });

  test('valid against the schemas', () => {
    expect(schemaFailures(pipelineObjects(objects, 'images')).failures).toEqual([]);
  });
});

describe('ModelPipeline: explicit dependencies, artifacts, Redis egress', () => {
  const { chart } = servingChart();
  const pipeline = new ModelPipeline(chart, 'docs', {
    // merge takes classify's output directly as well as detect's.
    stages: [{ service: 'classify', path: '/p' }, { service: 'detect', path: '/p' }, { service: 'merge', path: '/p', dependsOn: ['classify', 'detect'] }],
    batch: { payloads: PipelinePayloads.artifacts({ artifactRepositoryRef: { key: 's3-models' } }) },
    online: { ...ONLINE, version: '2.3.1-rc1', redis: { ...REDIS, port: 6380, tls: false, cidr: '10.0.64.0/18' }, timeoutSeconds: 300, resultTtlSeconds: 3600 },
  });
  const objects = synth(chart);
  const template = one(objects, 'WorkflowTemplate', 'docs');
  const tasks = template.spec.templates[0].dag.tasks;

  test('dependsOn overrides the stage order', () => {
    expect(tasks.map((t: any) => [t.name, t.dependencies ?? []])).toEqual([['classify', []], ['detect', ['classify']], ['merge', ['classify', 'detect']]]);
  });

  test('artifacts: the input is an S3 key parameter, responses are unarchived artifacts in the named repository', () => {
    expect(template.spec.arguments.parameters.map((p: any) => p.name)).toEqual(['input-key']);
    expect(template.spec.artifactRepositoryRef).toEqual({ configMap: 'artifact-repositories', key: 's3-models' });
    expect(tasks[0].arguments.artifacts).toEqual([{ name: 'input', s3: { key: '{{workflow.parameters.input-key}}' } }]);
    expect(tasks[2].arguments.artifacts).toEqual([
      { name: 'classify', from: '{{tasks.classify.outputs.artifacts.response}}' },
      { name: 'detect', from: '{{tasks.detect.outputs.artifacts.response}}' },
    ]);
    const step = template.spec.templates.find((t: any) => t.name === 'call-merge');
    expect(step.outputs).toEqual({ artifacts: [{ name: 'response', path: '/tmp/response.json', archive: { none: {} } }] });
    expect(template.spec.templates[0].outputs).toEqual({ artifacts: [{ name: 'merge', from: '{{tasks.merge.outputs.artifacts.response}}' }] });
  });

  test('the orchestrator reaches only the cache subnets on the Redis port, and speaks plain Redis when TLS is off', () => {
    const policy = one(objects, 'NetworkPolicy', 'docs-orchestrator-redis');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'modelserve.io/service': 'docs-orchestrator' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.64.0/18' } }], ports: [{ port: 6380, protocol: 'TCP' }] }],
    });
    const env = one(objects, 'Deployment', 'docs-orchestrator').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'REDIS_TLS', value: 'false' });
    expect(env).toContainEqual({ name: 'REDIS_URL', value: `redis://${REDIS.host}:6380` });
    expect(pipeline.definition).toMatchObject({ timeoutSeconds: 300, resultTtlSeconds: 3600 });
    expect(one(objects, 'Deployment', 'docs-orchestrator').metadata.labels?.['modelserve.io/model-version']).toBe('2.3.1-rc1');
  });

  test('valid against the schemas', () => {
    const mine = objects.filter((o) => o.metadata.labels?.['modelserve.io/pipeline'] === 'docs' || o.metadata.labels?.['modelserve.io/service'] === 'docs-orchestrator');
    expect(mine.length).toBeGreaterThan(10);
    expect(schemaFailures(mine).failures).toEqual([]);
  });
});

describe('ModelPipeline: what it emits when asked for less', () => {
  test('batch.enabled false emits no WorkflowTemplate, ServiceAccount or Role (only the orchestrator\'s pipeline alerts)', () => {
    const { chart, ocr, ner } = servingChart();
    const p = new ModelPipeline(chart, 'online-only', { stages: [{ service: ocr, path: '/ocr' }, ner], batch: { enabled: false }, online: ONLINE });
    const objects = synth(chart);
    expect(p.workflowTemplate).toBeUndefined();
    expect(pipelineObjects(objects, 'online-only').map((o) => o.kind)).toEqual(['PrometheusRule']);
    expect(one(objects, 'Deployment', 'online-only-orchestrator')).toBeDefined();
  });

  test('online only: a chain longer than the batch deadline is fine, since no WorkflowTemplate runs under it', () => {
    const { chart } = servingChart();
    const slow = (name: string) => new ModelService(chart, name, { ...custom(name), requestTimeoutSeconds: 1800 });
    // 2 × (1770 + 60 s to start a pod) is above the batch default of 3600; one attempt each online is 3540.
    const stages = [{ service: slow('parse'), path: '/p', timeoutSeconds: 1770 }, { service: slow('summarize'), path: '/p', timeoutSeconds: 1770 }];
    const p = new ModelPipeline(chart, 'slow', { stages, batch: { enabled: false }, online: ONLINE });
    expect(p.plan.online?.timeoutSeconds).toBe(3540);
    expect(p.workflowTemplate).toBeUndefined();
  });

  test('a change of steps changes the orchestrator\'s config hash, so its pods roll', () => {
    const hash = (timeoutSeconds: number) => {
      const { chart, ocr } = servingChart();
      new ModelPipeline(chart, 'p', { stages: [{ service: ocr, path: '/ocr', timeoutSeconds }], online: ONLINE, batch: { enabled: false } });
      return one(synth(chart), 'Deployment', 'p-orchestrator').spec.template.metadata.annotations['modelserve.io/config-hash'];
    };
    expect(hash(30)).not.toBe(hash(31));
  });

  test('a service with auth admits the pipeline when it lists ModelPipeline.serviceAccounts', () => {
    const { chart } = servingChart();
    expect(ModelPipeline.serviceAccounts('guarded')).toEqual([{ name: 'guarded-orchestrator' }, { name: 'guarded-workflow' }]);
    new ModelService(chart, 'secured', { ...custom('secured'), auth: { allowedServiceAccounts: ModelPipeline.serviceAccounts('guarded') } });
    new ModelPipeline(chart, 'guarded', { stages: [{ service: 'secured', path: '/p' }], online: ONLINE });
    const principals = one(synth(chart), 'AuthorizationPolicy', 'secured').spec.rules[0].from[0].source.principals;
    // The identities the pipeline's pods run as are the ones the policy admits.
    expect(principals).toEqual([`cluster.local/ns/${NS}/sa/guarded-orchestrator`, `cluster.local/ns/${NS}/sa/guarded-workflow`]);
    expect(one(synth(chart), 'Deployment', 'guarded-orchestrator').spec.template.spec.serviceAccountName).toBe('guarded-orchestrator');
  });

  test('a step names a service defined in the chart by name; the same service twice needs a second name', () => {
    const { chart } = servingChart();
    const p = new ModelPipeline(chart, 'twice', { stages: [{ service: 'bert-ner' }, { service: 'bert-ner', name: 'bert-ner-again' }] });
    expect(p.plan.steps.map((s) => [s.name, s.service.serviceName, s.dependsOn])).toEqual([['bert-ner', 'bert-ner', []], ['bert-ner-again', 'bert-ner', ['bert-ner']]]);
  });
});

describe('the step script', () => {
  /** Runs a step's script with a stub curl that answers `status` (or fails with `curlExit`). */
  function run(dependsOn: string[], files: Record<string, string>, stub: { status?: number; body?: string; curlExit?: number }) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelserve-step-'));
    try {
      fs.mkdirSync(path.join(dir, 'inputs'));
      fs.mkdirSync(path.join(dir, 'tmp'));
      fs.mkdirSync(path.join(dir, 'bin'));
      for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, 'inputs', `${name}.json`), content);
      // The stub records the request body it was given and writes the response where --output says.
      fs.writeFileSync(path.join(dir, 'bin', 'curl'), [
        '#!/bin/sh',
        stub.curlExit ? `echo "curl: (28) timed out" >&2; exit ${stub.curlExit}` : '',
        'out=""; data=""',
        'while [ $# -gt 0 ]; do case "$1" in --output) out="$2"; shift;; --data-binary) data="${2#@}"; shift;; esac; shift; done',
        `cp "$data" "${dir}/sent.json"`,
        `printf '%s' '${stub.body ?? ''}' > "$out"`,
        `printf '%s' '${stub.status ?? 200}'`,
      ].join('\n'), { mode: 0o755 });
      const script = stepScript(dependsOn).replace(/\/(inputs|tmp)\//g, `${dir}/$1/`);
      const result = spawnSync('/bin/sh', ['-c', script], {
        env: { PATH: `${dir}/bin:/usr/bin:/bin`, STEP_URL: 'http://svc/predict', STEP_TIMEOUT_SECONDS: '5' },
        encoding: 'utf8',
      });
      const read = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : undefined);
      return { exit: result.status, stderr: result.stderr, sent: read('sent.json'), response: read('tmp/response.json') };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  test('a 200 keeps the response and exits 0', () => {
    const r = run([], { input: '{"doc":"a"}' }, { status: 200, body: '{"text":"hello"}' });
    expect(r).toMatchObject({ exit: 0, sent: '{"doc":"a"}', response: '{"text":"hello"}' });
  });

  test('a fan-in sends one JSON object of the responses, keyed by step name', () => {
    const r = run(['detect', 'caption'], { detect: '{"boxes":[1]}', caption: '"a cat"' }, { status: 200, body: '{}' });
    expect(r.exit).toBe(0);
    expect(JSON.parse(r.sent!)).toEqual({ detect: { boxes: [1] }, caption: 'a cat' });
  });

  test.each([408, 429, 502, 503, 504])('%d exits 75: retried', (status) => {
    expect(run([], { input: '{}' }, { status }).exit).toBe(75);
  });

  test.each([400, 404, 422, 500])('%d exits 65: not retried', (status) => {
    const r = run([], { input: '{}' }, { status, body: '{"error":"bad tensor shape"}' });
    expect(r.exit).toBe(65);
    expect(r.stderr).toContain('{"error":"bad tensor shape"}');
  });

  test('a timeout or connection error exits 75: retried', () => {
    const r = run(['ocr'], { ocr: '{}' }, { curlExit: 28 });
    expect(r.exit).toBe(75);
    expect(r.stderr).toContain('POST http://svc/predict failed (curl exit 28), will retry');
  });

  test('a 204 still leaves a response file for Argo to collect', () => {
    expect(run([], { input: '{}' }, { status: 204 })).toMatchObject({ exit: 0, response: '' });
  });
});

describe('ModelPipeline validation: a bad pipeline throws before anything is written', () => {
  /**
   * Builds the chart and the pipeline in an app whose outdir is a new folder, synthesizes, and
   * expects a ValidationError with exactly `message`, no pipeline construct, and no file written.
   */
  function expectRejected(props: (ctx: ReturnType<typeof servingChart>) => ModelPipelineProps, message: string | RegExp, chartOf?: (app: App) => ReturnType<typeof servingChart>): void {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelserve-pipeline-'));
    try {
      const app = new App({ outdir });
      const ctx = chartOf ? chartOf(app) : servingChart(app);
      let error: unknown;
      try {
        new ModelPipeline(ctx.chart, 'pipe', props(ctx));
        app.synth();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      if (typeof message === 'string') expect((error as Error).message).toBe(message);
      else expect((error as Error).message).toMatch(message);
      expect(ctx.chart.node.tryFindChild('pipe')).toBeUndefined();
      expect(fs.readdirSync(outdir, { recursive: true })).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }
  const loose = (p: unknown): any => p;

  test('a step names a missing ModelService', () => {
    expectRejected(({ ocr }) => ({ stages: [{ service: ocr, path: '/ocr' }, { service: 'bert-ne' }] }),
      'serving/pipe: stages[1].service ("bert-ne") names no ModelService in the app (namespace models-production has ocr, bert-ner, classify, detect, caption, merge); create the ModelService before the pipeline and use its name, or pass the ModelService object');
  });

  test('a step names a service created after the pipeline', () => {
    expectRejected(() => ({ stages: [{ service: 'later', path: '/p' }] }), /^serving\/pipe: stages\[0\]\.service \("later"\) names no ModelService in the app/);
  });

  test('a cycle through dependsOn', () => {
    expectRejected(() => ({ stages: [{ service: 'classify', path: '/p', dependsOn: ['merge'] }, { service: 'merge', path: '/p' }] }),
      'serving/pipe: stages[0].dependsOn (["merge"]) makes a cycle: classify → merge → classify; remove one of these dependencies: a pipeline runs each step once, after the steps it takes output from');
  });

  test('a longer cycle: a dependsOn back to the last stage', () => {
    expectRejected(() => ({ stages: [{ service: 'classify', path: '/p' }, { service: 'detect', path: '/p', dependsOn: ['merge'] }, { service: 'caption', path: '/p' }, { service: 'merge', path: '/p' }] }),
      'serving/pipe: stages[1].dependsOn (["merge"]) makes a cycle: detect → caption → merge → detect; remove one of these dependencies: a pipeline runs each step once, after the steps it takes output from');
  });

  test('a step that depends on itself', () => {
    expectRejected(() => ({ stages: [{ service: 'classify', path: '/p', dependsOn: ['classify'] }] }),
      'serving/pipe: stages[0].dependsOn[0] ("classify") is the step itself; name the steps this step takes output from');
  });

  test('dependsOn names no step', () => {
    expectRejected(() => ({ stages: [{ service: 'classify', path: '/p' }, { service: 'merge', path: '/p', dependsOn: ['detect'] }] }),
      'serving/pipe: stages[1].dependsOn[0] ("detect") names no step of this pipeline; use one of classify, merge');
  });

  test('the same step twice', () => {
    expectRejected(({ ner }) => ({ stages: [ner, [{ service: 'bert-ner' }, { service: 'classify', path: '/p' }]] }),
      'serving/pipe: stages[1][0].service ("bert-ner") names step "bert-ner" again (stages[0] has it); give one of them its own name, e.g. { service: "bert-ner", name: "bert-ner-2" }');
  });

  test('an empty pipeline', () => {
    expectRejected(() => ({ stages: [] }), 'serving/pipe: stages ([]) is empty; list the steps in order, e.g. stages: [ocr, { service: "bert-ner" }]');
  });

  test('neither batch nor online: nothing would run the pipeline', () => {
    expectRejected(
      ({ ner }) => ({ stages: [ner], batch: { enabled: false } }),
      'serving/pipe: batch.enabled (false) is false and online is not set, so the pipeline would emit nothing that runs it; leave batch on (a WorkflowTemplate), or give online { image, redis } for an orchestrator',
    );
  });

  test('an empty fan-out', () => {
    expectRejected(({ ner }) => ({ stages: [ner, []] }), 'serving/pipe: stages[1] ([]) is an empty fan-out; list the steps that run side by side, or remove the stage');
  });

  test('a custom server without a path', () => {
    expectRejected(({ ocr }) => ({ stages: [ocr] }),
      'serving/pipe: stages[0].path (not set) is not set and service "ocr" runs a custom server, whose inference path only its image knows; give the path the step POSTs to, e.g. "/predict"');
  });

  test('a path that is not a URL path', () => {
    expectRejected(({ ner }) => ({ stages: [{ service: ner, path: 'v2/infer' }] }), 'serving/pipe: stages[0].path ("v2/infer") is not a URL path; give an absolute path without spaces, e.g. "/v2/models/ner/infer"');
  });

  test('a step timeout out of range', () => {
    expectRejected(({ ner }) => ({ stages: [{ service: ner, timeoutSeconds: 0 }] }),
      'serving/pipe: stages[0].timeoutSeconds (0) must be a whole number from 1 to 3600; give whole seconds from 1 to 3600; keep it within the service\'s requestTimeoutSeconds');
  });

  test('too many retries', () => {
    expectRejected(({ ner }) => ({ stages: [{ service: ner, retries: 11 }] }), 'serving/pipe: stages[0].retries (11) must be a whole number from 0 to 10; retry from 0 to 10 times');
  });

  test('a service whose auth does not admit the pipeline\'s ServiceAccounts', () => {
    expectRejected(({ chart }) => {
      new ModelService(chart, 'secured', { ...custom('secured'), auth: { allowedServiceAccounts: [{ name: 'someone-else' }] } });
      return { stages: [{ service: 'secured', path: '/p' }] };
    }, 'serving/pipe: stages[0].service ("secured") refuses callers without a JWT except the ServiceAccounts its auth.allowedServiceAccounts lists (models-production/someone-else), and the pipeline calls it as pipe-workflow; add ModelPipeline.serviceAccounts("pipe") to secured\'s auth.allowedServiceAccounts');
  });

  test('a service in another namespace that does not admit the pipeline', () => {
    expectRejected(() => ({ stages: [{ service: 'remote', path: '/p' }] }),
      'serving/pipe: stages[0].service ("remote") is in namespace models-staging, whose NetworkPolicies admit callers from another namespace only through allowFrom, '
      + 'and remote does not admit pipeline pipe of models-production; '
      + 'call remote.allowFrom(ServicePeer.pipeline("pipe", { namespace: "models-production" })) before creating the pipeline',
      (app) => {
        const staging = new ServingChart(app, 'staging', { environment: 'staging', nodePools: POOLS, namespace: 'models-staging' });
        new ModelService(staging, 'remote', custom('remote'));
        return servingChart(app);
      });
  });

  test('an invalid pipeline name', () => {
    expectRejected(({ ner }) => ({ name: 'Docs_Pipeline', stages: [ner] }), /^serving\/pipe: name \("Docs_Pipeline"\) is not a valid name: .*at most 50 characters \(the orchestrator adds "-orchestrator"\)/);
  });

  test('two pipelines of one name in a chart', () => {
    expectRejected(({ chart, ner }) => {
      new ModelPipeline(chart, 'first', { name: 'docs', stages: [ner] });
      return { name: 'docs', stages: [ner] };
    }, 'serving/pipe: name ("docs") is already the name of pipeline serving/first in this chart; give each pipeline its own name');
  });

  test('a batch deadline shorter than one attempt of the longest chain', () => {
    expectRejected(({ ocr, ner }) => ({ stages: [{ service: ocr, path: '/ocr' }, ner], batch: { activeDeadlineSeconds: 200 } }),
      'serving/pipe: batch.activeDeadlineSeconds (200) is shorter than one attempt of the longest chain of steps (ocr → bert-ner: 240 s, each step\'s timeout plus 60 s to start its pod), so no run could finish; raise it to at least 240, or lower the steps\' timeoutSeconds');
  });

  test('a step timeout longer than the mesh gives its service', () => {
    expectRejected(({ ocr }) => ({ stages: [{ service: ocr, path: '/ocr', timeoutSeconds: 120 }] }),
      'serving/pipe: stages[0].timeoutSeconds (120) is longer than service "ocr"\'s requestTimeoutSeconds (60): the mesh answers 504 at 60 s, which the step retries as if it were a passing fault; lower it to at most 60, or raise ocr\'s requestTimeoutSeconds');
  });

  test('an unpinned step image in production', () => {
    expectRejected(({ ner }) => ({ stages: [ner], batch: { image: 'curlimages/curl:latest' } }),
      'serving/pipe: batch.image ("curlimages/curl:latest") is not pinned, and the production environment requires pinned images so that every pod runs the same build; add a version tag other than "latest" or a digest (@sha256:...)');
  });

  test('payloads that are not a PipelinePayloads', () => {
    expectRejected(({ ner }) => ({ stages: [ner], batch: { payloads: loose('artifacts') } }), 'serving/pipe: batch.payloads ("artifacts") is not a PipelinePayloads; use PipelinePayloads.parameters() or PipelinePayloads.artifacts()');
  });

  test('a bad Redis port', () => {
    expectRejected(({ ner }) => ({ stages: [ner], online: { ...ONLINE, redis: { ...REDIS, port: 70000 } } }),
      'serving/pipe: online.redis.port (70000) must be a whole number from 1 to 65535; give the Cache\'s port, 6379 unless you changed it');
  });

  test('a Redis host that is not a host name', () => {
    expectRejected(({ ner }) => ({ stages: [ner], online: { ...ONLINE, redis: { ...REDIS, host: 'rediss://cache:6379' } } }),
      'serving/pipe: online.redis.host ("rediss://cache:6379") is not a host name or IPv4 address; give the Cache\'s primaryEndpointAddress, e.g. "master.modelserve-prod-cache.abc123.use1.cache.amazonaws.com"');
  });

  test('no Redis auth token', () => {
    expectRejected(({ ner }) => ({ stages: [ner], online: { ...ONLINE, redis: loose({ host: REDIS.host }) } }),
      'serving/pipe: online.redis.authToken (not set) is missing; name the Secret and key that hold the Cache\'s AUTH token (synced from its authTokenSecretArn), e.g. { secretName: "redis-auth", key: "token" }');
  });

  test('a Redis CIDR that is not one', () => {
    expectRejected(({ ner }) => ({ stages: [ner], online: { ...ONLINE, redis: { ...REDIS, cidr: '10.0.0.0' } } }),
      'serving/pipe: online.redis.cidr ("10.0.0.0") is not an IPv4 CIDR; give the cache subnets as a.b.c.d/n, e.g. 10.0.64.0/18');
  });

  test('an online timeout shorter than the longest chain', () => {
    expectRejected(({ ocr, ner }) => ({ stages: [{ service: ocr, path: '/ocr' }, ner], online: { ...ONLINE, timeoutSeconds: 90 } }),
      'serving/pipe: online.timeoutSeconds (90) is shorter than the longest chain of steps (ocr → bert-ner: 120 s for one attempt each), so a slow but healthy run would time out; raise it to at least 120, or lower the steps\' timeoutSeconds');
  });

  test('an orchestrator image without a tag or version', () => {
    expectRejected(({ ner }) => ({ stages: [ner], online: { ...ONLINE, image: `registry.example.com/orchestrator@sha256:${'a'.repeat(64)}` } }),
      'serving/pipe: online.version (not set) is not set and the image has no tag to take it from; give the orchestrator\'s version, e.g. "2.3.1"');
  });

  test('an env variable the contract sets', () => {
    expectRejected(({ ner }) => ({ stages: [ner], online: { ...ONLINE, env: { REDIS_HOST: 'other' } } }),
      'serving/pipe: online.env["REDIS_HOST"] ("REDIS_HOST") is set by the pipeline (the orchestrator contract); choose another name');
  });

  test('no model store for the orchestrator', () => {
    expectRejected(({ ner }) => ({ stages: [ner], online: ONLINE }),
      'serving/pipe: online.assetsUri (not set) is not set and the chart names no model store; give where the orchestrator\'s assets are, e.g. "s3://my-models/pipelines/documents/{version}/", or the bucket as the ServingChart\'s modelStoreUri',
      (app) => {
        const chart = new ServingChart(app, 'serving', { environment: 'production', nodePools: POOLS });
        return { chart, ocr: new ModelService(chart, 'ocr', custom('ocr')), ner: new ModelService(chart, 'ner', { ...GPU_SERVICE, name: 'bert-ner' }) };
      });
  });

  test('the orchestrator\'s name is taken', () => {
    expectRejected(({ chart, ner }) => {
      new ModelService(chart, 'clash', custom('pipe-orchestrator'));
      return { stages: [ner], online: ONLINE };
    }, 'serving/pipe: name ("pipe") needs Service "pipe-orchestrator" for its orchestrator, which serving/clash already creates in this chart; rename the pipeline or that service');
  });

  test('the orchestrator\'s ServiceAccount is another service\'s', () => {
    expectRejected(({ chart, ner }) => {
      new ModelService(chart, 'clash', { ...custom('other'), serviceAccount: { name: 'pipe-orchestrator' } });
      return { stages: [ner], online: ONLINE };
    }, 'serving/pipe: name ("pipe") needs ServiceAccount "pipe-orchestrator" for its orchestrator, which serving/clash already creates in this chart; rename the pipeline or that service');
  });

  test('the batch pods\' ServiceAccount is a service\'s: that service would get the pipeline\'s Role and admissions', () => {
    expectRejected(({ chart, ner }) => {
      new ModelService(chart, 'clash', { ...custom('other'), serviceAccount: { name: 'pipe-workflow' } });
      return { stages: [ner] };
    }, 'serving/pipe: name ("pipe") needs ServiceAccount "pipe-workflow" for its batch pods, which serving/clash already creates in this chart; rename the pipeline, or give that service another serviceAccount.name');
  });

  test('a service created after the pipeline cannot take the batch pods\' ServiceAccount either', () => {
    const { chart, ner } = servingChart();
    new ModelPipeline(chart, 'pipe', { stages: [ner] });
    expect(() => new ModelService(chart, 'late', { ...custom('late'), serviceAccount: { name: 'pipe-workflow' } })).toThrow(
      'serving/late: serviceAccount.name ("pipe-workflow") gives ServiceAccount "pipe-workflow", which serving/pipe already creates in this chart; give each service its own ServiceAccount (the AWS side can grant several the same access)',
    );
    expect(chart.node.tryFindChild('late')).toBeUndefined();
  });

  test('an orchestrator that fits no node pool: the ModelService\'s own check, under the orchestrator\'s path', () => {
    expectRejected(({ ner }) => ({ stages: [ner], online: { ...ONLINE, resources: { cpu: 0.01, memoryGiB: 1 } } }),
      /^serving\/pipe\/orchestrator: resources\.cpu \(0\.01\) must be from 0\.1 to \d+ cores/);
  });
});
