/**
 * The model server inside a ModelService's pods: which ports it listens on, where its health and
 * metrics endpoints are, how it is told where the model is, and which of its metrics is a queue.
 *
 * Every preset receives the model location through the container's environment (`MODEL_URI`,
 * `MODEL_CACHE_DIR`, `MODEL_ID`, `MODEL_VERSION`), and its arguments refer to them with the
 * Kubernetes `$(VAR)` syntax, so that one preset serves every track of a rollout.
 */
export interface ModelServerSpec {
  /** Short name of the server (`triton`, `vllm`...), used in labels and error messages. */
  readonly name: string;
  /** Port of the HTTP inference API. */
  readonly httpPort: number;
  /** Port of the gRPC inference API, when the server has one. */
  readonly grpcPort?: number;
  /** Port that serves Prometheus metrics; may equal httpPort. */
  readonly metricsPort: number;
  readonly metricsPath: string;
  /** Answers 200 while the process is alive (liveness). */
  readonly livenessPath: string;
  /** Answers 200 once the model is loaded (startup and readiness). */
  readonly readinessPath: string;
  /** Container arguments; `$(MODEL_URI)` and `$(MODEL_CACHE_DIR)` are expanded by the kubelet. */
  readonly args: readonly string[];
  /** A gauge of requests waiting inside the server, for `autoscaling.queueLength`. */
  readonly queueMetric?: string;
  /** Mount a memory-backed /dev/shm: PyTorch and Triton pass tensors between processes through it. */
  readonly sharedMemory: boolean;
  /** Files the server reads at start, mounted read-only at SERVER_CONFIG_DIR. */
  readonly configFiles?: Readonly<Record<string, string>>;
}

/** Where files of `ModelServerSpec.configFiles` are mounted. */
export const SERVER_CONFIG_DIR = '/etc/model-server';
/** Where the model is downloaded to (an emptyDir of `resources.storageGiB`). */
export const MODEL_CACHE_DIR = '/models';

export interface TensorflowServingOptions {
  /** Name under which TF Serving serves the model (`/v1/models/<modelName>:predict`). */
  readonly modelName: string;
}

export interface CustomModelServerOptions {
  /** Port of the HTTP inference API. */
  readonly port: number;
  /** Path that answers 200 once the model is loaded; also used for liveness unless livenessPath is set. */
  readonly healthPath: string;
  /**
   * Path that answers 200 while the process is alive.
   * @default - healthPath
   */
  readonly livenessPath?: string;
  /**
   * Path of the Prometheus metrics.
   * @default '/metrics'
   */
  readonly metricsPath?: string;
  /**
   * Port of the Prometheus metrics.
   * @default - port
   */
  readonly metricsPort?: number;
  /**
   * Port of a gRPC API, exposed as `grpc-inference` on the Service.
   * @default - no gRPC port
   */
  readonly grpcPort?: number;
  /**
   * Container arguments; `$(MODEL_URI)` and `$(MODEL_CACHE_DIR)` expand to the model location.
   * @default - the image's own command and arguments
   */
  readonly args?: readonly string[];
  /**
   * Metric (a gauge of waiting requests) that `autoscaling.queueLength` scales on.
   * @default - none: queueLength cannot be used
   */
  readonly queueMetric?: string;
  /**
   * Mount a memory-backed /dev/shm.
   * @default false
   */
  readonly sharedMemory?: boolean;
}

/** Model server presets: `ModelServer.triton()`, `.vllm()`, `.custom({ port, healthPath })`... */
export class ModelServer {
  /** NVIDIA Triton Inference Server: HTTP 8000, gRPC 8001, metrics 8002, KServe v2 health endpoints. */
  public static triton(): ModelServer {
    return new ModelServer({
      name: 'triton',
      httpPort: 8000,
      grpcPort: 8001,
      metricsPort: 8002,
      metricsPath: '/metrics',
      livenessPath: '/v2/health/live',
      readinessPath: '/v2/health/ready',
      args: ['tritonserver', '--model-repository=$(MODEL_URI)', '--http-port=8000', '--grpc-port=8001', '--metrics-port=8002', '--exit-on-error=true'],
      queueMetric: 'nv_inference_pending_request_count',
      sharedMemory: true,
    });
  }

  /** TorchServe: inference 8080, gRPC 7070, metrics 8082; `/ping` answers once the workers are up. */
  public static torchServe(): ModelServer {
    return new ModelServer({
      name: 'torchserve',
      httpPort: 8080,
      grpcPort: 7070,
      metricsPort: 8082,
      metricsPath: '/metrics',
      livenessPath: '/ping',
      readinessPath: '/ping',
      args: ['torchserve', '--foreground', '--ncs', '--disable-token-auth', '--model-store=$(MODEL_CACHE_DIR)', '--models', 'model=$(MODEL_URI)'],
      sharedMemory: true,
    });
  }

  /**
   * TensorFlow Serving: REST 8501, gRPC 8500. The model status endpoint answers once the model is
   * loaded; Prometheus metrics are switched on by a monitoring config file that the preset mounts.
   */
  public static tensorflowServing(options: TensorflowServingOptions): ModelServer {
    const modelName = options?.modelName;
    return new ModelServer({
      name: 'tensorflow-serving',
      httpPort: 8501,
      grpcPort: 8500,
      metricsPort: 8501,
      metricsPath: '/monitoring/prometheus/metrics',
      livenessPath: `/v1/models/${modelName}`,
      readinessPath: `/v1/models/${modelName}`,
      args: [
        `--model_name=${modelName}`,
        '--model_base_path=$(MODEL_URI)',
        '--port=8500',
        '--rest_api_port=8501',
        `--monitoring_config_file=${SERVER_CONFIG_DIR}/monitoring.config`,
      ],
      sharedMemory: false,
      configFiles: { 'monitoring.config': 'prometheus_config {\n  enable: true,\n  path: "/monitoring/prometheus/metrics"\n}\n' },
    }, { modelName });
  }

  /** vLLM's OpenAI-compatible server: HTTP 8000, `/health`, `/metrics`, and a waiting-requests gauge. */
  public static vllm(): ModelServer {
    return new ModelServer({
      name: 'vllm',
      httpPort: 8000,
      metricsPort: 8000,
      metricsPath: '/metrics',
      livenessPath: '/health',
      readinessPath: '/health',
      args: ['--model=$(MODEL_URI)', '--download-dir=$(MODEL_CACHE_DIR)', '--port=8000', '--disable-log-requests'],
      queueMetric: 'vllm:num_requests_waiting',
      sharedMemory: true,
    });
  }

  /** Any other server: give its port and health path; the rest has defaults. */
  public static custom(options: CustomModelServerOptions): ModelServer {
    return new ModelServer({
      name: 'custom',
      httpPort: options?.port,
      grpcPort: options?.grpcPort,
      metricsPort: options?.metricsPort ?? options?.port,
      metricsPath: options?.metricsPath ?? '/metrics',
      livenessPath: options?.livenessPath ?? options?.healthPath,
      readinessPath: options?.healthPath,
      args: options?.args ?? [],
      queueMetric: options?.queueMetric,
      sharedMemory: options?.sharedMemory ?? false,
    });
  }

  private constructor(
    public readonly spec: ModelServerSpec,
    /** Options as given to the factory, kept for validation messages. */
    public readonly options: Readonly<Record<string, unknown>> = {},
  ) {}

  public get name(): string {
    return this.spec.name;
  }
}
