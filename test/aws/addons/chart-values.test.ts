import Ajv, { ValidateFunction } from 'ajv';
import { TerraformStack, Testing } from 'cdktf';
import { parse } from 'yaml';
import { developmentStacks } from '../../../examples/platform/development';
import { productionStacks } from '../../../examples/platform/production';
import { stagingStacks } from '../../../examples/platform/staging';
import { ADDON_PRIORITY_CLASS, NODE_AGENT_PRIORITY_CLASS } from '../../../lib/aws/addons/addon-priority';
import { Json } from '../../support/aws-stack';
import { chartDefaults, unknownKeys, Values } from '../../support/helm-charts';

/**
 * A misspelt or moved values key is a setting that silently never happened: every key the example
 * add-ons stacks pass must be one the chart reads (its defaults, test/support/helm-charts.ts; some
 * are the newest version found rather than the pin, see test/fixtures/README.md).
 *
 * Keys the chart reads that its defaults show only in a comment (`# maxUnavailable: 1`), or
 * reads from another place, each checked in the chart's templates upstream.
 */
const READ_THOUGH_NOT_IN_DEFAULTS: Readonly<Record<string, readonly string[]>> = {
  // templates/controller/workflow-controller-pdb.yaml and server/server-pdb.yaml read both.
  'argo-workflows': ['controller.pdb.maxUnavailable', 'server.pdb.maxUnavailable'],
  // `# priorityClassName: ""` in the defaults; templates/prometheus-operator/deployment.yaml reads it.
  'kube-prometheus-stack': ['prometheusOperator.priorityClassName'],
  // The bucket names are commented out in the defaults (`# bucketNames:`); templates/_helpers.tpl
  // reads them. templates/_pod.tpl and _workload.tpl read `persistence.enabled` (or the older
  // `volumeClaimsEnabled`) of every component, though write's defaults show only the older key.
  loki: ['loki.storage.bucketNames', 'write.persistence.enabled'],
};

interface Release {
  readonly environment: string;
  readonly chart: string;
  readonly values: Values;
}

function releases(): Release[] {
  const app = Testing.app();
  const environments: Record<string, TerraformStack[]> = { production: productionStacks(app), staging: stagingStacks(app), development: developmentStacks(app) };
  return Object.entries(environments).flatMap(([environment, stacks]) => stacks.flatMap((stack) => {
    const json = JSON.parse(Testing.synth(stack));
    return Object.values((json.resource?.helm_release ?? {}) as Record<string, Json>).map((r) => ({
      environment,
      chart: r.chart as string,
      values: ((r.values ?? []) as string[]).map((v) => parse(v) as Values).reduce((all, v) => ({ ...all, ...v }), {}),
    }));
  }));
}

const all = releases();

function valueAt(values: Values, path: string): unknown {
  return path.split('.').reduce<unknown>((at, key) => (at as Values | undefined)?.[key], values);
}

describe('the add-ons\' Helm values against the charts\' own defaults', () => {
  test('every chart the examples install has its defaults here', () => {
    const charts = [...new Set(all.map((r) => r.chart))].sort();
    expect(charts.length).toBeGreaterThan(15);
    expect(charts.filter((chart) => chartDefaults(chart) === undefined)).toEqual([]);
  });

  test('every values key is one the chart reads', () => {
    const found = all.flatMap((r) => {
      const defaults = chartDefaults(r.chart)!;
      const read = READ_THOUGH_NOT_IN_DEFAULTS[r.chart] ?? [];
      // istiod merges `pilot.*` into its top level (templates/zzy_descope_legacy.yaml).
      const values = r.chart === 'istiod' ? { ...r.values, pilot: undefined, ...(r.values.pilot as Values) } : r.values;
      return unknownKeys(JSON.parse(JSON.stringify(values)), defaults)
        .filter((path) => !read.some((known) => path === known || path.startsWith(`${known}.`)))
        .map((path) => `${r.environment} ${r.chart}: ${path}`);
    });
    expect(found).toEqual([]);
  });

  test('the values meet the chart\'s values.schema.json, which Helm checks at install', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validators = new Map<string, ValidateFunction>();
    let checked = 0;
    for (const r of all) {
      const chart = chartDefaults(r.chart)!;
      if (chart.schema === undefined) continue;
      if (!validators.has(r.chart)) validators.set(r.chart, ajv.compile(chart.schema));
      const validate = validators.get(r.chart)!;
      // Helm validates the chart's defaults merged with the given values.
      validate(mergeValues(chart.file, r.values));
      expect({ release: `${r.environment} ${r.chart}`, errors: validate.errors ?? [] }).toEqual({ release: `${r.environment} ${r.chart}`, errors: [] });
      checked += 1;
    }
    // Loki and the Istio gateway in production and staging, the gateway in development.
    expect(checked).toBeGreaterThanOrEqual(5);
  });
});

