import {
  Capacity,
  describeGpuOffer,
  DNS_1035_LABEL,
  DNS_1035_LABEL_RULE,
  EnvironmentName,
  EnvironmentPreset,
  GPU_MODELS,
  GpuModel,
  GpuShare,
  isConfigKey,
  isDnsSubdomain,
  isGpuModel,
  isLabelValue,
  LABEL_KEY,
  LABEL_VALUE,
  LABEL_VALUE_RULE,
  MIG_PROFILE_NAME,
  NodePoolSpec,
  PropsValidator,
} from '../catalog';
import { describeVerdicts, placePod } from '../check/placement';
import { CostAllocation } from './labels';
import { validateDescription } from './description';
import { MESH_SIDECAR } from './mesh-sidecar';
import { validateWarmup, WARMUP_CONTAINER, WarmupOptions } from './model-warmup';
import { priorityClassName, SERVING_PRIORITIES } from './priority-classes';
import { ModelServerSpec } from './model-server';
import { ModelServiceProps, SpotUse } from './model-service-props';
import { validateAlertThresholds } from './monitoring/alert-thresholds';
import { MIN_SERVING_PODS, planScaling, ScalingPlan } from './plan-scaling';
import { InferencePoolOptions, validateInferencePoolOptions } from './inference/inference-pool-options';
import { inferenceRoutingNames } from './inference/inference-routing';
import { LlmPlan, llmResourceDefaults, planLlm, planLlmLoading } from './plan-llm';
import { planServer, ServerPlan } from './plan-server';
import { requireVllmVersion, VllmMetricNames, vllmMetricNames, vllmOptionsOf, VllmVersion, vllmVersion } from './vllm-engine';
import { LOADER_IMAGE_GIB, podDiskGiB } from './pod-disk';
import { reservedBy, reserveNames } from './reserved-names';
import { progressDeadlineSeconds } from './rollout-deadline';
import { validateAnalysisForEngine, validateProgressiveFit } from './progressive/progressive-options';
import { resolveTracks, Rollout, Track } from './rollout';
import { egressPolicyName, externalServiceName, validateExternalServices } from './external-services';
import { validateFaults } from './traffic/fault-injection';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS, isPlainUrlPath, resolveLoadBalancer, ResolvedLoadBalancer, validateLoadBalancer, validateRateLimitAgainstScaling, validateRollout, validateTrafficOptions } from './traffic';
import { validateStickyWithRollout } from './traffic/sticky-sessions';

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/** Variables the service sets itself; a user value would silently lose. */
const RESERVED_ENV = ['MODEL_URI', 'MODEL_DIR', 'MODEL_ID', 'MODEL_VERSION', 'MODEL_CACHE_DIR', 'HOME'];

// The sidecar's requests: the scheduler counts them, so placement does too.
export { MESH_SIDECAR } from './mesh-sidecar';
// Where it has always been imported from (model services, the AWS side's tests).
export { DEFAULT_PROMETHEUS_URL } from './prometheus-endpoint';

export type { ScalingPlan } from './plan-scaling';

export interface PlannedTrack extends Track {
  readonly deploymentName: string;
  readonly modelUri: string;
  /** The track's replica count with fixed scaling; its autoscaler's floor otherwise. */
  readonly replicas: number;
}

