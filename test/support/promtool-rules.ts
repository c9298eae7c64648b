import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { run, tempDir } from './engines';
import { AlertRule } from '../../lib/k8s/monitoring/alert-rules';

/** An input series of `promtool test rules`, in its expanding notation (`0+3000x120`). */
export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

/** `name{k="v", ...}`, as promtool reads series. */
export function seriesName(name: string, labels: Readonly<Record<string, string>>): string {
  return `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
}

/** A counter from 0 growing by `perInterval` every sample, for `samples` samples. */
export function counterSeries(name: string, labels: Readonly<Record<string, string>>, perInterval: number, samples: number): InputSeries {
  return { series: seriesName(name, labels), values: `0+${perInterval}x${samples}` };
}

/** A gauge holding `value` for `samples` samples. */
export function gaugeSeries(name: string, labels: Readonly<Record<string, string>>, value: number, samples: number): InputSeries {
  return { series: seriesName(name, labels), values: `${value}+0x${samples}` };
}

export interface AlertCheck {
  /** Minutes after the first sample. */
  readonly atMinutes: number;
  readonly alertname: string;
  /** The complete label sets of the firing alerts (none: it does not fire). */
  readonly firing: readonly Record<string, string>[];
}

export interface RuleTestCase {
  readonly name: string;
  readonly intervalSeconds: number;
  readonly series: readonly InputSeries[];
  readonly checks: readonly AlertCheck[];
}

/**
 * Runs `promtool test rules` on the rules (annotations left out: their templates render values
 * that a boundary test does not pin, and `promtool check rules` has checked them) against the
 * cases. Each case is its own promtool test group with its own series.
 */
export function promtoolTestRules(promtool: string, rules: readonly AlertRule[], cases: readonly RuleTestCase[]): { status: number | null; output: string } {
  const dir = tempDir('promtool-test');
  try {
    const withoutAnnotations = rules.map(({ annotations: _annotations, ...rule }) => rule);
    writeFileSync(join(dir.path, 'rules.yaml'), stringify({ groups: [{ name: 'under-test', rules: withoutAnnotations }] }));
    const tests = cases.map((c) => ({
      name: c.name,
      interval: `${c.intervalSeconds}s`,
      input_series: c.series,
      alert_rule_test: c.checks.map((check) => ({
        eval_time: `${check.atMinutes}m`,
        alertname: check.alertname,
        exp_alerts: check.firing.map((labels) => ({ exp_labels: labels })),
      })),
    }));
    writeFileSync(join(dir.path, 'tests.yaml'), stringify({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests }));
    const r = run(promtool, ['test', 'rules', 'tests.yaml'], { cwd: dir.path });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    // MODELSERVE_KEEP_ENGINE_FILES=1 keeps the rules and tests for a look by hand.
    if (process.env.MODELSERVE_KEEP_ENGINE_FILES === '1') console.log(`promtool files kept in ${dir.path}`);
    else dir.remove();
  }
}

/** Minutes of a Prometheus duration (`10m`, `1h`, `30s`). */
export function durationMinutes(d: string): number {
  const m = /^(\d+)([smh])$/.exec(d);
  if (!m) throw new Error(`unsupported duration ${d}`);
  return Number(m[1]) * { s: 1 / 60, m: 1, h: 60 }[m[2] as 's' | 'm' | 'h'];
}

/** Istio's default buckets of `istio_request_duration_milliseconds` (upper bounds, ms; +Inf last). */
export const ISTIO_DURATION_BUCKETS_MS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

/**
 * Cumulative bucket counts (per `le`, `+Inf` included) of `total` requests whose `q`-quantile,
 * as histogram_quantile interpolates it, is `targetMs`: a share below the bucket holding the
 * target, a share inside it, the rest in the next bucket up.
 */
export function bucketsForQuantile(q: number, targetMs: number, total: number, bounds: readonly number[] = ISTIO_DURATION_BUCKETS_MS): Record<string, number> {
  const i = bounds.findIndex((b) => b >= targetMs);
  if (i <= 0 || i >= bounds.length - 1) throw new Error(`target ${targetMs} ms is outside the inner buckets`);
  const [lo, hi] = [bounds[i - 1], bounds[i]];
  const ratio = (targetMs - lo) / (hi - lo);
  const inside = Math.min(0.5, (1 - q) / (1 - ratio), ratio > 0 ? q / ratio : 0.5);
  const below = q - inside * ratio;
  const out: Record<string, number> = {};
  bounds.forEach((b, j) => {
    const share = j < i ? below : j === i ? below + inside : 1;
    out[String(b)] = round(share * total);
  });
  out['+Inf'] = total;
  return out;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
