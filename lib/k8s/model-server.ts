import { LlmArchitecture, LlmDtype, LlmQuantization } from '../catalog';
import { TORCHSERVE_CONFIG_FILES, TORCHSERVE_MANAGEMENT_PORT, TORCHSERVE_MODEL_NAME } from './torchserve-config';

/**
 * The model server inside a ModelService's pods: which ports it listens on, where its health and
 * metrics endpoints are, how it is told where the model is, and which of its metrics is a queue.
 *
 * No preset reads the model store itself. The pod's loader (an init container with a current AWS
 * CLI, see ModelLoader) copies the artefacts to `MODEL_DIR` on the pod's cache volume with the
 * pod's EKS Pod Identity credentials before the server starts, and the server reads that local
 * copy. The servers' own S3 clients are too old for Pod Identity (Triton builds aws-sdk-cpp
 * 1.11.60, Pod Identity needs 1.11.263 or later:
 * https://docs.aws.amazon.com/eks/latest/userguide/pod-id-minimum-sdk.html), and the instance
 * metadata fallback is closed to pods (hop limit 1, network policy).
 *
 * Every preset receives the model location through the container's environment (`MODEL_DIR`,
 * `MODEL_URI`, `MODEL_CACHE_DIR`, `MODEL_ID`, `MODEL_VERSION`), and its arguments refer to them
 * with the Kubernetes `$(VAR)` syntax, so that one preset serves every track of a rollout.
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
  /**
   * Answers 200 only once the model is loaded and can serve (readiness, and startup unless
   * `startupProbe` says otherwise). `{modelId}` stands for the service's model id.
   */
  readonly readinessPath: string;
  /**
   * An endpoint that answers 200 once the model is registered, on another port, for the startup
   * probe when the readiness path cannot tell (TorchServe's `/ping` answers Healthy with no model).
   * @default - the readiness path on the HTTP port
   */
  readonly startupProbe?: { readonly path: string; readonly port: number };
  /**
   * The container's command, when the image's entrypoint must not wrap the arguments.
   * @default - the image's entrypoint
   */
  readonly command?: readonly string[];
  /** Container arguments; `$(MODEL_DIR)`, `$(MODEL_ID)`... are expanded by the kubelet. */
  readonly args: readonly string[];
  /** Environment the server needs on a read-only root filesystem (writable temp and log folders). */
  readonly env: Readonly<Record<string, string>>;
  /** A gauge of requests waiting inside the server, for `autoscaling.queueLength`. */
  readonly queueMetric?: string;
  /** Mount a memory-backed /dev/shm: PyTorch and Triton pass tensors between processes through it. */
  readonly sharedMemory: boolean;
  /** Files the server reads at start, mounted read-only at SERVER_CONFIG_DIR. */
  readonly configFiles?: Readonly<Record<string, string>>;
  /** Size of the /tmp emptyDir, GiB: compile caches and sockets live there. */
  readonly tmpGiB: number;
  /** Uncompressed size of the preset's usual image, GiB: disk on the node and pull time. */
  readonly imageSizeGiB: number;
  /**
   * HTTP statuses with which the server says it has no such model (a version that failed to
   * load, a wrong name): counted as failures by the alerts and the rollout analysis, like 5xx.
   */
  readonly modelMissingStatusCodes: readonly number[];
  /** A current, maintained image of the server, used when the service gives none. */
  readonly defaultImage?: string;
  /**
   * The server container receives the pod's EKS Pod Identity credentials too (a custom server
   * that calls AWS itself). Otherwise only the loader does.
   */
  readonly awsCredentials?: boolean;
}

/** Where files of `ModelServerSpec.configFiles` are mounted. */
export const SERVER_CONFIG_DIR = '/etc/model-server';
/** The pod's cache volume (an emptyDir of `resources.storageGiB`). */
export const MODEL_CACHE_DIR = '/models';
/** Where the loader puts the model's artefacts: the prefix `model.uri` names, copied as it is. */
export const MODEL_DIR = `${MODEL_CACHE_DIR}/model`;
/** Scratch space on the cache volume, for servers that unpack the model (TorchServe's `.mar`). */
export const MODEL_SCRATCH_DIR = `${MODEL_CACHE_DIR}/scratch`;
/** Stands for the model id in `ModelServerSpec.readinessPath`. */
export const MODEL_ID_PLACEHOLDER = '{modelId}';

