import {
  DNS_1035_LABEL,
  DNS_1035_LABEL_RULE,
  EnvironmentName,
  isDnsSubdomain,
  isLabelValue,
  LABEL_KEY,
  LABEL_VALUE,
  LABEL_VALUE_RULE,
  PropsValidator,
} from '../catalog';
import { CostAllocation } from './labels';
import { validateDescription } from './description';
import { MESH_SIDECAR } from './mesh-sidecar';
import { validateWarmup } from './model-warmup';
import { priorityClassName, SERVING_PRIORITIES } from './priority-classes';
import { ModelServerSpec } from './model-server';
import { ModelServicePlan, PlanContext } from './model-service-plan';
import { ModelServiceProps } from './model-service-props';
import { validateAlertThresholds } from './monitoring/alert-thresholds';
import { planScaling, ScalingPlan } from './plan-scaling';
import { InferencePoolOptions, validateInferencePoolOptions } from './inference/inference-pool-options';
import { inferenceRoutingNames } from './inference/inference-routing';
import { LlmPlan, llmResourceDefaults, planLlm, planLoading } from './plan-llm';
import { planModel } from './plan-model';
import { planPlacement } from './plan-placement';
import { planResources } from './plan-resources';
import { checkProgressiveRollout, planRollout, planTracks } from './plan-rollout';
import { planRuntime } from './plan-runtime';
import { planServer, ServerPlan } from './plan-server';
import { requireVllmVersion, vllmMetricNames, vllmOptionsOf, vllmVersion } from './vllm-engine';
import { LOADER_IMAGE_GIB, podDiskGiB } from './pod-disk';
import { reservedBy, reserveNames } from './reserved-names';
import { progressDeadlineSeconds } from './rollout-deadline';
import { Rollout } from './rollout';
import { egressPolicyName, externalServiceName, validateExternalServices } from './external-services';
import { validateFaults } from './traffic/fault-injection';
import {
  DEFAULT_REQUEST_TIMEOUT_SECONDS,
  isPlainUrlPath,
  resolveLoadBalancer,
  ResolvedLoadBalancer,
  validateLoadBalancer,
  validateRateLimitAgainstScaling,
  validateTrafficOptions,
} from './traffic';
import { validateStickyWithRollout } from './traffic/sticky-sessions';
import { validateEnvironment } from './validate-environment';

// The sidecar's requests: the scheduler counts them, so placement does too.
export { MESH_SIDECAR } from './mesh-sidecar';
// Where it has always been imported from (model services, the AWS side's tests).
export { DEFAULT_PROMETHEUS_URL } from './prometheus-endpoint';

export type { ScalingPlan } from './plan-scaling';
export type { ModelServicePlan, PlanContext, PlannedTrack } from './model-service-plan';

/**
 * Checks the props and applies every default, before any object exists. Throws a ValidationError
 * (`<path>: <field> (<value>) <problem>; <fix>`) on the first problem. The planners run in the
 * order the messages have always come in: a service with two problems reports the same one.
 */
