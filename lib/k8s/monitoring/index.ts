export * from './alert-thresholds';
export * from './alert-rules';
export * from './model-monitoring';
export { KUBE_STATE_METRICS_ALLOWLIST } from './model-staleness';
export * from './model-serve-dashboards';
export type { DashboardKey } from './dashboards/serving-dashboards';
export { ERROR_LOG_PATTERN, LOG_ALERT_NAME, LOKI_RULE_LABEL } from './log-alert-rules';