/** Props with every default applied and every check passed: what the constructs are built from. */
export interface ModelServicePlan {
  readonly path: string;
  readonly name: string;
  readonly namespace: string;
  readonly description?: string;
  readonly modelId: string;
  readonly modelVersion: string;
  readonly image: string;
  /** Uncompressed size of the server's image, GiB. */
  readonly imageSizeGiB: number;
  /** The server preset, `{modelId}` resolved. */
  readonly server: ModelServerSpec;
  /** The init container that copies the model from S3. */
  readonly loader: ServerPlan['loader'];
  readonly rollout: Rollout;
  readonly tracks: readonly PlannedTrack[];
  readonly cpu: number;
  readonly memoryGiB: number;
  readonly gpu?: { readonly count: number; readonly model: GpuModel; readonly share?: GpuShare };
  readonly storageGiB: number;
  readonly networkBandwidthMbps?: number;
  readonly scaling: ScalingPlan;
  readonly loadBalancer: ResolvedLoadBalancer;
  readonly candidatePools: readonly NodePoolSpec[];
  readonly spot: SpotUse;
  readonly stopped: boolean;
  readonly startupTimeoutSeconds: number;
  /**
   * How long a new version may take to get ready pods: a node from the slowest candidate pool,
   * the image pulls, the model copy and the load (see progressDeadlineSeconds).
   */
  readonly progressDeadlineSeconds: number;
  readonly drainSeconds: number;
  /** The mesh's timeout of one request to the service, retries included. */
  readonly requestTimeoutSeconds: number;
  readonly terminationGracePeriodSeconds: number;
  readonly runAsUser: number;
  readonly serviceAccountName: string;
  readonly automountServiceAccountToken: boolean;
  readonly environment: string;
  readonly production: boolean;
  /** KV-cache-aware routing through an InferencePool, when asked for. */
  readonly inferencePool?: InferencePoolOptions;
  /** The language model a vLLM service knows (`ModelServer.vllm({ model })`), its fit proven. */
  readonly llm?: LlmPlan;
  /** vLLM's version and the names its metrics have in it, for a vLLM service whose version is known. */
  readonly vllm?: { readonly version?: VllmVersion; readonly metrics?: VllmMetricNames };
  /**
   * Seconds a pod of a language model takes from its start to ready in the worst case: the
   * loader's copy and the server's load. Karpenter leaves it alone that long (do-not-disrupt).
   */
  readonly loadingSeconds?: number;
  /** Requests the warmer sends before the pod reports ready. */
  readonly warmup?: WarmupOptions;
  /** Who pays: the cost-allocation labels of every object and pod. */
  readonly cost: CostAllocation;
  /** The pods' PriorityClass, unless the chart turned priority classes off. */
  readonly priorityClassName?: string;
}

export interface PlanContext {
  /** Construct path of the ModelService, for messages. */
  readonly path: string;
  /** Construct id: the default name. */
  readonly id: string;
  readonly namespace: string;
  readonly environment: string;
  readonly preset: EnvironmentPreset;
  readonly nodePools: readonly NodePoolSpec[];
  /** `s3://<bucket>` of the platform's model store, when the chart knows it. */
  readonly modelStoreUri?: string;
  /** How the platform gets its nodes: decides whether Karpenter stripes a pool's NVMe for the pods' caches. */
  readonly capacity?: Capacity;
  /** The chart's team, for services that name none. */
  readonly team?: string;
  /** Whether pods get the environment's PriorityClasses. @default true */
  readonly priorityClasses?: boolean;
}

/**
 * Checks the props and applies every default, before any object exists. Throws a ValidationError
 * (`<path>: <field> (<value>) <problem>; <fix>`) on the first problem.
 */
