import {
  abortedPercent,
  destinationRequests,
  errorRatePercent,
  failedProbesIncrease,
  latencyQuantileMs,
  orZero,
  regressionPercent,
  vllmFinishedIncrease,
  vllmQuantileMs,
  vllmRequestsIncrease,
  whenEnoughRequests,
  whenEnoughSamples,
} from '../monitoring/queries';
import type { VllmMetricNames } from '../vllm-engine';
import { DEFAULT_ROLLBACK_THRESHOLDS, ProgressiveAnalysisOptions } from './progressive-options';

/**
 * Time between two measurements. A minute is four scrapes of the sidecars' request metrics (the
 * serving namespace's PodMonitor, every 15 s) and two of the kubelet's probe counters at
 * Prometheus' usual 30 s: fresh data each time, without asking Prometheus for the same answer twice.
 */
const ANALYSIS_INTERVAL_SECONDS = 60;
/** Window of the rates: two intervals, so that one late scrape does not empty it. */
const ANALYSIS_WINDOW = '2m';
/**
 * Window of the failed health checks: probes run every 10 to 15 s, so five minutes hold 20 to 30
 * of them; more than the threshold failing in any five minutes is a sick version, a few spread
 * over a long pause are not.
 */
export const HEALTH_CHECK_WINDOW = '5m';
/**
 * Failed measurements tolerated before a metric fails and the rollout is aborted. Argo counts
 * failures over the whole run, not in a row: with 1, the second failed minute aborts, so a single
 * burst (a client sending bad requests, a slow node) does not roll back a good version, and a bad
 * one is rolled back two to three minutes after it starts failing.
 */
export const ANALYSIS_FAILURE_LIMIT = 1;
/**
 * Measurements in a row that may error (Prometheus unreachable, query timed out) before the
 * metric errors, which aborts the rollout too. Five minutes covers a Prometheus restart with its
 * write-ahead-log replay; a version is never promoted on a Prometheus that stays away longer.
 * (Argo's default is 4.)
 */
export const ANALYSIS_CONSECUTIVE_ERROR_LIMIT = 5;
/** Seconds a query may take; less than the interval, so a slow Prometheus errors rather than piles up. */
const ANALYSIS_QUERY_TIMEOUT_SECONDS = 20;

/** The argument each template takes: the pod template hash of the new (latest) ReplicaSet. */
export const CANARY_HASH_ARG = 'canary-hash';
/** The argument the comparisons with the running version take: the stable ReplicaSet's pod template hash. */
export const STABLE_HASH_ARG = 'stable-hash';

/** Metric names; unique over the three templates, because Argo merges them into one AnalysisRun. */
const ANALYSIS_METRICS = {
  errorRate: 'error-rate',
  latencyP99: 'latency-p99',
  failedHealthChecks: 'failed-health-checks',
} as const;

export interface AnalysisContext {
  /** Name of the Kubernetes Service: Istio's `destination_service_name`. */
  readonly serviceName: string;
  readonly namespace: string;
  /** Name of the Rollout: its pods are `<rollout>-<pod template hash>-<5 characters>`. */
  readonly rolloutName: string;
  /** The model server container, whose probes count as health checks. */
  readonly containerName: string;
  readonly prometheusUrl: string;
  readonly thresholds?: ProgressiveAnalysisOptions;
  /**
   * HTTP statuses with which the server says it has no model: failures, like 5xx.
   * @default - none
   */
  readonly modelMissingStatusCodes?: readonly number[];
  /**
   * vLLM's metric names: the service is a language model, judged on time to first token,
   * inter-token latency and aborted requests against the stable version instead of p99 latency.
   * @default - not vLLM
   */
  readonly vllm?: VllmMetricNames;
}

export interface AnalysisTemplateSpec {
  /** The Kubernetes name suffix (`<rollout>-<suffix>`). */
  readonly suffix: string;
  readonly spec: Record<string, unknown>;
}

/** The thresholds with the defaults applied. Call validateProgressiveOptions first. */
function resolveRollbackThresholds(t: ProgressiveAnalysisOptions = {}): Required<Omit<ProgressiveAnalysisOptions, 'prometheusUrl'>> {
  const given = Object.fromEntries(Object.entries(t).filter(([key, v]) => v !== undefined && key !== 'prometheusUrl'));
  return { ...DEFAULT_ROLLBACK_THRESHOLDS, ...given };
}

