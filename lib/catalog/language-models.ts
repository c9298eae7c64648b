import { GPU_MODEL_SPECS, GpuModel } from './gpu-models';
import { PropsValidator } from './validation-error';

/**
 * What the GPU-memory fit proof needs to know about a decoder-only language model: its size and
 * the shape of its attention, as its Hugging Face `config.json` gives them (`num_hidden_layers`,
 * `num_attention_heads`, `num_key_value_heads`, `head_dim` or `hidden_size / num_attention_heads`,
 * `max_position_embeddings`).
 */
export interface LlmArchitecture {
  /** Name for messages, e.g. `Llama 3.1 8B`. */
  readonly name: string;
  /** Parameters, billions (8.03 for Llama 3.1 8B). */
  readonly parametersBillions: number;
  /** Transformer layers (`num_hidden_layers`). */
  readonly layers: number;
  /** Query heads (`num_attention_heads`): tensor parallelism must divide them. */
  readonly attentionHeads: number;
  /** Key/value heads (`num_key_value_heads`; equal to attentionHeads without grouped-query attention). */
  readonly kvHeads: number;
  /** Size of one head (`head_dim`). */
  readonly headDim: number;
  /** Longest context the model was trained for (`max_position_embeddings`), tokens. */
  readonly maxContextTokens: number;
}

/**
 * Architectures of common open models, from each model's `config.json` on Hugging Face. Any
 * other model: `LanguageModels.custom({ ... })` with the same fields from its config.
 */
export const LanguageModels = {
  /** meta-llama/Llama-3.1-8B-Instruct: 32 layers, 32 heads, 8 KV heads of 128, 128K context. */
  llama31_8B(): LlmArchitecture {
    return { name: 'Llama 3.1 8B', parametersBillions: 8.03, layers: 32, attentionHeads: 32, kvHeads: 8, headDim: 128, maxContextTokens: 131_072 };
  },
  /** meta-llama/Llama-3.1-70B-Instruct (and Llama 3.3 70B): 80 layers, 64 heads, 8 KV heads of 128, 128K context. */
  llama31_70B(): LlmArchitecture {
    return { name: 'Llama 3.1 70B', parametersBillions: 70.6, layers: 80, attentionHeads: 64, kvHeads: 8, headDim: 128, maxContextTokens: 131_072 };
  },
  /** mistralai/Mistral-7B-Instruct-v0.3: 32 layers, 32 heads, 8 KV heads of 128, 32K context. */
  mistral7B(): LlmArchitecture {
    return { name: 'Mistral 7B v0.3', parametersBillions: 7.25, layers: 32, attentionHeads: 32, kvHeads: 8, headDim: 128, maxContextTokens: 32_768 };
  },
  /** Qwen/Qwen2.5-7B-Instruct: 28 layers, 28 heads, 4 KV heads of 128, 32K context. */
  qwen25_7B(): LlmArchitecture {
    return { name: 'Qwen2.5 7B', parametersBillions: 7.62, layers: 28, attentionHeads: 28, kvHeads: 4, headDim: 128, maxContextTokens: 32_768 };
  },
  /** Any other decoder-only model, described by its `config.json`; checked when the service is planned. */
  custom(architecture: LlmArchitecture): LlmArchitecture {
    return { ...architecture };
  },
};

/** Unquantized weight and activation types. bfloat16 needs compute capability 8.0 (Ampere). */
export const LLM_DTYPES = ['bfloat16', 'float16'] as const;
export type LlmDtype = (typeof LLM_DTYPES)[number];

/** How a quantized checkpoint stores its weights. vLLM reads the method from the checkpoint's config. */
export const LLM_QUANTIZATIONS = ['fp8', 'int8', 'awq', 'gptq', 'bitsandbytes'] as const;
export type LlmQuantization = (typeof LLM_QUANTIZATIONS)[number];

export interface QuantizationSpec {
  /** Bytes one parameter takes on disk and in GPU memory, as an estimate (`weightsGiB` overrides it). */
  readonly bytesPerParameter: number;
  /** Lowest compute capability whose kernels run it in vLLM. */
  readonly minComputeCapability: number;
  readonly description: string;
}

/**
 * vLLM's quantization support by GPU generation ("Supported Hardware",
 * https://docs.vllm.ai/en/latest/features/quantization/): FP8 W8A8 needs Ada or Hopper (8.9),
 * INT8 W8A8 and AWQ need Turing (7.5), GPTQ and bitsandbytes run from Volta (7.0). The 4-bit
 * formats keep scales and usually the embeddings in 16 bits, hence 0.6 bytes per parameter.
 */
