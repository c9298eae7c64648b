import { CONTAINER_NAME } from '../workload';
import { AlertThresholds, resolveAlertThresholds } from './alert-thresholds';

/** The Loki alert of a service's error logs; told apart by `namespace`, `service` and `model_id` like the others. */
export const LOG_ALERT_NAME = 'ModelServeErrorLogsHigh';

/**
 * Label of the ConfigMaps that the Loki chart's rules sidecar loads into the ruler (its default
 * `sidecar.rules.label`; the platform's lokiValues searches every namespace for it).
 */
export const LOKI_RULE_LABEL = { loki_rule: '1' } as const;
/**
 * The sidecar writes each rule file into this folder under its own (k8s-sidecar's default folder
 * annotation): `fake` is the tenant of a Loki without multi-tenancy (`auth_enabled: false`), and
 * its ruler reads `<rules directory>/<tenant>/`.
 */
export const LOKI_RULE_FOLDER_ANNOTATION = { 'k8s-sidecar-target-directory': 'fake' } as const;

/**
 * Lines that read as errors: a log level, or a word ending in Error or Exception (Python's
 * `RuntimeError`, `torch.cuda.OutOfMemoryError`), case-insensitive and whole words only
 * ("0 errors" and "error_rate" do not count). Go's regexp syntax (RE2), as Loki reads it.
 */
export const ERROR_LOG_PATTERN = '(?i)\\b(\\w*(error|exception)|traceback|fatal|panic|critical)\\b';

/** Window the lines are counted over, minutes. */
const WINDOW_MINUTES = 5;

export interface LogAlertContext {
  readonly serviceName: string;
  readonly namespace: string;
  readonly modelId: string;
  readonly thresholds?: AlertThresholds;
}

/**
 * The Loki ruler group of one service: error lines per minute of its model containers, from the
 * labels Grafana Alloy gives every pod's logs (`namespace`, `app` = app.kubernetes.io/name,
 * `container`). The ruler sends it to the same Alertmanager as the Prometheus alerts.
 */
export function logAlertRuleGroup(ctx: LogAlertContext): Record<string, unknown> {
  const t = resolveAlertThresholds(ctx.thresholds);
  const stream = `{namespace="${ctx.namespace}", app="${ctx.serviceName}", container="${CONTAINER_NAME}"}`;
  return {
    name: `modelserve.${ctx.namespace}.${ctx.serviceName}.logs`,
    rules: [
      {
        alert: LOG_ALERT_NAME,
        expr: `sum by (namespace, app) (count_over_time(${stream} |~ \`${ERROR_LOG_PATTERN}\` [${WINDOW_MINUTES}m])) / ${WINDOW_MINUTES} > ${t.errorLogLinesPerMinute}`,
        for: '10m',
        labels: { severity: 'warning', namespace: ctx.namespace, service: ctx.serviceName, model_id: ctx.modelId },
        annotations: {
          summary: `${ctx.namespace}/${ctx.serviceName} (model ${ctx.modelId}) logs more than ${t.errorLogLinesPerMinute} error lines a minute`,
          description: `The model containers logged {{ $value | humanize }} lines a minute matching ${ERROR_LOG_PATTERN} over ${WINDOW_MINUTES} minutes; the threshold is ${t.errorLogLinesPerMinute}.`,
        },
      },
    ],
  };
}
