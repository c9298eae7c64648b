export * from './http-tokens';
export * from './load-balancer';
export * from './validate-rollout';
export * from './traffic-options';
export * from './traffic-policy';
export * from './http-routes';
export * from './model-traffic';
