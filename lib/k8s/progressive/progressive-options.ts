import { PropsValidator, formatValue } from '../../catalog';
import { checkPrometheusUrl } from '../prometheus-endpoint';

/**
 * The two DestinationRule subsets of a progressive rollout, which the Rollout names and its
 * VirtualService routes split between; Argo Rollouts adds each ReplicaSet's pod template hash to
 * their selectors while a rollout runs.
 */
export const PROGRESSIVE_SUBSETS = { stable: 'stable', canary: 'canary' } as const;

/** How long a canary step holds its weight before the next step. */
export class CanaryPause {
  /** Hold for a number of seconds (1 to 86400), then move on by itself. */
  public static seconds(seconds: number): CanaryPause {
    return new CanaryPause(seconds);
  }

  /** Hold for a number of minutes, then move on by itself. */
  public static minutes(minutes: number): CanaryPause {
    return new CanaryPause(minutes * 60);
  }

  /**
   * Hold until someone promotes the rollout (`kubectl argo rollouts promote <name>`). The
   * background analysis keeps measuring meanwhile and still aborts on a bad version.
   */
  public static untilPromoted(): CanaryPause {
    return new CanaryPause(undefined);
  }

  /** @param seconds how long to hold; `undefined` holds until promoted */
  private constructor(public readonly seconds: number | undefined) {}
}

/** One step of a progressive rollout: a share of the requests for the new version, held for a while. */
export interface CanaryStep {
  /** Percentage of requests the new version receives during this step, 1 to 99. */
  readonly weight: number;
  /**
   * How long the step holds its weight.
   * @default CanaryPause.minutes(5)
   */
  readonly pause?: CanaryPause;
}

/**
 * 10 % for 5 minutes, 25 % for 5 minutes, 50 % for 10 minutes, then 100 %. Each step lasts at
 * least five analysis intervals, so a version whose measurements fail twice (one more than
 * ANALYSIS_FAILURE_LIMIT) is caught at the weight where it started failing; the half-traffic step
 * is the last one before everyone gets the new version, so it is watched longest.
 */
export const DEFAULT_CANARY_STEPS: readonly CanaryStep[] = Object.freeze([
  { weight: 10, pause: CanaryPause.minutes(5) },
  { weight: 25, pause: CanaryPause.minutes(5) },
  { weight: 50, pause: CanaryPause.minutes(10) },
]);

export const DEFAULT_STEP_PAUSE_SECONDS = 300;

/**
 * When the background analysis aborts a progressive rollout. Argo Rollouts then sends every
 * request back to the stable version and scales the new one down. Give only what you change.
 */
export interface ProgressiveAnalysisOptions {
  /**
   * Share of the new version's requests answered with a 5xx status (or a gRPC server error),
   * percent, above which the rollout is aborted.
   * @default 5
   */
  readonly maxErrorRatePercent?: number;
  /**
   * 99th percentile latency of the new version, milliseconds, above which the rollout is aborted.
   * @default 2000
   */
  readonly maxLatencyP99Ms?: number;
  /**
   * Failed liveness and readiness probes, summed over the new version's pods since they started,
   * above which the rollout is aborted. Startup probes do not count: they fail by design while a
   * model loads.
   * @default 3
   */
  readonly maxFailedHealthChecks?: number;
  /**
   * Requests the new version must have had in the measurement window (2 minutes) before its error
   * rate and latency are judged; below it they pass, so that one slow or failed request out of
   * three does not abort a rollout.
   * @default 10
   */
  readonly minRequests?: number;
  /**
   * Prometheus query endpoint that the analysis asks.
   * @default - autoscaling.prometheusUrl, else DEFAULT_PROMETHEUS_URL
   */
  readonly prometheusUrl?: string;
  /**
   * vLLM only: the new version's 90th percentile time to first token (`vllm:time_to_first_token_seconds`),
   * milliseconds, above which the rollout is aborted. A language model's whole-response latency
   * grows with the tokens it writes, so vLLM services are judged on TTFT and inter-token latency
   * instead of maxLatencyP99Ms.
   * @default 1000
   */
  readonly maxTimeToFirstTokenP90Ms?: number;
  /** vLLM only: 99th percentile time to first token, milliseconds. @default 3000 */
  readonly maxTimeToFirstTokenP99Ms?: number;
  /**
   * vLLM only: 90th percentile time between two tokens (`vllm:inter_token_latency_seconds`, or
   * `vllm:time_per_output_token_seconds` before 0.11), milliseconds.
   * @default 100
   */
  readonly maxInterTokenLatencyP90Ms?: number;
  /** vLLM only: 99th percentile inter-token latency, milliseconds. @default 250 */
  readonly maxInterTokenLatencyP99Ms?: number;
  /**
   * vLLM only: how much slower than the stable version, percent, the new version's TTFT and
   * inter-token latency may be at p90 and p99, measured side by side in the same window. The
   * stable's value counts as at least a tenth of the ceiling, so that a few milliseconds on a
   * fast model never abort.
   * @default 25
   */
  readonly maxRegressionPercent?: number;
  /**
   * vLLM only: how many more of the new version's finished requests may be aborted
   * (`vllm:request_success_total{finished_reason="abort"}`: clients that gave up, engine aborts)
   * than the stable version's, percentage points.
   * @default 5
   */
  readonly maxAbortedIncreasePercent?: number;
}

