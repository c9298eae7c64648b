import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DNS_LABEL, DNS_LABEL_RULE, PropsValidator } from '../../catalog';
import { dashboardJson } from './dashboards/grafana-json';
import { DashboardKey, SERVING_DASHBOARDS } from './dashboards/serving-dashboards';
import { checkConstructProps } from '../../catalog/props-check';

/** The label (and value) kube-prometheus-stack's Grafana sidecar loads dashboards from. */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: '1' } as const;

export interface ModelServeDashboardsProps {
  /**
   * Namespace of the ConfigMaps. kube-prometheus-stack's Grafana sidecar searches every namespace
   * (`grafana.sidecar.dashboards.searchNamespace: ALL`, its default); a Grafana that searches only
   * its own needs them there (`monitoring`).
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Further labels of the ConfigMaps.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The four Grafana dashboards of model serving, as ConfigMaps that kube-prometheus-stack's
 * Grafana sidecar picks up (label `grafana_dashboard: "1"`): Model Serving Overview, Model
 * Performance, Canary Deployment and Infrastructure. Each has the variables namespace, service
 * and version, and reads the Prometheus chosen in its datasource variable. Create one per cluster
 * (their uids are fixed, so that links and bookmarks survive a re-apply): a second copy would
 * fight the first in Grafana.
 */
export class ModelServeDashboards extends Construct {
  public readonly configMaps: Readonly<Record<DashboardKey, kplus.ConfigMap>>;

  constructor(scope: Construct, id: string, props: ModelServeDashboardsProps = {}) {
    checkConstructProps(ModelServeDashboards, scope, id, props);
    const check = new PropsValidator(scope.node.path ? `${scope.node.path}/${id}` : id);
    check.that(typeof props === 'object' && props !== null, 'props', props, 'are not an object', 'pass { namespace } or nothing');
    if (props.namespace !== undefined) check.matches('namespace', props.namespace, DNS_LABEL, DNS_LABEL_RULE);
    for (const [k, v] of Object.entries(props.labels ?? {})) {
      check.that(typeof v === 'string' && !(k in GRAFANA_DASHBOARD_LABEL), `labels.${k}`, v, 'is not a string label value, or replaces the label the Grafana sidecar looks for', 'give other label keys with string values');
    }
    super(scope, id);
    const namespace = props.namespace ?? Chart.of(this).namespace;
    const labels = { ...props.labels, 'app.kubernetes.io/part-of': 'modelserve', 'app.kubernetes.io/managed-by': 'cdk8s', ...GRAFANA_DASHBOARD_LABEL };
    const entries = (Object.keys(SERVING_DASHBOARDS) as DashboardKey[]).map((key) => {
      const name = `modelserve-dashboard-${key}`;
      const configMap = new kplus.ConfigMap(this, key, {
        metadata: { name, ...(namespace ? { namespace } : {}), labels },
        data: { [`${name}.json`]: `${JSON.stringify(dashboardJson(SERVING_DASHBOARDS[key]), null, 2)}\n` },
      });
      return [key, configMap] as const;
    });
    this.configMaps = Object.fromEntries(entries) as Record<DashboardKey, kplus.ConfigMap>;
  }
}
