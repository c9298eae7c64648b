/**
 * cdktf constructs: `ModelServePlatform` and the pieces it composes (network, cluster, node pools,
 * database, cache, model store, registry, observability, state backend). Needs cdktf, constructs
 * and @cdktf/provider-aws only; never loads cdk8s. The cluster add-ons are `modelserve/addons`.
 *
 * @module modelserve/aws
 */

export type { IEncryptionKey } from './encryption-key-attributes';
export { EncryptionKey } from './encryption-key';
export type { EncryptionKeyProps, EncryptionKeyUsers } from './encryption-key';
export { PermissionsBoundary } from './permissions-boundary';
export type { Ipv4Cidr, SubnetPlan } from '../catalog/cidr';
export { LOG_RETENTION_DAYS } from './log-retention';
export type { INetwork, NetworkAttributes } from './network-attributes';
export { INTERFACE_ENDPOINT_SERVICES, Network } from './network';
export type { InterfaceEndpointService, NatGatewayLayout, NetworkProps } from './network';
export { ManagedNodeGroup } from './managed-node-group';
export type { ManagedNodeGroupProps } from './managed-node-group';
export { NodePool } from './node-pool';
export type { NodePoolProps } from './node-pool';
export type { ClusterAttributes, ClusterLookupProps, ICluster } from './cluster-attributes';
export { CONTROL_PLANE_LOG_TYPES, Cluster, MANAGED_ADDONS, SUPPORTED_KUBERNETES_VERSIONS } from './cluster';
export type { ClusterProps, ManagedAddon } from './cluster';
export { DEFAULT_POSTGRES_VERSION, Database, POSTGRES_MAJOR_VERSIONS } from './database';
export type { DatabaseProps } from './database';
export { CACHE_ENGINES, CACHE_ENGINE_VERSIONS, Cache, DEFAULT_CACHE_ENGINE_VERSION } from './cache';
export type { CacheEngine, CacheProps } from './cache';
export { ModelStore } from './model-store';
export type { ModelStoreAccessLogging, ModelStoreProps, ModelStoreReplication } from './model-store';
export { MODEL_STORE_ACCESS_LEVELS, ModelStoreAccess } from './model-store-access';
export type { ModelStoreAccessLevel, ModelStoreAccessProps, ModelStoreGrant, ModelStoreGrantTarget } from './model-store-access';
export type { IamStatement } from './addons/iam-statement';
export { PodIdentityRole } from './addons/pod-identity-role';
export type { PodIdentityRoleProps, PodIdentityTarget } from './addons/pod-identity-role';
export { ImageRegistry } from './image-registry';
export type { ImageRegistryProps } from './image-registry';
export { Observability } from './observability';
export type { CacheAlarmsProps, DatabaseAlarmsProps, ObservabilityProps } from './observability';
export { Budget, BudgetAlert, type BudgetCostTag, type BudgetOptions, type BudgetProps } from './budget';
export { CostAllocationTags } from './cost-allocation-tags';
export type { CostAllocationTagsProps } from './cost-allocation-tags';
export { DisasterRecovery, type DisasterRecoveryOptions, type DisasterRecoveryProps } from './disaster-recovery';
export { StateBackendBootstrap, configureStateBackend } from './state-backend';
export type { StateBackendBootstrapProps, StateBackendOptions } from './state-backend';
export { ModelServePlatform } from './model-serve-platform';
export type { CostAllocationOptions, ExistingNetwork, ModelServePlatformProps } from './model-serve-platform';