/** The thresholds that judge language models on vLLM, with their defaults. */
export const LLM_ROLLBACK_KEYS = ['maxTimeToFirstTokenP90Ms', 'maxTimeToFirstTokenP99Ms', 'maxInterTokenLatencyP90Ms', 'maxInterTokenLatencyP99Ms', 'maxRegressionPercent', 'maxAbortedIncreasePercent'] as const;

export const DEFAULT_ROLLBACK_THRESHOLDS: Readonly<Required<Omit<ProgressiveAnalysisOptions, 'prometheusUrl'>>> = Object.freeze({
  maxErrorRatePercent: 5,
  maxLatencyP99Ms: 2000,
  maxFailedHealthChecks: 3,
  minRequests: 10,
  maxTimeToFirstTokenP90Ms: 1000,
  maxTimeToFirstTokenP99Ms: 3000,
  maxInterTokenLatencyP90Ms: 100,
  maxInterTokenLatencyP99Ms: 250,
  maxRegressionPercent: 25,
  maxAbortedIncreasePercent: 5,
});

export interface ProgressiveOptions {
  /**
   * The weights the new version goes through, strictly increasing, each from 1 to 99. After the
   * last step's pause the new version gets every request and becomes the stable one.
   * @default DEFAULT_CANARY_STEPS - 10 %, 25 %, 50 %, then 100 %
   */
  readonly steps?: readonly CanaryStep[];
  /** @default - abort above 5 % errors, 2 s p99 latency or 3 failed health checks (DEFAULT_ROLLBACK_THRESHOLDS) */
  readonly analysis?: ProgressiveAnalysisOptions;
}

/**
 * Kubernetes names a pod `<replicaset>-<5 characters>` and cuts the `<replicaset>-` part at 58
 * characters. A Rollout's ReplicaSet is `<rollout>-<pod template hash>`, with a hash of up to 10
 * characters, so the analysis finds the new version's pods by name only when the Rollout's name
 * has at most 46 characters.
 */
export const PROGRESSIVE_MAX_NAME_LENGTH = 46;

/**
 * Checks progressive options; `field` is their name in the caller's props (`rollout`). Throws a
 * ValidationError on the first problem.
 */
