import { dirname } from 'node:path';
import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { gpuSharingResource } from '../catalog';
import { trackLabels, trackSelector } from './labels';
import { meshSidecarResourceAnnotations } from './mesh-sidecar';
import { LOADER_CONTAINER_NAME, MODEL_LOADER_ENV, modelLoaderScript } from './model-loader';
import { DEFAULT_WARMUP_IMAGE, WARMED_MARKER, WARMUP_BODIES_DIR, WARMUP_CONTAINER, WARMUP_CONTAINER_NAME, warmupScript } from './model-warmup';
import { MODEL_CACHE_DIR, MODEL_DIR, MODEL_SCRATCH_DIR, SERVER_CONFIG_DIR } from './model-server';
import { ModelServiceProps } from './model-service-props';
import { applyPlacement } from './placement';
import { PodCountOrPercent } from './rollout';
import { LOADER_EPHEMERAL_GIB, serverEphemeralGiB } from './pod-disk';
import { ModelServicePlan, PlannedTrack } from './validate-model-service';

export const CONTAINER_NAME = 'model-server';
/** Container port names; the Service's ports target them by name. */
export const PORT_NAMES = { http: 'http', grpc: 'grpc', metrics: 'metrics' } as const;
/** Karpenter's pod annotation that keeps voluntary disruption off the pod's node (`"true"` or a duration). */
export const KARPENTER_DO_NOT_DISRUPT = 'karpenter.sh/do-not-disrupt';
/** The EKS Pod Identity agent's address (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html). */
export const POD_IDENTITY_AGENT_IP = '169.254.170.23';

/** What every track's pods share: created once per ModelService. */
export interface SharedPodParts {
  readonly serviceAccount: kplus.IServiceAccount;
  readonly configMap?: kplus.ConfigMap;
  readonly configMountPath?: string;
  readonly configAsEnv: boolean;
  readonly serverConfigMap?: kplus.ConfigMap;
  /** Hash of the config contents: a change rolls the pods, which read files at start. */
  readonly configHash?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, kplus.EnvValue>>;
  readonly envFrom: readonly kplus.EnvFrom[];
  /** The warm-up requests' bodies, when warmup sends any. */
  readonly warmupConfigMap?: kplus.ConfigMap;
}

/** Builds the env values that come from props (plain values and Secret references), once. */
export function userEnv(scope: Construct, props: ModelServiceProps): { env: Record<string, kplus.EnvValue>; envFrom: kplus.EnvFrom[] } {
  const env: Record<string, kplus.EnvValue> = {};
  for (const [key, value] of Object.entries(props.env ?? {})) env[key] = kplus.EnvValue.fromValue(value);
  const secrets = new Map<string, kplus.ISecret>();
  const secret = (name: string) => {
    let s = secrets.get(name);
    if (!s) {
      s = kplus.Secret.fromSecretName(scope, `secret-${name}`, name);
      secrets.set(name, s);
    }
    return s;
  };
  for (const [key, ref] of Object.entries(props.secrets?.env ?? {})) {
    env[key] = kplus.EnvValue.fromSecretValue({ secret: secret(ref.secretName), key: ref.key }, { optional: false });
  }
  const envFrom = (props.secrets?.envFrom ?? []).map((name) => kplus.Env.fromSecret(secret(name)));
  return { env, envFrom };
}

function percentOrAbsolute(value: PodCountOrPercent): kplus.PercentOrAbsolute {
  return typeof value === 'number' ? kplus.PercentOrAbsolute.absolute(value) : kplus.PercentOrAbsolute.percent(Number(value.slice(0, -1)));
}

function deploymentStrategy(plan: ModelServicePlan): kplus.DeploymentStrategy {
  const s = plan.rollout.strategy;
  if (s.kind === 'recreate') return kplus.DeploymentStrategy.recreate();
  const options = s.kind === 'rolling-update' ? s.options : {};
  return kplus.DeploymentStrategy.rollingUpdate({
    maxSurge: percentOrAbsolute(options.maxSurge ?? '25%'),
    maxUnavailable: percentOrAbsolute(options.maxUnavailable ?? 0),
  });
}

