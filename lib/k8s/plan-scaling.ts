import { PropsValidator } from '../catalog';
import { ModelServerSpec } from './model-server';
import { ModelServiceProps } from './model-service-props';
import { PlannedWindow, planSchedule } from './plan-schedule';
import { checkPrometheusUrl, DEFAULT_PROMETHEUS_URL } from './prometheus-endpoint';
import { VllmMetricNames } from './vllm-engine';

export type ScalingPlan =
  | { readonly kind: 'fixed'; readonly replicas: number }
  | {
      readonly kind: 'hpa' | 'keda';
      readonly minReplicas: number;
      readonly maxReplicas: number;
      readonly cpu?: number;
      readonly memory?: number;
      readonly gpu?: number;
      readonly requestsPerSecond?: number;
      readonly queueLength?: number;
      readonly queueMetric?: string;
      /** Average KV-cache use per replica, percent (vLLM). */
      readonly kvCacheUtilization?: number;
      /** vLLM's KV-cache gauge, named as its version exports it. */
      readonly kvCacheMetric?: string;
      readonly scaleToZero: boolean;
      readonly scaleDownStabilizationSeconds: number;
      readonly prometheusUrl: string;
      /** Time windows with a higher floor (KEDA cron triggers). */
      readonly schedule: readonly PlannedWindow[];
    };

export interface ScalingPlanContext {
  readonly environment: string;
  /** vLLM's metric names, for a vLLM server whose version is known. */
  readonly vllmMetrics?: VllmMetricNames;
}

/** Fewest pods a track that takes traffic runs outside development. */
export const MIN_SERVING_PODS = 2;

function checkNotSinglePod(check: PropsValidator, field: string, count: number, environment: string): void {
  check.that(
    environment === 'development' || count !== 1,
    field,
    count,
    `leaves each track with one pod in ${environment}: a node drain, spot reclaim or scale-down evicts it (the PodDisruptionBudget lets one pod go) and its route answers 503 until a new pod has loaded the model`,
    `run at least ${MIN_SERVING_PODS} pods (or 0 with stopped or scaleToZero)`,
  );
}

/**
 * Checks the replica count or autoscaling props and applies their defaults. Outside development a
 * serving track never runs on one pod: a node drain, a spot reclaim or a scale-down would evict
 * it (the PodDisruptionBudget lets one pod go) and its route would answer 503 until a new pod had
 * loaded the model.
 */
