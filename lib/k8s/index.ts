/**
 * cdk8s constructs: `ServingChart`, `ModelService`, `ModelPipeline` and their parts. Never loads cdktf.
 *
 * @module modelserve/k8s
 */
export { ServingChart } from './serving-chart';
export type { ServingChartProps } from './serving-chart';
export { DEFAULT_INGRESS_GATEWAY, DEFAULT_PROMETHEUS, ServingNamespace } from './serving-namespace';
export type { EgressRule, PodPeer, ServingNamespaceOptions, ServingNamespaceProps } from './serving-namespace';
export { Rollout } from './rollout';
export type { AbMatch, AbTestOptions, BlueGreenOptions, CanaryOptions, PodCountOrPercent, RollingUpdateOptions, RolloutKind, RolloutOptions, ShadowOptions, Track } from './rollout';
export { MODEL_ID_LABEL, MODEL_VERSION_LABEL, SERVICE_LABEL, TRACK_LABEL } from './labels';
export type { CostAllocation } from './labels';
export { DEFAULT_SERVER_IMAGES, ModelServer } from './model-server';
export type { CustomModelServerOptions, ModelServerSpec, TensorflowServingOptions, VllmOptions } from './model-server';
export { DEFAULT_MODEL_LOADER_IMAGE } from './model-loader';
export type { ModelLoaderOptions } from './model-loader';
export { DEFAULT_WARMUP_IMAGE } from './model-warmup';
export type { WarmupOptions, WarmupRequest } from './model-warmup';
export { EGRESS_REASON_ANNOTATION } from './egress';
export type { AutoscalingOptions, ConfigOptions, GpuRequest, ModelReference, ModelResources, ModelServiceProps, MonitoringOptions, PlacementOptions, ScalingWindow, SecretKeyReference, SecretsOptions, ServiceAccountOptions, SpotUse } from './model-service-props';
export { TLS_ORIGINATION_HTTP_PORT } from './external-services';
export type { ExternalServiceOptions } from './external-services';
export { ModelService } from './model-service';
export type { IModelService, ModelServiceAttributes, ModelServiceAuth, ModelServiceAuthAttributes, ServiceAccountIdentity } from './model-service-attributes';
export { ServicePeer } from './service-peer';
export type { PipelinePeerOptions, ServiceAccountPeerOptions, ServicePeerKind } from './service-peer';
export type { ServiceAccess } from './service-access';
export { isPinnedImage } from './image-reference';
export { MESH_SIDECAR } from './validate-model-service';
export type { ModelServicePlan, PlannedTrack, ScalingPlan } from './validate-model-service';
export { KEDA_PAUSED_REPLICAS } from './scaling';
export { VERTICAL_POD_AUTOSCALER_API } from './resource-recommendations';
export { FAULT_INJECTION_WARNING, LOAD_BALANCING_ALGORITHMS, ModelTraffic, TLS_VERSIONS } from './traffic';
export type { CircuitBreakerOptions, FaultInjectionOptions, GatewayOptions, HealthCheck, JwtOptions, LoadBalancerOptions, LoadBalancingAlgorithm, MetricsEndpoint, ModelTrafficProps, RateLimitOptions, ReplicaShape, RequestAuthOptions, ResolvedLoadBalancer, RetryOptions, RouteContext, ServiceAccountReference, StickySessionOptions, TlsVersion, TokenBucket, TrafficOptions, WorkloadEndpoints } from './traffic';
export { ALERT_NAMES, DEFAULT_ALERT_THRESHOLDS, ERROR_LOG_PATTERN, GRAFANA_DASHBOARD_LABEL, KUBE_STATE_METRICS_ALLOWLIST, LOG_ALERT_NAME, ModelMonitoring, ModelServeDashboards } from './monitoring';
export type { AlertRule, AlertRuleContext, AlertThresholds, DashboardKey, ModelMonitoringProps, ModelServeDashboardsProps } from './monitoring';
export { CanaryPause, DEFAULT_ROLLBACK_THRESHOLDS, ProgressiveDelivery } from './progressive';
export type { AnalysisContext, AnalysisTemplateSpec, CanaryStep, ProgressiveAnalysisOptions, ProgressiveDeliveryProps, ProgressiveOptions } from './progressive';
export { DEFAULT_STEP_IMAGE, ModelPipeline, ORCHESTRATOR_CONTRACT, ORCHESTRATOR_IMAGE_REPOSITORY, ORCHESTRATOR_VERSION, PIPELINE_ALERT_NAMES, PIPELINE_ALERT_THRESHOLDS, PIPELINE_LABEL, PipelinePayloads, PipelineWorkflow, STEP_LABEL } from './pipeline';
export type { ArtifactPayloadOptions, ArtifactRepositoryReference, BatchPlan, ModelPipelineProps, OnlinePlan, PipelineBatchOptions, PipelineDefinition, PipelineDefinitionStep, PipelineOnlineOptions, PipelinePayloadsSpec, PipelinePlan, PipelineRedisOptions, PipelineStage, PipelineStep, PipelineWorkflowProps, PipelineWorkflowTtl, PlannedStep, RedisPlan } from './pipeline';
export type { PlacementResult, PodPlacementRequest, PoolVerdict } from '../check/placement';
export { KarpenterNodePools } from './capacity';
export type { KarpenterNodePoolsProps } from './capacity';
export { priorityClassName } from './priority-classes';
export type { ServingPriority } from './priority-classes';
export { ServingPriorityClasses } from './serving-priority-classes';
export type { ServingPriorityClassesProps } from './serving-priority-classes';
export { DEFAULT_ENDPOINT_PICKER_IMAGE } from './inference/inference-pool-options';
export type { InferencePoolOptions } from './inference/inference-pool-options';
export { InferenceRouting } from './inference/inference-routing';
export { gpuMemoryFit, describeFit } from '../check/gpu-memory-fit';
export type { GpuMemoryDemand, GpuMemoryFit } from '../check/gpu-memory-fit';
export type { ModelPipelineDocument, ModelServiceDocument, ServingDocument } from './specs/spec-documents';
export { SpecError } from './specs/spec-error';
export type { SpecLocation, SpecProblem } from './specs/spec-error';
export { ServingSpecs } from './specs/serving-specs';
export type { SpecConstructs, SpecDocument } from './specs/serving-specs';
