import { destinationRequests, errorRatePercent, failedProbesIncrease, latencyQuantileMs, orZero, whenEnoughRequests } from '../monitoring/queries';
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
}

export interface AnalysisTemplateSpec {
  /** The Kubernetes name suffix (`<rollout>-<suffix>`). */
  readonly suffix: string;
  readonly spec: Record<string, unknown>;
}

/** The thresholds with the defaults applied. Call validateProgressiveOptions first. */
function resolveRollbackThresholds(t: ProgressiveAnalysisOptions = {}): Required<Omit<ProgressiveAnalysisOptions, 'prometheusUrl'>> {
  return {
    maxErrorRatePercent: t.maxErrorRatePercent ?? DEFAULT_ROLLBACK_THRESHOLDS.maxErrorRatePercent,
    maxLatencyP99Ms: t.maxLatencyP99Ms ?? DEFAULT_ROLLBACK_THRESHOLDS.maxLatencyP99Ms,
    maxFailedHealthChecks: t.maxFailedHealthChecks ?? DEFAULT_ROLLBACK_THRESHOLDS.maxFailedHealthChecks,
    minRequests: t.minRequests ?? DEFAULT_ROLLBACK_THRESHOLDS.minRequests,
  };
}

/**
 * The new version's pods, by name: the ReplicaSet Argo creates for it is `<rollout>-<hash>` and
 * its pods `<rollout>-<hash>-<5 characters>`. PromQL regexes are anchored, so the stable
 * version's pods (another hash) never match. Rollout names are DNS labels: no regex characters.
 */
function canaryPodSelector(ctx: Pick<AnalysisContext, 'namespace' | 'rolloutName'>): string {
  return `namespace="${ctx.namespace}", pod=~"${ctx.rolloutName}-{{args.${CANARY_HASH_ARG}}}-[a-z0-9]{5}"`;
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
  const t = resolveRollbackThresholds(ctx.thresholds);
  const pods = canaryPodSelector(ctx);
  const requests = `${destinationRequests(ctx.namespace, ctx.serviceName)}, ${pods}`;
  const errorRate = whenEnoughRequests(errorRatePercent(requests, ANALYSIS_WINDOW, ctx.modelMissingStatusCodes ?? []), requests, ANALYSIS_WINDOW, t.minRequests);
  const latencyP99 = whenEnoughRequests(latencyQuantileMs(0.99, requests, ANALYSIS_WINDOW), requests, ANALYSIS_WINDOW, t.minRequests);
  const failedHealthChecks = orZero(failedProbesIncrease(pods, ctx.containerName, HEALTH_CHECK_WINDOW));

  const template = (metric: string, query: string, successCondition: string, failureLimit: number) => ({
    args: [{ name: CANARY_HASH_ARG }],
    metrics: [
      {
        name: metric,
        interval: `${ANALYSIS_INTERVAL_SECONDS}s`,
        failureLimit,
        consecutiveErrorLimit: ANALYSIS_CONSECUTIVE_ERROR_LIMIT,
        successCondition,
        provider: { prometheus: { address: ctx.prometheusUrl, timeout: ANALYSIS_QUERY_TIMEOUT_SECONDS, query } },
      },
    ],
  });

  return [
    { suffix: ANALYSIS_METRICS.errorRate, spec: template(ANALYSIS_METRICS.errorRate, errorRate, `isNaN(result[0]) || result[0] <= ${t.maxErrorRatePercent}`, ANALYSIS_FAILURE_LIMIT) },
    { suffix: ANALYSIS_METRICS.latencyP99, spec: template(ANALYSIS_METRICS.latencyP99, latencyP99, `isNaN(result[0]) || result[0] <= ${t.maxLatencyP99Ms}`, ANALYSIS_FAILURE_LIMIT) },
    // The tolerance is in the threshold over the window: the first measurement above it aborts.
    { suffix: ANALYSIS_METRICS.failedHealthChecks, spec: template(ANALYSIS_METRICS.failedHealthChecks, failedHealthChecks, `isNaN(result[0]) || result[0] <= ${t.maxFailedHealthChecks}`, 0) },
  ];
}
