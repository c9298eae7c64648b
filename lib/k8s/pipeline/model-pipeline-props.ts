import { AutoscalingOptions, ModelResources, MonitoringOptions, SecretKeyReference } from '../model-service-props';
import type { IModelService } from '../model-service-attributes';
import { RequestAuthOptions } from '../traffic/request-authentication';
import { PipelinePayloads } from './pipeline-payloads';

/**
 * One call of a pipeline: a POST of JSON to a ModelService's HTTP endpoint.
 *
 * What a step receives: the pipeline's input when it depends on no step; the response of the one
 * step it depends on; or, when it depends on several (a fan-in), one JSON object with each
 * dependency's response under that step's name: `{"detection": {...}, "captioning": {...}}`.
 */
export interface PipelineStep {
  /**
   * The service to call: a ModelService, one defined elsewhere (`ModelService.fromServiceName()`),
   * or the `name` of a ModelService already created in the app (create the services before the
   * pipeline; one in the pipeline's namespace first). A service in another namespace must admit
   * the pipeline: `service.allowFrom(ServicePeer.pipeline(name, { namespace }))`.
   */
  readonly service: IModelService | string;
  /**
   * Name of the step: the Argo DAG task and the key of its response in a fan-in and in the
   * pipeline definition. Give one when a pipeline calls the same service twice.
   * @default - the service's name
   */
  readonly name?: string;
  /**
   * Path of the inference endpoint on the service.
   * @default - the server's own: Triton `/v2/models/<model id>/infer` (KServe v2), TorchServe
   * `/predictions/model`, TF Serving `/v1/models/<modelName>:predict`, vLLM `/v1/completions`;
   * a custom server has no default and needs a path
   */
  readonly path?: string;
  /**
   * Steps whose output this step takes, by step name, instead of the previous stage's.
   * @default - every step of the previous stage (none for the first stage)
   */
  readonly dependsOn?: readonly string[];
  /**
   * Time one HTTP call may take, seconds. Keep it within the service's `requestTimeoutSeconds`:
   * the mesh answers 504 at that point whatever the step allows.
   * @default 60
   */
  readonly timeoutSeconds?: number;
  /**
   * Retries after a failed call: timeouts, connection errors, 408, 429 and 5xx answers, and a pod
   * lost with its node (spot). Other 4xx answers mean the request itself is wrong and are not
   * retried.
   * @default 2
   */
  readonly retries?: number;
}

/** A stage: one step, or several that run side by side on the previous stage's output (a fan-out). */
export type PipelineStage = PipelineStep | IModelService | readonly (PipelineStep | IModelService)[];

/** The Redis (ElastiCache) that holds the orchestrator's run state: the AWS `Cache` construct's outputs. */
export interface PipelineRedisOptions {
  /** The Cache's `primaryEndpointAddress` (a DNS name) or an IPv4 address. */
  readonly host: string;
  /**
   * The Cache's `port`.
   * @default 6379
   */
  readonly port?: number;
  /**
   * Speak TLS to Redis. The Cache requires it (transit encryption on); turn it off by name only
   * for a Redis that has none.
   * @default true
   */
  readonly tls?: boolean;
  /**
   * The AUTH token, from an existing Secret: the Cache keeps it in Secrets Manager
   * (`authTokenSecretArn`); sync it into the namespace with External Secrets.
   */
  readonly authToken: SecretKeyReference;
  /**
   * The cache subnets: the orchestrator pods get a NetworkPolicy that lets them reach this CIDR on
   * the Redis port, and nothing else outside the cluster beyond what the namespace allows.
   * @default - no policy of its own: the namespace's egress (`namespaceOptions.egress`) must allow the cache
   */
  readonly cidr?: string;
}

