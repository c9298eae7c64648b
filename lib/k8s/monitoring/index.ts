export * from './alert-thresholds';
export * from './alert-rules';
export * from './model-monitoring';
export { STALENESS_LABELS_ALLOWLIST } from './model-staleness';
