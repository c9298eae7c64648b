/**
 * What a pipeline orchestrator image must do; the ModelPipeline sets up the rest. The service in
 * this repository's `orchestrator/` folder implements it (ORCHESTRATOR_IMAGE_REPOSITORY); another
 * image may, too.
 *
 * - Read the pipeline definition (JSON, `PipelineDefinition`) from the file named by
 *   `PIPELINE_DEFINITION_PATH`. Its steps are in dependency order, each with its URL, the steps
 *   whose output it takes, its timeout and retries; `outputs` names the steps whose responses are
 *   the result. A change of definition rolls the pods (the ConfigMap's hash is on the pods).
 * - Keep run state in Redis at `REDIS_HOST`:`REDIS_PORT`, over TLS when `REDIS_TLS` is "true",
 *   authenticating with `REDIS_AUTH_TOKEN`, under keys that start with `REDIS_KEY_PREFIX`; expire
 *   finished runs after `PIPELINE_RESULT_TTL_SECONDS`. Resume unfinished runs after a restart,
 *   each by one replica.
 * - Serve HTTP on `PIPELINE_HTTP_PORT`: `PIPELINE_HEALTH_PATH` answers 200 once Redis answers and
 *   the definition is loaded, `PIPELINE_LIVENESS_PATH` while the process is alive, `/metrics` for
 *   Prometheus (the orchestrator's ServiceMonitor scrapes it; the pipeline's alerts read
 *   `modelserve_pipeline_runs_finished_total{state}`, `modelserve_pipeline_queue_depth` and
 *   `modelserve_pipeline_redis_up`, each with a `pipeline` label).
 * - API: `POST /v1/runs` (body: the pipeline input; `Idempotency-Key` header) answering 201 with
 *   the run, or its result with `?wait=true`; `GET /v1/runs/{id}`, `GET /v1/runs`,
 *   `POST /v1/runs/{id}/cancel`. Callers are authenticated by the mesh (the orchestrator's
 *   AuthorizationPolicy from `online.auth`) and, when `PIPELINE_API_TOKEN` is set, by that bearer
 *   token on every `/v1` request.
 * - Give a step with no dependency the run's input, a step with one dependency that step's
 *   response, and a step with several one JSON object of their responses keyed by step name; the
 *   batch WorkflowTemplate does the same, so a pipeline answers alike online and in batch.
 * - Retry a step on timeouts, connection errors, 408, 429, 502, 503 and 504, `retries` times.
 */
export const ORCHESTRATOR_CONTRACT = {
  /** Folder the definition's ConfigMap is mounted at, read-only. */
  definitionDir: '/etc/modelserve/pipeline',
  definitionFile: 'pipeline.json',
  env: {
    pipelineName: 'PIPELINE_NAME',
    definitionPath: 'PIPELINE_DEFINITION_PATH',
    resultTtlSeconds: 'PIPELINE_RESULT_TTL_SECONDS',
    httpPort: 'PIPELINE_HTTP_PORT',
    healthPath: 'PIPELINE_HEALTH_PATH',
    livenessPath: 'PIPELINE_LIVENESS_PATH',
    /** Set from `online.apiToken`'s Secret only. */
    apiToken: 'PIPELINE_API_TOKEN',
    redisHost: 'REDIS_HOST',
    redisPort: 'REDIS_PORT',
    redisTls: 'REDIS_TLS',
    /** `rediss://host:port` (or `redis://`), without the token. */
    redisUrl: 'REDIS_URL',
    redisAuthToken: 'REDIS_AUTH_TOKEN',
    redisKeyPrefix: 'REDIS_KEY_PREFIX',
  },
  /** HTTP statuses a step is retried on, besides timeouts and connection errors. */
  retryStatuses: [408, 429, 502, 503, 504],
} as const;

/** The variables the contract sets; `online.env` may not set them again. */
export const CONTRACT_ENV_NAMES: readonly string[] = Object.values(ORCHESTRATOR_CONTRACT.env);

/** The repository path of the image `orchestrator/Dockerfile` builds, under the registry you push it to. */
export const ORCHESTRATOR_IMAGE_REPOSITORY = 'modelserve/pipeline-orchestrator';
/** The orchestrator's version (its package.json's), the tag of the image it builds. */
export const ORCHESTRATOR_VERSION = '0.1.0';