/**
 * Current images of the presets (checked 2026-12): Triton 26.07 (r26.07, v2.71.0, the release
 * its README names current), vLLM v0.28.0, TF Serving 2.20.0. TorchServe's last release is
 * 0.12.0 (2025); the project is in limited maintenance with no security fixes.
 */
export const DEFAULT_SERVER_IMAGES = {
  triton: 'nvcr.io/nvidia/tritonserver:26.07-py3',
  vllm: 'vllm/vllm-openai:v0.28.0',
  tensorflowServing: 'tensorflow/serving:2.20.0',
  torchServe: 'pytorch/torchserve:0.12.0-cpu',
} as const;

export interface TensorflowServingOptions {
  /** Name under which TF Serving serves the model (`/v1/models/<modelName>:predict`). */
  readonly modelName: string;
}

export interface CustomModelServerOptions {
  /** Port of the HTTP inference API. */
  readonly port: number;
  /**
   * Path that answers 200 once the model is loaded; also used for liveness unless livenessPath is
   * set. `{modelId}` stands for the service's model id.
   */
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
   * Container arguments; `$(MODEL_DIR)` expands to the local copy of the model, `$(MODEL_URI)`
   * to its S3 location.
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
  /**
   * HTTP statuses with which the server says it has no model; the alerts and the rollout
   * analysis count them as failures.
   * @default - none: only 5xx and gRPC server errors count
   */
  readonly modelMissingStatusCodes?: readonly number[];
  /**
   * Uncompressed image size, GiB: the placement proof counts it on the node's disk and the
   * rollout deadline its pull time.
   * @default 2
   */
  readonly imageSizeGiB?: number;
  /**
   * Give the server container the pod's EKS Pod Identity credentials, for a server that calls
   * AWS itself (its SDK must be recent enough: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-minimum-sdk.html).
   * @default false - only the model loader gets them
   */
  readonly awsCredentials?: boolean;
}

/**
 * What `ModelServer.vllm()` knows about the language model it serves. With `model`, the service
 * gets vLLM's flags from it (`--tensor-parallel-size`, `--max-model-len`,
 * `--gpu-memory-utilization`, `--dtype`), GPUs per pod, a cache sized for the weights, a
 * startup budget from their size, and a proof at synth that the weights and the KV cache fit the
 * GPUs' memory. Without it, vLLM runs with its own defaults and nothing is proven.
 */
export interface VllmOptions {
  /**
   * The model's architecture: `LanguageModels.llama31_8B()`, or `LanguageModels.custom({ ... })`
   * from its `config.json`.
   * @default - none: no flags, no fit proof
   */
  readonly model?: LlmArchitecture;
  /**
   * Weight and activation type of an unquantized checkpoint (and activation type of a quantized one).
   * @default 'bfloat16' on GPUs that have it (compute capability 8.0+), else 'float16'
   */
  readonly dtype?: LlmDtype;
  /**
   * The checkpoint is quantized this way (vLLM reads the method from its config.json): decides
   * the weights' size and which GPUs run it (FP8 needs Ada or Hopper).
   * @default - not quantized
   */
  readonly quantization?: LlmQuantization;
  /**
   * Size of the checkpoint's weight files, GiB (`du -sh` of the safetensors). Measured beats estimated.
   * @default - parameters × bytes per parameter of the dtype or quantization
   */
  readonly weightsGiB?: number;
  /**
   * `--max-model-len`: the longest sequence (prompt and output), tokens; at most the model's context.
   * @default - the model's maxContextTokens
   */
  readonly maxContextTokens?: number;
  /**
   * Sequences of maxContextTokens the KV cache must hold at once for the fit proof. vLLM batches
   * more shorter ones; fewer than one full sequence and vLLM refuses to start.
   * @default 1
   */
  readonly concurrentSequences?: number;
  /**
   * `--tensor-parallel-size`: GPUs one replica spreads the model over, all on one node; also the
   * pod's GPU count. Must divide the model's attention heads.
   * @default 1
   */
  readonly tensorParallelSize?: number;
  /**
   * `--gpu-memory-utilization`: the share of each GPU's memory vLLM takes (weights, KV cache, activations).
   * @default 0.9
   */
  readonly gpuMemoryUtilization?: number;
  /**
   * Memory per GPU outside the weights and the KV cache in the fit proof: CUDA context,
   * activations, CUDA graphs, communication buffers. vLLM logs what it measured at start-up.
   * @default 2
   */
  readonly runtimeOverheadGiB?: number;
  /**
   * vLLM's version (`0.28.0`): which metric names its Prometheus endpoint has.
   * @default - read from the image tag (`vllm/vllm-openai:v0.28.0`)
   */
  readonly version?: string;
}

