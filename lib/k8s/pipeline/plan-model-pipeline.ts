import { IConstruct } from 'constructs';
import { validateDescription } from '../description';
import { DNS_1035_LABEL, DNS_1035_LABEL_RULE, isConfigKey, isDnsSubdomain, isLabelValue, PropsValidator } from '../../catalog';
import { parseIpv4Cidr } from '../../catalog/cidr';
import { ModelServer } from '../model-server';
import { ModelService } from '../model-service';
import { IModelService, isModelService } from '../model-service-attributes';
import { ModelServiceProps, SecretKeyReference } from '../model-service-props';
import { reservedBy, reserveNames } from '../reserved-names';
import { ServingChart } from '../serving-chart';
import { checkImage, imageTag } from '../image-reference';
import { planModelService } from '../validate-model-service';
import { ModelPipelineProps, PipelineOnlineOptions, PipelineRedisOptions, PipelineStep } from './model-pipeline-props';
import { CONTRACT_ENV_NAMES, ORCHESTRATOR_CONTRACT, ORCHESTRATOR_IMAGE_REPOSITORY, ORCHESTRATOR_VERSION } from './orchestrator-contract';
import { pipelineServiceAccounts } from './pipeline-names';
import { PipelinePayloads, PipelinePayloadsSpec } from './pipeline-payloads';
import { GraphStep, longestChain, orderSteps, sinkSteps } from './step-graph';