describe('no serving pod preempts the add-ons serving depends on', () => {
  /** Where each chart reads the PriorityClass of its pods (checked in its defaults or templates). */
  const SET_BY_US: readonly { chart: string; path: string; priorityClass: string }[] = [
    { chart: 'istiod', path: 'global.priorityClassName', priorityClass: ADDON_PRIORITY_CLASS },
    { chart: 'gateway', path: 'priorityClassName', priorityClass: ADDON_PRIORITY_CLASS },
    { chart: 'keda', path: 'priorityClassName', priorityClass: ADDON_PRIORITY_CLASS },
    { chart: 'kube-prometheus-stack', path: 'prometheus.prometheusSpec.priorityClassName', priorityClass: ADDON_PRIORITY_CLASS },
    { chart: 'kube-prometheus-stack', path: 'alertmanager.alertmanagerSpec.priorityClassName', priorityClass: ADDON_PRIORITY_CLASS },
    // Commented in the defaults; templates/prometheus-operator/deployment.yaml reads it.
    { chart: 'kube-prometheus-stack', path: 'prometheusOperator.priorityClassName', priorityClass: ADDON_PRIORITY_CLASS },
    // Subcharts kube-state-metrics 8.4.0 and prometheus-node-exporter 4.56.1: their Deployment
    // and DaemonSet templates read `.Values.priorityClassName`.
    { chart: 'kube-prometheus-stack', path: 'kube-state-metrics.priorityClassName', priorityClass: ADDON_PRIORITY_CLASS },
    { chart: 'kube-prometheus-stack', path: 'prometheus-node-exporter.priorityClassName', priorityClass: NODE_AGENT_PRIORITY_CLASS },
    { chart: 'argo-rollouts', path: 'controller.priorityClassName', priorityClass: ADDON_PRIORITY_CLASS },
    { chart: 'alloy', path: 'controller.priorityClassName', priorityClass: NODE_AGENT_PRIORITY_CLASS },
  ];
  /** Charts whose own default is already the system class; ours must not override it. */
  const CHART_DEFAULT = ['aws-load-balancer-controller', 'cluster-autoscaler', 'metrics-server', 'aws-node-termination-handler', 'karpenter'];

  test('the values give each its class', () => {
    const given = SET_BY_US.flatMap(({ chart, path, priorityClass }) => all.filter((r) => r.chart === chart).map((r) => ({ release: `${r.environment} ${chart} ${path}`, priorityClass: valueAt(r.values, path) ?? null, expected: priorityClass })));
    expect(given.length).toBeGreaterThan(20);
    expect(given.filter((g) => g.priorityClass !== g.expected)).toEqual([]);
  });

  test('where the chart sets it itself, its default is the system class and the values leave it', () => {
    for (const chart of CHART_DEFAULT) {
      expect({ chart, default: chartDefaults(chart)!.defaults.priorityClassName }).toEqual({ chart, default: ADDON_PRIORITY_CLASS });
      for (const r of all.filter((release) => release.chart === chart)) expect({ chart, ours: r.values.priorityClassName }).toEqual({ chart, ours: undefined });
    }
  });

  test('the istio-cni DaemonSet needs nothing: its template writes system-node-critical itself', () => {
    // manifests/charts/istio-cni/templates/daemonset.yaml: `priorityClassName: system-node-critical`, not a value.
    expect(JSON.stringify(chartDefaults('cni')!.defaults)).not.toContain('priorityClassName');
  });
});

const isMap = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Helm's coalescing of the given values over the chart's defaults: maps merge, the rest replaces,
 * and a key whose value ends up null is removed (a null default is "unset").
 */
function mergeValues(base: Values, over: Values): Values {
  const out: Values = {};
  for (const key of new Set([...Object.keys(base), ...Object.keys(over)])) {
    const value = key in over ? over[key] : base[key];
    if (value === null || value === undefined) continue;
    out[key] = isMap(value) ? mergeValues(isMap(base[key]) ? base[key] : {}, key in over ? value : {}) : value;
  }
  return out;
}
