/**
 * cdktf constructs: `ModelServePlatform` and the pieces it composes (network, cluster, node pools,
 * database, cache, model store, registry, observability, state backend). Never loads cdk8s.
 *
 * @module modelserve/aws
 */
export * from './aws-context';
export * from './encryption-key';
export * from '../catalog/cidr';
export * from './log-retention';
export * from './network';
export * from './node-pool';
export * from './cluster';
export * from './database';
export * from './cache';
export * from './model-store';
export * from './model-store-access';
export * from './image-registry';
export * from './observability';
export * from './state-backend';
export * from './addons';
export * from './model-serve-platform';
