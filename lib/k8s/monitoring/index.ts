export * from './alert-thresholds';
export * from './alert-rules';
export * from './model-monitoring';