export function planModelService(props: ModelServiceProps, ctx: PlanContext): ModelServicePlan {
  const check: PropsValidator = new PropsValidator(ctx.path);
  check.that(typeof props === 'object' && props !== null, 'props', props, 'are missing', 'pass { model, resources }');
  const name = props.name ?? ctx.id;
  // The name is the Service's: a DNS-1035 label.
  check.matches('name', name, DNS_1035_LABEL, DNS_1035_LABEL_RULE);
  if (props.description !== undefined) check.that(typeof props.description === 'string', 'description', props.description, 'is not a string', 'describe the model in words');
  validateDescription(check, props.description);
  const { model, uriTemplate } = planModel(check, props, ctx);
  const serverPlan = planServer(check, props, { modelId: model.id, environment: ctx.environment, preset: ctx.preset });
  const { image, imageSizeGiB, loader } = serverPlan;
  const resources = planResources(check, props, ctx, llmResourceDefaults(props.server));
  const { gpu, storageGiB } = resources;
  const { llm, vllm, server } = planEngine(check, props, ctx, serverPlan, gpu);

  // Rollout and tracks.
  const rollout = props.rollout ?? Rollout.rollingUpdate();
  check.that(rollout instanceof Rollout, 'rollout', rollout, 'is not a Rollout', 'use Rollout.rollingUpdate(), .recreate(), .blueGreen(), .canary(), .abTest(), .shadow() or .progressive()');
  validateRollout(check, rollout, model.version, 'rollout');
  const singleTrack = rollout.kind === 'rolling-update' || rollout.kind === 'recreate' || rollout.kind === 'progressive';
  // Scaling first: each track's size derives from it.
  const plannedScaling = planScaling(check, props, { ...ctx, vllmMetrics: vllm?.metrics }, server);
  if (rollout.strategy.kind === 'progressive') {
    validateAnalysisForEngine(check, rollout.strategy.options, vllm !== undefined);
    if (vllm) requireVllmVersion(check, vllm.version, image, 'judging a progressive rollout on TTFT and inter-token latency');
    validateProgressiveFit(check, { name, scaleToZero: plannedScaling.kind !== 'fixed' && plannedScaling.scaleToZero, fixedReplicas: plannedScaling.kind === 'fixed' ? plannedScaling.replicas : undefined });
  }
  const tracks = resolveTracks(model.version, rollout).map((t) => ({
    ...t,
    deploymentName: singleTrack ? name : `${name}-${t.name}`,
    modelUri: uriTemplate.split('{version}').join(t.version),
    replicas: trackReplicas(rollout, t, plannedScaling, ctx.environment),
  }));
  const versions = new Set(tracks.map((t) => t.version));
  check.that(versions.size === tracks.length || tracks.length === 1, 'rollout', rollout.kind, `gives two tracks the same model version (${model.version})`, 'give the new track a version different from model.version');
  check.that(uriTemplate.includes('{version}') || versions.size === 1, 'model.uri', uriTemplate, `has no {version} placeholder, so the ${rollout.kind} tracks (${[...versions].join(', ')}) would all load the same artefacts`, 'put {version} where the version goes, e.g. "s3://my-models/resnet/{version}/"');
  const inferencePool = planInferencePool(check, props, { name, server: server.name, rollout, vllm, image, ctx });
  validateLoadBalancer(check, props.loadBalancer, 'loadBalancer');
  validateStickyWithRollout(check, props.loadBalancer, rollout, model.version);
  const loadBalancer = resolveLoadBalancer(props.loadBalancer);

  const runtime = planRuntime(check, props, gpu !== undefined);
  const { drainSeconds, terminationGracePeriodSeconds, runAsUser } = runtime;
  validateTrafficOptions(check, props, '');
  validateExternalServices(check, props.externalServices, name);
  validateWarmup(check, props.warmup);
  check.that(props.resourceRecommendations === undefined || typeof props.resourceRecommendations === 'boolean', 'resourceRecommendations', props.resourceRecommendations, 'is not true or false', 'set resourceRecommendations: true for a recommendation-only VerticalPodAutoscaler, or leave it out');
  validateFaults(check, props.faults, { field: 'faults', production: ctx.environment === 'production', progressive: rollout.kind === 'progressive' });
  validateRateLimitAgainstScaling(check, props.rateLimit, plannedScaling.kind === 'fixed' ? undefined : plannedScaling.requestsPerSecond);
  if (props.auth !== undefined) {
    check.that(isPlainUrlPath(server.metricsPath), 'server.metricsPath', server.metricsPath, 'holds spaces, "?", "#" or "*", so the AuthorizationPolicy of auth cannot keep it open to Prometheus', 'give the plain path the server exposes metrics on, e.g. "/metrics"');
  }
  validateEnvironment(check, props, server.env);
  const serviceAccountName = props.serviceAccount?.name ?? name;
  check.that(isDnsSubdomain(serviceAccountName), 'serviceAccount.name', serviceAccountName, 'is not a valid ServiceAccount name', 'use lowercase letters, digits, "-" and "."');
  validateMonitoring(check, props);
  const { cost, priorityClassName } = planCostAndPriority(check, props, ctx);

  const { candidatePools, spot } = planPlacement(check, props, ctx, { ...resources, diskGiB: podDiskGiB(storageGiB, server.tmpGiB, imageSizeGiB), llm });
  const { loading, startupTimeoutSeconds, scaling } = planLoading(check, props, { llm, candidatePools, capacity: ctx.capacity, startupTimeoutSeconds: runtime.startupTimeoutSeconds, scaling: plannedScaling });
  const deadline = progressDeadlineSeconds({ pools: candidatePools, imagesGiB: imageSizeGiB + LOADER_IMAGE_GIB + MESH_SIDECAR.imageGiB, storageGiB, startupTimeoutSeconds, copySeconds: loading?.copySeconds });
  return {
    path: ctx.path,
    name,
    namespace: ctx.namespace,
    description: props.description,
    modelId: model.id,
    modelVersion: model.version,
    image,
    imageSizeGiB,
    server,
    loader,
    rollout,
    tracks,
    cpu: resources.cpu,
    memoryGiB: resources.memoryGiB,
    gpu,
    storageGiB,
    networkBandwidthMbps: resources.networkBandwidthMbps,
    scaling,
    loadBalancer,
    candidatePools,
    spot,
    stopped: props.stopped ?? false,
    startupTimeoutSeconds,
    progressDeadlineSeconds: deadline,
    drainSeconds,
    requestTimeoutSeconds: props.requestTimeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS,
    terminationGracePeriodSeconds,
    runAsUser,
    serviceAccountName,
    automountServiceAccountToken: props.serviceAccount?.automountToken ?? false,
    environment: ctx.environment,
    production: ctx.environment === 'production',
    llm,
    vllm,
    loadingSeconds: loading?.loadingSeconds,
    inferencePool,
    cost,
    priorityClassName,
    warmup: props.warmup,
  };
}

