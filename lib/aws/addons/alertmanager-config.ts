import { DNS_LABEL, DNS_LABEL_RULE, PropsValidator } from '../../catalog';
import { ALERT_SEVERITIES, AlertReceiver, AlertSeverity } from './alert-routing';

/** Receiver names by severity. */
export type SeverityRoutes = Partial<Record<AlertSeverity, readonly string[]>>;

/** Routes of one model service that replace the severity routes for the severities they list. */
export interface ServiceAlertRoute {
  /** The alerts' `namespace` label (the ServingChart's namespace). */
  readonly namespace: string;
  /** The alerts' `service` label (the ModelService's name). */
  readonly service: string;
  readonly routes: SeverityRoutes;
}

export interface AlertRoutingOptions {
  /** The channels. Each credential is a reference to a Secret in the monitoring namespace. */
  readonly receivers: readonly AlertReceiver[];
  /**
   * Which receivers get each severity, by name: every receiver listed is notified. `critical`
   * is required, so that something pages.
   */
  readonly routes: SeverityRoutes;
  /**
   * Per-service routes, e.g. a team's own channel for its models.
   * @default - none
   */
  readonly services?: readonly ServiceAlertRoute[];
  /**
   * Receiver of alerts that no route matches (another severity, or none).
   * @default - the first warning receiver, else the first critical one
   */
  readonly defaultReceiver?: string;
  /**
   * Hours before a still-firing alert is sent again.
   * @default 4
   */
  readonly repeatIntervalHours?: number;
}

/** The chart's own inhibitions (kube-prometheus-stack defaults), kept because its rules rely on them. */
const CHART_INHIBIT_RULES = [
  { source_matchers: ['severity = critical'], target_matchers: ['severity =~ warning|info'], equal: ['namespace', 'alertname'] },
  { source_matchers: ['severity = warning'], target_matchers: ['severity = info'], equal: ['namespace', 'alertname'] },
  { source_matchers: ['alertname = InfoInhibitor'], target_matchers: ['severity = info'], equal: ['namespace'] },
  { target_matchers: ['alertname = InfoInhibitor'] },
];

/**
 * Alertmanager's configuration (`alertmanager.config` of kube-prometheus-stack). It sets every
 * key the chart's default sets, so that Helm's merge of the two yields exactly this.
 *
 * - Routes: the chart's Watchdog and InfoInhibitor go nowhere; then each service's own routes;
 *   then one route per severity and receiver (`continue` so that every listed receiver hears).
 * - Grouping by alert, namespace and service: one notification per problem of one service.
 * - Inhibition: a critical alert of a service mutes its warning and info alerts (same
 *   `namespace` and `service`), besides the chart's own rules.
 */
export function alertmanagerConfig(routing: AlertRoutingOptions, path = 'alertmanagerConfig', field = 'alerting'): Record<string, unknown> {
  validateRouting(new PropsValidator(path), routing, field);
  const severityRoutes = (routes: SeverityRoutes, matchers: string[]) =>
    ALERT_SEVERITIES.flatMap((severity) => (routes[severity] ?? []).map((receiver, i, all) => ({
      receiver,
      matchers: [...matchers, `severity = "${severity}"`],
      ...(i < all.length - 1 ? { continue: true } : {}),
    })));
  const defaultReceiver = routing.defaultReceiver ?? routing.routes.warning?.[0] ?? routing.routes.critical![0];
  return {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: defaultReceiver,
      group_by: ['alertname', 'namespace', 'service'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: `${routing.repeatIntervalHours ?? 4}h`,
      routes: [
        { receiver: 'null', matchers: ['alertname = "Watchdog"'] },
        { receiver: 'null', matchers: ['alertname = "InfoInhibitor"'] },
        ...(routing.services ?? []).flatMap((s) => severityRoutes(s.routes, [`namespace = "${s.namespace}"`, `service = "${s.service}"`])),
        ...severityRoutes(routing.routes, []),
      ],
    },
    receivers: [{ name: 'null' }, ...routing.receivers.map((r) => r.toConfig())],
    inhibit_rules: [
      { source_matchers: ['severity = "critical"', 'service =~ ".+"'], target_matchers: ['severity =~ "warning|info"'], equal: ['namespace', 'service'] },
      ...CHART_INHIBIT_RULES,
    ],
    templates: ['/etc/alertmanager/config/*.tmpl'],
  };
}

/** The Secrets the Alertmanager pods must mount (`alertmanagerSpec.secrets`), each once. */
export function alertmanagerSecretNames(routing: AlertRoutingOptions): string[] {
  return [...new Set(routing.receivers.flatMap((r) => r.secrets.map((s) => s.secretName)))].sort();
}

function validateRouting(v: PropsValidator, routing: AlertRoutingOptions, field: string): void {
  const f = (name: string) => `${field}.${name}`;
  v.that(typeof routing === 'object' && routing !== null, field, routing, 'are not set', 'pass { receivers, routes }');
  const receivers = routing.receivers;
  v.that(Array.isArray(receivers) && receivers.length > 0, f('receivers'), receivers, 'is empty', 'add at least one, e.g. AlertReceiver.slack("ml-alerts", { channel, apiUrl: { secretName, key } })');
  receivers.forEach((r, i) => v.that(r instanceof AlertReceiver, f(`receivers[${i}]`), r, 'is not an AlertReceiver', 'use AlertReceiver.slack(), .email(), .pagerDuty() or .webhook()'));
  const names = receivers.map((r) => r.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  v.that(twice === undefined, f('receivers'), twice, 'names two receivers the same', 'give each receiver its own name');
  v.that(Array.isArray(routing.routes?.critical) && routing.routes.critical.length > 0, f('routes.critical'), routing.routes?.critical, 'lists no receiver, so nothing would page', 'name at least one receiver for critical alerts, e.g. your PagerDuty receiver');
  checkSeverityRoutes(v, f('routes'), routing.routes, names);
  (routing.services ?? []).forEach((s, i) => {
    const at = f(`services[${i}]`);
    v.matches(`${at}.namespace`, s.namespace, DNS_LABEL, DNS_LABEL_RULE);
    v.matches(`${at}.service`, s.service, DNS_LABEL, DNS_LABEL_RULE);
    checkSeverityRoutes(v, `${at}.routes`, s.routes, names);
  });
  if (routing.defaultReceiver !== undefined) {
    v.that(names.includes(routing.defaultReceiver), f('defaultReceiver'), routing.defaultReceiver, 'is not one of the receivers', `use one of ${names.join(', ')}`);
  }
  v.integerInRange(f('repeatIntervalHours'), routing.repeatIntervalHours, 1, 168, 'resend a firing alert every 1 to 168 hours');
}

function checkSeverityRoutes(v: PropsValidator, field: string, routes: SeverityRoutes, names: readonly string[]): void {
  v.that(typeof routes === 'object' && routes !== null, field, routes, 'is not set', 'map severities to receiver names, e.g. { critical: ["pagerduty"], warning: ["slack"] }');
  for (const [severity, receivers] of Object.entries(routes)) {
    v.that((ALERT_SEVERITIES as readonly string[]).includes(severity), `${field}.${severity}`, receivers, 'is not a severity the alerts carry', `use ${ALERT_SEVERITIES.join(', ')}`);
    v.that(Array.isArray(receivers), `${field}.${severity}`, receivers, 'is not a list of receiver names', 'list receiver names, e.g. ["slack"]');
    for (const r of receivers as readonly string[]) {
      v.that(names.includes(r), `${field}.${severity}`, r, 'is not one of the receivers', `use one of ${names.join(', ')}, or add an AlertReceiver named "${r}"`);
    }
  }
}
