import {
  estimateWeightsGiB,
  GPU_MODELS,
  GpuModel,
  gpuSupports,
  INSTANCE_TYPES,
  kvCacheBytesPerTokenPerGpu,
  LLM_QUANTIZATIONS,
  LlmArchitecture,
  LlmDtype,
  LlmQuantization,
} from '../catalog';

/** What one replica of a language model asks of each of its GPUs. */
export interface GpuMemoryDemand {
  readonly model: LlmArchitecture;
  readonly dtype: LlmDtype;
  readonly quantization?: LlmQuantization;
  /** The whole checkpoint, GiB: given, or estimated from the parameters. */
  readonly weightsGiB: number;
  readonly tensorParallelSize: number;
  /** `--max-model-len`: the longest sequence, prompt and output, tokens. */
  readonly maxContextTokens: number;
  /** Sequences of maxContextTokens the KV cache must hold at once. */
  readonly concurrentSequences: number;
  /** `--gpu-memory-utilization`: the share of each GPU's memory vLLM may take. */
  readonly gpuMemoryUtilization: number;
  /** CUDA context, activations, CUDA graphs and communication buffers, GiB per GPU. */
  readonly runtimeOverheadGiB: number;
}

/** The fit proof of one GPU: each term per GPU, GiB. */
export interface GpuMemoryFit {
  /** The GPU's memory as EC2 reports it. */
  readonly gpuMemoryGiB: number;
  /** What vLLM may use: gpuMemoryGiB × gpuMemoryUtilization. */
  readonly budgetGiB: number;
  readonly weightsGiB: number;
  readonly kvCacheGiB: number;
  readonly overheadGiB: number;
  readonly neededGiB: number;
  readonly fits: boolean;
  /** The longest context the budget leaves room for at concurrentSequences (0 when the weights alone do not fit). */
  readonly maxContextTokensThatFit: number;
}