/**
 * The pod annotations every track sets:
 * - the Istio sidecar as a native sidecar (an init container that keeps running), so that the
 *   loader, an init container after it, has the mesh's network: with Istio's CNI plugin an init
 *   container that runs before the proxy has its traffic redirected to nothing
 *   (https://istio.io/latest/docs/setup/additional-setup/cni/#compatibility-with-application-init-containers);
 * - the Pod Identity agent outside the proxy's capture, so credentials never depend on the mesh's
 *   outbound policy;
 * - Pod Identity's credentials kept out of the model server (the amazon-eks-pod-identity-webhook's
 *   `eks.amazonaws.com/skip-containers`): only the loader needs them, unless a custom server
 *   calls AWS itself (`awsCredentials`);
 * - the sidecar's requests and limits, which placement counts (MESH_SIDECAR);
 * - for a language model, Karpenter's `do-not-disrupt` for as long as the pod may take to copy
 *   and load its weights, counted from the pod's start (Karpenter 1.12+ reads a duration): no
 *   consolidation or drift takes its node meanwhile, and once loaded the pod is an ordinary one
 *   again, so nodes still drain for AMI updates (https://karpenter.sh/docs/concepts/disruption/#pod-level-controls).
 */
function podAnnotations(plan: ModelServicePlan, configHash?: string): Record<string, string> {
  const annotations: Record<string, string> = {
    'sidecar.istio.io/nativeSidecar': 'true',
    'traffic.sidecar.istio.io/excludeOutboundIPRanges': `${POD_IDENTITY_AGENT_IP}/32`,
    ...(plan.server.awsCredentials ? {} : { 'eks.amazonaws.com/skip-containers': CONTAINER_NAME }),
    ...meshSidecarResourceAnnotations(),
  };
  if (plan.networkBandwidthMbps !== undefined) {
    annotations['kubernetes.io/ingress-bandwidth'] = `${plan.networkBandwidthMbps}M`;
    annotations['kubernetes.io/egress-bandwidth'] = `${plan.networkBandwidthMbps}M`;
  }
  if (configHash) annotations['modelserve.io/config-hash'] = configHash;
  if (plan.loadingSeconds !== undefined) annotations[KARPENTER_DO_NOT_DISRUPT] = `${plan.loadingSeconds}s`;
  return annotations;
}

/** Where the model is, for the loader and the server alike: one track's version. */
function modelEnv(plan: ModelServicePlan, track: PlannedTrack): Record<string, kplus.EnvValue> {
  return {
    MODEL_ID: kplus.EnvValue.fromValue(plan.modelId),
    MODEL_VERSION: kplus.EnvValue.fromValue(track.version),
    MODEL_URI: kplus.EnvValue.fromValue(track.modelUri),
    MODEL_CACHE_DIR: kplus.EnvValue.fromValue(MODEL_CACHE_DIR),
    MODEL_DIR: kplus.EnvValue.fromValue(MODEL_DIR),
  };
}

/** Requests equal limits for CPU, memory and ephemeral storage. */
function fixedResources(cpu: number, memoryGiB: number, ephemeralGiB: number): kplus.ContainerResources {
  const memory = Size.mebibytes(Math.round(memoryGiB * 1024));
  // cdk8s-plus writes ephemeral storage in whole Gi.
  const ephemeral = Size.gibibytes(Math.ceil(ephemeralGiB));
  return {
    cpu: { request: kplus.Cpu.units(cpu), limit: kplus.Cpu.units(cpu) },
    memory: { request: memory, limit: memory },
    ephemeralStorage: { request: ephemeral, limit: ephemeral },
  };
}

const RESTRICTED_CONTAINER = (plan: ModelServicePlan): kplus.ContainerSecurityContextProps => ({
  ensureNonRoot: true,
  user: plan.runAsUser,
  group: plan.runAsUser,
  privileged: false,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
});