export function planScaling(check: PropsValidator, props: ModelServiceProps, ctx: ScalingPlanContext, server: ModelServerSpec): ScalingPlan {
  const defaultReplicas = ctx.environment === 'development' ? 1 : 2;
  const a = props.autoscaling;
  if (a === undefined) {
    const replicas = props.replicas ?? defaultReplicas;
    check.integerInRange('replicas', replicas, 0, 1000, 'set replicas from 0 to 1000, or use stopped: true to scale to zero');
    checkNotSinglePod(check, 'replicas', replicas, ctx.environment);
    return { kind: 'fixed', replicas };
  }
  check.that(props.replicas === undefined, 'replicas', props.replicas, 'is set together with autoscaling, which decides the replica count', 'remove replicas, or remove autoscaling for a fixed count');
  const minReplicas = a.minReplicas ?? (a.scaleToZero ? 0 : defaultReplicas);
  const maxReplicas = a.maxReplicas ?? Math.max(10, minReplicas);
  check.integerInRange('autoscaling.maxReplicas', maxReplicas, 1, 1000, 'allow at least 1 replica (use stopped: true to run none)');
  check.integerInRange('autoscaling.minReplicas', minReplicas, 0, 1000);
  check.that(minReplicas <= maxReplicas, 'autoscaling.minReplicas', minReplicas, `is greater than maxReplicas (${maxReplicas})`, 'lower minReplicas or raise maxReplicas');
  for (const field of ['targetCpuUtilization', 'targetMemoryUtilization', 'targetGpuUtilization'] as const) {
    check.integerInRange(`autoscaling.${field}`, a[field], 1, 100, `give a percentage from 1 to 100, e.g. 70`);
  }
  check.numberInRange('autoscaling.requestsPerSecond', a.requestsPerSecond, 0.01, 1_000_000, 'give the requests per second one replica handles, e.g. 50');
  check.numberInRange('autoscaling.queueLength', a.queueLength, 1, 1_000_000, 'give the waiting requests one replica may have, e.g. 10');
  check.integerInRange('autoscaling.scaleDownStabilizationSeconds', a.scaleDownStabilizationSeconds, 0, 3600);
  if (a.targetGpuUtilization !== undefined) {
    check.that(props.resources?.gpu !== undefined, 'autoscaling.targetGpuUtilization', a.targetGpuUtilization, 'is set but the service has no GPU', 'remove it, or request resources.gpu');
    check.that(props.resources?.gpu?.share?.kind !== 'time-slicing', 'autoscaling.targetGpuUtilization', a.targetGpuUtilization, "is set on a time-sliced GPU: the GPU's utilisation counts every pod that shares it, so it cannot tell whether this service needs more replicas", 'scale on requestsPerSecond or queueLength instead');
  }
  if (a.targetKvCacheUtilization !== undefined) {
    check.integerInRange('autoscaling.targetKvCacheUtilization', a.targetKvCacheUtilization, 1, 100, 'give the KV-cache use per replica, percent, to scale at, e.g. 80');
    check.that(server.name === 'vllm', 'autoscaling.targetKvCacheUtilization', a.targetKvCacheUtilization, `is set but the ${server.name} server has no KV cache to measure`, 'scale on queueLength or requestsPerSecond instead, or serve a language model with ModelServer.vllm()');
    check.that(ctx.vllmMetrics !== undefined, 'server.version', undefined, 'is not set and the image tag names no vLLM version, which autoscaling.targetKvCacheUtilization needs (vLLM renamed its KV-cache gauge in 0.10)', 'give ModelServer.vllm({ version: "0.28.0" }), or an image tagged with its version');
  }
  if (a.queueLength !== undefined) {
    check.that(server.queueMetric !== undefined, 'autoscaling.queueLength', a.queueLength, `is set but the ${server.name} server exposes no queue-length metric`, 'scale on requestsPerSecond instead, or use ModelServer.custom({ ..., queueMetric })');
  }
  const prometheusUrl = a.prometheusUrl ?? DEFAULT_PROMETHEUS_URL;
  checkPrometheusUrl(check, 'autoscaling.prometheusUrl', prometheusUrl);

  const schedule = planSchedule(check, a.schedule, { minReplicas, maxReplicas });
  const external = [a.targetGpuUtilization, a.requestsPerSecond, a.queueLength, a.targetKvCacheUtilization].some((target) => target !== undefined);
  const scaleToZero = a.scaleToZero ?? false;
  if (scaleToZero && !external) {
    const given = a.targetCpuUtilization !== undefined || a.targetMemoryUtilization !== undefined ? 'a CPU or memory target only' : 'no target, so the default CPU target';
    check.fail('autoscaling.scaleToZero', true, `is set with ${given}: a HorizontalPodAutoscaler cannot scale to zero, and with no pods there is no CPU to measure, so KEDA (which owns the HPA when scaling to zero) could never wake the service`, 'add a targetGpuUtilization, requestsPerSecond, queueLength or targetKvCacheUtilization trigger, or drop scaleToZero');
  }
  check.that(minReplicas > 0 || scaleToZero, 'autoscaling.minReplicas', minReplicas, 'is 0 without scaleToZero', 'set scaleToZero: true (with a GPU, request-rate or queue target), or raise minReplicas to 1');
  check.that(!scaleToZero || minReplicas === 0, 'autoscaling.minReplicas', minReplicas, 'is above 0 with scaleToZero', 'set minReplicas to 0 or drop scaleToZero');
  checkNotSinglePod(check, 'autoscaling.minReplicas', minReplicas, ctx.environment);
  const cpu = a.targetCpuUtilization ?? (external || a.targetMemoryUtilization !== undefined ? undefined : 70);
  return {
    // An HPA has no clock: a schedule moves CPU and memory targets to KEDA's cpu and memory triggers.
    kind: external || scaleToZero || schedule.length > 0 ? 'keda' : 'hpa',
    minReplicas,
    maxReplicas,
    cpu,
    memory: a.targetMemoryUtilization,
    gpu: a.targetGpuUtilization,
    requestsPerSecond: a.requestsPerSecond,
    queueLength: a.queueLength,
    queueMetric: server.queueMetric,
    kvCacheUtilization: a.targetKvCacheUtilization,
    kvCacheMetric: a.targetKvCacheUtilization !== undefined ? ctx.vllmMetrics?.kvCacheUsage : undefined,
    scaleToZero,
    scaleDownStabilizationSeconds: a.scaleDownStabilizationSeconds ?? 300,
    prometheusUrl,
    schedule,
  };
}
