import type { AlertRule } from '../monitoring/alert-rules';
import { pipelineQueueDepth, pipelineRedisUp, pipelineRunsFailedPercent, pipelineRunsFinished, pipelineSelector } from '../monitoring/queries';

export const PIPELINE_ALERT_NAMES = {
  runsFailing: 'ModelServePipelineRunsFailing',
  backlog: 'ModelServePipelineBacklog',
  redisUnreachable: 'ModelServePipelineRedisUnreachable',
} as const;

/** When the pipeline's own alerts fire (the orchestrator service has a ModelService's alerts besides). */
export const PIPELINE_ALERT_THRESHOLDS = {
  /** Share of the runs finished in 10 minutes that failed, percent; held for 5 minutes. */
  failedRunsPercent: 5,
  /** Runs that must have finished in the window before the share counts: 1 of 2 is no incident. */
  minFinishedRuns: 10,
  /** Minutes runs wait for a worker without a break (replicas at capacity, or none alive) before the backlog alert fires. */
  backlogMinutes: 10,
  /** Minutes no replica reaches Redis before the alert fires. */
  redisMinutes: 2,
} as const;

const WINDOW = '10m';

export interface PipelineAlertContext {
  readonly namespace: string;
  readonly pipeline: string;
  /** The orchestrator's service, for the alert's `service` label and routing. */
  readonly serviceName: string;
}

/**
 * Alerts on what only the orchestrator knows, from its own metrics: runs failing (whatever step
 * failed them), runs left waiting for a worker, Redis out of reach of every replica.
 */
export function pipelineAlertRules(ctx: PipelineAlertContext): AlertRule[] {
  const t = PIPELINE_ALERT_THRESHOLDS;
  const selector = pipelineSelector(ctx.namespace, ctx.pipeline);
  const who = `pipeline ${ctx.namespace}/${ctx.pipeline}`;
  const labels = (severity: string) => ({ severity, namespace: ctx.namespace, service: ctx.serviceName, pipeline: ctx.pipeline });
  return [
    {
      alert: PIPELINE_ALERT_NAMES.runsFailing,
      expr: `${pipelineRunsFailedPercent(selector, WINDOW)} > ${t.failedRunsPercent} and ${pipelineRunsFinished(selector, WINDOW)} >= ${t.minFinishedRuns}`,
      for: '5m',
      labels: labels('critical'),
      annotations: {
        summary: `More than ${t.failedRunsPercent}% of the runs of ${who} fail`,
        description: `{{ $value | humanize }}% of the runs that finished in the last ${WINDOW} failed. GET /v1/runs/<id> names the step and its answer; the logs of ${ctx.serviceName} carry each run's runId.`,
      },
    },
    {
      alert: PIPELINE_ALERT_NAMES.backlog,
      expr: `${pipelineQueueDepth(selector)} > 0`,
      for: `${t.backlogMinutes}m`,
      labels: labels('warning'),
      annotations: {
        summary: `Runs of ${who} have waited for a worker for ${t.backlogMinutes} minutes`,
        description: `{{ $value }} unfinished runs have no replica working on them: the replicas are at PIPELINE_MAX_CONCURRENT_RUNS (scale out, or raise it), or none is running.`,
      },
    },
    {
      alert: PIPELINE_ALERT_NAMES.redisUnreachable,
      expr: `${pipelineRedisUp(selector)} == 0`,
      for: `${t.redisMinutes}m`,
      labels: labels('critical'),
      annotations: {
        summary: `No replica of ${who} reaches Redis`,
        description: `New runs are refused with 503 and runs in flight stop within their lease. Check the cache, its security group and NetworkPolicy, and the AUTH token (the replicas log each connection error).`,
      },
    },
  ];
}