/** One track's Deployment: the loader, the model server container, probes, security context and placement. */
export function createTrackDeployment(scope: Construct, plan: ModelServicePlan, track: PlannedTrack, shared: SharedPodParts): kplus.Deployment {
  const labels = trackLabels(shared.labels, track.name, track.version);
  const scaled = plan.scaling.kind !== 'fixed';
  const progressive = plan.rollout.kind === 'progressive';
  const deployment = new kplus.Deployment(scope, `deployment-${track.name}`, {
    metadata: { name: track.deploymentName, labels, annotations: plan.description ? { 'modelserve.io/description': plan.description } : undefined },
    podMetadata: { labels, annotations: podAnnotations(plan, shared.configHash) },
    select: false,
    // Progressive: Argo Rollouts scales the Deployment down as the Rollout's pods come up
    // (workloadRef.scaleDown), so Git holds no count that a sync would restore.
    replicas: plan.stopped ? 0 : progressive ? undefined : plan.scaling.kind === 'fixed' ? track.replicas : undefined,
    strategy: deploymentStrategy(plan),
    progressDeadline: Duration.seconds(plan.progressDeadlineSeconds),
    serviceAccount: shared.serviceAccount,
    automountServiceAccountToken: plan.automountServiceAccountToken,
    terminationGracePeriod: Duration.seconds(plan.terminationGracePeriodSeconds),
    securityContext: {
      ensureNonRoot: true,
      user: plan.runAsUser,
      group: plan.runAsUser,
      fsGroup: plan.runAsUser,
      fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
    },
  });
  deployment.select(kplus.LabelSelector.of({ labels: trackSelector(plan.name, track.name) }));
  // KEDA or the HPA owns the replica count; a `replicas` field would fight it on every sync.
  if ((scaled || progressive) && !plan.stopped) deployment.markHasAutoscaler();

  const tmp = kplus.Volume.fromEmptyDir(deployment, 'tmp', 'tmp', { sizeLimit: Size.gibibytes(plan.server.tmpGiB) });
  const cache = kplus.Volume.fromEmptyDir(deployment, 'model-cache', 'model-cache', { sizeLimit: Size.gibibytes(plan.storageGiB) });
  addModelLoader(deployment, plan, track, { tmp, cache });
  const container = addModelServer(deployment, plan, track, shared);
  container.mount('/tmp', tmp);
  container.mount(MODEL_CACHE_DIR, cache);
  mountServerVolumes(deployment, container, plan, shared);
  if (plan.warmup) addModelWarmer(deployment, plan, shared.warmupConfigMap);
  patchPodSpec(deployment, plan);
  applyPlacement(deployment, plan, track);
  return deployment;
}

/** The init container that fills MODEL_DIR from S3 (see ModelLoader); the only one with AWS credentials. */
function addModelLoader(
  deployment: kplus.Deployment,
  plan: ModelServicePlan,
  track: PlannedTrack,
  volumes: { tmp: kplus.Volume; cache: kplus.Volume },
): void {
  const env: Record<string, kplus.EnvValue> = { ...modelEnv(plan, track), MODEL_SCRATCH_DIR: kplus.EnvValue.fromValue(MODEL_SCRATCH_DIR) };
  for (const [key, value] of Object.entries(MODEL_LOADER_ENV)) env[key] = kplus.EnvValue.fromValue(value);
  const loader = deployment.addInitContainer({
    name: LOADER_CONTAINER_NAME,
    image: plan.loader.image,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    command: ['/bin/sh', '-c', modelLoaderScript(plan.loader.allowEmpty, plan.llm !== undefined)],
    envVariables: env,
    // Within the server's own requests, so the pod's effective request stays the server's. A
    // language model's loader gets more: the CRT client keeps many ranged GETs in flight.
    resources: fixedResources(Math.min(plan.cpu, plan.llm ? 4 : 1), Math.min(plan.memoryGiB, plan.llm ? 4 : 1), LOADER_EPHEMERAL_GIB),
    securityContext: RESTRICTED_CONTAINER(plan),
  });
  loader.mount('/tmp', volumes.tmp);
  loader.mount(MODEL_CACHE_DIR, volumes.cache);
}