const GIB = 1024 ** 3;

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * Weights + KV cache at the maximum context × concurrent sequences + runtime overhead, per GPU,
 * against the GPU's memory × gpuMemoryUtilization: what vLLM checks at start-up, when it profiles
 * memory and refuses a context the KV cache cannot hold ("The model's max seq len is larger than
 * the maximum number of tokens that can be stored in KV cache").
 */
export function gpuMemoryFit(demand: GpuMemoryDemand, gpuMemoryMiB: number): GpuMemoryFit {
  const gpuMemoryGiB = gpuMemoryMiB / 1024;
  const budgetGiB = gpuMemoryGiB * demand.gpuMemoryUtilization;
  const weightsGiB = demand.weightsGiB / demand.tensorParallelSize;
  const perToken = kvCacheBytesPerTokenPerGpu(demand.model, demand.tensorParallelSize);
  const kvCacheGiB = (perToken * demand.maxContextTokens * demand.concurrentSequences) / GIB;
  const neededGiB = weightsGiB + kvCacheGiB + demand.runtimeOverheadGiB;
  const leftForKv = budgetGiB - weightsGiB - demand.runtimeOverheadGiB;
  const maxContextTokensThatFit = leftForKv <= 0 ? 0 : Math.floor((leftForKv * GIB) / perToken / demand.concurrentSequences);
  return {
    gpuMemoryGiB: round2(gpuMemoryGiB),
    budgetGiB: round2(budgetGiB),
    weightsGiB: round2(weightsGiB),
    kvCacheGiB: round2(kvCacheGiB),
    overheadGiB: demand.runtimeOverheadGiB,
    neededGiB: round2(neededGiB),
    fits: neededGiB <= budgetGiB,
    maxContextTokensThatFit,
  };
}

/** `needs 34.87 GiB per GPU (weights 32.87, KV cache 0.5 for 1 × 8192 tokens, runtime 2) of 72 (80 GiB × 0.9)` */
export function describeFit(fit: GpuMemoryFit, demand: GpuMemoryDemand): string {
  return `needs ${fit.neededGiB} GiB per GPU (weights ${fit.weightsGiB}, KV cache ${fit.kvCacheGiB} for ${demand.concurrentSequences} × ${demand.maxContextTokens} tokens, runtime ${fit.overheadGiB}) of ${fit.budgetGiB} GiB (${fit.gpuMemoryGiB} GiB × ${demand.gpuMemoryUtilization} gpuMemoryUtilization)`;
}

/** The most memory each GPU model has per GPU in the catalog, and the most GPUs one instance gives it. */
function catalogGpus(): { model: GpuModel; memoryMiB: number; maxGpus: number }[] {
  return GPU_MODELS.map((model) => {
    const types = Object.values(INSTANCE_TYPES).filter((t) => t.gpuModel === model && t.gpuMemoryMiB);
    return { model, memoryMiB: Math.max(...types.map((t) => t.gpuMemoryMiB!)), maxGpus: Math.max(...types.map((t) => t.gpuCount)) };
  });
}

/** Tensor-parallel sizes vLLM accepts for the model on one node: divisors of its heads, up to `maxGpus`. */
export function validTensorParallelSizes(model: LlmArchitecture, maxGpus = 8): number[] {
  return [1, 2, 4, 8].filter((tp) => tp <= maxGpus && model.attentionHeads % tp === 0);
}

/** The smallest tensor-parallel size from `from` up at which the demand fits `memoryMiB`. */
function smallestTpThatFits(demand: GpuMemoryDemand, memoryMiB: number, maxGpus: number, from = 1): number | undefined {
  const fits = (tp: number) => gpuMemoryFit({ ...demand, tensorParallelSize: tp }, memoryMiB).fits;
  return validTensorParallelSizes(demand.model, maxGpus).find((tp) => tp >= from && fits(tp));
}

/**
 * What would make a misfit fit, tried from the cheapest change: more tensor parallelism on the
 * same GPU, a shorter context, a quantized checkpoint the GPU runs, a GPU with more memory.
 */
export function fitFixes(demand: GpuMemoryDemand, gpu: GpuModel, memoryMiB: number): string[] {
  const gpus = catalogGpus();
  const maxGpus = gpus.find((g) => g.model === gpu)?.maxGpus ?? 1;
  const fixes: string[] = [];
  const moreTp = smallestTpThatFits(demand, memoryMiB, maxGpus, demand.tensorParallelSize + 1);
  if (moreTp) fixes.push(`raise tensorParallelSize to ${moreTp} (${moreTp} × ${gpu} per replica)`);
  const fit = gpuMemoryFit(demand, memoryMiB);
  if (fit.maxContextTokensThatFit >= 1024) {
    fixes.push(`shorten maxContextTokens to ${Math.floor(fit.maxContextTokensThatFit / 256) * 256} or fewer (or lower concurrentSequences)`);
  }
  for (const quantization of LLM_QUANTIZATIONS) {
    if (quantization === demand.quantization || gpuSupports(gpu, 'float16', quantization)) continue;
    const quantized = { ...demand, quantization, weightsGiB: estimateWeightsGiB(demand.model, quantization) };
    if (quantized.weightsGiB >= demand.weightsGiB) continue;
    const tp = smallestTpThatFits(quantized, memoryMiB, maxGpus, demand.tensorParallelSize);
    if (tp) {
      fixes.push(`serve a checkpoint quantized with ${quantization}${tp === demand.tensorParallelSize ? '' : ` and tensorParallelSize ${tp}`} (${gpu} runs ${quantization})`);
      break;
    }
  }
  const bigger = gpus
    .filter((g) => g.memoryMiB > memoryMiB && !gpuSupports(g.model, demand.dtype, demand.quantization))
    .map((g) => ({ ...g, tp: smallestTpThatFits(demand, g.memoryMiB, g.maxGpus, demand.tensorParallelSize) }))
    .filter((g) => g.tp !== undefined)
    .sort((a, b) => a.tp! - b.tp! || a.memoryMiB - b.memoryMiB);
  if (bigger.length > 0) {
    fixes.push(`use a GPU with more memory: ${bigger.slice(0, 3).map((g) => `${g.model} (${round2(g.memoryMiB / 1024)} GiB)${g.tp === demand.tensorParallelSize ? '' : ` with tensorParallelSize ${g.tp}`}`).join(', ')}`);
  }
  return fixes;
}
