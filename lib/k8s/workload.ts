import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { gpuSharingResource } from '../catalog';
import { trackLabels, trackSelector } from './labels';
import { MODEL_CACHE_DIR, SERVER_CONFIG_DIR } from './model-server';
import { ModelServiceProps } from './model-service-props';
import { applyPlacement } from './placement';
import { PodCountOrPercent } from './rollout';
import { ModelServicePlan, PlannedTrack } from './validate-model-service';

export const CONTAINER_NAME = 'model-server';
/** Container port names; the Service's ports target them by name. */
export const PORT_NAMES = { http: 'http', grpc: 'grpc', metrics: 'metrics' } as const;
/** /tmp, /model cache and /dev/shm are writable emptyDirs: the root filesystem is read-only. */
const TMP_SIZE_GIB = 1;
/** Room beyond the model cache in the ephemeral-storage limit: /tmp and container logs. */
const EPHEMERAL_HEADROOM_GIB = 2;

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

/** One track's Deployment: the model server container, its probes, security context and placement. */
export function createTrackDeployment(scope: Construct, plan: ModelServicePlan, track: PlannedTrack, shared: SharedPodParts): kplus.Deployment {
  const server = plan.server;
  const labels = trackLabels(shared.labels, track.name, track.version);
  const podAnnotations: Record<string, string> = {
    // The server fetches its model from S3 as it starts: hold it until the sidecar can carry traffic.
    'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts":true}',
  };
  if (plan.networkBandwidthMbps !== undefined) {
    podAnnotations['kubernetes.io/ingress-bandwidth'] = `${plan.networkBandwidthMbps}M`;
    podAnnotations['kubernetes.io/egress-bandwidth'] = `${plan.networkBandwidthMbps}M`;
  }
  if (shared.configHash) podAnnotations['modelserve.io/config-hash'] = shared.configHash;

  const scaled = plan.scaling.kind !== 'fixed';
  const deployment = new kplus.Deployment(scope, `deployment-${track.name}`, {
    metadata: { name: track.deploymentName, labels, annotations: plan.description ? { 'modelserve.io/description': plan.description } : undefined },
    podMetadata: { labels, annotations: podAnnotations },
    select: false,
    replicas: plan.stopped ? 0 : plan.scaling.kind === 'fixed' ? track.replicas : undefined,
    strategy: deploymentStrategy(plan),
    // A rollout that has not finished when the model could have loaded twice is stuck.
    progressDeadline: Duration.seconds(plan.startupTimeoutSeconds + 300),
    serviceAccount: shared.serviceAccount,
    automountServiceAccountToken: plan.automountServiceAccountToken,
    terminationGracePeriod: Duration.seconds(plan.terminationGracePeriodSeconds),
    securityContext: { ensureNonRoot: true, user: plan.runAsUser, group: plan.runAsUser, fsGroup: plan.runAsUser, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH },
  });
  deployment.select(kplus.LabelSelector.of({ labels: trackSelector(plan.name, track.name) }));
  // KEDA or the HPA owns the replica count; a `replicas` field would fight it on every sync.
  if (scaled && !plan.stopped) deployment.markHasAutoscaler();

  const env: Record<string, kplus.EnvValue> = {
    MODEL_ID: kplus.EnvValue.fromValue(plan.modelId),
    MODEL_VERSION: kplus.EnvValue.fromValue(track.version),
    MODEL_URI: kplus.EnvValue.fromValue(track.modelUri),
    MODEL_CACHE_DIR: kplus.EnvValue.fromValue(MODEL_CACHE_DIR),
    // Python libraries cache under $HOME, which a read-only root filesystem does not allow.
    HOME: kplus.EnvValue.fromValue('/tmp'),
    ...shared.env,
  };
  const ports: kplus.ContainerPort[] = [{ number: server.httpPort, name: PORT_NAMES.http }];
  if (server.grpcPort !== undefined) ports.push({ number: server.grpcPort, name: PORT_NAMES.grpc });
  if (server.metricsPort !== server.httpPort) ports.push({ number: server.metricsPort, name: PORT_NAMES.metrics });

  const startupPeriod = 10;
  const readinessPath = plan.loadBalancer.healthCheck?.path ?? server.readinessPath;
  const readinessPeriod = plan.loadBalancer.healthCheck?.intervalSeconds ?? 10;
  const ephemeral = Size.gibibytes(plan.storageGiB + EPHEMERAL_HEADROOM_GIB);
  const container = deployment.addContainer({
    name: CONTAINER_NAME,
    image: plan.image,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    args: server.args.length ? [...server.args] : undefined,
    ports,
    envVariables: env,
    envFrom: [...(shared.configAsEnv && shared.configMap ? [kplus.Env.fromConfigMap(shared.configMap)] : []), ...shared.envFrom],
    resources: {
      // Limits equal requests: Guaranteed QoS, so a model server is the last thing evicted.
      cpu: { request: kplus.Cpu.units(plan.cpu), limit: kplus.Cpu.units(plan.cpu) },
      memory: { request: Size.gibibytes(plan.memoryGiB), limit: Size.gibibytes(plan.memoryGiB) },
      ephemeralStorage: { request: ephemeral, limit: ephemeral },
    },
    // The startup probe holds the others off until the model is loaded, however long that takes.
    startup: kplus.Probe.fromHttpGet(server.readinessPath, {
      port: server.httpPort,
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
    securityContext: {
      ensureNonRoot: true,
      user: plan.runAsUser,
      group: plan.runAsUser,
      privileged: false,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    },
  });

  container.mount('/tmp', kplus.Volume.fromEmptyDir(deployment, 'tmp', 'tmp', { sizeLimit: Size.gibibytes(TMP_SIZE_GIB) }));
  container.mount(MODEL_CACHE_DIR, kplus.Volume.fromEmptyDir(deployment, 'model-cache', 'model-cache', { sizeLimit: Size.gibibytes(plan.storageGiB) }));
  if (server.sharedMemory) {
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

  // What cdk8s-plus 27 has no API for: seccomp, dropping ALL capabilities, GPUs.
  const api = ApiObject.of(deployment);
  api.addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
  api.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
  api.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }));
  if (plan.gpu) {
    // Extended resources are set as limits; the request defaults to the limit. A Quantity, not a
    // number: cdk8s-plus serializes resources through its typed converter after the patches.
    const resource = gpuSharingResource(plan.gpu.share);
    api.addJsonPatch(JsonPatch.add(`/spec/template/spec/containers/0/resources/limits/${resource.replace('/', '~1')}`, kplus.k8s.Quantity.fromNumber(plan.gpu.count)));
  }
  // cdk8s-plus labels every pod with its construct address; nothing here selects on it, and it
  // would roll the pods whenever the construct tree is refactored.
  api.addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
  applyPlacement(deployment, plan, track);
  return deployment;
}