/**
 * The new version's pods, by name: the ReplicaSet Argo creates for it is `<rollout>-<hash>` and
 * its pods `<rollout>-<hash>-<5 characters>`. PromQL regexes are anchored, so the stable
 * version's pods (another hash) never match. Rollout names are DNS labels: no regex characters.
 */
function canaryPodSelector(ctx: Pick<AnalysisContext, 'namespace' | 'rolloutName'>, arg = CANARY_HASH_ARG): string {
  return `namespace="${ctx.namespace}", pod=~"${ctx.rolloutName}-{{args.${arg}}}-[a-z0-9]{5}"`;
}

interface AnalysisMetric {
  readonly name: string;
  readonly query: string;
  /** The highest value that passes. */
  readonly max: number;
  readonly failureLimit: number;
}

function analysisMetric(ctx: AnalysisContext, m: AnalysisMetric): Record<string, unknown> {
  return {
    name: m.name,
    interval: `${ANALYSIS_INTERVAL_SECONDS}s`,
    failureLimit: m.failureLimit,
    consecutiveErrorLimit: ANALYSIS_CONSECUTIVE_ERROR_LIMIT,
    successCondition: `isNaN(result[0]) || result[0] <= ${m.max}`,
    provider: { prometheus: { address: ctx.prometheusUrl, timeout: ANALYSIS_QUERY_TIMEOUT_SECONDS, query: m.query } },
  };
}

/** A metric that fails above `max`, with the failure limit every template shares. */
function ceilingMetric(name: string, query: string, max: number): AnalysisMetric {
  return { name, query, max, failureLimit: ANALYSIS_FAILURE_LIMIT };
}

/** The error rate of `requests` over the analysis window, 0 while there are fewer than `minRequests`. */
function errorRateWhenEnoughRequests(ctx: AnalysisContext, requests: string, minRequests: number): string {
  return whenEnoughRequests(errorRatePercent(requests, ANALYSIS_WINDOW, ctx.modelMissingStatusCodes ?? []), requests, ANALYSIS_WINDOW, minRequests);
}

function templateOf(
  ctx: AnalysisContext,
  suffix: string,
  metrics: readonly AnalysisMetric[],
  args: readonly string[] = [CANARY_HASH_ARG],
): AnalysisTemplateSpec {
  return { suffix, spec: { args: args.map((name) => ({ name })), metrics: metrics.map((m) => analysisMetric(ctx, m)) } };
}

/**
 * The three AnalysisTemplates: error rate, p99 latency and failed health checks of the new
 * version alone. Each query answers 0 when there is nothing to judge (no series yet, or fewer
 * requests than `minRequests`), so that a quiet canary is not aborted for lack of data, and each
 * condition also passes NaN (a 0/0 from series whose rates are all zero).
 *
 * Request metrics are the ones the new version's own sidecars report (`reporter="destination"`):
 * they count every caller, in the mesh or through the gateway. What never reaches a pod (a crashed
 * pod, a refused connection) shows in the health checks instead.
 */
export function analysisTemplateSpecs(ctx: AnalysisContext): AnalysisTemplateSpec[] {
  if (ctx.vllm) return llmAnalysisTemplateSpecs(ctx, ctx.vllm);
  const t = resolveRollbackThresholds(ctx.thresholds);
  const pods = canaryPodSelector(ctx);
  const requests = `${destinationRequests(ctx.namespace, ctx.serviceName)}, ${pods}`;
  const errorRate = errorRateWhenEnoughRequests(ctx, requests, t.minRequests);
  const latencyP99 = whenEnoughRequests(latencyQuantileMs(0.99, requests, ANALYSIS_WINDOW), requests, ANALYSIS_WINDOW, t.minRequests);
  return [
    templateOf(ctx, ANALYSIS_METRICS.errorRate, [ceilingMetric(ANALYSIS_METRICS.errorRate, errorRate, t.maxErrorRatePercent)]),
    templateOf(ctx, ANALYSIS_METRICS.latencyP99, [ceilingMetric(ANALYSIS_METRICS.latencyP99, latencyP99, t.maxLatencyP99Ms)]),
    failedHealthChecksTemplate(ctx, pods, t.maxFailedHealthChecks),
  ];
}

/** The tolerance is in the threshold over the window: the first measurement above it aborts. */
function failedHealthChecksTemplate(ctx: AnalysisContext, pods: string, max: number): AnalysisTemplateSpec {
  const query = orZero(failedProbesIncrease(pods, ctx.containerName, HEALTH_CHECK_WINDOW));
  return templateOf(ctx, ANALYSIS_METRICS.failedHealthChecks, [{ name: ANALYSIS_METRICS.failedHealthChecks, query, max, failureLimit: 0 }]);
}

