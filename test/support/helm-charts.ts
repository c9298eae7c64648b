import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * Upstream charts' own default values (test/fixtures/helm-charts; its README names each file's
 * repository and commit). Helm reads only the values keys a chart's templates ask for and ignores
 * the rest without a word, so the keys of the defaults are the keys a chart reads.
 */
const CHARTS_DIR = join(__dirname, '../fixtures/helm-charts');

export type Values = Record<string, unknown>;

export interface ChartDefaults {
  /** The defaults as the chart reads them (Istio's internal ones at the top level). */
  readonly defaults: Values;
  /** values.yaml as it stands: what Helm merges the given values over before checking the schema. */
  readonly file: Values;
  /** Subcharts: their values live under their name, and their defaults are not copied here. */
  readonly subcharts: readonly string[];
  readonly schema?: Values;
}

export function chartDefaults(chart: string): ChartDefaults | undefined {
  const folder = readdirSync(CHARTS_DIR).find((name) => name.replace(/-v?\d[\w.-]*$/, '') === chart);
  if (folder === undefined) return undefined;
  const read = (file: string) => readFileSync(join(CHARTS_DIR, folder, file), 'utf8');
  const defaults = (parse(read('values.yaml')) ?? {}) as Values;
  const chartYaml = parse(read('Chart.yaml')) as { dependencies?: { name: string; alias?: string }[] };
  const schemaFile = readdirSync(join(CHARTS_DIR, folder)).includes('values.schema.json') ? JSON.parse(read('values.schema.json')) : undefined;
  // Istio's charts keep their defaults under this key; users set them at the top level.
  const internal = (defaults._internal_defaults_do_not_set ?? {}) as Values;
  return {
    defaults: { ...defaults, ...internal },
    file: defaults,
    subcharts: (chartYaml.dependencies ?? []).map((d) => d.alias ?? d.name),
    schema: schemaFile,
  };
}

/**
 * Maps whose keys are the user's data (labels, node selectors, flags, Loki's and Istio's own
 * configuration passed through as YAML), not settings of the chart: any key goes below them.
 */
export const FREE_FORM = new Set(['nodeSelector', 'labels', 'extraArgs', 'resources', 'meshConfig', 'limits_config', 'rulerConfig']);

/** Dotted paths of `ours` that the chart does not read; free-form maps and subcharts end the walk. */
export function unknownKeys(ours: Values, chart: ChartDefaults): string[] {
  const walk = (given: Values, theirs: unknown, at: string): string[] => Object.entries(given).flatMap(([key, value]) => {
    const path = at ? `${at}.${key}` : key;
    if (at === '' && chart.subcharts.includes(key)) return [];
    if (typeof theirs !== 'object' || theirs === null || !(key in theirs)) return [path];
    const their = (theirs as Values)[key];
    const open = FREE_FORM.has(key) || their === null || Array.isArray(their) || (typeof their === 'object' && Object.keys(their as object).length === 0);
    if (open || typeof value !== 'object' || value === null || Array.isArray(value)) return [];
    return walk(value as Values, their, path);
  });
  return walk(ours, chart.defaults, '');
}
