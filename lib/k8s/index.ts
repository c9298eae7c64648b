/**
 * cdk8s constructs: `ServingChart`, `ModelService`, `ModelPipeline` and their parts. Never loads cdktf.
 *
 * @module modelserve/k8s
 */
export * from './serving-chart';
export * from './serving-namespace';
export * from './rollout';
export * from './labels';
export * from './model-server';
export { DEFAULT_MODEL_LOADER_IMAGE } from './model-loader';
export type { ModelLoaderOptions } from './model-loader';
export { EGRESS_REASON_ANNOTATION } from './egress';
export * from './model-service-props';
export * from './model-service';
export { isPinnedImage } from './image-reference';
export { MESH_SIDECAR } from './validate-model-service';
export type { ModelServicePlan, PlannedTrack, ScalingPlan } from './validate-model-service';
export { KEDA_PAUSED_REPLICAS } from './scaling';
export * from './traffic';
export * from './monitoring';
export * from './progressive';
export * from './pipeline';
export * from '../check/placement';
export * from './capacity';
export { DEFAULT_ENDPOINT_PICKER_IMAGE } from './inference/inference-pool-options';
export type { InferencePoolOptions } from './inference/inference-pool-options';
export { InferenceRouting } from './inference/inference-routing';
export { gpuMemoryFit, describeFit } from '../check/gpu-memory-fit';
export type { GpuMemoryDemand, GpuMemoryFit } from '../check/gpu-memory-fit';
export * from './specs/spec-documents';
export { SpecError } from './specs/spec-error';
export type { SpecLocation, SpecProblem } from './specs/spec-error';
export { ServingSpecs } from './specs/serving-specs';
export type { SpecConstructs, SpecDocument } from './specs/serving-specs';