/** Template names of a language model's analysis (`<rollout>-<suffix>`). */
export const LLM_ANALYSIS_TEMPLATES = {
  errorRate: 'error-rate',
  timeToFirstToken: 'time-to-first-token',
  interTokenLatency: 'inter-token-latency',
  abortedRequests: 'aborted-requests',
  failedHealthChecks: 'failed-health-checks',
} as const;

/**
 * A language model's rollout judgement: errors, time to first token and inter-token latency at
 * p90 and p99 (each under its ceiling, and at most maxRegressionPercent slower than the stable
 * version in the same window), aborted requests against the stable version, failed health checks.
 *
 * The errors are the Istio requests the new version's pods answered, selected by pod only: calls
 * through an InferencePool reach the pods under Istio's shadow Service for the pool, not the
 * ModelService's name. The rest is vLLM's own histograms and counters from the same pods, scraped
 * by the service's ServiceMonitor, so they hold whichever way the requests came.
 */
function llmAnalysisTemplateSpecs(ctx: AnalysisContext, metrics: VllmMetricNames): AnalysisTemplateSpec[] {
  const t = resolveRollbackThresholds(ctx.thresholds);
  const canary = canaryPodSelector(ctx);
  const stable = canaryPodSelector(ctx, STABLE_HASH_ARG);
  const requests = `reporter="destination", ${canary}`;
  const errorRate = errorRateWhenEnoughRequests(ctx, requests, t.minRequests);
  const counts = {
    canary: vllmRequestsIncrease(metrics.timeToFirstToken, canary, ANALYSIS_WINDOW),
    stable: vllmRequestsIncrease(metrics.timeToFirstToken, stable, ANALYSIS_WINDOW),
  };
  const latency = (prefix: string, histogram: string, ceilings: { p90: number; p99: number }): AnalysisMetric[] => ([[0.9, 'p90', ceilings.p90], [0.99, 'p99', ceilings.p99]] as const).flatMap(([q, label, ceiling]) => [
    { name: `${prefix}-${label}`, query: whenEnoughSamples(vllmQuantileMs(histogram, q, canary, ANALYSIS_WINDOW), [counts.canary], t.minRequests), max: ceiling, failureLimit: ANALYSIS_FAILURE_LIMIT },
    {
      name: `${prefix}-${label}-vs-stable`,
      query: whenEnoughSamples(
        regressionPercent(vllmQuantileMs(histogram, q, canary, ANALYSIS_WINDOW), vllmQuantileMs(histogram, q, stable, ANALYSIS_WINDOW), ceiling / 10),
        [counts.canary, counts.stable],
        t.minRequests,
      ),
      max: t.maxRegressionPercent,
      failureLimit: ANALYSIS_FAILURE_LIMIT,
    },
  ]);
  const aborted = whenEnoughSamples(
    `${abortedPercent(metrics.requestSuccess, canary, ANALYSIS_WINDOW)} - (${abortedPercent(metrics.requestSuccess, stable, ANALYSIS_WINDOW)} or on() vector(0))`,
    [vllmFinishedIncrease(metrics.requestSuccess, canary, ANALYSIS_WINDOW)],
    t.minRequests,
  );
  const both = [CANARY_HASH_ARG, STABLE_HASH_ARG];
  return [
    templateOf(ctx, LLM_ANALYSIS_TEMPLATES.errorRate, [{ name: 'error-rate', query: errorRate, max: t.maxErrorRatePercent, failureLimit: ANALYSIS_FAILURE_LIMIT }]),
    templateOf(ctx, LLM_ANALYSIS_TEMPLATES.timeToFirstToken, latency('ttft', metrics.timeToFirstToken, { p90: t.maxTimeToFirstTokenP90Ms, p99: t.maxTimeToFirstTokenP99Ms }), both),
    templateOf(ctx, LLM_ANALYSIS_TEMPLATES.interTokenLatency, latency('itl', metrics.interTokenLatency, { p90: t.maxInterTokenLatencyP90Ms, p99: t.maxInterTokenLatencyP99Ms }), both),
    templateOf(ctx, LLM_ANALYSIS_TEMPLATES.abortedRequests, [{ name: 'aborted-requests-vs-stable', query: aborted, max: t.maxAbortedIncreasePercent, failureLimit: ANALYSIS_FAILURE_LIMIT }], both),
    failedHealthChecksTemplate(ctx, canary, t.maxFailedHealthChecks),
  ];
}