/** The team that pays (the service's, else the chart's) and the pods' PriorityClass. */
function planCostAndPriority(check: PropsValidator, props: ModelServiceProps, ctx: PlanContext): { cost: CostAllocation; priorityClassName?: string } {
  check.that(props.team === undefined || isLabelValue(props.team), 'team', props.team, `is not a valid label value (${LABEL_VALUE_RULE})`, 'name the team as the cost-allocation tags do, e.g. "search-ranking"');
  const priority = props.priority ?? 'standard';
  check.oneOf('priority', priority, SERVING_PRIORITIES);
  const environment = ctx.environment as EnvironmentName;
  const team = props.team ?? ctx.team;
  return {
    cost: { environment, ...(team !== undefined ? { team } : {}) },
    priorityClassName: (ctx.priorityClasses ?? true) ? priorityClassName(environment, priority) : undefined,
  };
}

/** The InferencePool's options when asked for: a vLLM server of 0.10 or later (the picker reads `vllm:kv_cache_usage_perc`), a rollout it can carry. */
function planInferencePool(
  check: PropsValidator,
  props: ModelServiceProps,
  p: { name: string; server: string; rollout: Rollout; vllm?: ModelServicePlan['vllm']; image: string; ctx: PlanContext },
): InferencePoolOptions | undefined {
  const options = props.inferencePool;
  if (options === undefined || options === false) return undefined;
  validateInferencePoolOptions(check, options, { server: p.server, rollout: p.rollout, environment: p.ctx.environment, preset: p.ctx.preset, name: p.name });
  const version = requireVllmVersion(check, p.vllm?.version, p.image, 'inferencePool');
  check.that(version[0] > 0 || version[1] >= 10, 'inferencePool', true, `is set on vLLM ${version.join('.')}, older than 0.10, whose KV-cache gauge (vllm:gpu_cache_usage_perc) the endpoint picker does not read`, 'serve the model with vLLM 0.10 or later (the preset\'s default image is current)');
  return options === true ? {} : options;
}

/**
 * vLLM's version (from `server.version` or the image tag) and its metric names, and for a service
 * that knows its language model the model's plan, its flags appended to the server's arguments.
 */
function planEngine(check: PropsValidator, props: ModelServiceProps, ctx: PlanContext, serverPlan: ServerPlan, gpu: ModelServicePlan['gpu']): { llm?: LlmPlan; vllm?: ModelServicePlan['vllm']; server: ModelServerSpec } {
  const options = vllmOptionsOf(props.server);
  if (options === undefined) return { server: serverPlan.server };
  const version = vllmVersion(check, options, serverPlan.image);
  const named = props.placement?.nodePools;
  const llm = planLlm(check, { server: props.server!, gpu, pools: named ? ctx.nodePools.filter((p) => named.includes(p.name)) : ctx.nodePools });
  const server = llm ? { ...serverPlan.server, args: [...serverPlan.server.args, ...llm.flags] } : serverPlan.server;
  return { llm, vllm: { version, metrics: version ? vllmMetricNames(version) : undefined }, server };
}

/**
 * A language model's loading, once its pools are known: the startup budget from its weights, and a
 * scale-down that waits at least as long as a new pod takes to copy and load them (at most an hour).
 */
function planLoading(
  check: PropsValidator,
  props: ModelServiceProps,
  p: { llm?: LlmPlan; candidatePools: readonly NodePoolSpec[]; capacity?: Capacity; startupTimeoutSeconds: number; scaling: ScalingPlan },
): { loading?: ReturnType<typeof planLlmLoading>; startupTimeoutSeconds: number; scaling: ScalingPlan } {
  if (!p.llm) return { startupTimeoutSeconds: p.startupTimeoutSeconds, scaling: p.scaling };
  const loading = planLlmLoading(check, props, p.llm, p.candidatePools, p.capacity);
  const scaling = p.scaling.kind !== 'fixed' && props.autoscaling?.scaleDownStabilizationSeconds === undefined
    ? { ...p.scaling, scaleDownStabilizationSeconds: Math.max(p.scaling.scaleDownStabilizationSeconds, Math.min(3600, loading.loadingSeconds)) }
    : p.scaling;
  return { loading, startupTimeoutSeconds: loading.startupTimeoutSeconds, scaling };
}

