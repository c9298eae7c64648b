import {
  Capacity,
  estimateWeightsGiB,
  GPU_MODEL_SPECS,
  GpuModel,
  GpuShare,
  gpuSupports,
  LLM_DTYPES,
  LLM_QUANTIZATIONS,
  LlmArchitecture,
  LlmDtype,
  LlmQuantization,
  NodePoolSpec,
  PropsValidator,
  validateLlmArchitecture,
  BFLOAT16_MIN_COMPUTE_CAPABILITY,
  weightLoadTimes,
} from '../catalog';
import { describeFit, fitFixes, gpuMemoryFit, GpuMemoryDemand, validTensorParallelSizes } from '../check/gpu-memory-fit';
import { poolGpuMemoryMiB } from '../check/placement';
import { ModelServer, VllmOptions } from './model-server';
import { ModelServiceProps } from './model-service-props';
import { ScalingPlan } from './plan-scaling';
import { vllmOptionsOf } from './vllm-engine';

/** A vLLM service that knows its language model, every default applied and its fit proven. */
export interface LlmPlan extends GpuMemoryDemand {
  /** Memory each GPU must have, MiB: what the placement proof asks of every candidate pool. */
  readonly minGpuMemoryMiB: number;
  /** vLLM's flags, appended to the preset's arguments. */
  readonly flags: readonly string[];
}

/** Time the engine takes after the weights are read: torch.compile, CUDA graph capture, KV-cache allocation. */
export const ENGINE_WARMUP_SECONDS = 300;

const DEFAULTS = { concurrentSequences: 1, tensorParallelSize: 1, gpuMemoryUtilization: 0.9, runtimeOverheadGiB: 2 } as const;
/** Room on the cache volume beyond the weights: tokenizer, config and the loader's scratch files. */
const CACHE_HEADROOM = { factor: 1.1, gib: 2 } as const;

/** What the model decides before the resources are checked: GPUs per pod and the cache's size. */
export function llmResourceDefaults(server: ModelServer | undefined): { gpuCount?: number; storageGiB?: number } {
  const options = vllmOptionsOf(server);
  if (!options?.model || typeof options.model !== 'object') return {};
  const weights = options.weightsGiB ?? estimateWeightsGiB(options.model, options.quantization);
  return {
    gpuCount: options.tensorParallelSize ?? DEFAULTS.tensorParallelSize,
    storageGiB: Number.isFinite(weights) ? Math.ceil(weights * CACHE_HEADROOM.factor + CACHE_HEADROOM.gib) : undefined,
  };
}

export interface LlmPlanContext {
  readonly server: ModelServer;
  readonly gpu?: { readonly count: number; readonly model: GpuModel; readonly share?: GpuShare };
  /** The chart's pools (restricted to placement.nodePools when given). */
  readonly pools: readonly NodePoolSpec[];
}

/**
 * Checks a vLLM service's language model against its GPUs and proves that it fits their memory:
 * weights + KV cache at the maximum context × concurrent sequences + runtime overhead, per GPU,
 * against the most memory a pool of the requested GPU model has × gpuMemoryUtilization. A misfit
 * is refused with the numbers and what would fit. Undefined for services without `model`.
 */
