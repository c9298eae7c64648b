/**
 * The few pieces of Grafana's dashboard JSON model (schemaVersion 39, Grafana 11 and later) the
 * library's dashboards use. Every panel reads the Prometheus chosen in the `datasource` variable,
 * so the dashboards work whatever the data source is called.
 */
export const GRAFANA_SCHEMA_VERSION = 39;

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

/** What a query must answer for its panel to make sense: one series (a stat) or series told apart by labels. */
export interface PanelTarget {
  readonly expr: string;
  /** Legend of each series: `{{label}}` placeholders name the labels the query must keep. */
  readonly legendFormat: string;
}

export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly kind: 'stat' | 'timeseries';
  /** Grafana unit id: `reqps`, `percent`, `ms`, `s`, `bytes`, `short`. */
  readonly unit: string;
  readonly targets: readonly PanelTarget[];
  /** Grid width (of 24). */
  readonly width: number;
}

export interface VariableSpec {
  readonly name: string;
  readonly label: string;
  /** The selector whose label values are offered (`label_values(<selector>, <label>)`). */
  readonly selector: string;
  readonly labelName: string;
  /** Several values and "All" (`.*`). */
  readonly multi?: boolean;
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly variables: readonly VariableSpec[];
  readonly panels: readonly PanelSpec[];
}

/** The dashboard's JSON model. */
export function dashboardJson(spec: DashboardSpec): Record<string, unknown> {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['modelserve'],
    editable: false,
    graphTooltip: 1,
    schemaVersion: GRAFANA_SCHEMA_VERSION,
    refresh: '30s',
    time: { from: 'now-3h', to: 'now' },
    timezone: 'utc',
    templating: { list: [datasourceVariable(), ...spec.variables.map(variable)] },
    panels: layout(spec.panels),
  };
}

function datasourceVariable(): Record<string, unknown> {
  return { name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', hide: 0, refresh: 1 };
}

function variable(v: VariableSpec): Record<string, unknown> {
  const query = `label_values(${v.selector}, ${v.labelName})`;
  return {
    name: v.name,
    label: v.label,
    type: 'query',
    datasource: DATASOURCE,
    query: { query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    refresh: 2,
    sort: 1,
    hide: 0,
    ...(v.multi ? { multi: true, includeAll: true, allValue: '.*' } : { multi: false, includeAll: false }),
  };
}

/** Panels left to right, wrapping at 24 columns; stats 4 high, graphs 8. */
function layout(panels: readonly PanelSpec[]): Record<string, unknown>[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return panels.map((p, i) => {
    const h = p.kind === 'stat' ? 4 : 8;
    if (x + p.width > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { x, y, w: p.width, h };
    x += p.width;
    rowHeight = Math.max(rowHeight, h);
    return {
      id: i + 1,
      type: p.kind,
      title: p.title,
      description: p.description,
      datasource: DATASOURCE,
      gridPos,
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      options: p.kind === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area' } : { legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'] }, tooltip: { mode: 'multi', sort: 'desc' } },
      targets: p.targets.map((t, j) => (
        { refId: String.fromCharCode(65 + j), datasource: DATASOURCE, expr: t.expr, legendFormat: t.legendFormat, range: true, instant: false }
      )),
    };
  });
}