/** How long the pod may take to start and to stop, and the user it runs as. */
function planRuntime(check: PropsValidator, props: ModelServiceProps, gpu: boolean): { startupTimeoutSeconds: number; drainSeconds: number; terminationGracePeriodSeconds: number; runAsUser: number } {
  const startupTimeoutSeconds = props.startupTimeoutSeconds ?? (gpu ? 600 : 300);
  check.integerInRange('startupTimeoutSeconds', startupTimeoutSeconds, 10, 3600, 'allow from 10 to 3600 seconds to load the model');
  const drainSeconds = props.drainSeconds ?? 15;
  check.integerInRange('drainSeconds', drainSeconds, 0, 300);
  const terminationGracePeriodSeconds = props.terminationGracePeriodSeconds ?? Math.max(60, drainSeconds + 30);
  check.integerInRange('terminationGracePeriodSeconds', terminationGracePeriodSeconds, 1, 3600);
  check.that(terminationGracePeriodSeconds > drainSeconds, 'terminationGracePeriodSeconds', terminationGracePeriodSeconds, `is not longer than drainSeconds (${drainSeconds}), so pods are killed before in-flight requests finish`, `raise it to at least ${drainSeconds + 30}`);
  const runAsUser = props.runAsUser ?? 1000;
  check.integerInRange('runAsUser', runAsUser, 1, 2_147_483_647, 'run as a non-root user id (the restricted Pod Security profile forbids 0)');
  return { startupTimeoutSeconds, drainSeconds, terminationGracePeriodSeconds, runAsUser };
}

function planModel(check: PropsValidator, props: ModelServiceProps, ctx: PlanContext): { model: ModelServiceProps['model']; uriTemplate: string } {
  const model = props.model;
  check.that(typeof model === 'object' && model !== null, 'model', model, 'is missing', 'pass { id, version }');
  check.that(isLabelValue(model.id), 'model.id', model.id, 'is not a valid label value', 'use at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit');
  check.that(isLabelValue(model.version), 'model.version', model.version, 'is not a valid label value', 'use a version such as "1.0.0" (letters, digits, "-", "_", ".")');
  check.that(model.uri !== undefined || ctx.modelStoreUri !== undefined, 'model.uri', model.uri, 'is not set and the chart names no model store', 'give the artefacts\' location, e.g. "s3://my-models/resnet/{version}/", or the bucket as the ServingChart\'s modelStoreUri');
  const uriTemplate = model.uri ?? `${ctx.modelStoreUri!.replace(/\/+$/, '')}/${model.id}/{version}/`;
  check.that(typeof uriTemplate === 'string' && /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/\S*)?$/.test(uriTemplate), 'model.uri', uriTemplate, 'is not an S3 URI', 'give the model store location, e.g. "s3://my-models/resnet/{version}/"');
  return { model, uriTemplate };
}

interface ResourcePlan {
  readonly cpu: number;
  readonly memoryGiB: number;
  readonly gpu?: ModelServicePlan['gpu'];
  readonly storageGiB: number;
  readonly networkBandwidthMbps?: number;
}

function planResources(check: PropsValidator, props: ModelServiceProps, ctx: PlanContext, llm: { gpuCount?: number; storageGiB?: number } = {}): ResourcePlan {
  const r = props.resources;
  check.that(typeof r === 'object' && r !== null, 'resources', r, 'is missing', 'pass { cpu, memoryGiB }');
  const limits = ctx.preset.serving.containerDefaults;
  check.that(typeof r.cpu === 'number' && r.cpu >= 0.1 && r.cpu <= limits.maxCpu, 'resources.cpu', r.cpu, `must be from 0.1 to ${limits.maxCpu} cores (the namespace's LimitRange maximum)`, 'request the cores one pod needs, e.g. 2');
  check.that(typeof r.memoryGiB === 'number' && r.memoryGiB >= 0.25 && r.memoryGiB <= limits.maxMemoryGiB, 'resources.memoryGiB', r.memoryGiB, `must be from 0.25 to ${limits.maxMemoryGiB} GiB (the namespace's LimitRange maximum)`, 'request the memory one pod needs, e.g. 8');
  let gpu: ModelServicePlan['gpu'];
  if (r.gpu !== undefined) {
    const g = { ...(r.gpu as { count?: number; model?: unknown }) };
    g.count ??= llm.gpuCount;
    check.that(g.count !== undefined || g.model === undefined, 'resources.gpu.count', g.count, `is not set but resources.gpu.model is ${JSON.stringify(g.model)}`, 'give the number of GPUs per pod, e.g. { count: 1, model: "A100" }');
    check.that(g.model !== undefined, 'resources.gpu.model', g.model, `is not set but resources.gpu.count is ${g.count}`, `name the GPU model the pod needs, one of ${GPU_MODELS.join(', ')}`);
    check.that(isGpuModel(g.model), 'resources.gpu.model', g.model, 'is not a GPU model the platform knows', `use one of ${GPU_MODELS.join(', ')}`);
    const share = validateGpuShare(check, r.gpu.share);
    if (share?.kind === 'time-slicing') {
      check.that(g.count === 1, 'resources.gpu.count', g.count, 'is more than 1 time-sliced slot: slots of one GPU add no compute or memory, and the device plugin refuses such pods', 'request count: 1, or use whole GPUs or a larger MIG profile');
    } else {
      check.integerInRange('resources.gpu.count', g.count, 1, 8, share ? 'request from 1 to 8 MIG instances per pod' : 'request from 1 to 8 GPUs per pod (the most one node has)');
    }
    gpu = { count: g.count!, model: g.model as GpuModel, ...(share ? { share } : {}) };
  }
  const storageGiB = r.storageGiB ?? llm.storageGiB ?? 20;
  check.integerInRange('resources.storageGiB', storageGiB, 1, 2000, 'size the model cache in whole GiB from 1 to 2000');
  check.integerInRange('resources.networkBandwidthMbps', r.networkBandwidthMbps, 1, 400_000, 'give a cap in Mbit/s, e.g. 10000');
  return { cpu: r.cpu, memoryGiB: r.memoryGiB, gpu, storageGiB, networkBandwidthMbps: r.networkBandwidthMbps };
}

