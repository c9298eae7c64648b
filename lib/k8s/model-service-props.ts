import { GpuModel, GpuShare } from '../catalog';
import { ModelLoaderOptions } from './model-loader';
import { ModelServer } from './model-server';
import { InferencePoolOptions } from './inference/inference-pool-options';
import { AlertThresholds } from './monitoring/alert-thresholds';
import { ExternalServiceOptions } from './external-services';
import { WarmupOptions } from './model-warmup';
import { ServingPriority } from './priority-classes';
import { Rollout } from './rollout';
import { LoadBalancerOptions, TrafficOptions } from './traffic';

/** The model a ModelService serves. */
export interface ModelReference {
  /** Model registry id, e.g. `model_abc123`; becomes the `modelserve.io/model-id` label. */
  readonly id: string;
  /** Version that the stable (or blue, or A) track serves, e.g. `1.0.0`. */
  readonly version: string;
  /**
   * Where the model's artefacts are (`s3://...`). `{version}` in it is replaced by each track's
   * version, so that a canary loads the new artefacts.
   * @default `<chart's modelStoreUri>/<id>/{version}/` - an error when the chart names no model store
   */
  readonly uri?: string;
}

export interface GpuRequest {
  /**
   * GPUs per pod; with `share`, MIG instances per pod (a time-sliced pod takes exactly 1 slot).
   * @default - a vLLM server with a model: its tensorParallelSize; required otherwise
   */
  readonly count?: number;
  /** The GPU model; the pod is placed on a node pool of that model only. */
  readonly model: GpuModel;
  /**
   * A share of a GPU instead of whole GPUs: `GpuShare.timeSliced()` (a slot of a GPU other pods
   * use too) or `GpuShare.mig('1g.10gb')` (an isolated MIG instance). The pod is placed only on
   * pools whose `sharing` offers exactly that share.
   * @default - whole GPUs
   */
  readonly share?: GpuShare;
}

/** What one pod (one replica) gets. Requests equal limits for memory and GPUs. */
export interface ModelResources {
  /** CPU cores requested per pod (fractions allowed: 0.5). The limit is the same. */
  readonly cpu: number;
  /** Memory per pod, GiB: request and limit, so a pod is never OOM-killed for a neighbour's use. */
  readonly memoryGiB: number;
  /**
   * GPUs per pod.
   * @default - no GPU: the pod runs on CPU node pools only
   */
  readonly gpu?: GpuRequest;
  /**
   * Local disk for the model cache, GiB: an emptyDir of this size at /models, which the loader
   * fills before the server starts. The container's ephemeral-storage request and limit are this
   * plus the server's /tmp (1 GiB, 4 for vLLM) and 1 GiB of logs, and the placement proof checks
   * that, with the images, it fits a node's disk (the NVMe instance store where Karpenter stripes it).
   * @default 20, or a language model's weights plus a tenth and 2 GiB
   */
  readonly storageGiB?: number;
  /**
   * Cap on the pod's network bandwidth, Mbit/s each way (bandwidth CNI plugin annotations).
   * @default - no cap
   */
  readonly networkBandwidthMbps?: number;
}

/**
 * A time window with more replicas (KEDA's cron scaler): from `start` to `end` the service runs
 * at least `minReplicas`; the metric triggers may add more, up to maxReplicas (the HPA that KEDA
 * drives takes the highest of its metrics). Outside every window the floor is the service's
 * minReplicas. Start and end must take turns (see windowProblem): a window that never ends, or
 * opens twice before it closes, is refused.
 */
export interface ScalingWindow {
  /**
   * Name of the window: the KEDA trigger's name. A DNS label.
   * @default `schedule-<position, from 1>`
   */
  readonly name?: string;
  /** When the window opens: a cron expression (minute hour day-of-month month day-of-week), e.g. `0 8 * * 1-5`. */
  readonly start: string;
  /** When the window closes, in the same form, e.g. `0 19 * * 1-5`. */
  readonly end: string;
  /**
   * IANA time zone the expressions are read in, spelt as the tz database does (`Europe/Berlin`).
   * @default 'UTC'
   */
  readonly timeZone?: string;
  /**
   * Fewest replicas per track while the window is open (KEDA's `desiredReplicas`); more than the
   * service's minReplicas and at most its maxReplicas. A canary or shadow track gets its share.
   */
  readonly minReplicas: number;
}

