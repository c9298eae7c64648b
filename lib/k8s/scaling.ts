import { ApiObject, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { gpuUtilization, kvCacheUtilizationPercent, podsOf, queueLength, trackRequestRate, wakeRequestRate } from './monitoring/queries';
import { ModelServicePlan, PlannedTrack, ScalingPlan } from './validate-model-service';
import { trackReplicas } from './plan-rollout';

export const KEDA_PAUSED_REPLICAS = 'autoscaling.keda.sh/paused-replicas';

type AutoscalePlan = Extract<ScalingPlan, { kind: 'hpa' | 'keda' }>;

/**
 * Scale-up: double, or add 4 pods, per minute, whichever is more: a model server needs minutes to
 * load, so the autoscaler must ask early. Scale-down: after the stabilization window, remove 10 %
 * or 1 pod per minute, whichever is more, because a removed pod takes just as long to come back.
 */
function behavior(plan: AutoscalePlan) {
  return {
    scaleUp: {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Percent', value: 100, periodSeconds: 60 },
        { type: 'Pods', value: 4, periodSeconds: 60 },
      ],
    },
    scaleDown: {
      stabilizationWindowSeconds: plan.scaleDownStabilizationSeconds,
      selectPolicy: 'Max',
      policies: [
        { type: 'Percent', value: 10, periodSeconds: 60 },
        { type: 'Pods', value: 1, periodSeconds: 60 },
      ],
    },
  };
}

function rules(b: ReturnType<typeof behavior>['scaleUp']): kplus.ScalingRules {
  return {
    stabilizationWindow: Duration.seconds(b.stabilizationWindowSeconds),
    strategy: kplus.ScalingStrategy.MAX_CHANGE,
    policies: b.policies.map((p) => ({
      replicas: p.type === 'Percent' ? kplus.Replicas.percent(p.value) : kplus.Replicas.absolute(p.value),
      duration: Duration.seconds(p.periodSeconds),
    })),
  };
}

/**
 * A HorizontalPodAutoscaler on the model server container's CPU and memory (not the sidecar's).
 * `target` is what it scales: the track's Deployment, or the Argo Rollout of a progressive rollout
 * (through the Rollout's `/scale` subresource).
 */
export function createHorizontalPodAutoscaler(
  scope: Construct,
  plan: ModelServicePlan,
  track: PlannedTrack,
  deployment: kplus.Deployment,
  labels: Record<string, string>,
  target: kplus.IScalable = deployment,
): kplus.HorizontalPodAutoscaler {
  const s = plan.scaling as AutoscalePlan;
  const container = deployment.containers[0];
  const metrics: kplus.Metric[] = [];
  if (s.cpu !== undefined) metrics.push(kplus.Metric.containerCpu({ container, target: kplus.MetricTarget.averageUtilization(s.cpu) }));
  if (s.memory !== undefined) metrics.push(kplus.Metric.containerMemory({ container, target: kplus.MetricTarget.averageUtilization(s.memory) }));
  const b = behavior(s);
  return new kplus.HorizontalPodAutoscaler(scope, `autoscaler-${track.name}`, {
    metadata: { name: track.deploymentName, labels },
    target,
    minReplicas: track.replicas,
    maxReplicas: s.maxReplicas,
    metrics,
    scaleUp: rules(b.scaleUp),
    scaleDown: rules(b.scaleDown),
  });
}

/**
 * The KEDA triggers of one track. Prometheus queries sum over the track's pods and KEDA's
 * AverageValue target divides by the replica count, so each threshold reads "per replica".
 */
export function kedaTriggers(plan: ModelServicePlan, track: PlannedTrack): Record<string, unknown>[] {
  const s = plan.scaling as AutoscalePlan;
  const pods = podsOf(plan.namespace, [track.deploymentName]);
  const prometheus = (name: string, query: string, threshold: number) => ({
    type: 'prometheus',
    name,
    metricType: 'AverageValue',
    metadata: { serverAddress: s.prometheusUrl, query, threshold: String(threshold), activationThreshold: '0' },
  });
  const triggers: Record<string, unknown>[] = [];
  if (s.gpu !== undefined) {
    triggers.push(prometheus('gpu-utilization', gpuUtilization(pods, plan.gpu?.count ?? 1, plan.gpu?.share?.kind === 'mig'), s.gpu));
  }
  if (s.requestsPerSecond !== undefined) {
    triggers.push(prometheus('requests-per-second', trackRequestRate(plan.namespace, plan.name, track.deploymentName), s.requestsPerSecond));
  }
  if (s.queueLength !== undefined && s.queueMetric) {
    triggers.push(prometheus('queue-length', queueLength(s.queueMetric, pods), s.queueLength));
  }
  if (s.kvCacheUtilization !== undefined && s.kvCacheMetric) {
    triggers.push(prometheus('kv-cache-utilization', kvCacheUtilizationPercent(s.kvCacheMetric, pods), s.kvCacheUtilization));
  }
  if (s.scaleToZero) {
    // With no pods, no GPU, queue or destination-side metric exists: the callers' side (the
    // ingress gateway, meshed clients) wakes the track, whatever it scales on once it runs.
    const threshold = s.requestsPerSecond ?? 1;
    triggers.push(prometheus('wake-on-request', wakeRequestRate(plan.namespace, plan.name, threshold), threshold));
  }
  for (const w of s.schedule) {
    // A canary or shadow track gets its share of the window's floor, as of the service's.
    const desired = trackReplicas(plan.rollout, track, { ...s, minReplicas: w.minReplicas }, plan.environment);
    triggers.push({ type: 'cron', name: w.name, metadata: { timezone: w.timeZone, start: w.start, end: w.end, desiredReplicas: String(desired) } });
  }
  const resource = (type: 'cpu' | 'memory', value: number) => ({ type, metricType: 'Utilization', metadata: { value: String(value), containerName: 'model-server' } });
  if (s.cpu !== undefined) triggers.push(resource('cpu', s.cpu));
  if (s.memory !== undefined) triggers.push(resource('memory', s.memory));
  return triggers;
}

/**
 * A KEDA ScaledObject for one track (KEDA creates and owns the HPA). Stopped: paused at zero
 * replicas rather than deleted, so that removing `stopped` resumes scaling where it was.
 * `target` is what it scales: the track's Deployment, or the Argo Rollout of a progressive
 * rollout (KEDA scales any object with a `/scale` subresource).
 */
export function createScaledObject(
  scope: Construct,
  plan: ModelServicePlan,
  track: PlannedTrack,
  labels: Record<string, string>,
  target: { readonly apiVersion: string; readonly kind: string; readonly name: string } = { apiVersion: 'apps/v1', kind: 'Deployment', name: track.deploymentName },
): ApiObject {
  const s = plan.scaling as AutoscalePlan;
  return new ApiObject(scope, `scaled-object-${track.name}`, {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: track.deploymentName, labels, annotations: plan.stopped ? { [KEDA_PAUSED_REPLICAS]: '0' } : undefined },
    spec: {
      scaleTargetRef: { apiVersion: target.apiVersion, kind: target.kind, name: target.name },
      minReplicaCount: s.scaleToZero ? 0 : track.replicas,
      maxReplicaCount: s.maxReplicas,
      pollingInterval: 15,
      // Idle time before scaling the last pod away; only used when scaling to zero.
      cooldownPeriod: s.scaleToZero ? Math.max(300, s.scaleDownStabilizationSeconds) : undefined,
      advanced: {
        horizontalPodAutoscalerConfig: { name: `keda-hpa-${track.deploymentName}`, behavior: behavior(s) },
      },
      triggers: kedaTriggers(plan, track),
    },
  });
}
