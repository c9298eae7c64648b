import { ModelServer, ModelService, ModelServiceProps, Rollout } from '../../lib/k8s';
import { chart, CPU_SERVICE, expectServiceRejected, GPU_SERVICE, K8sObject, ofKind, ofService, one, synth } from '../support/serving';

function objects(props: ModelServiceProps, environment: 'production' | 'development' = 'production'): K8sObject[] {
  const c = chart(environment);
  new ModelService(c, 'svc', props);
  return ofService(synth(c), 'svc');
}

describe('ModelService scaling', () => {
  test('fixed replicas: the Deployment carries them, no autoscaler; 2 by default, 1 in development', () => {
    const fixed = objects({ ...CPU_SERVICE, replicas: 3 });
    expect(one(fixed, 'Deployment').spec.replicas).toBe(3);
    expect(ofKind(fixed, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(ofKind(fixed, 'ScaledObject')).toEqual([]);
    expect(one(objects(CPU_SERVICE), 'Deployment').spec.replicas).toBe(2);
    expect(one(objects(CPU_SERVICE, 'development'), 'Deployment').spec.replicas).toBe(1);
  });

  test('a canary and a shadow get their share of the replicas, at least one; full-traffic tracks keep the count', () => {
    const replicas = (props: ModelServiceProps) => Object.fromEntries(ofKind(objects(props), 'Deployment').map((d) => [d.metadata.name, d.spec.replicas]));
    expect(replicas({ ...CPU_SERVICE, replicas: 10, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 20 }) })).toEqual({ 'svc-stable': 10, 'svc-canary': 2 });
    expect(replicas({ ...CPU_SERVICE, replicas: 4, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 0 }) })).toEqual({ 'svc-stable': 4, 'svc-canary': 1 });
    expect(replicas({ ...CPU_SERVICE, replicas: 4, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 100 }) })).toEqual({ 'svc-stable': 4, 'svc-canary': 4 });
    expect(replicas({ ...CPU_SERVICE, replicas: 6, rollout: Rollout.shadow({ newVersion: '1.1.0', mirrorPercent: 50 }) })).toEqual({ 'svc-stable': 6, 'svc-shadow': 3 });
    // Either colour and either variant may take all the traffic.
    expect(replicas({ ...CPU_SERVICE, replicas: 3, rollout: Rollout.blueGreen({ greenVersion: '1.1.0' }) })).toEqual({ 'svc-blue': 3, 'svc-green': 3 });
    expect(replicas({ ...CPU_SERVICE, replicas: 3, rollout: Rollout.abTest({ variantVersion: '1.1.0', match: { header: { name: 'x-b', value: '1' } } }) })).toEqual({ 'svc-a': 3, 'svc-b': 3 });
    expect(replicas({ ...CPU_SERVICE, replicas: 0, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 10 }) })).toEqual({ 'svc-stable': 0, 'svc-canary': 0 });
  });

  test('an autoscaled canary starts from its share of minReplicas, never one pod outside development, and may grow to maxReplicas', () => {
    const o = objects({ ...CPU_SERVICE, autoscaling: { minReplicas: 4, maxReplicas: 12 }, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 10 }) });
    const hpa = (name: string) => one(o, 'HorizontalPodAutoscaler', name).spec;
    expect([hpa('svc-stable').minReplicas, hpa('svc-stable').maxReplicas]).toEqual([4, 12]);
    // 10 % of 4 is one pod: a drain would leave the canary's 10 % of requests with none (503).
    expect([hpa('svc-canary').minReplicas, hpa('svc-canary').maxReplicas]).toEqual([2, 12]);
    const wide = objects({ ...CPU_SERVICE, autoscaling: { minReplicas: 10, maxReplicas: 20 }, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 30 }) });
    expect(one(wide, 'HorizontalPodAutoscaler', 'svc-canary').spec.minReplicas).toBe(3);
  });

  test('CPU and memory targets: an autoscaling/v2 HPA on the model container, with scale-up and scale-down behaviour', () => {
    const o = objects({ ...CPU_SERVICE, autoscaling: { minReplicas: 2, maxReplicas: 8, targetCpuUtilization: 65, targetMemoryUtilization: 80, scaleDownStabilizationSeconds: 600 } });
    expect(ofKind(o, 'ScaledObject')).toEqual([]);
    const hpa = one(o, 'HorizontalPodAutoscaler', 'svc');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'svc' });
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 8]);
    expect(hpa.spec.metrics).toEqual([
      { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'model-server', target: { type: 'Utilization', averageUtilization: 65 } } },
      { type: 'ContainerResource', containerResource: { name: 'memory', container: 'model-server', target: { type: 'Utilization', averageUtilization: 80 } } },
    ]);
    expect(hpa.spec.behavior.scaleUp).toMatchObject({ stabilizationWindowSeconds: 0, selectPolicy: 'Max' });
    expect(hpa.spec.behavior.scaleDown).toMatchObject({ stabilizationWindowSeconds: 600, selectPolicy: 'Max' });
    expect(hpa.spec.behavior.scaleDown.policies).toEqual([
      { type: 'Percent', value: 10, periodSeconds: 60 },
      { type: 'Pods', value: 1, periodSeconds: 60 },
    ]);
    // The autoscaler owns the count: a replicas field would fight it on every GitOps sync.
    expect(one(o, 'Deployment').spec.replicas).toBeUndefined();
  });

  test('autoscaling with no target scales on CPU at 70 %', () => {
    const hpa = one(objects({ ...CPU_SERVICE, autoscaling: { maxReplicas: 4 } }), 'HorizontalPodAutoscaler');
    expect(hpa.spec.metrics).toEqual([{ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'model-server', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    expect(hpa.spec.minReplicas).toBe(2);
  });

  test('one autoscaler per track', () => {
    const o = objects({ ...CPU_SERVICE, autoscaling: { maxReplicas: 4 }, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 20 }) });
    expect(ofKind(o, 'HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name)).toEqual(['svc-stable', 'svc-canary']);
  });

  test('GPU, request-rate and queue targets: a KEDA ScaledObject with Prometheus triggers and no HPA', () => {
    const o = objects({ ...GPU_SERVICE, autoscaling: { minReplicas: 2, maxReplicas: 6, targetGpuUtilization: 75, requestsPerSecond: 40, queueLength: 8 } });
    expect(ofKind(o, 'HorizontalPodAutoscaler')).toEqual([]);
    const so = one(o, 'ScaledObject', 'svc');
    expect(so.apiVersion).toBe('keda.sh/v1alpha1');
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'svc' });
    expect([so.spec.minReplicaCount, so.spec.maxReplicaCount]).toEqual([2, 6]);
    expect(so.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
    const triggers = Object.fromEntries(so.spec.triggers.map((t: { name: string; type: string; metadata: Record<string, string> }) => [t.name, t]));
    expect(Object.keys(triggers)).toEqual(['gpu-utilization', 'requests-per-second', 'queue-length']);
    const pods = 'namespace="models-production", pod=~"(svc)-[a-z0-9]+-[a-z0-9]{5}"';
    expect(triggers['gpu-utilization'].metadata.query).toBe(`sum(DCGM_FI_DEV_GPU_UTIL{${pods}}) / 1`);
    expect(triggers['gpu-utilization'].metadata.threshold).toBe('75');
    // The track's own sidecars count its requests (reporter="destination"): every caller, through
    // the gateway (whose source-side metrics nothing else scrapes) or from pods that live less than
    // a scrape interval (pipeline steps).
    expect(triggers['requests-per-second'].metadata.query).toBe(
      `sum(rate(istio_requests_total{reporter="destination", destination_service_name="svc", destination_service_namespace="models-production", ${pods}}[1m]))`,
    );
    expect(triggers['queue-length'].metadata.query).toBe(`sum(nv_inference_pending_request_count{${pods}})`);
    expect(so.spec.triggers.every((t: { type: string; metricType: string }) => t.type === 'prometheus' && t.metricType === 'AverageValue')).toBe(true);
    expect(one(o, 'Deployment').spec.replicas).toBeUndefined();
  });

  test('CPU target together with a KEDA trigger becomes a KEDA cpu trigger: never an HPA and a ScaledObject', () => {
    const o = objects({ ...GPU_SERVICE, autoscaling: { maxReplicas: 6, targetCpuUtilization: 60, requestsPerSecond: 40 } });
    expect(ofKind(o, 'HorizontalPodAutoscaler')).toEqual([]);
    const triggers = one(o, 'ScaledObject').spec.triggers;
    expect(triggers.map((t: { type: string }) => t.type)).toEqual(['prometheus', 'cpu']);
    expect(triggers[1]).toEqual({ type: 'cpu', metricType: 'Utilization', metadata: { value: '60', containerName: 'model-server' } });
  });

  test('scale to zero: minReplicaCount 0 only then, with a cooldown, and woken by the callers\' side', () => {
    const so = one(objects({ ...CPU_SERVICE, server: ModelServer.vllm(), autoscaling: { maxReplicas: 3, queueLength: 5, scaleToZero: true } }), 'ScaledObject');
    expect(so.spec.minReplicaCount).toBe(0);
    expect(so.spec.cooldownPeriod).toBe(300);
    expect(so.spec.triggers[0].metadata.query).toContain('vllm:num_requests_waiting');
    // With no pods there is no queue metric and no destination-side request metric: the gateway's
    // and the meshed callers' proxies report the calls (503 while nothing runs), which wakes one pod.
    expect(so.spec.triggers[1]).toEqual({
      type: 'prometheus',
      name: 'wake-on-request',
      metricType: 'AverageValue',
      metadata: {
        serverAddress: expect.any(String),
        query: 'clamp_max(sum(rate(istio_requests_total{reporter="source", destination_service_name="svc", destination_service_namespace="models-production"}[1m])), 1)',
        threshold: '1',
        activationThreshold: '0',
      },
    });
    const rps = one(objects({ ...CPU_SERVICE, autoscaling: { maxReplicas: 3, requestsPerSecond: 20, scaleToZero: true } }), 'ScaledObject').spec.triggers;
    expect(rps.map((t: { name: string }) => t.name)).toEqual(['requests-per-second', 'wake-on-request']);
    // Capped at one pod's worth: the destination side sizes the service once it runs.
    expect(rps[1].metadata.query).toMatch(/^clamp_max\(.*, 20\)$/);
    const warm = one(objects({ ...CPU_SERVICE, autoscaling: { maxReplicas: 3, requestsPerSecond: 5 } }), 'ScaledObject');
    expect(warm.spec.minReplicaCount).toBe(2);
    expect(warm.spec.cooldownPeriod).toBeUndefined();
  });

  test('every KEDA Prometheus query answers one value: KEDA\'s Prometheus scaler refuses a result of several series', () => {
    const o = objects({ ...GPU_SERVICE, autoscaling: { minReplicas: 0, maxReplicas: 6, targetGpuUtilization: 75, requestsPerSecond: 40, queueLength: 8, scaleToZero: true } });
    const queries: string[] = one(o, 'ScaledObject').spec.triggers.filter((t: { type: string }) => t.type === 'prometheus').map((t: { metadata: { query: string } }) => t.metadata.query);
    expect(queries).toHaveLength(4);
    // A sum with no grouping (or a cap of one) is a single series, or none (which KEDA reads as 0).
    for (const q of queries) {
      expect(q).toMatch(/^(clamp_max\()?sum\(/);
      expect(q).not.toMatch(/\b(by|without) \(/);
    }
  });

  test('KEDA triggers of a track only see that track', () => {
    const o = objects({ ...GPU_SERVICE, autoscaling: { targetGpuUtilization: 70, requestsPerSecond: 10 }, rollout: Rollout.canary({ newVersion: '2.1.0', weight: 10 }) });
    const canary = one(o, 'ScaledObject', 'svc-canary');
    expect(canary.spec.triggers[0].metadata.query).toContain('pod=~"(svc-canary)-[a-z0-9]+-[a-z0-9]{5}"');
    expect(canary.spec.triggers[1].metadata.query).toContain('reporter="destination"');
    expect(canary.spec.triggers[1].metadata.query).toContain('pod=~"(svc-canary)-[a-z0-9]+-[a-z0-9]{5}"');
  });
});

describe('no serving track on one pod outside development', () => {
  test('one replica is refused in staging and production, with why and the fix', () => {
    expectServiceRejected(
      { ...CPU_SERVICE, replicas: 1 },
      'serving/svc: replicas (1) leaves each track with one pod in production: a node drain, spot reclaim or scale-down evicts it (the PodDisruptionBudget lets one pod go) and its route answers 503 until a new pod has loaded the model; run at least 2 pods (or 0 with stopped or scaleToZero)',
    );
    expectServiceRejected({ ...CPU_SERVICE, autoscaling: { minReplicas: 1, maxReplicas: 3 } }, /^serving\/svc: autoscaling.minReplicas \(1\) leaves each track with one pod in staging/, chart('staging'));
  });

  test('development may run one pod', () => {
    const c = chart('development');
    new ModelService(c, 'svc', { ...CPU_SERVICE, replicas: 1 });
    expect(one(synth(c), 'Deployment', 'svc').spec.replicas).toBe(1);
  });

  test('a fixed canary gets two pods, however small its weight; a shadow (answers discarded) may get one', () => {
    const o = objects({ ...CPU_SERVICE, replicas: 2, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 10 }) });
    expect(one(o, 'Deployment', 'svc-canary').spec.replicas).toBe(2);
    const shadow = objects({ ...CPU_SERVICE, replicas: 2, rollout: Rollout.shadow({ newVersion: '1.1.0', mirrorPercent: 10 }) });
    expect(one(shadow, 'Deployment', 'svc-shadow').spec.replicas).toBe(1);
  });
});

describe('ModelService stopped', () => {
  const cases: Array<[string, ModelServiceProps]> = [
    ['fixed', { ...CPU_SERVICE, replicas: 3, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 10 }) }],
    ['hpa', { ...CPU_SERVICE, autoscaling: { maxReplicas: 5 }, rollout: Rollout.blueGreen({ greenVersion: '1.1.0' }) }],
    ['keda', { ...GPU_SERVICE, autoscaling: { maxReplicas: 5, targetGpuUtilization: 70 } }],
  ];

  test.each(cases)('%s: every Deployment at 0, no HPA, no PDB, KEDA paused at 0, the route answers 503', (_kind, props) => {
    const running = objects(props);
    const stopped = objects({ ...props, stopped: true });
    for (const d of ofKind(stopped, 'Deployment')) expect(d.spec.replicas).toBe(0);
    expect(ofKind(stopped, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(ofKind(stopped, 'PodDisruptionBudget')).toEqual([]);
    for (const so of ofKind(stopped, 'ScaledObject')) expect(so.metadata.annotations).toEqual({ 'autoscaling.keda.sh/paused-replicas': '0' });
    expect(one(stopped, 'VirtualService').spec.http).toEqual([{ name: 'stopped', directResponse: { status: 503, body: { string: expect.any(String) } } }]);

    // Everything else is unchanged, so removing `stopped` restores the service as it was.
    const key = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
    const changes = new Set(['HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ScaledObject', 'VirtualService', 'Deployment']);
    const same = (list: K8sObject[]) => list.filter((o) => !changes.has(o.kind));
    expect(same(stopped)).toEqual(same(running));
    const strip = (d: K8sObject) => ({ ...d, spec: { ...d.spec, replicas: undefined } });
    expect(ofKind(stopped, 'Deployment').map(strip)).toEqual(ofKind(running, 'Deployment').map(strip));
    expect(ofKind(stopped, 'ScaledObject').map((s) => s.spec)).toEqual(ofKind(running, 'ScaledObject').map((s) => s.spec));
    expect(ofKind(running, 'Deployment').map(key)).toEqual(ofKind(stopped, 'Deployment').map(key));
  });
});