export function planLlm(check: PropsValidator, ctx: LlmPlanContext): LlmPlan | undefined {
  const options = vllmOptionsOf(ctx.server);
  if (options?.model === undefined) return undefined;
  validateVllmOptions(check, options);
  const model = options.model!;
  const gpu = ctx.gpu;
  check.that(gpu !== undefined, 'resources.gpu', undefined, `is not set, but ${model.name} is served by vLLM on GPUs`, `request the GPU model, e.g. { model: "L4" } (the count follows server.tensorParallelSize)`);
  check.that(gpu!.share === undefined, 'resources.gpu.share', gpu!.share?.kind, 'shares a GPU, but vLLM sizes its KV cache from the whole GPU\'s memory (gpuMemoryUtilization) and would take a neighbour\'s', 'request whole GPUs for a language model');
  const tensorParallelSize = options.tensorParallelSize ?? DEFAULTS.tensorParallelSize;
  checkTensorParallelism(check, model, tensorParallelSize, gpu!);
  const maxContextTokens = options.maxContextTokens ?? model.maxContextTokens;
  check.that(maxContextTokens <= model.maxContextTokens, 'server.maxContextTokens', maxContextTokens, `is longer than ${model.name}'s context (${model.maxContextTokens} tokens), which vLLM refuses (max_model_len above max_position_embeddings)`, `give at most ${model.maxContextTokens}`);
  const computeCapability = GPU_MODEL_SPECS[gpu!.model].computeCapability;
  const dtype = options.dtype ?? (computeCapability >= BFLOAT16_MIN_COMPUTE_CAPABILITY ? 'bfloat16' : 'float16');
  checkGpuRunsIt(check, gpu!.model, dtype, options.quantization);

  const demand: GpuMemoryDemand = {
    model,
    dtype,
    quantization: options.quantization,
    weightsGiB: options.weightsGiB ?? estimateWeightsGiB(model, options.quantization),
    tensorParallelSize,
    maxContextTokens,
    concurrentSequences: options.concurrentSequences ?? DEFAULTS.concurrentSequences,
    gpuMemoryUtilization: options.gpuMemoryUtilization ?? DEFAULTS.gpuMemoryUtilization,
    runtimeOverheadGiB: options.runtimeOverheadGiB ?? DEFAULTS.runtimeOverheadGiB,
  };
  proveFit(check, demand, gpu!, ctx.pools);
  const needed = gpuMemoryFit(demand, 1024).neededGiB;
  return {
    ...demand,
    minGpuMemoryMiB: Math.ceil((needed * 1024) / demand.gpuMemoryUtilization),
    flags: [
      `--tensor-parallel-size=${tensorParallelSize}`,
      `--max-model-len=${maxContextTokens}`,
      `--gpu-memory-utilization=${demand.gpuMemoryUtilization}`,
      `--dtype=${dtype}`,
    ],
  };
}

/** The fit proof against the biggest GPU of the requested model the chart's pools offer. */
function proveFit(check: PropsValidator, demand: GpuMemoryDemand, gpu: { count: number; model: GpuModel }, pools: readonly NodePoolSpec[]): void {
  const offered = pools.filter((p) => p.gpuModel === gpu.model && p.gpuSharing === undefined).map(poolGpuMemoryMiB);
  // No pool of that GPU: the placement proof says so, with every pool's verdict.
  if (offered.length === 0) return;
  const memoryMiB = Math.max(...offered);
  const fit = gpuMemoryFit(demand, memoryMiB);
  if (fit.fits) return;
  const what = `${demand.model.name}, ${demand.quantization ?? demand.dtype}, ${round2(demand.weightsGiB)} GiB of weights over ${demand.tensorParallelSize} GPU${demand.tensorParallelSize > 1 ? 's' : ''}`;
  const fixes = fitFixes(demand, gpu.model, memoryMiB);
  check.fail(
    'resources.gpu',
    gpu,
    `cannot hold ${what}: on ${gpu.model} it ${describeFit(fit, demand)}`,
    fixes.length > 0 ? fixes.join('; or ') : 'no GPU in the catalog holds it: serve a smaller model',
  );
}

function checkTensorParallelism(check: PropsValidator, model: LlmArchitecture, tp: number, gpu: { count: number; model: GpuModel }): void {
  check.that(model.attentionHeads % tp === 0, 'server.tensorParallelSize', tp, `does not divide ${model.name}'s ${model.attentionHeads} attention heads, which vLLM requires`, `use one of ${validTensorParallelSizes(model).join(', ')}`);
  if (gpu.count === tp) return;
  check.that(gpu.count % tp === 0, 'server.tensorParallelSize', tp, `does not divide resources.gpu.count (${gpu.count}): each replica spreads the model over exactly tensorParallelSize GPUs`, `set resources.gpu.count to ${tp}, or leave it out (it follows tensorParallelSize)`);
  check.fail('resources.gpu.count', gpu.count, `gives each pod ${gpu.count} GPUs but vLLM uses tensorParallelSize (${tp}) of them; the rest would sit idle`, `set resources.gpu.count to ${tp} (or leave it out), or raise server.tensorParallelSize to ${gpu.count}`);
}

