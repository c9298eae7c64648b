import { estimateWeightsGiB, findInstanceType, GPU_MODEL_SPECS, gpuSupports, kvCacheBytesPerTokenPerGpu, LanguageModels } from '../../lib/catalog';
import { fitFixes, gpuMemoryFit, GpuMemoryDemand, validTensorParallelSizes } from '../../lib/check/gpu-memory-fit';

const demand = (over: Partial<GpuMemoryDemand> = {}): GpuMemoryDemand => ({
  model: LanguageModels.llama31_8B(),
  dtype: 'bfloat16',
  weightsGiB: estimateWeightsGiB(LanguageModels.llama31_8B()),
  tensorParallelSize: 1,
  maxContextTokens: 8192,
  concurrentSequences: 2,
  gpuMemoryUtilization: 0.9,
  runtimeOverheadGiB: 2,
  ...over,
});
const MIB = { L4: findInstanceType('g6.2xlarge')!.gpuMemoryMiB!, T4: findInstanceType('g4dn.xlarge')!.gpuMemoryMiB!, H100: findInstanceType('p5.48xlarge')!.gpuMemoryMiB!, A100_40: findInstanceType('p4d.24xlarge')!.gpuMemoryMiB! };

describe('the catalog facts the proof reads', () => {
  test('GPU memory is what EC2 reports (an L4 or A10G has 22888 MiB, not 24 GiB), and compute capability per generation', () => {
    expect(MIB).toEqual({ L4: 22888, T4: 16384, H100: 81920, A100_40: 40960 });
    expect(findInstanceType('g5.xlarge')!.gpuMemoryMiB).toBe(22888);
    expect(Object.fromEntries(Object.values(GPU_MODEL_SPECS).map((g) => [g.model, g.computeCapability]))).toEqual({ T4: 7.5, A10G: 8.6, L4: 8.9, L40S: 8.9, V100: 7, A100: 8, H100: 9 });
  });

  test('Llama 3.1 8B: 14.96 GiB of bfloat16 weights; a token of KV cache takes 2 × 32 layers × 8 heads × 128 × 2 bytes = 128 KiB', () => {
    expect(estimateWeightsGiB(LanguageModels.llama31_8B())).toBeCloseTo(14.96, 2);
    expect(estimateWeightsGiB(LanguageModels.llama31_8B(), 'fp8')).toBeCloseTo(7.48, 2);
    expect(kvCacheBytesPerTokenPerGpu(LanguageModels.llama31_8B(), 1)).toBe(131_072);
    // Tensor parallelism splits the KV heads; past their count each GPU keeps one.
    expect(kvCacheBytesPerTokenPerGpu(LanguageModels.llama31_70B(), 4)).toBe(2 * 80 * 2 * 128 * 2);
    expect(kvCacheBytesPerTokenPerGpu(LanguageModels.qwen25_7B(), 8)).toBe(2 * 28 * 1 * 128 * 2);
  });

  test('vLLM\'s quantization table by generation: FP8 needs Ada or Hopper, AWQ Turing, bfloat16 Ampere', () => {
    expect(gpuSupports('L4', 'float16', 'fp8')).toBeUndefined();
    expect(gpuSupports('H100', 'bfloat16', 'fp8')).toBeUndefined();
    expect(gpuSupports('A100', 'bfloat16', 'fp8')).toBe('A100 (compute capability 8.0) has no kernels for FP8 weights and activations (W8A8), which need 8.9');
    expect(gpuSupports('V100', 'float16', 'awq')).toMatch(/V100 \(compute capability 7\.0\) has no kernels for 4-bit AWQ/);
    expect(gpuSupports('T4', 'float16', 'awq')).toBeUndefined();
    expect(gpuSupports('T4', 'bfloat16')).toBe('T4 (compute capability 7.5) has no bfloat16, which needs 8.0');
  });

  test('tensor-parallel sizes are the divisors of the heads up to a node\'s GPUs', () => {
    expect(validTensorParallelSizes(LanguageModels.llama31_70B())).toEqual([1, 2, 4, 8]);
    expect(validTensorParallelSizes(LanguageModels.qwen25_7B())).toEqual([1, 2, 4]);
  });
});

describe('gpuMemoryFit: weights + KV cache × context × sequences + runtime, per GPU, against memory × utilization', () => {
  test('Llama 3.1 8B on one L4 at 8K × 2: 14.96 + 2 + 2 = 18.96 GiB of 20.12', () => {
    expect(gpuMemoryFit(demand(), MIB.L4)).toEqual({
      gpuMemoryGiB: 22.35, budgetGiB: 20.12, weightsGiB: 14.96, kvCacheGiB: 2, overheadGiB: 2, neededGiB: 18.96, fits: true, maxContextTokensThatFit: 12_940,
    });
  });

  test('its full 128K context does not fit one L4, and the proof says how long a context does', () => {
    const fit = gpuMemoryFit(demand({ maxContextTokens: 131_072, concurrentSequences: 1 }), MIB.L4);
    expect(fit).toMatchObject({ kvCacheGiB: 16, neededGiB: 32.96, fits: false, maxContextTokensThatFit: 25_881 });
  });

  test('Llama 3.1 70B over four H100s at 32K × 8: 32.88 GiB of weights and 20 of KV cache per GPU, of 72', () => {
    const big = demand({ model: LanguageModels.llama31_70B(), weightsGiB: estimateWeightsGiB(LanguageModels.llama31_70B()), tensorParallelSize: 4, maxContextTokens: 32_768, concurrentSequences: 8 });
    expect(gpuMemoryFit(big, MIB.H100)).toMatchObject({ budgetGiB: 72, weightsGiB: 32.88, kvCacheGiB: 20, neededGiB: 54.88, fits: true });
    // The same on A100s of 40 GiB: the weights alone take 32.88 of 36.
    expect(gpuMemoryFit(big, MIB.A100_40)).toMatchObject({ budgetGiB: 36, fits: false, maxContextTokensThatFit: 1_842 });
  });

  test('a misfit\'s fixes, cheapest first: more tensor parallelism, a shorter context, a quantization the GPU runs, a bigger GPU', () => {
    expect(fitFixes(demand({ maxContextTokens: 131_072, concurrentSequences: 1 }), 'L4', MIB.L4)).toEqual([
      'raise tensorParallelSize to 2 (2 × L4 per replica)',
      'shorten maxContextTokens to 25856 or fewer (or lower concurrentSequences)',
      'serve a checkpoint quantized with fp8 and tensorParallelSize 2 (L4 runs fp8)',
      'use a GPU with more memory: L40S (44.7 GiB), A100 (80 GiB), H100 (80 GiB)',
    ]);
  });

  test('Llama 3.1 70B in float16 on one T4: nothing on one T4 holds it; AWQ over 8 T4s or 80 GiB GPUs do', () => {
    const big = demand({ model: LanguageModels.llama31_70B(), dtype: 'float16', weightsGiB: estimateWeightsGiB(LanguageModels.llama31_70B()), maxContextTokens: 131_072, concurrentSequences: 1 });
    expect(gpuMemoryFit(big, MIB.T4)).toMatchObject({ budgetGiB: 14.4, weightsGiB: 131.5, fits: false, maxContextTokensThatFit: 0 });
    expect(fitFixes(big, 'T4', MIB.T4)).toEqual([
      'serve a checkpoint quantized with awq and tensorParallelSize 8 (T4 runs awq)',
      'use a GPU with more memory: A100 (80 GiB) with tensorParallelSize 4, H100 (80 GiB) with tensorParallelSize 4, L40S (44.7 GiB) with tensorParallelSize 8',
    ]);
  });
});
