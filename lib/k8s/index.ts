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
export { DEFAULT_WARMUP_IMAGE } from './model-warmup';
export type { WarmupOptions, WarmupRequest } from './model-warmup';
export { EGRESS_REASON_ANNOTATION } from './egress';
export * from './model-service-props';
export { TLS_ORIGINATION_HTTP_PORT } from './external-services';
export type { ExternalServiceOptions } from './external-services';
export * from './model-service';
export type { IModelService, ModelServiceAttributes, ModelServiceAuth, ModelServiceAuthAttributes, ServiceAccountIdentity } from './model-service-attributes';
export { ServicePeer } from './service-peer';
export type { PipelinePeerOptions, ServiceAccountPeerOptions, ServicePeerKind } from './service-peer';
export type { ServiceAccess } from './service-access';
export { isPinnedImage } from './image-reference';
export { MESH_SIDECAR } from './validate-model-service';
export type { ModelServicePlan, PlannedTrack, ScalingPlan } from './validate-model-service';
export { KEDA_PAUSED_REPLICAS } from './scaling';
export { VERTICAL_POD_AUTOSCALER_API } from './resource-recommendations';
export * from './traffic';
export * from './monitoring';
export * from './progressive';
export * from './pipeline';
export * from '../check/placement';
export * from './capacity';
export { priorityClassName } from './priority-classes';
export type { ServingPriority } from './priority-classes';
export * from './serving-priority-classes';
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