function checkGpuRunsIt(check: PropsValidator, gpu: GpuModel, dtype: LlmDtype, quantization: LlmQuantization | undefined): void {
  if (quantization !== undefined) {
    const why = gpuSupports(gpu, 'float16', quantization);
    const runs = LLM_QUANTIZATIONS.filter((q) => !gpuSupports(gpu, 'float16', q));
    check.that(why === undefined, 'server.quantization', quantization, `is a quantization the GPU lacks: ${why} (https://docs.vllm.ai/en/latest/features/quantization/)`, `serve an unquantized checkpoint or one quantized with ${runs.join(', ')} on ${gpu}, or request a GPU that runs ${quantization} (${quantization === 'fp8' ? 'L4, L40S or H100' : 'a newer generation'})`);
  }
  const why = gpuSupports(gpu, dtype);
  check.that(why === undefined, 'server.dtype', dtype, `is a dtype the GPU lacks: ${why}`, `use dtype: "float16" on ${gpu}, or an Ampere or newer GPU for bfloat16`);
}

function validateVllmOptions(check: PropsValidator, options: VllmOptions): void {
  validateLlmArchitecture(check, options.model!, 'server.model');
  check.oneOf('server.dtype', options.dtype, LLM_DTYPES);
  check.oneOf('server.quantization', options.quantization, LLM_QUANTIZATIONS);
  check.numberInRange('server.weightsGiB', options.weightsGiB, 0.01, 100_000, 'give the size of the checkpoint\'s weight files in GiB, e.g. 15');
  check.integerInRange('server.maxContextTokens', options.maxContextTokens, 128, 10_000_000, 'give the longest sequence in tokens, e.g. 8192');
  check.integerInRange('server.concurrentSequences', options.concurrentSequences, 1, 100_000, 'give how many full-context sequences the KV cache must hold at once, e.g. 4');
  check.integerInRange('server.tensorParallelSize', options.tensorParallelSize, 1, 8, 'spread a replica over 1 to 8 GPUs of one node');
  check.numberInRange('server.gpuMemoryUtilization', options.gpuMemoryUtilization, 0.5, 0.98, 'give a share from 0.5 to 0.98 (vLLM\'s default is 0.9)');
  check.numberInRange('server.runtimeOverheadGiB', options.runtimeOverheadGiB, 0, 100, 'give the GiB per GPU outside weights and KV cache, e.g. 2');
}

/** How long pods of the candidate pools take to get and load the weights (the slowest pool counts). */
export function llmLoadTimes(llm: LlmPlan, pools: readonly NodePoolSpec[], capacity?: Capacity): { copySeconds: number; startupSeconds: number } {
  const times = pools.map((p) => weightLoadTimes(p, llm.weightsGiB, capacity));
  return {
    copySeconds: Math.max(0, ...times.map((t) => t.copySeconds)),
    startupSeconds: Math.max(0, ...times.map((t) => t.readSeconds)) + ENGINE_WARMUP_SECONDS,
  };
}

/**
 * A language model's start-up, from the weights' size and the slowest candidate pool's disk and
 * network: the loader's copy, then the server's read and warm-up (the startup probe's budget,
 * unless given, and then never shorter than what the weights need).
 */
export function planLlmLoading(check: PropsValidator, props: Pick<ModelServiceProps, 'startupTimeoutSeconds'>, llm: LlmPlan, pools: readonly NodePoolSpec[], capacity?: Capacity): { startupTimeoutSeconds: number; copySeconds: number; loadingSeconds: number } {
  const times = llmLoadTimes(llm, pools, capacity);
  const given = props.startupTimeoutSeconds;
  check.that(
    given === undefined || given >= times.startupSeconds,
    'startupTimeoutSeconds',
    given,
    `is shorter than loading ${Math.round(llm.weightsGiB)} GiB of weights takes on the slowest candidate pool (${times.startupSeconds - ENGINE_WARMUP_SECONDS} s to read them, ${ENGINE_WARMUP_SECONDS} s of engine warm-up), so the kubelet would restart every pod before it is ready`,
    `give at least ${times.startupSeconds}, or leave it out to derive it`,
  );
  const startupTimeoutSeconds = given ?? times.startupSeconds;
  return { startupTimeoutSeconds, copySeconds: times.copySeconds, loadingSeconds: times.copySeconds + startupTimeoutSeconds };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * A language model's loading, once its pools are known: the startup budget from its weights, and a
 * scale-down that waits at least as long as a new pod takes to copy and load them (at most an hour).
 */
export function planLoading(
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