/** Environment variables, config and secrets; `serverEnv` is what the server preset sets. */
function validateEnvironment(check: PropsValidator, props: ModelServiceProps, serverEnv: Readonly<Record<string, string>>): void {
  for (const key of Object.keys(props.env ?? {})) {
    check.that(ENV_NAME.test(key), `env["${key}"]`, key, 'is not a valid environment variable name', 'use letters, digits, "_", "-" and ".", not starting with a digit');
    check.that(!RESERVED_ENV.includes(key), `env["${key}"]`, key, 'is set by the ModelService itself', 'choose another name; the model is in MODEL_DIR (copied from MODEL_URI)');
    check.that(typeof props.env![key] === 'string', `env["${key}"]`, props.env![key], 'is not a string', 'quote numbers and booleans');
  }
  if (props.config) {
    check.that(Object.keys(props.config.data ?? {}).length > 0, 'config.data', props.config.data, 'is empty', 'give at least one key, or leave config out');
    for (const key of Object.keys(props.config.data)) {
      check.that(isConfigKey(key), `config.data["${key}"]`, key, 'is not a valid ConfigMap key', 'use letters, digits, "-", "_" and "."');
    }
    if (props.config.asEnv) validateConfigAsEnv(check, props, serverEnv);
    const mountPath = props.config.mountPath;
    check.that(mountPath === undefined || (mountPath.startsWith('/') && !['/', '/tmp', '/models', '/dev/shm'].includes(mountPath)), 'config.mountPath', mountPath, 'must be an absolute path other than /, /tmp, /models and /dev/shm', 'mount it at e.g. "/etc/model-config"');
  }
  for (const [key, ref] of Object.entries(props.secrets?.env ?? {})) {
    check.that(ENV_NAME.test(key), `secrets.env["${key}"]`, key, 'is not a valid environment variable name', 'use letters, digits, "_", "-" and "."');
    check.that(!RESERVED_ENV.includes(key) && !(key in (props.env ?? {})), `secrets.env["${key}"]`, key, 'is also set by env or by the ModelService', 'give each variable one source');
    check.that(isDnsSubdomain(ref?.secretName ?? ''), `secrets.env["${key}"].secretName`, ref?.secretName, 'is not a valid Secret name', 'use the name of an existing Secret (lowercase letters, digits, "-", ".")');
    check.that(isConfigKey(ref.key), `secrets.env["${key}"].key`, ref.key, 'is not a valid Secret key', 'use letters, digits, "-", "_" and "."');
  }
  (props.secrets?.envFrom ?? []).forEach((s, i) => check.that(isDnsSubdomain(s), `secrets.envFrom[${i}]`, s, 'is not a valid Secret name', 'use the name of an existing Secret'));
}

/**
 * With `config.asEnv` every key of the ConfigMap becomes a variable through envFrom, and Kubernetes
 * lets a variable of `env` (the service's, the user's, a Secret's) win over it without a word: one
 * name, one source.
 */