export interface AutoscalingOptions {
  /**
   * Fewest replicas per track. 0 only with scaleToZero.
   * @default 2 (1 in development)
   */
  readonly minReplicas?: number;
  /**
   * Most replicas per track.
   * @default 10
   */
  readonly maxReplicas?: number;
  /**
   * Average CPU use, % of the request, to keep the pods at.
   * @default 70 when no other target is given; otherwise no CPU target
   */
  readonly targetCpuUtilization?: number;
  /**
   * Average memory use, % of the request.
   * @default - no memory target
   */
  readonly targetMemoryUtilization?: number;
  /**
   * Average GPU utilisation (DCGM `DCGM_FI_DEV_GPU_UTIL`), %. Scales through KEDA.
   * @default - no GPU target
   */
  readonly targetGpuUtilization?: number;
  /**
   * Requests per second per replica (Istio `istio_requests_total`). Scales through KEDA.
   * @default - no request-rate target
   */
  readonly requestsPerSecond?: number;
  /**
   * Requests waiting inside the server per replica (the preset's queue metric). Scales through KEDA.
   * @default - no queue target
   */
  readonly queueLength?: number;
  /**
   * Average KV-cache use per replica, percent, of a vLLM server (`vllm:kv_cache_usage_perc`, or
   * `vllm:gpu_cache_usage_perc` before vLLM 0.10: chosen by the version). Scales through KEDA
   * before requests queue: a full KV cache is what makes vLLM queue and preempt.
   * @default - no KV-cache target
   */
  readonly targetKvCacheUtilization?: number;
  /**
   * Scale to no pods when idle (KEDA `minReplicaCount: 0`). Needs a GPU, request-rate or queue
   * target: CPU and memory cannot wake a Deployment that has no pods.
   * @default false
   */
  readonly scaleToZero?: boolean;
  /**
   * How long the load must stay low before pods are removed. Model servers load slowly, so the
   * default is generous; a language model's is at least the time a new pod takes to copy and
   * load its weights (a pod removed too early costs that time to bring back).
   * @default 300, or a language model's loading time (copy and startup budget) when longer, at most 3600
   */
  readonly scaleDownStabilizationSeconds?: number;
  /**
   * Prometheus that KEDA queries for GPU, request-rate and queue targets.
   * @default 'http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090' - the platform's Prometheus, one replica per client (session affinity)
   */
  readonly prometheusUrl?: string;
  /**
   * Time windows with a higher floor, e.g. business hours: keep minReplicas low for the quiet
   * hours and raise the floor before the known peak. Scales through KEDA (a cron trigger beside
   * the metric triggers; CPU and memory targets become KEDA's cpu and memory triggers).
   * @default - no windows: the floor is minReplicas at all times
   */
  readonly schedule?: readonly ScalingWindow[];
}

/** A value of an existing Secret, by name and key. */
export interface SecretKeyReference {
  readonly secretName: string;
  readonly key: string;
}

export interface SecretsOptions {
  /**
   * Environment variables read from keys of existing Secrets.
   * @default - none
   */
  readonly env?: Readonly<Record<string, SecretKeyReference>>;
  /**
   * Existing Secrets whose every key becomes an environment variable.
   * @default - none
   */
  readonly envFrom?: readonly string[];
}

export interface ConfigOptions {
  /** File name (or variable name, with `asEnv`) → content. Becomes the ConfigMap `<name>-config`. */
  readonly data: Readonly<Record<string, string>>;
  /**
   * Where the files are mounted, read-only. `undefined` with `asEnv` mounts nothing.
   * @default '/etc/model-config'
   */
  readonly mountPath?: string;
  /**
   * Also expose every key as an environment variable (envFrom).
   * @default false
   */
  readonly asEnv?: boolean;
}