/** The online side: a REST orchestrator that runs the pipeline per request, its state in Redis. */
export interface PipelineOnlineOptions {
  /**
   * The orchestrator's image, with a pinned tag or digest. Any image that follows
   * `ORCHESTRATOR_CONTRACT` will do; this repository's `orchestrator/` is one.
   * @default `<imageRegistry>/modelserve/pipeline-orchestrator:<ORCHESTRATOR_VERSION>` - the image
   * built from this repository's orchestrator/Dockerfile; give image or imageRegistry
   */
  readonly image?: string;
  /**
   * Registry you pushed the image built from `orchestrator/Dockerfile` to (`docker build -t
   * <registry>/modelserve/pipeline-orchestrator:0.1.0 orchestrator/`), e.g. the platform's ECR
   * `123456789012.dkr.ecr.us-east-1.amazonaws.com`.
   * @default - none: give image or imageRegistry
   */
  readonly imageRegistry?: string;
  /**
   * Version of the orchestrator, for the `modelserve.io/model-version` label.
   * @default - the image tag
   */
  readonly version?: string;
  readonly redis: PipelineRedisOptions;
  /**
   * Port the orchestrator serves HTTP on.
   * @default 8080
   */
  readonly port?: number;
  /**
   * Answers 200 once the orchestrator can take runs (Redis reachable, definition loaded).
   * @default '/healthz'
   */
  readonly healthPath?: string;
  /**
   * Answers 200 while the process is alive.
   * @default '/livez'
   */
  readonly livenessPath?: string;
  /**
   * Time one run may take from request to last response, seconds. The orchestrator's request
   * timeout in the mesh is 10 s longer (at most 3600), so that a client waiting for the run
   * hears how it ended, a timeout included.
   * @default - the longest chain of step timeouts (one attempt each)
   */
  readonly timeoutSeconds?: number;
  /**
   * How long a finished run's state and result stay in Redis, seconds.
   * @default 86400
   */
  readonly resultTtlSeconds?: number;
  /**
   * Per orchestrator pod.
   * @default { cpu: 1, memoryGiB: 2, storageGiB: 1 }
   */
  readonly resources?: ModelResources;
  /**
   * @default - 2 to 10 replicas (1 to 10 in development) on 70 % CPU
   */
  readonly autoscaling?: AutoscalingOptions;
  /**
   * Where the orchestrator's own assets are, if any (the ModelService's `model.uri`); the
   * definition itself comes from the ConfigMap.
   * @default `<chart's modelStoreUri>/pipelines/<pipeline>/{version}/` - an error when the chart names no model store
   */
  readonly assetsUri?: string;
  /**
   * Further environment variables of the orchestrator (its tunables, e.g.
   * `PIPELINE_MAX_CONCURRENT_RUNS`; see the README).
   * @default - only the PIPELINE_* and REDIS_* variables of the contract
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Who may call the orchestrator's API, enforced by its Istio sidecar (an AuthorizationPolicy, as
   * for a ModelService): meshed callers by ServiceAccount, external ones by JWT.
   * @default - every meshed pod of the namespace, as for a ModelService without auth
   */
  readonly auth?: RequestAuthOptions;
  /**
   * A bearer token the orchestrator itself checks on every `/v1` request (`PIPELINE_API_TOKEN`),
   * from an existing Secret: for defence in depth, or callers the mesh cannot name. Not with
   * `auth.jwt`: both travel in the Authorization header.
   * @default - none: the mesh authenticates
   */
  readonly apiToken?: SecretKeyReference;
  /**
   * Scraping and alerts of the orchestrator service (its ServiceMonitor and PrometheusRule).
   * @default - as a ModelService's, with the latency alerts at half the run timeout (p50) and the
   * whole run timeout (p99): a client waiting for a run (`?wait=true`) is answered when it ends
   */
  readonly monitoring?: MonitoringOptions;
}

/** TTL of finished workflows (Argo `ttlStrategy`). */
export interface PipelineWorkflowTtl {
  /**
   * Seconds a succeeded workflow is kept.
   * @default 3600
   */
  readonly secondsAfterSuccess?: number;
  /**
   * Seconds a failed workflow (and its failed pods, for their logs) is kept.
   * @default 604800 (7 days)
   */
  readonly secondsAfterFailure?: number;
}

/** The batch side: an Argo Workflows WorkflowTemplate that runs the pipeline once per submit. */
export interface PipelineBatchOptions {
  /**
   * Emit the WorkflowTemplate and its ServiceAccount and Role. Turn off where Argo Workflows is
   * not installed.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * How inputs and responses travel between steps.
   * @default PipelinePayloads.parameters()
   */
  readonly payloads?: PipelinePayloads;
  /**
   * Image of the step pods: it needs `sh` and `curl` (any curl of the last decade: the step uses
   * only `--write-out`, `--max-time`, `--connect-timeout` and `--data-binary`).
   * @default 'curlimages/curl:8.20.0'
   */
  readonly image?: string;
  /**
   * Time a whole run may take, retries included, seconds (Argo `activeDeadlineSeconds`).
   * @default 3600
   */
  readonly activeDeadlineSeconds?: number;
  /** @default - succeeded runs kept 1 hour, failed ones 7 days */
  readonly ttl?: PipelineWorkflowTtl;
  /**
   * Most step pods of one run at once.
   * @default - no limit beyond the DAG's width
   */
  readonly parallelism?: number;
  /**
   * User and group id of the step pods; the restricted Pod Security profile forbids 0.
   * @default 1000
   */
  readonly runAsUser?: number;
}

export interface ModelPipelineProps {
  /**
   * Name of the pipeline: the WorkflowTemplate, `<name>-workflow` ServiceAccount and Role, and the
   * `<name>-orchestrator` service. At most 50 characters so that the orchestrator's name fits.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * What the pipeline does, for people: the `modelserve.io/description` annotation.
   * @default - none
   */
  readonly description?: string;
  /**
   * The steps in order. Each stage takes the output of the stage before; a stage that is a list
   * runs its steps side by side (fan-out), and the next stage receives all their responses
   * (fan-in). `dependsOn` on a step overrides this for arbitrary DAGs.
   */
  readonly stages: readonly PipelineStage[];
  /** @default - a WorkflowTemplate with parameters between steps, see PipelineBatchOptions */
  readonly batch?: PipelineBatchOptions;
  /**
   * The online orchestrator: a REST service that runs the pipeline per request (this
   * repository's `orchestrator/`, or your image).
   * @default - none: batch only
   */
  readonly online?: PipelineOnlineOptions;
}
