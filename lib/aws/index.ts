/**
 * cdktf constructs: `ModelServePlatform` and the pieces it composes (network, cluster, node pools,
 * database, cache, model store, registry, observability, state backend). Needs cdktf, constructs
 * and @cdktf/provider-aws only; never loads cdk8s. The cluster add-ons are `modelserve/addons`.
 *
 * @module modelserve/aws
 */
export * from './aws-context';
export * from './encryption-key-attributes';
export * from './encryption-key';
export { PermissionsBoundary } from './permissions-boundary';
export * from '../catalog/cidr';
export * from './log-retention';
export * from './network-attributes';
export * from './network';
export * from './managed-node-group';
export * from './node-pool';
export * from './cluster-attributes';
export * from './cluster';
export * from './database';
export * from './cache';
export * from './model-store';
export * from './model-store-access';
export * from './addons/iam-statement';
export * from './addons/pod-identity-role';
export * from './image-registry';
export * from './observability';
export { Budget, BudgetAlert, type BudgetCostTag, type BudgetOptions, type BudgetProps } from './budget';
export * from './cost-allocation-tags';
export { DisasterRecovery, type DisasterRecoveryOptions, type DisasterRecoveryProps } from './disaster-recovery';
export * from './state-backend';
export * from './model-serve-platform';