const KSERVE_V2_MODEL_READY = `/v2/models/${MODEL_ID_PLACEHOLDER}/ready`;

/** Model server presets: `ModelServer.triton()`, `.vllm()`, `.custom({ port, healthPath })`... */
export class ModelServer {
  /**
   * NVIDIA Triton Inference Server: HTTP 8000, gRPC 8001, metrics 8002. Reads the loader's copy
   * as its model repository (a folder per model, the service's model named after `model.id`),
   * so it never copies a remote repository into /tmp (`TRITON_AWS_MOUNT_DIRECTORY`). Ready when
   * the model is: KServe v2 `/v2/models/<id>/ready`.
   */
  public static triton(): ModelServer {
    return new ModelServer({
      name: 'triton',
      httpPort: 8000,
      grpcPort: 8001,
      metricsPort: 8002,
      metricsPath: '/metrics',
      livenessPath: '/v2/health/live',
      readinessPath: KSERVE_V2_MODEL_READY,
      args: ['tritonserver', `--model-repository=$(MODEL_DIR)`, '--http-port=8000', '--grpc-port=8001', '--metrics-port=8002', '--exit-on-error=true'],
      env: {},
      queueMetric: 'nv_inference_pending_request_count',
      sharedMemory: true,
      tmpGiB: 1,
      imageSizeGiB: 15,
      // 404: a model or version that is not loaded (Triton's NOT_FOUND).
      modelMissingStatusCodes: [404],
      defaultImage: DEFAULT_SERVER_IMAGES.triton,
    });
  }

  /**
   * TorchServe: inference 8080, gRPC 7070, metrics 8082. Loads `model.mar` from the loader's
   * copy (its model store) as the model `model`. `/ping` answers Healthy when no model is
   * registered, so the startup probe asks the management API (8081, reachable only inside the
   * pod's network policy) for the model's status; temp files, worker sockets and the unpacked
   * archive go to the cache volume and logs to stdout. TorchServe is in limited maintenance.
   */
  public static torchServe(): ModelServer {
    return new ModelServer({
      name: 'torchserve',
      httpPort: 8080,
      grpcPort: 7070,
      metricsPort: 8082,
      metricsPath: '/metrics',
      livenessPath: '/ping',
      readinessPath: '/ping',
      startupProbe: { path: `/models/${TORCHSERVE_MODEL_NAME}`, port: TORCHSERVE_MANAGEMENT_PORT },
      command: ['torchserve'],
      args: [
        '--foreground',
        '--ncs',
        '--disable-token-auth',
        `--ts-config=${SERVER_CONFIG_DIR}/config.properties`,
        `--log-config=${SERVER_CONFIG_DIR}/log4j2.xml`,
        '--model-store=$(MODEL_DIR)',
        '--models',
        `${TORCHSERVE_MODEL_NAME}=model.mar`,
      ],
      // TEMP becomes java.io.tmpdir (the unpacked .mar, worker sockets); LOG_LOCATION is read even
      // with a console-only log config.
      env: { TEMP: MODEL_SCRATCH_DIR, LOG_LOCATION: '/tmp/logs', METRICS_LOCATION: '/tmp/logs' },
      sharedMemory: true,
      configFiles: TORCHSERVE_CONFIG_FILES,
      tmpGiB: 1,
      imageSizeGiB: 3,
      // "Model not found" for an unregistered model.
      modelMissingStatusCodes: [404],
      defaultImage: DEFAULT_SERVER_IMAGES.torchServe,
    });
  }