function addModelServer(deployment: kplus.Deployment, plan: ModelServicePlan, track: PlannedTrack, shared: SharedPodParts): kplus.Container {
  const server = plan.server;
  const env: Record<string, kplus.EnvValue> = {
    ...modelEnv(plan, track),
    // Python libraries cache under $HOME, which a read-only root filesystem does not allow.
    HOME: kplus.EnvValue.fromValue('/tmp'),
    // Pod Identity or nothing (the loader copied the model): never wait on IMDS, which pods cannot reach.
    AWS_EC2_METADATA_DISABLED: kplus.EnvValue.fromValue('true'),
  };
  for (const [key, value] of Object.entries(server.env)) env[key] = kplus.EnvValue.fromValue(value);
  Object.assign(env, shared.env);
  const ports: kplus.ContainerPort[] = [{ number: server.httpPort, name: PORT_NAMES.http }];
  if (server.grpcPort !== undefined) ports.push({ number: server.grpcPort, name: PORT_NAMES.grpc });
  if (server.metricsPort !== server.httpPort) ports.push({ number: server.metricsPort, name: PORT_NAMES.metrics });

  const startupPeriod = 10;
  const readinessPath = plan.loadBalancer.healthCheck?.path ?? server.readinessPath;
  const readinessPeriod = plan.loadBalancer.healthCheck?.intervalSeconds ?? 10;
  const startup = server.startupProbe ?? { path: server.readinessPath, port: server.httpPort };
  return deployment.addContainer({
    name: CONTAINER_NAME,
    image: plan.image,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    command: server.command ? [...server.command] : undefined,
    args: server.args.length ? [...server.args] : undefined,
    ports,
    envVariables: env,
    envFrom: [...(shared.configAsEnv && shared.configMap ? [kplus.Env.fromConfigMap(shared.configMap)] : []), ...shared.envFrom],
    // Limits equal requests for the server (the sidecar bursts: see MESH_SIDECAR).
    resources: fixedResources(plan.cpu, plan.memoryGiB, serverEphemeralGiB(plan.storageGiB, server.tmpGiB)),
    // The startup probe holds the others off until the model is loaded, however long that takes.
    startup: kplus.Probe.fromHttpGet(startup.path, {
      port: startup.port,
      periodSeconds: Duration.seconds(startupPeriod),
      failureThreshold: Math.ceil(plan.startupTimeoutSeconds / startupPeriod),
      timeoutSeconds: Duration.seconds(5),
    }),
    readiness: kplus.Probe.fromHttpGet(readinessPath, {
      port: server.httpPort,
      periodSeconds: Duration.seconds(readinessPeriod),
      failureThreshold: 3,
      timeoutSeconds: Duration.seconds(Math.min(5, readinessPeriod)),
    }),
    liveness: kplus.Probe.fromHttpGet(server.livenessPath, {
      port: server.httpPort,
      periodSeconds: Duration.seconds(15),
      failureThreshold: 4,
      timeoutSeconds: Duration.seconds(5),
    }),
    // Keep the pod serving while endpoints and the mesh stop routing to it. Not the native
    // `sleep` action (Kubernetes 1.30+): cdk8s-plus 27 serializes through 1.27 types and drops it.
    lifecycle: plan.drainSeconds > 0 ? { preStop: kplus.Handler.fromCommand(['sleep', String(plan.drainSeconds)]) } : undefined,
    securityContext: RESTRICTED_CONTAINER(plan),
  });
}

