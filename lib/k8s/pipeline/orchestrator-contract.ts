/**
 * What a pipeline orchestrator image must do; the ModelPipeline sets up the rest.
 *
 * - Read the pipeline definition (JSON, `PipelineDefinition`) from the file named by
 *   `PIPELINE_DEFINITION_PATH`. Its steps are in dependency order, each with its URL, the steps
 *   whose output it takes, its timeout and retries; `outputs` names the steps whose responses are
 *   the result. A change of definition rolls the pods (the ConfigMap's hash is on the pods).
 * - Keep run state in Redis at `REDIS_HOST`:`REDIS_PORT`, over TLS when `REDIS_TLS` is "true",
 *   authenticating with `REDIS_AUTH_TOKEN`, under keys that start with `REDIS_KEY_PREFIX`; expire
 *   finished runs after `PIPELINE_RESULT_TTL_SECONDS`.
 * - Serve HTTP on the configured port: `healthPath` answers 200 once Redis answers and the
 *   definition is loaded, `livenessPath` while the process is alive, `/metrics` for Prometheus.
 *   Suggested API: `POST /v1/runs` (body: the pipeline input) answering 201 with `{ "id" }`, or
 *   the result at once with `?wait=true`; `GET /v1/runs/{id}` for state and result.
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