  /**
   * TensorFlow Serving: REST 8501, gRPC 8500. Serves the loader's copy (version folders `1/`,
   * `2/`... under the model's prefix); the HTTP server starts once the model is loaded, and the
   * model status endpoint answers then. Prometheus metrics are switched on by a monitoring config
   * file that the preset mounts.
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
      command: ['tensorflow_model_server'],
      args: [
        `--model_name=${modelName}`,
        '--model_base_path=$(MODEL_DIR)',
        '--port=8500',
        '--rest_api_port=8501',
        `--monitoring_config_file=${SERVER_CONFIG_DIR}/monitoring.config`,
      ],
      env: {},
      sharedMemory: false,
      configFiles: { 'monitoring.config': 'prometheus_config {\n  enable: true,\n  path: "/monitoring/prometheus/metrics"\n}\n' },
      tmpGiB: 1,
      imageSizeGiB: 1,
      // "Servable not found" for a model or version it does not serve.
      modelMissingStatusCodes: [404],
      defaultImage: DEFAULT_SERVER_IMAGES.tensorflowServing,
    }, { modelName });
  }

  /**
   * vLLM's OpenAI-compatible server (`vllm serve`, the image's entrypoint): HTTP 8000, `/health`,
   * `/metrics`, and a waiting-requests gauge. Serves the loader's copy (a Hugging Face model
   * folder) under the name `model.id`; the server listens only once the engine has loaded the
   * weights, so `/health` means "model loaded" (and answers 503 if the engine dies). Give
   * `options.model` and the service knows its language model (see VllmOptions).
   */
  public static vllm(options: VllmOptions = {}): ModelServer {
    return new ModelServer({
      name: 'vllm',
      httpPort: 8000,
      metricsPort: 8000,
      metricsPath: '/metrics',
      livenessPath: '/health',
      readinessPath: '/health',
      args: ['$(MODEL_DIR)', '--served-model-name=$(MODEL_ID)', '--port=8000'],
      // Nothing to fetch from the Hugging Face Hub (egress is closed anyway): fail fast instead.
      env: { HF_HUB_OFFLINE: '1' },
      queueMetric: 'vllm:num_requests_waiting',
      sharedMemory: true,
      // torch.compile and Triton kernel caches.
      tmpGiB: 4,
      imageSizeGiB: 12,
      // "The model `x` does not exist."
      modelMissingStatusCodes: [404],
      defaultImage: DEFAULT_SERVER_IMAGES.vllm,
    }, { vllm: options });
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
      env: {},
      queueMetric: options?.queueMetric,
      sharedMemory: options?.sharedMemory ?? false,
      tmpGiB: 1,
      imageSizeGiB: options?.imageSizeGiB ?? 2,
      modelMissingStatusCodes: options?.modelMissingStatusCodes ?? [],
      awsCredentials: options?.awsCredentials ?? false,
    }, { modelMissingStatusCodes: options?.modelMissingStatusCodes, imageSizeGiB: options?.imageSizeGiB, awsCredentials: options?.awsCredentials });
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

/** The spec with `{modelId}` replaced in its probe paths. */
export function resolveServerSpec(spec: ModelServerSpec, modelId: string): ModelServerSpec {
  const resolve = (path: string) => (typeof path === 'string' ? path.split(MODEL_ID_PLACEHOLDER).join(modelId) : path);
  return { ...spec, readinessPath: resolve(spec.readinessPath), livenessPath: resolve(spec.livenessPath) };
}