/** A pipeline name leaves room for `-orchestrator` in a 63-character Service name. */
const PIPELINE_NAME = /^[a-z]([-a-z0-9]{0,48}[a-z0-9])?$/;
const PIPELINE_NAME_RULE = 'lowercase letters, digits and "-", starting with a letter and ending with a letter or digit, at most 50 characters (the orchestrator adds "-orchestrator")';
const URL_PATH = /^\/[^\s?#]*(\?[^\s#]*)?$/;
/** A registry host (port optional) and path, as the part of an image reference before the repository. */
const IMAGE_REGISTRY = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/** A step pod needs time to be scheduled, start its sidecar and load its input before the call. */
export const STEP_POD_STARTUP_SECONDS = 60;
export const DEFAULT_STEP_TIMEOUT_SECONDS = 60;
export const DEFAULT_STEP_RETRIES = 2;
/** Pinned, small, non-root, with sh and curl. */
export const DEFAULT_STEP_IMAGE = 'curlimages/curl:8.20.0';
const DAY = 86_400;

export interface PlannedStep extends GraphStep {
  readonly service: IModelService;
  readonly path: string;
  /** `http://<service>.<namespace>.svc.cluster.local<path>`: through the mesh, on the Service's port 80. */
  readonly url: string;
  readonly timeoutSeconds: number;
  readonly retries: number;
  /** The step pod's `activeDeadlineSeconds`: the call's timeout plus the pod's start. */
  readonly podDeadlineSeconds: number;
}

export interface BatchPlan {
  readonly enabled: boolean;
  readonly payloads: PipelinePayloadsSpec;
  readonly image: string;
  readonly activeDeadlineSeconds: number;
  readonly secondsAfterSuccess: number;
  readonly secondsAfterFailure: number;
  readonly parallelism?: number;
  readonly runAsUser: number;
}

export interface RedisPlan {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly authToken: SecretKeyReference;
  readonly cidr?: string;
}

export interface OnlinePlan {
  readonly serviceName: string;
  readonly timeoutSeconds: number;
  readonly resultTtlSeconds: number;
  readonly redis: RedisPlan;
  /** The orchestrator's ModelService props, already checked by the ModelService's own plan. */
  readonly serviceProps: ModelServiceProps;
}

/** The props with defaults applied, every service found and every check passed. */
export interface PipelinePlan {
  readonly path: string;
  readonly name: string;
  readonly namespace: string;
  readonly description?: string;
  /** In dependency order. */
  readonly steps: readonly PlannedStep[];
  /** Steps no other step depends on: their responses are the pipeline's result. */
  readonly outputs: readonly string[];
  readonly batch: BatchPlan;
  readonly online?: OnlinePlan;
}

export interface PipelinePlanContext {
  readonly path: string;
  readonly id: string;
  readonly chart: ServingChart;
}

/**
 * Checks the props, finds the services and applies every default, before any object exists.
 * Throws a ValidationError (`<path>: <field> (<value>) <problem>; <fix>`) on the first problem.
 */
export function planModelPipeline(props: ModelPipelineProps, ctx: PipelinePlanContext): PipelinePlan {
  const check = new PropsValidator(ctx.path);
  const chart = ctx.chart;
  check.that(typeof props === 'object' && props !== null, 'props', props, 'are missing', 'pass { stages: [...] }');
  const name = props.name ?? ctx.id;
  check.matches('name', name, PIPELINE_NAME, PIPELINE_NAME_RULE);
  const owner = reservedBy(chart, 'WorkflowTemplate', name, ctx.path);
  check.that(owner === undefined, 'name', name, `is already the name of pipeline ${owner} in this chart`, 'give each pipeline its own name');
  if (props.description !== undefined) check.that(typeof props.description === 'string', 'description', props.description, 'is not a string', 'describe the pipeline in words');
  validateDescription(check, props.description);

  const steps = planSteps(check, props, chart);
  const callers = [
    ...(props.batch?.enabled ?? true ? [pipelineServiceAccounts(name).workflow] : []),
    ...(props.online !== undefined ? [pipelineServiceAccounts(name).orchestrator] : []),
  ];
  for (const step of steps) checkAdmitted(check, step, callers, { name, namespace: chart.namespaceName });
  const ordered = orderSteps(steps);
  if ('cycle' in ordered) {
    // A cycle needs a dependsOn pointing forward: blame the first step that has one, and read the
    // cycle from it.
    const loop = ordered.cycle.slice(0, -1);
    const culprit = steps.find((s) => s.explicit && loop.includes(s.name)) ?? steps.find((s) => s.name === loop[0])!;
    const start = loop.indexOf(culprit.name);
    const path = [...loop.slice(start), ...loop.slice(0, start), culprit.name];
    check.fail(`${culprit.field}.dependsOn`, culprit.dependsOn, `makes a cycle: ${path.join(' → ')}`, 'remove one of these dependencies: a pipeline runs each step once, after the steps it takes output from');
  }
  const order = (ordered as { order: readonly PlannedStep[] }).order;

  const batch = planBatch(check, props, chart, order);
  if (batch.enabled) {
    // Shared with a service, the account would carry the pipeline's Role and the admission that
    // services grant the pipeline (auth.allowedServiceAccounts) to that service's pods.
    const account = pipelineServiceAccounts(name).workflow;
    const holder = reservedBy(chart, 'ServiceAccount', account, ctx.path);
    check.that(holder === undefined, 'name', name, `needs ServiceAccount "${account}" for its batch pods, which ${holder} already creates in this chart`, 'rename the pipeline, or give that service another serviceAccount.name');
  }
  check.that(
    batch.enabled || props.online !== undefined,
    'batch.enabled',
    false,
    'is false and online is not set, so the pipeline would emit nothing that runs it',
    'leave batch on (a WorkflowTemplate), or give online { image, redis } for an orchestrator',
  );
  const online = props.online === undefined ? undefined : planOnline(check, props, ctx, name, order);

  // The WorkflowTemplate's name is the pipeline's, reserved even when batch is off so that the
  // name stays one pipeline's; the orchestrator reserves its own names as a ModelService.
  reserveNames(chart, ctx.path, [['WorkflowTemplate', name], ...(batch.enabled ? [['ServiceAccount', pipelineServiceAccounts(name).workflow] as const] : [])]);
  return {
    path: ctx.path,
    name,
    namespace: chart.namespaceName,
    description: props.description,
    steps: order,
    outputs: sinkSteps(order).map((s) => s.name),
    batch,
    online,
  };
}

function planSteps(check: PropsValidator, props: ModelPipelineProps, chart: ServingChart): PlannedStep[] {
  const entries = stepEntries(check, props.stages);
  const names = new Map<string, string>();
  const resolved = entries.map((entry) => resolveStep(check, entry, chart, names));
  return resolved.map((r) => ({
    name: r.name,
    field: r.field,
    explicit: r.step.dependsOn !== undefined,
    dependsOn: stepDependencies(check, r, resolved, names),
    service: r.service,
    path: r.path,
    url: `http://${r.service.host}${r.path}`,
    timeoutSeconds: r.timeoutSeconds,
    retries: r.retries,
    podDeadlineSeconds: r.timeoutSeconds + STEP_POD_STARTUP_SECONDS,
  }));
}

interface StepEntry {
  readonly field: string;
  readonly step: PipelineStep;
  readonly stage: number;
}

interface ResolvedStep extends StepEntry {
  readonly service: IModelService;
  readonly name: string;
  readonly path: string;
  readonly timeoutSeconds: number;
  readonly retries: number;
}

/** Every step of every stage, with its field name in the props and its stage's index. */
function stepEntries(check: PropsValidator, stages: ModelPipelineProps['stages']): StepEntry[] {
  check.that(Array.isArray(stages) && stages.length > 0, 'stages', stages, 'is empty', 'list the steps in order, e.g. stages: [ocr, { service: "bert-ner" }]');
  const entries: StepEntry[] = [];
  stages.forEach((stage, i) => {
    if (Array.isArray(stage)) {
      check.that(stage.length > 0, `stages[${i}]`, stage, 'is an empty fan-out', 'list the steps that run side by side, or remove the stage');
      stage.forEach((s: PipelineStep | IModelService, j: number) => entries.push({ field: `stages[${i}][${j}]`, step: asStep(s), stage: i }));
    } else {
      entries.push({ field: `stages[${i}]`, step: asStep(stage as PipelineStep | IModelService), stage: i });
    }
  });
  return entries;
}

/** One step: its service found, its name given once, its path, timeout (within the mesh's) and retries. */
function resolveStep(check: PropsValidator, { field, step, stage }: StepEntry, chart: ServingChart, names: Map<string, string>): ResolvedStep {
  check.that(typeof step === 'object' && step !== null, field, step, 'is not a step', 'give a ModelService or { service, path?, dependsOn?, timeoutSeconds?, retries? }');
  const service = resolveService(check, `${field}.service`, step.service, chart);
  const serviceName = service.serviceName;
  const stepName = step.name ?? serviceName;
  // A step name is an Argo task name and a key of the fan-in JSON; as strict as a Service name.
  check.matches(`${field}.name`, stepName, DNS_1035_LABEL, DNS_1035_LABEL_RULE);
  const first = names.get(stepName);
  check.that(first === undefined, step.name === undefined ? `${field}.service` : `${field}.name`, stepName, `names step "${stepName}" again (${first} has it)`, `give one of them its own name, e.g. { service: "${serviceName}", name: "${stepName}-2" }`);
  names.set(stepName, field);

  const path = step.path ?? service.inferencePath;
  const unknownPath = service instanceof ModelService
    ? `is not set and service "${serviceName}" runs a custom server, whose inference path only its image knows`
    : `is not set and service "${serviceName}" was imported without an inferencePath`;
  check.that(path !== undefined, `${field}.path`, path, unknownPath, 'give the path the step POSTs to, e.g. "/predict"');
  check.that(typeof path === 'string' && URL_PATH.test(path), `${field}.path`, path, 'is not a URL path', 'give an absolute path without spaces, e.g. "/v2/models/ner/infer"');
  const timeoutSeconds = step.timeoutSeconds ?? DEFAULT_STEP_TIMEOUT_SECONDS;
  check.integerInRange(`${field}.timeoutSeconds`, timeoutSeconds, 1, 3600, 'give whole seconds from 1 to 3600; keep it within the service\'s requestTimeoutSeconds');
  const meshTimeout = service.requestTimeoutSeconds;
  check.that(
    timeoutSeconds <= meshTimeout,
    `${field}.timeoutSeconds`,
    timeoutSeconds,
    `is longer than service "${serviceName}"'s requestTimeoutSeconds (${meshTimeout}): the mesh answers 504 at ${meshTimeout} s, which the step retries as if it were a passing fault`,
    `lower it to at most ${meshTimeout}, or raise ${serviceName}'s requestTimeoutSeconds`,
  );
  const retries = step.retries ?? DEFAULT_STEP_RETRIES;
  check.integerInRange(`${field}.retries`, retries, 0, 10, 'retry from 0 to 10 times');
  return { field, step, stage, service, name: stepName, path: path!, timeoutSeconds, retries };
}

/** The steps whose output a step takes: its dependsOn, checked, or every step of the stage before. */
function stepDependencies(check: PropsValidator, r: ResolvedStep, resolved: readonly ResolvedStep[], names: ReadonlyMap<string, string>): string[] {
  if (r.step.dependsOn === undefined) return resolved.filter((o) => o.stage === r.stage - 1).map((o) => o.name);
  check.that(Array.isArray(r.step.dependsOn), `${r.field}.dependsOn`, r.step.dependsOn, 'is not a list of step names', 'give the names of the steps whose output this step takes, e.g. ["ocr"]');
  const dependsOn = [...r.step.dependsOn];
  dependsOn.forEach((d, k) => {
    check.that(d !== r.name, `${r.field}.dependsOn[${k}]`, d, 'is the step itself', 'name the steps this step takes output from');
    check.that(names.has(d), `${r.field}.dependsOn[${k}]`, d, 'names no step of this pipeline', `use one of ${[...names.keys()].join(', ')}`);
  });
  const duplicate = dependsOn.find((d, k) => dependsOn.indexOf(d) !== k);
  check.that(duplicate === undefined, `${r.field}.dependsOn`, dependsOn, `names "${duplicate}" twice`, 'name each step once');
  return dependsOn;
}

/**
 * The pipeline's pods must be admitted by each service they call. A service with `auth` refuses,
 * with 403, in-mesh callers that carry no JWT unless it names their ServiceAccount: the pipeline's
 * pods carry none, so each of the accounts it calls as must be listed (auth.allowedServiceAccounts
 * or allowFrom), or every run would fail at that step. A ModelService of this app in another
 * namespace admits callers from elsewhere only through allowFrom, which must name the pipeline.
 * A service imported with fromServiceName is checked for the auth it was imported with only.
 */
function checkAdmitted(check: PropsValidator, step: PlannedStep, callers: readonly string[], pipeline: { name: string; namespace: string }): void {
  const service = step.service;
  const serviceName = service.serviceName;
  if (service instanceof ModelService && service.namespace !== pipeline.namespace) {
    const granted = service.grants.some((g) => g.peer.kind === 'pipeline' && g.peer.name === pipeline.name && (g.peer.namespace ?? service.namespace) === pipeline.namespace);
    check.that(
      granted,
      `${step.field}.service`,
      serviceName,
      `is in namespace ${service.namespace}, whose NetworkPolicies admit callers from another namespace only through allowFrom, and ${serviceName} does not admit pipeline ${pipeline.name} of ${pipeline.namespace}`,
      `call ${serviceName}.allowFrom(ServicePeer.pipeline("${pipeline.name}", { namespace: "${pipeline.namespace}" })) before creating the pipeline`,
    );
  }
  const auth = service.auth;
  if (!auth) return;
  const admittedHere = auth.allowedServiceAccounts.filter((sa) => sa.namespace === pipeline.namespace).map((sa) => sa.name);
  const missing = callers.filter((sa) => !admittedHere.includes(sa));
  const admitted = auth.allowedServiceAccounts.map((sa) => `${sa.namespace}/${sa.name}`);
  check.that(
    missing.length === 0,
    `${step.field}.service`,
    serviceName,
    `refuses callers without a JWT except the ServiceAccounts its auth.allowedServiceAccounts lists (${admitted.length ? admitted.join(', ') : 'none'}), and the pipeline calls it as ${missing.join(' and ')}`,
    `add ModelPipeline.serviceAccounts("${pipeline.name}") to ${serviceName}'s auth.allowedServiceAccounts`,
  );
}

function asStep(s: PipelineStep | IModelService): PipelineStep {
  return isModelService(s) ? { service: s } : s;
}

/**
 * The service a step names: the object as given, or by name the ModelService of the app in the
 * pipeline's namespace (else in another).
 */
function resolveService(check: PropsValidator, field: string, ref: IModelService | string, chart: ServingChart): IModelService {
  if (isModelService(ref)) return ref;
  check.that(typeof ref === 'string' && ref.length > 0, field, ref, 'is not a ModelService or a service name', 'pass the ModelService object or its name');
  const all = modelServices(chart.node.root);
  const named = all.filter((s) => s.name === ref);
  const service = named.find((s) => s.namespace === chart.namespaceName) ?? named[0];
  const known = all.filter((s) => s.namespace === chart.namespaceName).map((s) => s.name);
  check.that(service !== undefined, field, ref, `names no ModelService in the app (namespace ${chart.namespaceName} has ${known.length ? known.join(', ') : 'none'})`, 'create the ModelService before the pipeline and use its name, or pass the ModelService object');
  return service;
}

function modelServices(root: IConstruct): ModelService[] {
  return root.node.findAll().filter((c): c is ModelService => c instanceof ModelService);
}

function planBatch(check: PropsValidator, props: ModelPipelineProps, chart: ServingChart, order: readonly PlannedStep[]): BatchPlan {
  const b = props.batch ?? {};
  if (b.enabled !== undefined) check.that(typeof b.enabled === 'boolean', 'batch.enabled', b.enabled, 'is not a boolean', 'pass false to emit no WorkflowTemplate, or leave it out');
  const enabled = b.enabled ?? true;
  const payloads = b.payloads ?? PipelinePayloads.parameters();
  check.that(payloads instanceof PipelinePayloads, 'batch.payloads', payloads, 'is not a PipelinePayloads', 'use PipelinePayloads.parameters() or PipelinePayloads.artifacts()');
  const ref = payloads.spec.kind === 'artifacts' ? payloads.spec.artifactRepositoryRef : undefined;
  if (ref) {
    check.that(ref.configMap === undefined || isDnsSubdomain(ref.configMap), 'batch.payloads.artifactRepositoryRef.configMap', ref.configMap, 'is not a valid ConfigMap name', 'use lowercase letters, digits, "-" and "."');
    check.that(isConfigKey(ref.key), 'batch.payloads.artifactRepositoryRef.key', ref.key, 'is not a valid ConfigMap key', 'use letters, digits, "-", "_" and "."');
  }
  const image = b.image ?? DEFAULT_STEP_IMAGE;
  checkImage(check, 'batch.image', image, chart, DEFAULT_STEP_IMAGE);
  const activeDeadlineSeconds = b.activeDeadlineSeconds ?? 3600;
  check.integerInRange('batch.activeDeadlineSeconds', activeDeadlineSeconds, 60, 7 * DAY, 'allow a run from 60 seconds to 7 days');
  const chain = longestChain(order, (s) => s.podDeadlineSeconds);
  // Only a WorkflowTemplate runs under this deadline: an online-only pipeline has the orchestrator's.
  check.that(
    !enabled || activeDeadlineSeconds >= chain.total,
    'batch.activeDeadlineSeconds',
    activeDeadlineSeconds,
    `is shorter than one attempt of the longest chain of steps (${chain.steps.join(' → ')}: ${chain.total} s, each step's timeout plus ${STEP_POD_STARTUP_SECONDS} s to start its pod), so no run could finish`,
    `raise it to at least ${chain.total}, or lower the steps' timeoutSeconds`,
  );
  const secondsAfterSuccess = b.ttl?.secondsAfterSuccess ?? 3600;
  const secondsAfterFailure = b.ttl?.secondsAfterFailure ?? 7 * DAY;
  check.integerInRange('batch.ttl.secondsAfterSuccess', secondsAfterSuccess, 0, 30 * DAY, 'keep finished runs from 0 seconds to 30 days');
  check.integerInRange('batch.ttl.secondsAfterFailure', secondsAfterFailure, 0, 30 * DAY, 'keep failed runs from 0 seconds to 30 days');
  check.integerInRange('batch.parallelism', b.parallelism, 1, 1000, 'allow from 1 to 1000 step pods at once');
  const runAsUser = b.runAsUser ?? 1000;
  check.integerInRange('batch.runAsUser', runAsUser, 1, 2_147_483_647, 'run as a non-root user id (the restricted Pod Security profile forbids 0)');
  const ttl = { secondsAfterSuccess, secondsAfterFailure };
  return { enabled, payloads: payloads.spec, image, activeDeadlineSeconds, ...ttl, parallelism: b.parallelism, runAsUser };
}

function planOnline(
  check: PropsValidator,
  props: ModelPipelineProps,
  ctx: PipelinePlanContext,
  name: string,
  order: readonly PlannedStep[],
): OnlinePlan {
  const o = props.online!;
  const chart = ctx.chart;
  check.that(typeof o === 'object' && o !== null, 'online', o, 'is not an object', 'pass { imageRegistry, redis: { host, authToken } }, or leave online out for batch only');
  const image = orchestratorImage(check, o, chart);
  const version = o.version ?? imageTag(image);
  check.that(version !== undefined, 'online.version', version, 'is not set and the image has no tag to take it from', 'give the orchestrator\'s version, e.g. "2.3.1"');
  check.that(isLabelValue(version), 'online.version', version, 'is not a valid label value', 'use a version such as "2.3.1" (letters, digits, "-", "_", ".")');

  const redis = planRedis(check, o.redis);

  const chain = longestChain(order, (s) => s.timeoutSeconds);
  const timeoutSeconds = o.timeoutSeconds ?? chain.total;
  check.integerInRange('online.timeoutSeconds', timeoutSeconds, 1, 3600, o.timeoutSeconds === undefined ? `the longest chain of steps (${chain.steps.join(' → ')}) takes ${chain.total} s; lower the steps' timeoutSeconds to fit in 3600` : 'give whole seconds from 1 to 3600');
  check.that(
    timeoutSeconds >= chain.total,
    'online.timeoutSeconds',
    timeoutSeconds,
    `is shorter than the longest chain of steps (${chain.steps.join(' → ')}: ${chain.total} s for one attempt each), so a slow but healthy run would time out`,
    `raise it to at least ${chain.total}, or lower the steps' timeoutSeconds`,
  );
  const resultTtlSeconds = o.resultTtlSeconds ?? DAY;
  check.integerInRange('online.resultTtlSeconds', resultTtlSeconds, 60, 30 * DAY, 'keep results from 60 seconds to 30 days');
  for (const key of Object.keys(o.env ?? {})) {
    check.that(!CONTRACT_ENV_NAMES.includes(key), `online.env["${key}"]`, key, 'is set by the pipeline (the orchestrator contract)', 'choose another name');
  }
  checkApiToken(check, o);
  const assetsUri = o.assetsUri ?? (chart.modelStoreUri ? `${chart.modelStoreUri.replace(/\/+$/, '')}/pipelines/${name}/{version}/` : undefined);
  check.that(assetsUri !== undefined, 'online.assetsUri', assetsUri, 'is not set and the chart names no model store', 'give where the orchestrator\'s assets are, e.g. "s3://my-models/pipelines/documents/{version}/", or the bucket as the ServingChart\'s modelStoreUri');

  const serviceName = pipelineServiceAccounts(name).orchestrator;
  // The orchestrator reserves these itself when it is created, after the pipeline has joined the
  // tree: checked here, so that a clash leaves nothing behind.
  // A service named `<orchestrator>-pipeline` would emit a PrometheusRule of the pipeline alerts' name.
  const names = [['Service', serviceName], ['ServiceAccount', serviceName], ['Deployment', serviceName], ['ConfigMap', `${serviceName}-config`], ['Service', `${serviceName}-pipeline`]];
  for (const [kind, objectName] of names) {
    const holder = reservedBy(chart, kind, objectName, ctx.path);
    check.that(holder === undefined, 'name', name, `needs ${kind} "${objectName}" for its orchestrator, which ${holder} already creates in this chart`, 'rename the pipeline or that service');
  }
  const serviceProps = orchestratorServiceProps(o, {
    name,
    serviceName,
    namespace: chart.namespaceName,
    steps: order,
    image,
    version: version!,
    assetsUri: assetsUri!,
    timeoutSeconds,
    resultTtlSeconds,
    redis,
  });
  // The orchestrator is a ModelService: its own checks run now, so that a bad orchestrator prop
  // stops the pipeline before any of its objects exist.
  planModelService(serviceProps, {
    path: `${ctx.path}/orchestrator`,
    id: 'orchestrator',
    namespace: chart.namespaceName,
    environment: chart.environment,
    preset: chart.preset,
    nodePools: chart.nodePools,
    modelStoreUri: chart.modelStoreUri,
  });
  return { serviceName, timeoutSeconds, resultTtlSeconds, redis, serviceProps };
}

/**
 * The orchestrator's image: given, or the one built from orchestrator/Dockerfile and pushed to
 * `imageRegistry`. No public registry hosts it, so there is nothing to fall back on.
 */
function orchestratorImage(check: PropsValidator, o: PipelineOnlineOptions, chart: ServingChart): string {
  const built = `${ORCHESTRATOR_IMAGE_REPOSITORY}:${ORCHESTRATOR_VERSION}`;
  check.that(
    o.image !== undefined || o.imageRegistry !== undefined,
    'online.image',
    o.image,
    'is not set, and neither is online.imageRegistry',
    `build the orchestrator from orchestrator/Dockerfile (docker build -t <registry>/${built} orchestrator/), push it, and give that registry as online.imageRegistry, e.g. "123456789012.dkr.ecr.us-east-1.amazonaws.com"; or give your own image as online.image`,
  );
  check.that(o.image === undefined || o.imageRegistry === undefined, 'online.imageRegistry', o.imageRegistry, 'is set together with online.image, which names its registry already', 'give one of them');
  if (o.imageRegistry !== undefined) {
    check.that(
      typeof o.imageRegistry === 'string' && IMAGE_REGISTRY.test(o.imageRegistry),
      'online.imageRegistry',
      o.imageRegistry,
      'is not a registry host with an optional path (no scheme, no tag, no trailing "/")',
      'give e.g. "123456789012.dkr.ecr.us-east-1.amazonaws.com" or "registry.example.com/platform"',
    );
  }
  const image = o.image ?? `${o.imageRegistry}/${built}`;
  checkImage(check, 'online.image', image, chart, `registry.example.com/${built}`);
  return image;
}

/** The token travels in the Authorization header, which a JWT check in the sidecar consumes. */
function checkApiToken(check: PropsValidator, o: PipelineOnlineOptions): void {
  const t = o.apiToken;
  if (t === undefined) return;
  check.that(typeof t === 'object' && t !== null, 'online.apiToken', t, 'is not a Secret reference', 'name the Secret and key that hold the token, e.g. { secretName: "documents-api", key: "token" }');
  check.that(isDnsSubdomain(t.secretName), 'online.apiToken.secretName', t.secretName, 'is not a valid Secret name', 'use the name of an existing Secret (lowercase letters, digits, "-", ".")');
  check.that(isConfigKey(t.key), 'online.apiToken.key', t.key, 'is not a valid Secret key', 'use letters, digits, "-", "_" and "."');
  check.that(
    o.auth?.jwt === undefined,
    'online.apiToken',
    t,
    'is set together with online.auth.jwt, but both travel in the Authorization header and the sidecar removes the JWT it checked',
    'authenticate with one of them: the mesh (auth.allowedServiceAccounts) beside the token is fine',
  );
}

/** The Cache's outputs, checked; TLS on unless turned off by name. */
function planRedis(check: PropsValidator, r: PipelineRedisOptions): RedisPlan {
  check.that(typeof r === 'object' && r !== null, 'online.redis', r, 'is missing', 'pass the Cache\'s outputs: { host: primaryEndpointAddress, port, authToken: { secretName, key } }');
  // A DNS name (an IPv4 address is one too, as far as the format goes); DNS is case-insensitive.
  check.that(typeof r.host === 'string' && isDnsSubdomain(r.host.toLowerCase()), 'online.redis.host', r.host, 'is not a host name or IPv4 address', 'give the Cache\'s primaryEndpointAddress, e.g. "master.modelserve-prod-cache.abc123.use1.cache.amazonaws.com"');
  const port = r.port ?? 6379;
  check.integerInRange('online.redis.port', port, 1, 65535, 'give the Cache\'s port, 6379 unless you changed it');
  const tls = r.tls ?? true;
  check.that(typeof tls === 'boolean', 'online.redis.tls', tls, 'is not a boolean', 'leave it out (TLS on), or set false for a Redis without transit encryption');
  const token = r.authToken;
  check.that(typeof token === 'object' && token !== null, 'online.redis.authToken', token, 'is missing', 'name the Secret and key that hold the Cache\'s AUTH token (synced from its authTokenSecretArn), e.g. { secretName: "redis-auth", key: "token" }');
  check.that(isDnsSubdomain(token.secretName), 'online.redis.authToken.secretName', token.secretName, 'is not a valid Secret name', 'use the name of an existing Secret (lowercase letters, digits, "-", ".")');
  check.that(isConfigKey(token.key), 'online.redis.authToken.key', token.key, 'is not a valid Secret key', 'use letters, digits, "-", "_" and "."');
  check.that(r.cidr === undefined || parseIpv4Cidr(r.cidr) !== undefined, 'online.redis.cidr', r.cidr, 'is not an IPv4 CIDR', 'give the cache subnets as a.b.c.d/n, e.g. 10.0.64.0/18');
  return { host: r.host, port, tls, authToken: token, cidr: r.cidr };
}

interface OrchestratorServiceInputs {
  readonly name: string;
  readonly serviceName: string;
  readonly namespace: string;
  readonly steps: readonly PlannedStep[];
  readonly image: string;
  readonly version: string;
  readonly assetsUri: string;
  readonly timeoutSeconds: number;
  readonly resultTtlSeconds: number;
  readonly redis: RedisPlan;
}

/** The orchestrator as a ModelService: a custom server with the contract's environment. */
function orchestratorServiceProps(o: PipelineOnlineOptions, p: OrchestratorServiceInputs): ModelServiceProps {
  const name = p.name;
  const redis = p.redis;
  const c = ORCHESTRATOR_CONTRACT;
  const server = { port: o.port ?? 8080, healthPath: o.healthPath ?? '/healthz', livenessPath: o.livenessPath ?? '/livez' };
  return {
    name: p.serviceName,
    description: `Runs pipeline ${name} online (${p.steps.map((s) => s.name).join(', ')}); run state in Redis`,
    model: { id: `pipeline-${name}`, version: p.version, uri: p.assetsUri },
    image: p.image,
    // Its assets are optional: an empty prefix is no reason to refuse the pod.
    modelLoader: { allowEmpty: true },
    server: ModelServer.custom(server),
    resources: o.resources ?? { cpu: 1, memoryGiB: 2, storageGiB: 1 },
    autoscaling: o.autoscaling ?? { maxReplicas: 10, targetCpuUtilization: 70 },
    // A client waiting for a run (?wait=true) is answered up to 5 s after the run's own timeout.
    requestTimeoutSeconds: Math.min(3600, p.timeoutSeconds + 10),
    auth: o.auth,
    monitoring: { ...o.monitoring, alerts: { latencyP50Ms: p.timeoutSeconds * 500, latencyP99Ms: p.timeoutSeconds * 1000, ...o.monitoring?.alerts } },
    env: {
      ...o.env,
      [c.env.pipelineName]: name,
      [c.env.definitionPath]: `${c.definitionDir}/${c.definitionFile}`,
      [c.env.resultTtlSeconds]: String(p.resultTtlSeconds),
      [c.env.httpPort]: String(server.port),
      [c.env.healthPath]: server.healthPath,
      [c.env.livenessPath]: server.livenessPath,
      [c.env.redisHost]: redis.host,
      [c.env.redisPort]: String(redis.port),
      [c.env.redisTls]: String(redis.tls),
      [c.env.redisUrl]: `${redis.tls ? 'rediss' : 'redis'}://${redis.host}:${redis.port}`,
      [c.env.redisKeyPrefix]: `modelserve:${p.namespace}:${name}:`,
    },
    secrets: {
      env: {
        [c.env.redisAuthToken]: { secretName: redis.authToken.secretName, key: redis.authToken.key },
        ...(o.apiToken ? { [c.env.apiToken]: { secretName: o.apiToken.secretName, key: o.apiToken.key } } : {}),
      },
    },
    // The definition itself is added by the pipeline; a placeholder key keeps the check honest.
    config: { data: { [c.definitionFile]: '{}' }, mountPath: c.definitionDir },
  };
}