export function validateProgressiveOptions(check: PropsValidator, options: ProgressiveOptions, field = 'rollout'): void {
  check.that(typeof options === 'object' && options !== null && !Array.isArray(options), field, options, 'has options that are not an object', 'pass { steps, analysis } or nothing: Rollout.progressive()');
  if (options.steps !== undefined) validateSteps(check, options.steps, `${field}.steps`);
  const a = options.analysis;
  if (a === undefined) return;
  const p = `${field}.analysis`;
  check.that(typeof a === 'object' && a !== null && !Array.isArray(a), p, a, 'is not an object', `pass { maxErrorRatePercent, maxLatencyP99Ms, maxFailedHealthChecks } or leave ${p} out`);
  check.numberInRange(`${p}.maxErrorRatePercent`, a.maxErrorRatePercent, 0.1, 99, `give the error rate, percent, above which the rollout is aborted, from 0.1 to 99 (default ${DEFAULT_ROLLBACK_THRESHOLDS.maxErrorRatePercent})`);
  check.integerInRange(`${p}.maxLatencyP99Ms`, a.maxLatencyP99Ms, 1, 600_000, `give the p99 latency, whole milliseconds, above which the rollout is aborted, from 1 to 600000 (default ${DEFAULT_ROLLBACK_THRESHOLDS.maxLatencyP99Ms})`);
  check.integerInRange(`${p}.maxFailedHealthChecks`, a.maxFailedHealthChecks, 0, 1000, `give the failed probes tolerated before the rollout is aborted, from 0 to 1000 (default ${DEFAULT_ROLLBACK_THRESHOLDS.maxFailedHealthChecks})`);
  check.integerInRange(`${p}.minRequests`, a.minRequests, 1, 1_000_000, `give the requests needed in 2 minutes before error rate and latency are judged, at least 1 (default ${DEFAULT_ROLLBACK_THRESHOLDS.minRequests})`);
  if (a.prometheusUrl !== undefined) checkPrometheusUrl(check, `${p}.prometheusUrl`, a.prometheusUrl);
  for (const key of ['maxTimeToFirstTokenP90Ms', 'maxTimeToFirstTokenP99Ms', 'maxInterTokenLatencyP90Ms', 'maxInterTokenLatencyP99Ms'] as const) {
    check.integerInRange(`${p}.${key}`, a[key], 1, 600_000, `give whole milliseconds from 1 to 600000 (default ${DEFAULT_ROLLBACK_THRESHOLDS[key]})`);
  }
  check.numberInRange(`${p}.maxRegressionPercent`, a.maxRegressionPercent, 1, 1000, `give how much slower than stable, percent, the new version may be (default ${DEFAULT_ROLLBACK_THRESHOLDS.maxRegressionPercent})`);
  check.numberInRange(`${p}.maxAbortedIncreasePercent`, a.maxAbortedIncreasePercent, 0.1, 99, `give the percentage points of aborted requests above stable's that abort the rollout (default ${DEFAULT_ROLLBACK_THRESHOLDS.maxAbortedIncreasePercent})`);
  const d = DEFAULT_ROLLBACK_THRESHOLDS;
  const ttft = { p90: a.maxTimeToFirstTokenP90Ms ?? d.maxTimeToFirstTokenP90Ms, p99: a.maxTimeToFirstTokenP99Ms ?? d.maxTimeToFirstTokenP99Ms };
  check.that(ttft.p90 <= ttft.p99, `${p}.maxTimeToFirstTokenP90Ms`, ttft.p90, `is above maxTimeToFirstTokenP99Ms (${ttft.p99}), so the p99 ceiling would abort first`, 'keep the p90 ceiling at or below the p99 ceiling');
  const itl = { p90: a.maxInterTokenLatencyP90Ms ?? d.maxInterTokenLatencyP90Ms, p99: a.maxInterTokenLatencyP99Ms ?? d.maxInterTokenLatencyP99Ms };
  check.that(itl.p90 <= itl.p99, `${p}.maxInterTokenLatencyP90Ms`, itl.p90, `is above maxInterTokenLatencyP99Ms (${itl.p99}), so the p99 ceiling would abort first`, 'keep the p90 ceiling at or below the p99 ceiling');
}

/**
 * The analysis options fit the server: a vLLM service is judged on TTFT and inter-token latency
 * (its whole-response latency grows with the tokens written), any other on the p99 latency of
 * its responses; a threshold for the other kind would be ignored, so it is refused.
 */