export interface MonitoringOptions {
  /**
   * When the service's alerts fire; give only the thresholds to change.
   * @default - DEFAULT_ALERT_THRESHOLDS
   */
  readonly alerts?: AlertThresholds;
  /**
   * How often Prometheus scrapes the model server.
   * @default 30
   */
  readonly scrapeIntervalSeconds?: number;
  /**
   * Extra labels of the ServiceMonitor and PrometheusRule: the ones your Prometheus selects them by
   * (kube-prometheus-stack: `release: <helm release>`).
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Scrape through the mesh's mTLS with the Istio certificates mounted in Prometheus (see
   * ModelMonitoring). `false` scrapes over plain HTTP.
   * @default true
   */
  readonly scrapeOverIstioMtls?: boolean;
  /**
   * Prometheus Operator scrape class carrying the Istio TLS settings.
   * @default - the TLS files are listed in the ServiceMonitor
   */
  readonly scrapeClass?: string;
}

export type SpotUse = 'never' | 'allowed' | 'preferred';

export interface PlacementOptions {
  /**
   * Whether pods may run on spot node pools: `never`, `allowed` (spot and on-demand alike) or
   * `preferred` (spot first, on-demand when spot has no room).
   * @default 'never' - model servers load slowly, so a spot interruption costs minutes
   */
  readonly spot?: SpotUse;
  /**
   * Restrict to these node pools (by name).
   * @default - every pool of the chart that fits
   */
  readonly nodePools?: readonly string[];
}

export interface ServiceAccountOptions {
  /**
   * Name of the ServiceAccount; the AWS side associates it with an IAM role through EKS Pod
   * Identity to grant read access to the model store.
   * @default - the service's name
   */
  readonly name?: string;
  /**
   * Mount a Kubernetes API token into the pods. Model servers do not call the API server.
   * @default false
   */
  readonly automountToken?: boolean;
}

/**
 * The deployment form of one model: what to serve, on what, how many, and how traffic reaches it.
 * The traffic options (requestTimeoutSeconds, retries, circuitBreaker, gateway) go to ModelTraffic.
 */
