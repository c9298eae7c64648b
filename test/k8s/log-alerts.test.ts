import { parser } from '@grafana/lezer-logql';
import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { LOKI_RULE_LABEL_KEY, LOKI_RULES_DIR, lokiValues } from '../../lib/aws/addons/logging';
import { ALERTMANAGER_URL } from '../../lib/aws/addons/prometheus-stack';
import { ERROR_LOG_PATTERN, LOG_ALERT_NAME, LOKI_RULE_LABEL, ModelMonitoring } from '../../lib/k8s/monitoring';
import { CONTAINER_NAME } from '../../lib/k8s/workload';
import { monitoredObjects } from '../support/monitoring-app';
import { K8sObject } from '../support/serving';

/** Whether Grafana's own LogQL grammar (@grafana/lezer-logql, what Grafana's Loki editor parses with) reads the query without an error node. */
function logqlErrors(query: string): string[] {
  const errors: string[] = [];
  parser.parse(query).iterate({ enter: (n) => { if (n.type.isError) errors.push(`at ${n.from}: ${JSON.stringify(query.slice(Math.max(0, n.from - 10), n.to + 10))}`); } });
  return errors;
}

const objects = monitoredObjects();
const logAlertMaps = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.loki_rule !== undefined);
const groupsOf = (c: K8sObject) => Object.values(c.data as Record<string, string>).flatMap((text) => parse(text).groups);

describe('Loki ruler alerts on each service\'s error logs', () => {
  test('every ModelService ships one, where the Loki chart\'s rules sidecar loads it (tenant folder "fake")', () => {
    // A pipeline's own alerts (on its orchestrator's metrics) are no service's: they have no log alerts.
    const services = objects.filter((o) => o.kind === 'PrometheusRule' && o.metadata.labels?.['modelserve.io/service'] !== undefined);
    expect(logAlertMaps.map((c) => `${c.metadata.namespace}/${c.metadata.name}`).sort()).toEqual(services.map((s) => `${s.metadata.namespace}/${s.metadata.name}-log-alerts`).sort());
    for (const c of logAlertMaps) {
      expect(c.metadata.labels).toMatchObject(LOKI_RULE_LABEL);
      expect(c.metadata.annotations).toEqual({ 'k8s-sidecar-target-directory': 'fake' });
      expect(Object.keys(c.data)).toEqual([`modelserve-${c.metadata.namespace}-${c.metadata.name.replace(/-log-alerts$/, '')}.yaml`]);
    }
  });

  test('each alert is LogQL that Grafana\'s grammar reads, over the labels Alloy gives the model container\'s logs', () => {
    const ocr = logAlertMaps.find((c) => c.metadata.namespace === 'models-production' && c.metadata.name === 'ocr-log-alerts')!;
    const [rule] = groupsOf(ocr)[0].rules;
    expect(rule).toMatchObject({ alert: LOG_ALERT_NAME, for: '10m', labels: { severity: 'warning', namespace: 'models-production', service: 'ocr', model_id: 'doc-ocr' } });
    expect(rule.expr).toBe(`sum by (namespace, app) (count_over_time({namespace="models-production", app="ocr", container="${CONTAINER_NAME}"} |~ \`${ERROR_LOG_PATTERN}\` [5m])) / 5 > 10`);
    for (const c of logAlertMaps) for (const g of groupsOf(c)) for (const r of g.rules) expect({ expr: r.expr, errors: logqlErrors(r.expr) }).toEqual({ expr: r.expr, errors: [] });
    // The grammar refuses a broken query (the check is not vacuous).
    expect(logqlErrors('sum(count_over_time({app="ocr"} |~ [5m]))')).not.toEqual([]);
  });

  test('the pattern counts error lines, not lines that merely mention errors', () => {
    const re = new RegExp(ERROR_LOG_PATTERN.replace('(?i)', ''), 'i');
    for (const line of ['ERROR 2026-12-01 model failed to load', 'Traceback (most recent call last):', 'level=error msg="CUDA out of memory"', 'torch.cuda.OutOfMemoryError: CUDA out of memory', 'FATAL: cannot open model']) expect(re.test(line)).toBe(true);
    for (const line of ['served 200 requests, 0 errors', 'error_rate=0.00', 'INFO model ready']) expect(re.test(line)).toBe(false);
  });

  test('the threshold follows monitoring.alerts.errorLogLinesPerMinute', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'models' });
    new ModelMonitoring(chart, 'm', { serviceName: 'resnet', selectorLabels: { app: 'resnet' }, metricsPortName: 'http-metrics', deploymentNames: ['resnet'], modelId: 'resnet50', thresholds: { errorLogLinesPerMinute: 60 } });
    const c = (Testing.synth(chart) as K8sObject[]).find((o) => o.kind === 'ConfigMap')!;
    expect(groupsOf(c)[0].rules[0].expr).toMatch(/ \/ 5 > 60$/);
  });

  test('the platform\'s Loki loads labelled ConfigMaps of every namespace into its ruler, which sends to the platform\'s Alertmanager', () => {
    const v = lokiValues({ environment: 'production', bucketName: 'modelserve-prod-logs', region: 'us-east-1', retentionDays: 30 }) as any;
    expect(Object.keys(LOKI_RULE_LABEL)).toEqual([LOKI_RULE_LABEL_KEY]);
    expect(v.sidecar.rules).toEqual({ enabled: true, label: LOKI_RULE_LABEL_KEY, folder: LOKI_RULES_DIR, searchNamespace: 'ALL' });
    expect(v.loki.rulerConfig).toEqual({ storage: { type: 'local', local: { directory: LOKI_RULES_DIR } }, rule_path: '/var/loki/rules-temp', alertmanager_url: ALERTMANAGER_URL, enable_api: true });
    expect(ALERTMANAGER_URL).toBe('http://alertmanager-operated.monitoring.svc.cluster.local:9093');
  });
});