export function planModelService(props: ModelServiceProps, ctx: PlanContext): ModelServicePlan {
  const check: PropsValidator = new PropsValidator(ctx.path);
  const name = planName(check, props, ctx.id);
  const { model, uriTemplate } = planModel(check, props, ctx);
  const serverPlan = planServer(check, props, { modelId: model.id, environment: ctx.environment, preset: ctx.preset });
  const { image, imageSizeGiB, loader } = serverPlan;
  const resources = planResources(check, props, ctx, llmResourceDefaults(props.server));
  const { llm, vllm, server } = planEngine(check, props, ctx, serverPlan, resources.gpu);
  const rollout = planRollout(check, props, model.version);
  // Scaling first: each track's size derives from it.
  const plannedScaling = planScaling(check, props, { ...ctx, vllmMetrics: vllm?.metrics }, server);
  checkProgressiveRollout(check, rollout, { name, image, vllm, scaling: plannedScaling });
  const trackInputs = { name, modelVersion: model.version, uriTemplate, rollout, scaling: plannedScaling, environment: ctx.environment };
  const tracks = planTracks(check, trackInputs);
  const inferencePool = planInferencePool(check, props, { name, server: server.name, rollout, vllm, image, ctx });
  const loadBalancer = planLoadBalancer(check, props, rollout, model.version);
  const runtime = planRuntime(check, props, resources.gpu !== undefined);
  validateServingOptions(check, props, { name, environment: ctx.environment, rollout, scaling: plannedScaling, metricsPath: server.metricsPath });
  validateEnvironment(check, props, server.env);
  const serviceAccountName = planServiceAccountName(check, props, name);
  validateMonitoring(check, props);
  const { cost, priorityClassName } = planCostAndPriority(check, props, ctx);
  const diskGiB = podDiskGiB(resources.storageGiB, server.tmpGiB, imageSizeGiB);
  const { candidatePools, spot } = planPlacement(check, props, ctx, { ...resources, diskGiB, llm });
  const startup = { llm, candidatePools, capacity: ctx.capacity, startupTimeoutSeconds: runtime.startupTimeoutSeconds, scaling: plannedScaling };
  const { loading, startupTimeoutSeconds, scaling } = planLoading(check, props, startup);
  const imagesGiB = imageSizeGiB + LOADER_IMAGE_GIB + MESH_SIDECAR.imageGiB;
  const { storageGiB } = resources;
  const copySeconds = loading?.copySeconds;
  const deadline = progressDeadlineSeconds({ pools: candidatePools, imagesGiB, storageGiB, startupTimeoutSeconds, copySeconds });
  return {
    path: ctx.path, name, namespace: ctx.namespace, description: props.description,
    modelId: model.id, modelVersion: model.version, image, imageSizeGiB, server, loader, rollout, tracks,
    ...resources,
    scaling, loadBalancer, candidatePools, spot, stopped: props.stopped ?? false,
    ...runtime, startupTimeoutSeconds, progressDeadlineSeconds: deadline,
    requestTimeoutSeconds: props.requestTimeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS,
    serviceAccountName, automountServiceAccountToken: props.serviceAccount?.automountToken ?? false,
    environment: ctx.environment, production: ctx.environment === 'production',
    llm, vllm, loadingSeconds: loading?.loadingSeconds, inferencePool, cost, priorityClassName, warmup: props.warmup,
  };
}

/** The service's name (the construct id unless given: a DNS-1035 label, as the Service's) and its description. */
function planName(check: PropsValidator, props: ModelServiceProps, id: string): string {
  check.that(typeof props === 'object' && props !== null, 'props', props, 'are missing', 'pass { model, resources }');
  const name = props.name ?? id;
  check.matches('name', name, DNS_1035_LABEL, DNS_1035_LABEL_RULE);
  if (props.description !== undefined) check.that(typeof props.description === 'string', 'description', props.description, 'is not a string', 'describe the model in words');
  validateDescription(check, props.description);
  return name;
}

/** The load balancer's options, checked against the rollout (sticky sessions across versions), with defaults. */
function planLoadBalancer(check: PropsValidator, props: ModelServiceProps, rollout: Rollout, modelVersion: string): ResolvedLoadBalancer {
  validateLoadBalancer(check, props.loadBalancer, 'loadBalancer');
  validateStickyWithRollout(check, props.loadBalancer, rollout, modelVersion);
  return resolveLoadBalancer(props.loadBalancer);
}

/**
 * What surrounds the pods, checked: the mesh's timeouts, retries, circuit breaker, gateway and auth,
 * external services, the warm-up, recommendations, fault injection, and a rate limit the scaling
 * can serve. With auth the metrics path must be one the AuthorizationPolicy can keep open.
 */