export interface ModelServiceProps extends TrafficOptions {
  /**
   * Name of the Service, the Deployments (`<name>` or `<name>-<track>`) and the other objects;
   * also the host `<name>.<namespace>.svc.cluster.local`. A DNS-1035 label, at most 63 characters.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * What the model does, for people: the `modelserve.io/description` annotation.
   * @default - none
   */
  readonly description?: string;
  readonly model: ModelReference;
  /**
   * Container image of the model server, with a pinned tag or a digest.
   * @default - the preset's current image (DEFAULT_SERVER_IMAGES); a custom server must give one
   */
  readonly image?: string;
  /**
   * Uncompressed size of the image, GiB: the placement proof counts it on the node's disk, and
   * the rollout's progress deadline its pull time.
   * @default - the preset's (Triton 15, vLLM 12, TorchServe 3, TF Serving 1, custom 2)
   */
  readonly imageSizeGiB?: number;
  /**
   * The init container that copies the model from `model.uri` to the pod's cache volume with the
   * pod's EKS Pod Identity credentials (the only container that receives them).
   * @default - AWS CLI DEFAULT_MODEL_LOADER_IMAGE; an empty prefix fails the pod
   */
  readonly modelLoader?: ModelLoaderOptions;
  /**
   * The model server in the image.
   * @default ModelServer.triton()
   */
  readonly server?: ModelServer;
  readonly resources: ModelResources;
  /**
   * A fixed number of replicas. Give this or autoscaling, not both. A canary or shadow track runs
   * its traffic share of it (at least one pod); every other track runs all of it.
   * @default - 2 replicas (1 in development) when autoscaling is not given
   */
  readonly replicas?: number;
  /**
   * Scale between min and max replicas on CPU and memory (a HorizontalPodAutoscaler) or on GPU
   * use, request rate and queue length (a KEDA ScaledObject).
   * @default - fixed replicas
   */
  readonly autoscaling?: AutoscalingOptions;
  /**
   * How requests are spread over pods, health checking and sticky sessions.
   * @default - least-connections, no sticky sessions, outlier ejection every 10 s; the readiness probe uses the server's health path
   */
  readonly loadBalancer?: LoadBalancerOptions;
  /**
   * How a new model version is rolled out.
   * @default Rollout.rollingUpdate() - maxSurge 25 %, maxUnavailable 0
   */
  readonly rollout?: Rollout;
  /**
   * Environment variables of the model server.
   * @default - only the MODEL_* variables the service sets itself
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Configuration files or variables, from a ConfigMap the service creates.
   * @default - no ConfigMap
   */
  readonly config?: ConfigOptions;
  /**
   * Values of existing Secrets (created by the platform team or External Secrets).
   * @default - none
   */
  readonly secrets?: SecretsOptions;
  /** @default - a ServiceAccount named after the service, without an API token */
  readonly serviceAccount?: ServiceAccountOptions;
  /** @default - scraped every 30 s over the mesh's mTLS, alerts at DEFAULT_ALERT_THRESHOLDS */
  readonly monitoring?: MonitoringOptions;
  /** @default - on-demand pools that fit, no spot */
  readonly placement?: PlacementOptions;
  /**
   * KV-cache-aware routing (vLLM only): an InferencePool over the serving pods with its endpoint
   * picker, reached through a Gateway API Gateway of class `istio` (`<name>-inference-istio`,
   * port 80, inside the cluster) whose HTTPRoute sends every request to the pool. The Service
   * and its VirtualService stay for mesh callers. A canary's weight does not apply through the
   * pool: the picker chooses among every serving pod, so a canary gets about its share of pods.
   * @default - no pool: requests go through the Service and the mesh only
   */
  readonly inferencePool?: InferencePoolOptions | boolean;
  /**
   * Scale every Deployment to zero and answer 503, keeping every other object, so that removing
   * the flag brings the service back as it was.
   * @default false
   */
  readonly stopped?: boolean;
  /**
   * How long a pod may take to load the model before it is restarted. A language model's may not
   * be shorter than reading its weights from the slowest candidate pool's disk takes, plus 300 s
   * of engine warm-up.
   * @default 600 for GPU services, 300 otherwise; a language model's: its weights' read (at 500 MiB/s from NVMe RAID0, 125 from gp3) plus 300 s
   */
  readonly startupTimeoutSeconds?: number;
  /**
   * Seconds a stopping pod keeps serving while the mesh and Service stop sending it requests.
   * @default 15
   */
  readonly drainSeconds?: number;
  /**
   * Time a pod has to stop after it is asked to: drain, then finish in-flight requests.
   * @default - 60, or drainSeconds + 30 when that is longer
   */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * User id the container runs as; the restricted Pod Security profile forbids root.
   * @default 1000
   */
  readonly runAsUser?: number;
  /**
   * The team that pays for the service: the `modelserve.io/team` cost-allocation label on every
   * object and pod of the service (beside `modelserve.io/environment` and `modelserve.io/service`).
   * @default - the ServingChart's team; none when the chart names none
   */
  readonly team?: string;
  /**
   * The pods' PriorityClass, `modelserve-<environment>-<priority>` (see ServingPriorityClasses):
   * `critical` and `standard` may preempt pods of lower priority when the cluster is full, `batch`
   * never preempts. Ignored when the chart's priorityClasses is off.
   * @default 'standard'
   */
  readonly priority?: ServingPriority;
  /**
   * What the model calls outside the mesh (external APIs, managed databases): a ServiceEntry per
   * host, TLS originated by the sidecar unless the model speaks TLS itself, and an egress
   * NetworkPolicy that opens exactly those ports (to the hosts' addresses when given).
   * @default - none: the namespace's default deny holds every call outside the cluster
   */
  readonly externalServices?: readonly ExternalServiceOptions[];
  /**
   * A VerticalPodAutoscaler per track in recommendation mode (`updateMode: Off`): the VPA
   * recommender (PlatformAddons' verticalPodAutoscaler) writes CPU and memory targets for the
   * model server into its status, to right-size `resources` by hand; nothing evicts or resizes a
   * pod, so it never fights the HPA or KEDA.
   * @default false
   */
  readonly resourceRecommendations?: boolean;
  /**
   * Requests sent to the model before the pod takes traffic (see WarmupOptions): the pod reports
   * ready only once they were answered, so a model's first real request does not pay for its
   * cold kernels and caches. Triton's own `model_warmup` (in the model's config.pbtxt) does the
   * same inside the server and needs nothing here.
   * @default - no warm-up: the pod is ready when the server's readiness path answers
   */
  readonly warmup?: WarmupOptions;
}