function validateConfigAsEnv(check: PropsValidator, props: ModelServiceProps, serverEnv: Readonly<Record<string, string>>): void {
  const env = props.env ?? {};
  for (const key of Object.keys(props.config!.data)) {
    const field = `config.data["${key}"]`;
    check.that(!(key in env), field, key, `is also set by env (${JSON.stringify(env[key])}), which silently wins over config.asEnv`, 'give each variable one source: remove it from env or from config.data');
    check.that(!(key in (props.secrets?.env ?? {})), field, key, 'is also set by secrets.env, which silently wins over config.asEnv', 'give each variable one source: remove it from secrets.env or from config.data');
    check.that(!RESERVED_ENV.includes(key), field, key, 'is set by the ModelService itself, which silently wins over config.asEnv', 'choose another name; the model is in MODEL_DIR (copied from MODEL_URI)');
    check.that(!(key in serverEnv), field, key, `is set by the server preset (${JSON.stringify(serverEnv[key])}), which silently wins over config.asEnv`, 'choose another name, or set it through env, which replaces the preset\'s value');
  }
}

function validateMonitoring(check: PropsValidator, props: ModelServiceProps): void {
  validateAlertThresholds(check, props.monitoring?.alerts, 'monitoring.alerts');
  check.integerInRange('monitoring.scrapeIntervalSeconds', props.monitoring?.scrapeIntervalSeconds, 5, 3600, 'scrape every 5 to 3600 seconds; 30 is usual');
  for (const [key, value] of Object.entries(props.monitoring?.labels ?? {})) {
    check.that(LABEL_KEY.test(key) && typeof value === 'string' && LABEL_VALUE.test(value), `monitoring.labels["${key}"]`, value, 'is not a valid label', 'use a label key with an optional DNS prefix and a value of at most 63 letters, digits, "-", "_" or "."');
  }
}

/**
 * The pools the pod fits (CPU, memory, GPUs and disk, with the mesh sidecar), checked last: it is
 * the most expensive check and its message is the longest.
 */
function planPlacement(check: PropsValidator, props: ModelServiceProps, ctx: PlanContext, pod: ResourcePlan & { readonly diskGiB: number; readonly llm?: LlmPlan }): { candidatePools: readonly NodePoolSpec[]; spot: SpotUse } {
  const spot = props.placement?.spot ?? 'never';
  check.oneOf('placement.spot', spot, ['never', 'allowed', 'preferred'] as const);
  const gpu = pod.gpu;
  // The sidecar and the warmer are scheduled with the server: the pool must hold all three.
  const warmer = props.warmup ? WARMUP_CONTAINER : { cpu: 0, memoryGiB: 0 };
  const placement = placePod({
    cpu: pod.cpu + MESH_SIDECAR.cpu + warmer.cpu,
    memoryGiB: pod.memoryGiB + MESH_SIDECAR.memoryGiB + warmer.memoryGiB,
    ephemeralStorageGiB: pod.diskGiB,
    gpuCount: gpu?.count,
    gpuModel: gpu?.model,
    gpuShare: gpu?.share,
    spot,
    nodePools: props.placement?.nodePools,
    minGpuMemoryMiB: pod.llm?.minGpuMemoryMiB,
    gpuMemoryReason: pod.llm ? `${pod.llm.model.name} needs` : undefined,
  }, ctx.nodePools, ctx.capacity);
  check.that(placement.unknownPools.length === 0, 'placement.nodePools', props.placement?.nodePools, `names ${placement.unknownPools.join(', ')}, which the chart does not have`, `use pools of the chart: ${ctx.nodePools.map((p) => p.name).join(', ')}`);
  if (placement.candidates.length === 0) {
    const gpuText = gpu ? `, ${gpu.count} × ${gpu.model}${gpu.share ? ` ${describeGpuOffer(gpu.share)}` : ''}` : '';
    const podText = `${pod.cpu + MESH_SIDECAR.cpu} vCPU, ${pod.memoryGiB + MESH_SIDECAR.memoryGiB} GiB${gpuText} with the mesh sidecar, ${round2(pod.diskGiB)} GiB of disk with its images, spot ${spot}`;
    check.fail('resources', props.resources, `fit no node pool (pod: ${podText}): ${describeVerdicts(placement.verdicts)}`, 'shrink the pod, allow other pools in placement, or add a node pool that fits to the chart (and the platform)');
  }
  return { candidatePools: placement.candidates, spot };
}

/**
 * Replicas of one track: the service's count, except for the tracks that only ever see a share
 * of the traffic (a canary its weight, a shadow its mirror percentage), which get that share of it.
 * A canary that takes traffic runs at least MIN_SERVING_PODS outside development, so that one
 * eviction does not leave its weighted route without a pod; a shadow (answers discarded) and a
 * canary at weight 0 may run one. Stable tracks, both blue-green colours and both A/B variants keep
 * the full count: each may have to take all the traffic at once. With an autoscaler this is its
 * floor; the ceiling stays the service's, so the track still grows with its load.
 */