export function validateAnalysisForEngine(check: PropsValidator, options: ProgressiveOptions, vllm: boolean, field = 'rollout'): void {
  const a = options.analysis ?? {};
  if (vllm) {
    check.that(a.maxLatencyP99Ms === undefined, `${field}.analysis.maxLatencyP99Ms`, a.maxLatencyP99Ms, 'judges the whole response, which for a language model grows with the tokens it writes, so a vLLM service is not judged on it', 'use maxTimeToFirstTokenP99Ms and maxInterTokenLatencyP99Ms');
    return;
  }
  for (const key of LLM_ROLLBACK_KEYS) {
    check.that(a[key] === undefined, `${field}.analysis.${key}`, a[key], 'reads vLLM\'s metrics, and this service does not run vLLM', 'remove it; other servers are judged on maxErrorRatePercent, maxLatencyP99Ms and maxFailedHealthChecks');
  }
}

function validateSteps(check: PropsValidator, steps: readonly CanaryStep[], field: string): void {
  check.that(Array.isArray(steps) && steps.length > 0, field, steps, 'is empty', `list at least one step, e.g. [{ weight: 10, pause: CanaryPause.minutes(5) }], or leave ${field} out for 10 %, 25 %, 50 %`);
  steps.forEach((step, i) => {
    const at = `${field}[${i}]`;
    check.that(typeof step === 'object' && step !== null, at, step, 'is not a step', 'give { weight, pause }');
    const w = step.weight;
    check.that(typeof w === 'number' && Number.isInteger(w) && w >= 1 && w <= 99, `${at}.weight`, w, 'must be a whole percentage from 1 to 99; the new version gets 100 % by itself after the last step', `set ${at}.weight between 1 and 99`);
    if (i > 0) {
      const before = steps[i - 1].weight;
      check.that(w > before, `${at}.weight`, w, `is not greater than the weight of the step before (${before}), so the rollout would move traffic back to the old version`, `list the weights in increasing order, e.g. ${formatValue([10, 25, 50])}`);
    }
    const pause = step.pause;
    if (pause === undefined) return;
    check.that(pause instanceof CanaryPause, `${at}.pause`, pause, 'is not a CanaryPause', 'use CanaryPause.seconds(n), CanaryPause.minutes(n) or CanaryPause.untilPromoted()');
    if (pause.seconds !== undefined) {
      check.that(Number.isInteger(pause.seconds) && pause.seconds >= 1 && pause.seconds <= 86_400, `${at}.pause`, pause.seconds, 'must be a whole number of seconds from 1 to 86400', 'give a pause of at least 1 second and at most a day, or CanaryPause.untilPromoted() to wait for a person');
    }
  });
}

/**
 * Checks that the service a progressive rollout belongs to can be rolled out progressively: it has
 * pods to judge (no scale to zero, no zero replicas) and a name short enough for the analysis to
 * find the new version's pods.
 */
export function validateProgressiveFit(
  check: PropsValidator,
  service: { readonly name: string; readonly scaleToZero: boolean; readonly fixedReplicas?: number },
): void {
  check.that(
    !service.scaleToZero,
    'autoscaling.scaleToZero',
    true,
    'is set with a progressive rollout: a service scaled to zero rolls out with no pods to measure, so the analysis would pass unseen and promote the new version',
    'drop scaleToZero (keep minReplicas at 1 or more), or use Rollout.canary() for a fixed split',
  );
  check.that(
    service.fixedReplicas !== 0,
    'replicas',
    0,
    'is 0 with a progressive rollout: with no pods the analysis would pass unseen and promote the new version',
    'set replicas to 1 or more, or use stopped: true to take the service down',
  );
  checkProgressiveNameLength(check, 'name', service.name);
}

/** The Rollout's name (a ModelService's, or ProgressiveDelivery's `name`) leaves room for the hash and suffix in its pods' names. */
export function checkProgressiveNameLength(check: PropsValidator, field: string, name: string): void {
  check.that(
    name.length <= PROGRESSIVE_MAX_NAME_LENGTH,
    field,
    name,
    `has ${name.length} characters, too many for a progressive rollout: the analysis finds the new version's pods by name (<name>-<pod template hash>-<5 characters>), and Kubernetes cuts pod names longer than 63 characters`,
    `use a name of at most ${PROGRESSIVE_MAX_NAME_LENGTH} characters`,
  );
}