function validateServingOptions(
  check: PropsValidator,
  props: ModelServiceProps,
  p: { name: string; environment: string; rollout: Rollout; scaling: ScalingPlan; metricsPath: string },
): void {
  validateTrafficOptions(check, props, '');
  validateExternalServices(check, props.externalServices, p.name);
  validateWarmup(check, props.warmup);
  check.that(props.resourceRecommendations === undefined || typeof props.resourceRecommendations === 'boolean', 'resourceRecommendations', props.resourceRecommendations, 'is not true or false', 'set resourceRecommendations: true for a recommendation-only VerticalPodAutoscaler, or leave it out');
  validateFaults(check, props.faults, { field: 'faults', production: p.environment === 'production', progressive: p.rollout.kind === 'progressive' });
  validateRateLimitAgainstScaling(check, props.rateLimit, p.scaling.kind === 'fixed' ? undefined : p.scaling.requestsPerSecond);
  if (props.auth !== undefined) {
    check.that(isPlainUrlPath(p.metricsPath), 'server.metricsPath', p.metricsPath, 'holds spaces, "?", "#" or "*", so the AuthorizationPolicy of auth cannot keep it open to Prometheus', 'give the plain path the server exposes metrics on, e.g. "/metrics"');
  }
}

/** The pods' ServiceAccount: the service's name unless given. */
function planServiceAccountName(check: PropsValidator, props: ModelServiceProps, name: string): string {
  const serviceAccountName = props.serviceAccount?.name ?? name;
  check.that(isDnsSubdomain(serviceAccountName), 'serviceAccount.name', serviceAccountName, 'is not a valid ServiceAccount name', 'use lowercase letters, digits, "-" and "."');
  return serviceAccountName;
}

/** The team that pays (the service's, else the chart's) and the pods' PriorityClass. */
function planCostAndPriority(
  check: PropsValidator,
  props: ModelServiceProps,
  ctx: PlanContext,
): { cost: CostAllocation; priorityClassName?: string } {
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

/**
 * The InferencePool's options when asked for: a vLLM server of 0.10 or later (the picker reads
 * `vllm:kv_cache_usage_perc`), a rollout it can carry.
 */
function planInferencePool(
  check: PropsValidator,
  props: ModelServiceProps,
  p: { name: string; server: string; rollout: Rollout; vllm?: ModelServicePlan['vllm']; image: string; ctx: PlanContext },
): InferencePoolOptions | undefined {
  const options = props.inferencePool;
  if (options === undefined || options === false) return undefined;
  const { environment, preset } = p.ctx;
  validateInferencePoolOptions(check, options, { server: p.server, rollout: p.rollout, environment, preset, name: p.name });
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

function validateMonitoring(check: PropsValidator, props: ModelServiceProps): void {
  validateAlertThresholds(check, props.monitoring?.alerts, 'monitoring.alerts');
  check.integerInRange('monitoring.scrapeIntervalSeconds', props.monitoring?.scrapeIntervalSeconds, 5, 3600, 'scrape every 5 to 3600 seconds; 30 is usual');
  for (const [key, value] of Object.entries(props.monitoring?.labels ?? {})) {
    check.that(LABEL_KEY.test(key) && typeof value === 'string' && LABEL_VALUE.test(value), `monitoring.labels["${key}"]`, value, 'is not a valid label', 'use a label key with an optional DNS prefix and a value of at most 63 letters, digits, "-", "_" or "."');
  }
}

/**
 * Reserves the names of the objects a service will create in its chart, so that two services
 * never emit two objects of one kind and name (service `resnet` with a canary and a service named
 * `resnet-canary` would both emit Deployment `resnet-canary`, and the second would silently win on
 * apply). Throws before anything is created; reserves nothing when it throws.
 */
export function claimObjectNames(
  chart: object,
  plan: ModelServicePlan,
  extra: {
    readonly configMaps: readonly string[];
    readonly gateway?: string;
    readonly externalHosts?: readonly string[];
    readonly verticalPodAutoscalers?: boolean;
  },
): void {
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