export const QUANTIZATION_SPECS: Readonly<Record<LlmQuantization, QuantizationSpec>> = {
  fp8: { bytesPerParameter: 1, minComputeCapability: 8.9, description: 'FP8 weights and activations (W8A8)' },
  int8: { bytesPerParameter: 1, minComputeCapability: 7.5, description: 'INT8 weights and activations (W8A8)' },
  awq: { bytesPerParameter: 0.6, minComputeCapability: 7.5, description: '4-bit AWQ weights' },
  gptq: { bytesPerParameter: 0.6, minComputeCapability: 7.0, description: '4-bit GPTQ weights' },
  bitsandbytes: { bytesPerParameter: 0.6, minComputeCapability: 7.0, description: '4-bit bitsandbytes weights' },
};

/** Compute capability bfloat16 needs (vLLM refuses it below: "Bfloat16 is only supported on GPUs with compute capability of at least 8.0"). */
export const BFLOAT16_MIN_COMPUTE_CAPABILITY = 8.0;
/** Bytes of one key or value element in the KV cache: the activation dtype, 16 bits. */
export const KV_CACHE_BYTES = 2;

const GIB = 1024 ** 3;

/** Size of the weights, GiB: parameters × bytes per parameter of the dtype or quantization. */
export function estimateWeightsGiB(model: LlmArchitecture, quantization?: LlmQuantization): number {
  const bytes = quantization ? QUANTIZATION_SPECS[quantization].bytesPerParameter : 2;
  return (model.parametersBillions * 1e9 * bytes) / GIB;
}

/** KV heads one GPU holds with `tensorParallelSize` GPUs: split evenly, or replicated when there are fewer heads than GPUs. */
export function kvHeadsPerGpu(model: LlmArchitecture, tensorParallelSize: number): number {
  return Math.max(1, Math.ceil(model.kvHeads / tensorParallelSize));
}

/** Bytes of KV cache one token takes on one GPU: a key and a value per layer and KV head. */
export function kvCacheBytesPerTokenPerGpu(model: LlmArchitecture, tensorParallelSize: number): number {
  return 2 * model.layers * kvHeadsPerGpu(model, tensorParallelSize) * model.headDim * KV_CACHE_BYTES;
}

/** Whether the GPU runs the dtype and quantization, and if not, why. */
export function gpuSupports(gpu: GpuModel, dtype: LlmDtype, quantization?: LlmQuantization): string | undefined {
  const cc = GPU_MODEL_SPECS[gpu].computeCapability;
  const v = (n: number) => n.toFixed(1);
  if (quantization && cc < QUANTIZATION_SPECS[quantization].minComputeCapability) {
    return `${gpu} (compute capability ${v(cc)}) has no kernels for ${QUANTIZATION_SPECS[quantization].description}, which need ${v(QUANTIZATION_SPECS[quantization].minComputeCapability)}`;
  }
  if (dtype === 'bfloat16' && cc < BFLOAT16_MIN_COMPUTE_CAPABILITY) {
    return `${gpu} (compute capability ${v(cc)}) has no bfloat16, which needs ${v(BFLOAT16_MIN_COMPUTE_CAPABILITY)}`;
  }
  return undefined;
}

/** Checks an architecture given by hand (plain JavaScript, JSON config); `field` names it in errors. */
export function validateLlmArchitecture(check: PropsValidator, model: LlmArchitecture, field: string): void {
  check.that(typeof model === 'object' && model !== null, field, model, 'is not a model architecture', 'use LanguageModels.llama31_8B() or LanguageModels.custom({ name, parametersBillions, layers, attentionHeads, kvHeads, headDim, maxContextTokens })');
  check.that(typeof model.name === 'string' && model.name.length > 0, `${field}.name`, model.name, 'is not set', 'name the model, e.g. "Llama 3.1 8B"');
  check.numberInRange(`${field}.parametersBillions`, model.parametersBillions, 0.01, 10_000, 'give the parameter count in billions, e.g. 8.03');
  check.integerInRange(`${field}.layers`, model.layers, 1, 1000, 'give num_hidden_layers from the model\'s config.json');
  check.integerInRange(`${field}.attentionHeads`, model.attentionHeads, 1, 1024, 'give num_attention_heads from the model\'s config.json');
  check.integerInRange(`${field}.kvHeads`, model.kvHeads, 1, 1024, 'give num_key_value_heads from the model\'s config.json');
  check.that(model.attentionHeads % model.kvHeads === 0, `${field}.kvHeads`, model.kvHeads, `does not divide attentionHeads (${model.attentionHeads})`, 'give num_key_value_heads from the model\'s config.json');
  check.integerInRange(`${field}.headDim`, model.headDim, 1, 4096, 'give head_dim (or hidden_size / num_attention_heads) from the model\'s config.json');
  check.integerInRange(`${field}.maxContextTokens`, model.maxContextTokens, 128, 10_000_000, 'give max_position_embeddings from the model\'s config.json');
}