function mountServerVolumes(deployment: kplus.Deployment, container: kplus.Container, plan: ModelServicePlan, shared: SharedPodParts): void {
  if (plan.server.sharedMemory) {
    // Counted against the memory limit; a quarter of it is what PyTorch data loaders and Triton's
    // Python backend typically need.
    const shm = Math.max(1, Math.floor(plan.memoryGiB / 4));
    container.mount('/dev/shm', kplus.Volume.fromEmptyDir(deployment, 'shm', 'dshm', { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: Size.gibibytes(shm) }));
  }
  if (shared.configMap && shared.configMountPath) {
    container.mount(shared.configMountPath, kplus.Volume.fromConfigMap(deployment, 'config', shared.configMap, { name: 'config' }), { readOnly: true });
  }
  if (shared.serverConfigMap) {
    container.mount(SERVER_CONFIG_DIR, kplus.Volume.fromConfigMap(deployment, 'server-config', shared.serverConfigMap, { name: 'server-config' }), { readOnly: true });
  }
}

/**
 * The warmer (see WarmupOptions): ready only once the warm-up requests were answered, which holds
 * the whole pod out of the Service's endpoints until then.
 */
function addModelWarmer(deployment: kplus.Deployment, plan: ModelServicePlan, bodies?: kplus.ConfigMap): void {
  const warmup = plan.warmup!;
  const memory = Size.mebibytes(Math.round(WARMUP_CONTAINER.memoryGiB * 1024));
  const warmer = deployment.addContainer({
    name: WARMUP_CONTAINER_NAME,
    image: warmup.image ?? DEFAULT_WARMUP_IMAGE,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    command: ['/bin/sh', '-c', warmupScript(warmup, { port: plan.server.httpPort, readinessPath: plan.loadBalancer.healthCheck?.path ?? plan.server.readinessPath })],
    resources: {
      cpu: { request: kplus.Cpu.units(WARMUP_CONTAINER.cpu), limit: kplus.Cpu.units(WARMUP_CONTAINER.cpu) },
      memory: { request: memory, limit: memory },
    },
    readiness: kplus.Probe.fromCommand(['test', '-f', WARMED_MARKER], { periodSeconds: Duration.seconds(5), failureThreshold: 1, timeoutSeconds: Duration.seconds(2) }),
    securityContext: RESTRICTED_CONTAINER(plan),
  });
  warmer.mount(dirname(WARMED_MARKER), kplus.Volume.fromEmptyDir(deployment, 'warmup-state', 'warmup-state', { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: Size.mebibytes(1) }));
  if (bodies) warmer.mount(WARMUP_BODIES_DIR, kplus.Volume.fromConfigMap(deployment, 'warmup-bodies', bodies, { name: 'warmup-bodies' }), { readOnly: true });
}

/** What cdk8s-plus 27 has no API for: seccomp, dropping ALL capabilities, GPUs. */
function patchPodSpec(deployment: kplus.Deployment, plan: ModelServicePlan): void {
  const api = ApiObject.of(deployment);
  api.addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
  for (const container of ['initContainers/0', 'containers/0', ...(plan.warmup ? ['containers/1'] : [])]) {
    api.addJsonPatch(JsonPatch.add(`/spec/template/spec/${container}/securityContext/seccompProfile`, { type: 'RuntimeDefault' }));
    api.addJsonPatch(JsonPatch.add(`/spec/template/spec/${container}/securityContext/capabilities`, { drop: ['ALL'] }));
  }
  if (plan.gpu) {
    // Extended resources are set as limits; the request defaults to the limit. A Quantity, not a
    // number: cdk8s-plus serializes resources through its typed converter after the patches.
    const resource = gpuSharingResource(plan.gpu.share);
    api.addJsonPatch(JsonPatch.add(`/spec/template/spec/containers/0/resources/limits/${resource.replace('/', '~1')}`, kplus.k8s.Quantity.fromNumber(plan.gpu.count)));
  }
  // cdk8s-plus 27 has no API for it.
  if (plan.priorityClassName) api.addJsonPatch(JsonPatch.add('/spec/template/spec/priorityClassName', plan.priorityClassName));
  // cdk8s-plus labels every pod with its construct address; nothing here selects on it, and it
  // would roll the pods whenever the construct tree is refactored.
  api.addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
}
