import { PropsValidator } from '../../catalog';

/** When a model service's alerts fire. Every value is optional; the rest keep their defaults. */
export interface AlertThresholds {
  /**
   * Median request latency, milliseconds, measured by the model pods' sidecars.
   * @default 100
   */
  readonly latencyP50Ms?: number;
  /**
   * 99th percentile request latency, milliseconds.
   * @default 500
   */
  readonly latencyP99Ms?: number;
  /**
   * Share of requests answered with a 5xx status, percent.
   * @default 1
   */
  readonly errorRatePercent?: number;
  /**
   * CPU use of a model container, percent of its CPU limit.
   * @default 80
   */
  readonly cpuPercent?: number;
  /**
   * Memory working set of a model container, percent of its memory limit (the OOM-kill line).
   * @default 85
   */
  readonly memoryPercent?: number;
  /**
   * Age of the model being served, hours since its version was first rolled out (from
   * kube-state-metrics, whatever the server: see modelAgeSeconds).
   * @default 24
   */
  readonly modelStalenessHours?: number;
  /**
   * Lines of the model containers' logs that read as errors, per minute over 5 minutes (a Loki
   * ruler alert).
   * @default 10
   */
  readonly errorLogLinesPerMinute?: number;
}

export const DEFAULT_ALERT_THRESHOLDS: Readonly<Required<AlertThresholds>> = Object.freeze({
  latencyP50Ms: 100,
  latencyP99Ms: 500,
  errorRatePercent: 1,
  cpuPercent: 80,
  memoryPercent: 85,
  modelStalenessHours: 24,
  errorLogLinesPerMinute: 10,
});

const KEYS = Object.keys(DEFAULT_ALERT_THRESHOLDS) as (keyof AlertThresholds)[];

/** The thresholds with the defaults applied. Call `validateAlertThresholds` first. */
export function resolveAlertThresholds(t: AlertThresholds = {}): Required<AlertThresholds> {
  const out = { ...DEFAULT_ALERT_THRESHOLDS };
  for (const k of KEYS) if (t[k] !== undefined) out[k] = t[k]!;
  return out;
}

/**
 * Checks alert thresholds; `undefined` passes (all defaults). `field` is their name in the
 * caller's props, so that messages read `resnet: monitoring.alerts.latencyP99Ms ...`.
 */
export function validateAlertThresholds(check: PropsValidator, t: AlertThresholds | undefined, field = 'monitoring.alerts'): void {
  if (t === undefined) return;
  check.that(typeof t === 'object' && t !== null && !Array.isArray(t), field, t, 'is not an object', `pass e.g. { latencyP99Ms: 800 } or leave ${field} out`);
  for (const key of Object.keys(t)) {
    check.that(KEYS.includes(key as keyof AlertThresholds), `${field}.${key}`, (t as Record<string, unknown>)[key], 'is not an alert threshold', `use one of ${KEYS.join(', ')}`);
  }
  const positive = (key: keyof AlertThresholds, unit: string, example: number) => {
    const v = t[key];
    if (v === undefined) return;
    check.that(typeof v === 'number' && Number.isFinite(v) && v > 0, `${field}.${key}`, v, `must be a positive number of ${unit}`, `set ${field}.${key} above 0, e.g. ${example}`);
  };
  const percent = (key: keyof AlertThresholds, example: number) => {
    const v = t[key];
    if (v === undefined) return;
    check.that(typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 100, `${field}.${key}`, v, 'must be a percentage above 0 and at most 100', `set ${field}.${key} between 0 and 100, e.g. ${example}`);
  };
  positive('latencyP50Ms', 'milliseconds', DEFAULT_ALERT_THRESHOLDS.latencyP50Ms);
  positive('latencyP99Ms', 'milliseconds', DEFAULT_ALERT_THRESHOLDS.latencyP99Ms);
  percent('errorRatePercent', DEFAULT_ALERT_THRESHOLDS.errorRatePercent);
  percent('cpuPercent', DEFAULT_ALERT_THRESHOLDS.cpuPercent);
  percent('memoryPercent', DEFAULT_ALERT_THRESHOLDS.memoryPercent);
  positive('modelStalenessHours', 'hours', DEFAULT_ALERT_THRESHOLDS.modelStalenessHours);
  positive('errorLogLinesPerMinute', 'lines a minute', DEFAULT_ALERT_THRESHOLDS.errorLogLinesPerMinute);
  // Past these, an alert could never fire: a request slower than the mesh's longest timeout, a model older than a year.
  const atMost = (key: keyof AlertThresholds, max: number, unit: string) => {
    const v = t[key];
    if (v === undefined) return;
    check.that(v <= max, `${field}.${key}`, v, `is above ${max} ${unit}, where the alert could never fire`, `set ${field}.${key} to at most ${max}`);
  };
  atMost('latencyP50Ms', 3_600_000, 'milliseconds (an hour)');
  atMost('latencyP99Ms', 3_600_000, 'milliseconds (an hour)');
  atMost('modelStalenessHours', 8760, 'hours (a year)');
  atMost('errorLogLinesPerMinute', 1_000_000, 'lines a minute');

  // Compare with the defaults applied: raising only p50 above the default p99 is the same mistake.
  const { latencyP50Ms: p50, latencyP99Ms: p99 } = resolveAlertThresholds(t);
  if (p50 <= p99) return;
  if (t.latencyP50Ms === undefined) {
    check.fail(
      `${field}.latencyP99Ms`,
      p99,
      `is less than latencyP50Ms (${p50}, the default), but the 99th percentile can never be below the median`,
      `raise ${field}.latencyP99Ms to at least ${p50}, or lower ${field}.latencyP50Ms too`,
    );
  }
  const p99Source = t.latencyP99Ms === undefined ? ', the default' : '';
  check.fail(
    `${field}.latencyP50Ms`,
    p50,
    `is greater than latencyP99Ms (${p99}${p99Source}), but the median can never exceed the 99th percentile`,
    `lower ${field}.latencyP50Ms or raise ${field}.latencyP99Ms to at least ${p50}`,
  );
}
