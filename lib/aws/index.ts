export * from './aws-context';
export * from './encryption-key';
export * from './cidr';
export * from './log-retention';
export * from './network';
export * from './node-pool';
export * from './cluster';
