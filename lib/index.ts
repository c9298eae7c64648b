/**
 * The engine-free catalog both sides read: EC2 instance types, GPU models, environment presets,
 * node pool specs, and `ValidationError`. The constructs live behind `modelserve/aws` (cdktf) and
 * `modelserve/k8s` (cdk8s) so that each app loads one engine only.
 *
 * @module modelserve
 */
export { ACKNOWLEDGED_WARNINGS_CONTEXT, AMI_TYPES, CAPACITY_TYPE_LABEL, COST_ALLOCATION_TAGS, COST_ALLOCATION_TAG_KEYS, Capacity, GpuShare, GpuSharing, DEFAULT_KUBERNETES_VERSION, EKS_KUBERNETES_CALENDAR, EKS_UNSUPPORTED_ZONE_IDS, ENVIRONMENTS, ENVIRONMENT_PRESETS, GPU_MODELS, GPU_MODEL_LABEL, GPU_MODEL_SPECS, GPU_RESOURCE, GPU_TAINT, HIGH_MEMORY_TAINT, INSTANCE_TYPES, KARPENTER_DISCOVERY_TAG, KUBERNETES_VERSIONS, LLM_DTYPES, LLM_QUANTIZATIONS, LanguageModels, MAX_TIME_SLICES, MIG_PROFILES, NODE_POOL_LABEL, NodePools, REGION_ZONE_IDS, SHARED_GPU_RESOURCE, SPOT_TAINT, ValidationError, WARNINGS_AS_ERRORS, WARNINGS_AS_ERRORS_CONTEXT, findInstanceType, karpenterNodeRoleName, riskWarnings, validateNodePoolSpec } from './catalog';
export type { AmiType, CapacityType, CostAllocationDimension, CpuArchitecture, EksVersionDates, EnvironmentName, EnvironmentPreset, GpuModel, GpuModelSpec, GpuNodePoolOptions, HighMemoryNodePoolOptions, InstanceCategory, InstanceTypeSpec, KarpenterOptions, KarpenterPoolLimits, KubernetesSupportPhase, KubernetesSupportType, KubernetesVersion, LlmArchitecture, LlmDtype, LlmQuantization, MigOptions, NodePoolAllocatable, NodePoolKind, NodePoolOptions, NodePoolSpec, NodeTaint, PodCacheDisk, QuantizationSpec, RiskWarning, SpotNodePoolOptions, TaintEffect, TimeSlicingOptions, WeightLoadTimes } from './catalog';