export function trackReplicas(rollout: Rollout, track: Track, scaling: ScalingPlan, environment = 'production'): number {
  const count = scaling.kind === 'fixed' ? scaling.replicas : scaling.minReplicas;
  const s = rollout.strategy;
  const canary = s.kind === 'canary' && track.name === 'canary';
  const share = canary ? s.options.weight
    : s.kind === 'shadow' && track.name === 'shadow' ? (s.options.mirrorPercent ?? 100)
      : 100;
  const floor = canary && share > 0 && environment !== 'development' ? MIN_SERVING_PODS : 1;
  return count === 0 ? 0 : Math.min(count, Math.max(floor, Math.ceil((count * share) / 100)));
}

/**
 * Reserves the names of the objects a service will create in its chart, so that two services
 * never emit two objects of one kind and name (service `resnet` with a canary and a service named
 * `resnet-canary` would both emit Deployment `resnet-canary`, and the second would silently win on
 * apply). Throws before anything is created; reserves nothing when it throws.
 */
export function claimObjectNames(chart: object, plan: ModelServicePlan, extra: { readonly configMaps: readonly string[]; readonly gateway?: string; readonly externalHosts?: readonly string[]; readonly verticalPodAutoscalers?: boolean }): void {
  const hosts = extra.externalHosts ?? [];
  const wanted: Array<[string, string, string]> = [
    ['ServiceAccount', plan.serviceAccountName, 'serviceAccount.name'],
    ['Service', plan.name, 'name'],
    ...plan.tracks.map((t): [string, string, string] => ['Deployment', t.deploymentName, 'name']),
    ...extra.configMaps.map((n): [string, string, string] => ['ConfigMap', n, 'name']),
    ...(extra.gateway ? [['Gateway', extra.gateway, 'gateway.name'] as [string, string, string]] : []),
    ...(plan.inferencePool ? inferencePoolObjects(plan.name) : []),
    ...hosts.flatMap((h): Array<[string, string, string]> => [['ServiceEntry', externalServiceName(plan.name, h), 'externalServices'], ['DestinationRule', externalServiceName(plan.name, h), 'externalServices']]),
    ...(extra.verticalPodAutoscalers ? plan.tracks.map((t): [string, string, string] => ['VerticalPodAutoscaler', t.deploymentName, 'name']) : []),
    ...(hosts.length ? [['NetworkPolicy', egressPolicyName(plan.name), 'name'] as [string, string, string]] : []),
  ];
  const check = new PropsValidator(plan.path);
  for (const [kind, name, field] of wanted) {
    const owner = reservedBy(chart, kind, name, plan.path);
    check.that(owner === undefined, field, field === 'name' ? plan.name : name, `gives ${kind} "${name}", which ${owner} already creates in this chart`, field === 'serviceAccount.name' ? 'give each service its own ServiceAccount (the AWS side can grant several the same access)' : 'rename one of the two services');
  }
  reserveNames(chart, plan.path, wanted.map(([kind, name]) => [kind, name]));
}

/** What an InferencePool emits (and Istio deploys for its Gateway), for claimObjectNames. */
function inferencePoolObjects(name: string): Array<[string, string, string]> {
  const n = inferenceRoutingNames(name);
  return [
    ['InferencePool', n.pool, 'name'],
    ['HTTPRoute', n.pool, 'name'],
    ['Gateway', n.gateway, 'name'],
    ['ConfigMap', n.gatewayOptions, 'name'],
    ['Deployment', n.gatewayDeployment, 'name'],
    ...(['Deployment', 'Service', 'ServiceAccount', 'ConfigMap', 'Role'] as const).map((kind): [string, string, string] => [kind, n.picker, 'name']),
  ];
}

/** A GpuShare built by hand (plain JavaScript, JSON config) is checked like one from the factories. */
function validateGpuShare(check: PropsValidator, share: unknown): GpuShare | undefined {
  if (share === undefined) return undefined;
  const s = share as { kind?: unknown; profile?: unknown };
  check.that(s !== null && (s.kind === 'time-slicing' || s.kind === 'mig'), 'resources.gpu.share', share, 'is not a GPU share', "use GpuShare.timeSliced() or GpuShare.mig('1g.10gb')");
  if (s.kind === 'mig') {
    check.that(typeof s.profile === 'string' && MIG_PROFILE_NAME.test(s.profile), 'resources.gpu.share.profile', s.profile, 'is not a MIG profile name', "use the form <compute>g.<memory>gb, e.g. '1g.10gb'");
  }
  return share as GpuShare;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
