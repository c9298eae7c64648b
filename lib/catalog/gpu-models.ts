/**
 * NVIDIA GPU models the platform can schedule on, and the Kubernetes names used to target them.
 * The node pools label their nodes with GPU_MODEL_LABEL, so placement works without NVIDIA's
 * GPU feature discovery; the device plugin exposes GPUs as the GPU_RESOURCE extended resource.
 */
export const GPU_MODELS = ['T4', 'A10G', 'L4', 'L40S', 'V100', 'A100', 'H100'] as const;
export type GpuModel = (typeof GPU_MODELS)[number];

/** Node label that the platform's GPU node pools carry, with a GpuModel as value. */
export const GPU_MODEL_LABEL = 'modelserve.io/gpu-model';
/** Extended resource that the NVIDIA device plugin advertises. */
export const GPU_RESOURCE = 'nvidia.com/gpu';
/** Taint on every GPU node so that only pods that ask for a GPU land there. */
export const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' } as const;

export interface GpuModelSpec {
  readonly model: GpuModel;
  /** NVIDIA's architecture generation. */
  readonly architecture: 'Turing' | 'Ampere' | 'Ada Lovelace' | 'Volta' | 'Hopper';
  /** Whether the GPU can be partitioned with Multi-Instance GPU. */
  readonly supportsMig: boolean;
  /**
   * CUDA compute capability (SM version), which decides the kernels a server can use: bfloat16
   * needs 8.0, FP8 (W8A8) 8.9 (https://docs.nvidia.com/cuda/cuda-c-programming-guide/#compute-capabilities).
   */
  readonly computeCapability: number;
}

export const GPU_MODEL_SPECS: Readonly<Record<GpuModel, GpuModelSpec>> = {
  T4: { model: 'T4', architecture: 'Turing', supportsMig: false, computeCapability: 7.5 },
  A10G: { model: 'A10G', architecture: 'Ampere', supportsMig: false, computeCapability: 8.6 },
  L4: { model: 'L4', architecture: 'Ada Lovelace', supportsMig: false, computeCapability: 8.9 },
  L40S: { model: 'L40S', architecture: 'Ada Lovelace', supportsMig: false, computeCapability: 8.9 },
  V100: { model: 'V100', architecture: 'Volta', supportsMig: false, computeCapability: 7 },
  A100: { model: 'A100', architecture: 'Ampere', supportsMig: true, computeCapability: 8 },
  H100: { model: 'H100', architecture: 'Hopper', supportsMig: true, computeCapability: 9 },
};

export function isGpuModel(value: unknown): value is GpuModel {
  return typeof value === 'string' && (GPU_MODELS as readonly string[]).includes(value);
}
