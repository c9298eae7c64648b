import * as kplus from 'cdk8s-plus-27';
import { ValidationError } from '../../lib/catalog';
import { CanaryPause, DEFAULT_ROLLBACK_THRESHOLDS, KEDA_PAUSED_REPLICAS, ModelServer, ModelService, ModelServiceProps, ProgressiveDelivery, Rollout } from '../../lib/k8s';
import { ANALYSIS_CONSECUTIVE_ERROR_LIMIT } from '../../lib/k8s/progressive/analysis-templates';
import { DEFAULT_CANARY_STEPS } from '../../lib/k8s/progressive/progressive-options';
import { DEFAULT_PROMETHEUS_URL } from '../../lib/k8s/validate-model-service';
import { restrictedViolations } from '../support/pod-security';
import { schemaFailures } from '../support/schema';
import { chart, CPU_SERVICE, expectServiceRejected, GPU_SERVICE, K8sObject, ofKind, ofService, one, synth } from '../support/serving';

function objects(props: ModelServiceProps): K8sObject[] {
  const c = chart();
  new ModelService(c, 'svc', props);
  return ofService(synth(c), 'svc');
}

const PROGRESSIVE: ModelServiceProps = { ...CPU_SERVICE, rollout: Rollout.progressive() };
/** `name=~"svc-<hash>-<5>"` over the namespace of the test chart. */
const CANARY_PODS = 'namespace="models-production", pod=~"svc-{{args.canary-hash}}-[a-z0-9]{5}"';
const CANARY_REQUESTS = `reporter="destination", destination_service_name="svc", destination_service_namespace="models-production", ${CANARY_PODS}`;

/** The one metric of an AnalysisTemplate, by the template's name. */
function metricOf(o: K8sObject[], name: string): any {
  const t = one(o, 'AnalysisTemplate', name);
  expect(t.spec.metrics).toHaveLength(1);
  expect(t.spec.args).toEqual([{ name: 'canary-hash' }]);
  return t.spec.metrics[0];
}

describe('Rollout.progressive: the Rollout', () => {
  const o = objects(PROGRESSIVE);

  test('runs the Deployment\'s pod template by workloadRef; Argo scales the Deployment down as the Rollout comes up', () => {
    const rollout = one(o, 'Rollout', 'svc');
    expect(rollout.apiVersion).toBe('argoproj.io/v1alpha1');
    // scaleDown: progressively: switching a live service to progressive keeps its capacity (the
    // Deployment's pods go only as the Rollout's become available), and Git holds no count for
    // the Deployment that a sync would restore.
    expect(rollout.spec.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'svc', scaleDown: 'progressively' });
    expect(rollout.spec.template).toBeUndefined();
    const deployment = one(o, 'Deployment', 'svc');
    expect(deployment.spec.replicas).toBeUndefined();
    // The Rollout selects exactly the labels the template carries.
    expect(rollout.spec.selector).toEqual({ matchLabels: { 'modelserve.io/service': 'svc', 'modelserve.io/track': 'rollout' } });
    expect(deployment.spec.template.metadata.labels).toMatchObject(rollout.spec.selector.matchLabels);
    expect(deployment.spec.template.metadata.labels.version).toBe('1.0.0');
    expect(ofKind(o, 'Deployment')).toHaveLength(1);
  });

  test('a new version is a change of the template: the model version is in the labels and MODEL_URI', () => {
    const next = one(objects({ ...PROGRESSIVE, model: { ...CPU_SERVICE.model, version: '1.1.0' } }), 'Deployment', 'svc').spec.template;
    expect(next.metadata.labels.version).toBe('1.1.0');
    expect(next.spec.containers[0].env).toContainEqual({ name: 'MODEL_URI', value: 's3://models-bucket/ner/1.1.0/' });
    // The Rollout itself does not change: Argo reads the template from the Deployment.
    expect(one(objects({ ...PROGRESSIVE, model: { ...CPU_SERVICE.model, version: '1.1.0' } }), 'Rollout').spec).toEqual(one(o, 'Rollout').spec);
  });

  test('default steps: 10 % for 5 min, 25 % for 5 min, 50 % for 10 min, then 100 %, never on one canary pod', () => {
    // Two replicas: 10 % and 25 % would be one canary pod, which a drain leaves the canary's
    // weighted route without; the canary is scaled to two pods (100 % of 2) until its weight
    // asks for more.
    expect(one(o, 'Rollout').spec.strategy.canary.steps).toEqual([
      { setCanaryScale: { weight: 100 } },
      { setWeight: 10 },
      { pause: { duration: '300s' } },
      { setCanaryScale: { weight: 100 } },
      { setWeight: 25 },
      { pause: { duration: '300s' } },
      { setCanaryScale: { weight: 100 } },
      { setWeight: 50 },
      { pause: { duration: '600s' } },
    ]);
    const wide = one(objects({ ...PROGRESSIVE, autoscaling: { minReplicas: 8, maxReplicas: 20 } }), 'Rollout').spec.strategy.canary.steps;
    expect(wide.filter((s: any) => s.setCanaryScale).map((s: any) => s.setCanaryScale)).toEqual([{ weight: 25 }, { matchTrafficWeight: true }, { matchTrafficWeight: true }]);
    const dev = chart('development');
    new ModelService(dev, 'svc', PROGRESSIVE);
    expect(one(synth(dev), 'Rollout').spec.strategy.canary.steps[0]).toEqual({ setWeight: 10 });
    expect(DEFAULT_CANARY_STEPS.map((s) => [s.weight, s.pause?.seconds])).toEqual([[10, 300], [25, 300], [50, 600]]);
  });

  test('custom steps: seconds, minutes, the 5-minute default and an indefinite pause for a person to promote', () => {
    const steps = [
      { weight: 5, pause: CanaryPause.seconds(90) },
      { weight: 20 },
      { weight: 60, pause: CanaryPause.minutes(15) },
      { weight: 99, pause: CanaryPause.untilPromoted() },
    ];
    const rolloutSteps = one(objects({ ...CPU_SERVICE, rollout: Rollout.progressive({ steps }) }), 'Rollout').spec.strategy.canary.steps;
    expect(rolloutSteps.filter((s: any) => !s.setCanaryScale)).toEqual([
      { setWeight: 5 }, { pause: { duration: '90s' } },
      { setWeight: 20 }, { pause: { duration: '300s' } },
      { setWeight: 60 }, { pause: { duration: '900s' } },
      { setWeight: 99 }, { pause: {} },
    ]);
  });

  test('a new version whose pods never get ready is aborted at the progress deadline, which leaves room for a node, the pulls and the load', () => {
    const spec = one(o, 'Rollout').spec;
    expect(spec.progressDeadlineAbort).toBe(true);
    // A new CPU node (300 s) + Triton's 15 GiB image and the loader's and sidecar's at 40 MiB/s
    // (404.5 s) + a 20 GiB copy at 50 MiB/s (409.6 s) + the 300 s load + 120 s margin, rounded up.
    expect(spec.progressDeadlineSeconds).toBe(1535);
    expect(one(o, 'Deployment').spec.progressDeadlineSeconds).toBe(1535);
    // On a GPU node (600 s to launch) with a 600 s load: well over the 900 s that aborted healthy
    // versions waiting for a GPU node and a 15 GB pull.
    const gpu = one(objects({ ...GPU_SERVICE, rollout: Rollout.progressive() }), 'Rollout').spec.progressDeadlineSeconds;
    expect(gpu).toBe(2135);
    expect(one(objects({ ...GPU_SERVICE, imageSizeGiB: 30, rollout: Rollout.progressive() }), 'Rollout').spec.progressDeadlineSeconds).toBe(gpu + 384);
    expect(spec.strategy.canary.abortScaleDownDelaySeconds).toBe(30);
    // The stable ReplicaSet stays at full size, so an abort lands on warm pods.
    expect(spec.strategy.canary.dynamicStableScale).toBeUndefined();
  });

  test('topology spread keys on the hash Argo puts on its pods, so each ReplicaSet spreads on its own', () => {
    const spread = one(o, 'Deployment').spec.template.spec.topologySpreadConstraints;
    expect(spread.map((c: any) => [c.topologyKey, c.matchLabelKeys])).toEqual([
      ['topology.kubernetes.io/zone', ['rollouts-pod-template-hash']],
      ['kubernetes.io/hostname', ['rollouts-pod-template-hash']],
    ]);
  });
});

describe('Rollout.progressive: traffic through the Istio VirtualService and DestinationRule', () => {
  test('the Rollout re-weights the named route between the DestinationRule\'s stable and canary subsets', () => {
    const o = objects(PROGRESSIVE);
    expect(one(o, 'Rollout').spec.strategy.canary.trafficRouting).toEqual({
      istio: {
        virtualService: { name: 'svc', routes: ['primary-grpc', 'primary'] },
        destinationRule: { name: 'svc', canarySubsetName: 'canary', stableSubsetName: 'stable' },
      },
    });
    const [grpcRoute, httpRoute, metricsRoute] = one(o, 'VirtualService', 'svc').spec.http;
    const http = [grpcRoute, httpRoute];
    expect([...http, metricsRoute].map((r: any) => r.name)).toEqual(['primary-grpc', 'primary', 'metrics']);
    for (const route of http) {
      expect(route.route.map((d: any) => [d.destination.subset, d.weight])).toEqual([['stable', 100], ['canary', 0]]);
    }
    expect(http[1].route[0].destination).toEqual({ host: 'svc.models-production.svc.cluster.local', subset: 'stable', port: { number: 80 } });
  });

  test('the subsets select the Rollout\'s pods with no version label: Argo adds each ReplicaSet\'s rollouts-pod-template-hash', () => {
    const dr = one(objects(PROGRESSIVE), 'DestinationRule', 'svc');
    expect(dr.spec.subsets).toEqual([
      { name: 'stable', labels: { 'modelserve.io/track': 'rollout' } },
      { name: 'canary', labels: { 'modelserve.io/track': 'rollout' } },
    ]);
    // The traffic policy (mTLS, outlier ejection) is the same as for every other strategy.
    expect(dr.spec.trafficPolicy.tls).toEqual({ mode: 'ISTIO_MUTUAL' });
  });

  test('a server without a gRPC port has one route', () => {
    const o = objects({ ...PROGRESSIVE, server: ModelServer.custom({ port: 9000, healthPath: '/ok' }) });
    expect(one(o, 'Rollout').spec.strategy.canary.trafficRouting.istio.virtualService.routes).toEqual(['primary']);
    expect(one(o, 'VirtualService').spec.http.map((r: any) => r.name)).toEqual(['primary', 'metrics']);
  });

  test('through a gateway: the same routes serve the mesh and the gateway', () => {
    const vs = one(objects({ ...PROGRESSIVE, gateway: { hosts: ['ner.models.example.com'], tlsSecretName: 'ner-tls' } }), 'VirtualService');
    expect(vs.spec.gateways).toEqual(['models-production/svc', 'mesh']);
    expect(vs.spec.http.map((r: any) => r.name)).toEqual(['primary-grpc', 'primary', 'metrics']);
  });
});

describe('Rollout.progressive: automatic rollback', () => {
  const o = objects(PROGRESSIVE);

  test('three AnalysisTemplates run in the background from the first step, on the new ReplicaSet\'s pod template hash', () => {
    expect(ofKind(o, 'AnalysisTemplate').map((t) => t.metadata.name)).toEqual(['svc-error-rate', 'svc-latency-p99', 'svc-failed-health-checks']);
    const analysis = one(o, 'Rollout').spec.strategy.canary.analysis;
    expect(analysis).toEqual({
      templates: [{ templateName: 'svc-error-rate' }, { templateName: 'svc-latency-p99' }, { templateName: 'svc-failed-health-checks' }],
      args: [{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
    });
    // No startingStep: the analysis starts with the 10 % step.
    expect(analysis.startingStep).toBeUndefined();
    // Argo merges the templates into one run, which needs distinct metric names.
    expect(ofKind(o, 'AnalysisTemplate').map((t) => t.spec.metrics[0].name)).toEqual(['error-rate', 'latency-p99', 'failed-health-checks']);
  });

  test('error rate: aborts above 5 % of the new pods\' requests answered 5xx (or a gRPC server error)', () => {
    const m = metricOf(o, 'svc-error-rate');
    expect(m.successCondition).toBe('isNaN(result[0]) || result[0] <= 5');
    expect([m.interval, m.failureLimit, m.consecutiveErrorLimit]).toEqual(['60s', 1, 5]);
    expect(m.provider.prometheus.address).toBe(DEFAULT_PROMETHEUS_URL);
    expect(m.provider.prometheus.timeout).toBe(20);
    // 404 counts: a version whose model did not load answers "no such model" to every request,
    // and a rollout that judged 5xx only would promote it.
    expect(m.provider.prometheus.query).toBe(
      `(sum(rate(istio_requests_total{${CANARY_REQUESTS}, response_code=~"5..|404"}[2m])` +
      ` or rate(istio_requests_total{${CANARY_REQUESTS}, response_code!~"5..|404", grpc_response_status=~"2|4|5|12|13|14|15"}[2m]))` +
      ` / sum(rate(istio_requests_total{${CANARY_REQUESTS}}[2m])) * 100` +
      ` and on() (sum(increase(istio_requests_total{${CANARY_REQUESTS}}[2m])) >= 10)) or on() vector(0)`,
    );
    // A custom server counts only what it says means "no model".
    const custom = metricOf(objects({ ...PROGRESSIVE, server: ModelServer.custom({ port: 9000, healthPath: '/ok' }) }), 'svc-error-rate');
    expect(custom.provider.prometheus.query).toContain('response_code=~"5.."}');
  });

  test('p99 latency: aborts above 2000 ms, from the Istio duration histogram of the new pods', () => {
    const m = metricOf(o, 'svc-latency-p99');
    expect(m.successCondition).toBe('isNaN(result[0]) || result[0] <= 2000');
    expect([m.interval, m.failureLimit, m.consecutiveErrorLimit]).toEqual(['60s', 1, 5]);
    expect(m.provider.prometheus.query).toBe(
      `(histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${CANARY_REQUESTS}}[2m])))` +
      ` and on() (sum(increase(istio_requests_total{${CANARY_REQUESTS}}[2m])) >= 10)) or on() vector(0)`,
    );
  });

  test('health checks: aborts after more than 3 failed liveness or readiness probes of the new pods within 5 minutes; startup probes do not count', () => {
    const m = metricOf(o, 'svc-failed-health-checks');
    expect(m.successCondition).toBe('isNaN(result[0]) || result[0] <= 3');
    expect([m.interval, m.failureLimit, m.consecutiveErrorLimit]).toEqual(['60s', 0, ANALYSIS_CONSECUTIVE_ERROR_LIMIT]);
    // Over a window, not the counter itself: the counter sums every failure since the pod
    // started, so transient failures spread over a long pause added up to an abort.
    // Counted exactly (now minus 5 minutes ago, a series born in the window from 0): increase()
    // misses the first failure and extrapolates; test/k8s/rollback-analysis.test.ts judges it.
    const failed = `prober_probe_total{${CANARY_PODS}, container="model-server", probe_type=~"Liveness|Readiness", result="failed"}`;
    expect(m.provider.prometheus.query).toBe(`sum(clamp_min(${failed} - (${failed} offset 5m or ${failed} * 0), 0)) or on() vector(0)`);
  });

  test('no traffic and empty vectors pass: every query falls back to 0 and every condition passes NaN', () => {
    for (const t of ofKind(o, 'AnalysisTemplate')) {
      expect(t.spec.metrics[0].provider.prometheus.query).toMatch(/ or on\(\) vector\(0\)$/);
    }
    expect(DEFAULT_ROLLBACK_THRESHOLDS).toEqual({
      maxErrorRatePercent: 5, maxLatencyP99Ms: 2000, maxFailedHealthChecks: 3, minRequests: 10,
      // vLLM services only (test/k8s/llm-rollback-analysis.test.ts).
      maxTimeToFirstTokenP90Ms: 1000, maxTimeToFirstTokenP99Ms: 3000, maxInterTokenLatencyP90Ms: 100, maxInterTokenLatencyP99Ms: 250, maxRegressionPercent: 25, maxAbortedIncreasePercent: 5,
    });
  });

  test('every threshold, the minimum request count and the Prometheus URL can be overridden', () => {
    const custom = objects({
      ...CPU_SERVICE,
      rollout: Rollout.progressive({
        analysis: { maxErrorRatePercent: 1.5, maxLatencyP99Ms: 750, maxFailedHealthChecks: 0, minRequests: 50, prometheusUrl: 'https://prometheus.example.com' },
      }),
    });
    expect(metricOf(custom, 'svc-error-rate').successCondition).toBe('isNaN(result[0]) || result[0] <= 1.5');
    expect(metricOf(custom, 'svc-latency-p99').successCondition).toBe('isNaN(result[0]) || result[0] <= 750');
    expect(metricOf(custom, 'svc-failed-health-checks').successCondition).toBe('isNaN(result[0]) || result[0] <= 0');
    expect(metricOf(custom, 'svc-error-rate').provider.prometheus.query).toContain('[2m])) >= 50)');
    expect(metricOf(custom, 'svc-latency-p99').provider.prometheus.query).toContain('[2m])) >= 50)');
    for (const t of ofKind(custom, 'AnalysisTemplate')) expect(t.spec.metrics[0].provider.prometheus.address).toBe('https://prometheus.example.com');
  });

  test('without its own URL the analysis asks the Prometheus autoscaling uses', () => {
    const o2 = objects({ ...PROGRESSIVE, autoscaling: { requestsPerSecond: 10, prometheusUrl: 'http://prom.monitoring:9090' } });
    for (const t of ofKind(o2, 'AnalysisTemplate')) expect(t.spec.metrics[0].provider.prometheus.address).toBe('http://prom.monitoring:9090');
  });
});

describe('Rollout.progressive with autoscaling, disruption budgets and stop', () => {
  test('an HPA scales the Rollout, which then carries no replica count', () => {
    const o = objects({ ...PROGRESSIVE, autoscaling: { minReplicas: 3, maxReplicas: 9, targetCpuUtilization: 60 } });
    const hpa = one(o, 'HorizontalPodAutoscaler', 'svc');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'svc' });
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([3, 9]);
    expect(hpa.spec.metrics[0].containerResource.container).toBe('model-server');
    expect(one(o, 'Rollout').spec.replicas).toBeUndefined();
    expect(one(o, 'Deployment').spec.replicas).toBeUndefined();
  });

  test('a KEDA ScaledObject scales the Rollout', () => {
    const o = objects({ ...PROGRESSIVE, autoscaling: { minReplicas: 2, maxReplicas: 8, requestsPerSecond: 25 } });
    expect(ofKind(o, 'HorizontalPodAutoscaler')).toEqual([]);
    const so = one(o, 'ScaledObject', 'svc');
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'svc' });
    // One track: the request rate is the whole service's, stable and new version together.
    expect(so.spec.triggers[0].metadata.query).not.toContain('destination_version');
    expect(one(o, 'Rollout').spec.replicas).toBeUndefined();
  });

  test('fixed replicas are the Rollout\'s; the new version gets its weight\'s share on top (Argo sizes it)', () => {
    const o = objects({ ...PROGRESSIVE, replicas: 4 });
    expect(one(o, 'Rollout').spec.replicas).toBe(4);
    expect(ofKind(o, 'HorizontalPodAutoscaler')).toEqual([]);
  });

  test('the PodDisruptionBudget selects every pod of the Rollout, stable and new', () => {
    const o = objects(PROGRESSIVE);
    const pdb = one(o, 'PodDisruptionBudget', 'svc');
    expect(pdb.spec.selector).toEqual(one(o, 'Rollout').spec.selector);
    expect(pdb.spec.maxUnavailable).toBe(1);
  });

  test('stopped: the Rollout runs no pods, no HPA or PDB, and the VirtualService answers 503 but keeps the routes the Rollout names', () => {
    const o = objects({ ...PROGRESSIVE, stopped: true, autoscaling: { maxReplicas: 4 } });
    expect(one(o, 'Rollout').spec.replicas).toBe(0);
    expect(one(o, 'Deployment').spec.replicas).toBe(0);
    expect(ofKind(o, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(ofKind(o, 'PodDisruptionBudget')).toEqual([]);
    const http = one(o, 'VirtualService').spec.http;
    expect(http.map((r: any) => r.name)).toEqual(['stopped', 'primary-grpc', 'primary', 'metrics']);
    expect(http[0]).toMatchObject({ match: [{ uri: { prefix: '/' } }], directResponse: { status: 503 } });
    expect(one(o, 'Rollout').spec.strategy.canary.trafficRouting.istio.virtualService.routes).toEqual(['primary-grpc', 'primary']);
  });

  test('stopped with KEDA: the ScaledObject is paused at zero and still targets the Rollout', () => {
    const o = objects({ ...PROGRESSIVE, stopped: true, autoscaling: { maxReplicas: 4, requestsPerSecond: 5 } });
    const so = one(o, 'ScaledObject');
    expect(so.metadata.annotations).toEqual({ [KEDA_PAUSED_REPLICAS]: '0' });
    expect(so.spec.scaleTargetRef.kind).toBe('Rollout');
    expect(one(o, 'Rollout').spec.replicas).toBe(0);
  });
});

describe('Rollout.progressive output is valid', () => {
  test('every object passes the Kubernetes, Argo Rollouts and Istio schemas, and the pod template the restricted profile', () => {
    const c = chart();
    new ModelService(c, 'cpu', PROGRESSIVE);
    new ModelService(c, 'gpu-keda', { ...GPU_SERVICE, rollout: Rollout.progressive({ steps: [{ weight: 20, pause: CanaryPause.untilPromoted() }] }), autoscaling: { maxReplicas: 4, targetGpuUtilization: 70 } });
    new ModelService(c, 'hpa', { ...CPU_SERVICE, model: { ...CPU_SERVICE.model, id: 'other' }, rollout: Rollout.progressive({ analysis: { maxLatencyP99Ms: 300 } }), autoscaling: { maxReplicas: 5 }, gateway: { hosts: ['hpa.models.example.com'], tlsSecretName: 'hpa-tls' } });
    new ModelService(c, 'stopped', { ...PROGRESSIVE, stopped: true });
    const all = synth(c);
    expect(new Set(ofKind(all, 'Rollout').map((r) => r.metadata.name))).toEqual(new Set(['cpu', 'gpu-keda', 'hpa', 'stopped']));
    expect(ofKind(all, 'AnalysisTemplate')).toHaveLength(12);
    const result = schemaFailures(all);
    expect(result.failures).toEqual([]);
    expect(result.checked).toBe(all.length);
    for (const r of ofKind(all, 'Rollout')) {
      const template = one(all, 'Deployment', r.spec.workloadRef.name).spec.template.spec;
      expect({ rollout: r.metadata.name, violations: restrictedViolations(template) }).toEqual({ rollout: r.metadata.name, violations: [] });
    }
  });
});

describe('Rollout.progressive: bad options are rejected before anything is created', () => {
  const expectRejected = (props: ModelServiceProps, message: string) => expectServiceRejected(props, message);

  const steps = (...s: Array<{ weight: number; pause?: CanaryPause }>) => ({ ...CPU_SERVICE, rollout: Rollout.progressive({ steps: s }) });
  const analysis = (a: object) => ({ ...CPU_SERVICE, rollout: Rollout.progressive({ analysis: a }) });

  test('weights out of order', () => {
    expectRejected(
      steps({ weight: 25 }, { weight: 10 }),
      'serving/svc: rollout.steps[1].weight (10) is not greater than the weight of the step before (25), so the rollout would move traffic back to the old version; list the weights in increasing order, e.g. [10,25,50]',
    );
    expectRejected(
      steps({ weight: 20 }, { weight: 20 }),
      'serving/svc: rollout.steps[1].weight (20) is not greater than the weight of the step before (20), so the rollout would move traffic back to the old version; list the weights in increasing order, e.g. [10,25,50]',
    );
  });

  test('weights outside 1–99 or not whole', () => {
    const problem = 'must be a whole percentage from 1 to 99; the new version gets 100 % by itself after the last step';
    expectRejected(steps({ weight: 10 }, { weight: 100 }), `serving/svc: rollout.steps[1].weight (100) ${problem}; set rollout.steps[1].weight between 1 and 99`);
    expectRejected(steps({ weight: 0 }), `serving/svc: rollout.steps[0].weight (0) ${problem}; set rollout.steps[0].weight between 1 and 99`);
    expectRejected(steps({ weight: 12.5 }), `serving/svc: rollout.steps[0].weight (12.5) ${problem}; set rollout.steps[0].weight between 1 and 99`);
  });

  test('no steps', () => {
    expectRejected(steps(), 'serving/svc: rollout.steps ([]) is empty; list at least one step, e.g. [{ weight: 10, pause: CanaryPause.minutes(5) }], or leave rollout.steps out for 10 %, 25 %, 50 %');
  });

  test('pauses that are not a whole number of seconds from 1 to a day', () => {
    const fix = 'give a pause of at least 1 second and at most a day, or CanaryPause.untilPromoted() to wait for a person';
    expectRejected(steps({ weight: 10, pause: CanaryPause.seconds(0) }), `serving/svc: rollout.steps[0].pause (0) must be a whole number of seconds from 1 to 86400; ${fix}`);
    expectRejected(steps({ weight: 10, pause: CanaryPause.minutes(0.01) }), `serving/svc: rollout.steps[0].pause (0.6) must be a whole number of seconds from 1 to 86400; ${fix}`);
    expectRejected(steps({ weight: 10, pause: CanaryPause.minutes(24 * 60 + 1) }), `serving/svc: rollout.steps[0].pause (86460) must be a whole number of seconds from 1 to 86400; ${fix}`);
  });

  test('thresholds out of range', () => {
    expectRejected(
      analysis({ maxErrorRatePercent: 150 }),
      'serving/svc: rollout.analysis.maxErrorRatePercent (150) must be a number from 0.1 to 99; give the error rate, percent, above which the rollout is aborted, from 0.1 to 99 (default 5)',
    );
    expectRejected(
      analysis({ maxErrorRatePercent: 0 }),
      'serving/svc: rollout.analysis.maxErrorRatePercent (0) must be a number from 0.1 to 99; give the error rate, percent, above which the rollout is aborted, from 0.1 to 99 (default 5)',
    );
    expectRejected(
      analysis({ maxLatencyP99Ms: 0 }),
      'serving/svc: rollout.analysis.maxLatencyP99Ms (0) must be a whole number from 1 to 600000; give the p99 latency, whole milliseconds, above which the rollout is aborted, from 1 to 600000 (default 2000)',
    );
    expectRejected(
      analysis({ maxFailedHealthChecks: -1 }),
      'serving/svc: rollout.analysis.maxFailedHealthChecks (-1) must be a whole number from 0 to 1000; give the failed probes tolerated before the rollout is aborted, from 0 to 1000 (default 3)',
    );
    expectRejected(
      analysis({ minRequests: 0 }),
      'serving/svc: rollout.analysis.minRequests (0) must be a whole number from 1 to 1000000; give the requests needed in 2 minutes before error rate and latency are judged, at least 1 (default 10)',
    );
  });

  test('a Prometheus URL that is not http(s)', () => {
    expectRejected(
      analysis({ prometheusUrl: 'prometheus:9090' }),
      'serving/svc: rollout.analysis.prometheusUrl ("prometheus:9090") is not an http(s) URL; give the Prometheus query endpoint, e.g. "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090"',
    );
  });

  test('progressive with scale to zero: no pods to judge', () => {
    expectRejected(
      { ...CPU_SERVICE, rollout: Rollout.progressive(), autoscaling: { scaleToZero: true, requestsPerSecond: 5 } },
      'serving/svc: autoscaling.scaleToZero (true) is set with a progressive rollout: a service scaled to zero rolls out with no pods to measure, so the analysis would pass unseen and promote the new version; drop scaleToZero (keep minReplicas at 1 or more), or use Rollout.canary() for a fixed split',
    );
  });

  test('progressive with zero replicas', () => {
    expectRejected(
      { ...PROGRESSIVE, replicas: 0 },
      'serving/svc: replicas (0) is 0 with a progressive rollout: with no pods the analysis would pass unseen and promote the new version; set replicas to 1 or more, or use stopped: true to take the service down',
    );
  });

  test('progressive with a name too long for the analysis to find the pods', () => {
    const name = `m${'x'.repeat(46)}`;
    expectRejected(
      { ...PROGRESSIVE, name },
      `serving/svc: name ("${name}") has 47 characters, too many for a progressive rollout: the analysis finds the new version's pods by name (<name>-<pod template hash>-<5 characters>), and Kubernetes cuts pod names longer than 63 characters; use a name of at most 46 characters`,
    );
    // 46 is fine.
    const c = chart();
    new ModelService(c, 'svc', { ...PROGRESSIVE, name: name.slice(1) });
    expect(one(synth(c), 'Rollout').metadata.name).toBe(name.slice(1));
  });

  test('options from JavaScript callers that are not what the types say', () => {
    const loose = (p: unknown): any => p;
    expectRejected(
      { ...CPU_SERVICE, rollout: Rollout.progressive({ steps: [{ weight: 10, pause: loose(300) }] }) },
      'serving/svc: rollout.steps[0].pause (300) is not a CanaryPause; use CanaryPause.seconds(n), CanaryPause.minutes(n) or CanaryPause.untilPromoted()',
    );
    expectRejected(
      { ...CPU_SERVICE, rollout: Rollout.progressive(loose({ analysis: 'strict' })) },
      'serving/svc: rollout.analysis ("strict") is not an object; pass { maxErrorRatePercent, maxLatencyP99Ms, maxFailedHealthChecks } or leave rollout.analysis out',
    );
  });
});

describe('ProgressiveDelivery on its own', () => {
  function deployment(c: ReturnType<typeof chart>): kplus.Deployment {
    const d = new kplus.Deployment(c, 'web', { metadata: { name: 'web' }, podMetadata: { labels: { app: 'web' } }, select: false, replicas: 3 });
    d.select(kplus.LabelSelector.of({ labels: { app: 'web' } }));
    d.addContainer({ name: 'web', image: 'registry.example.com/web:1.0.0', portNumber: 8080 });
    return d;
  }
  const props = (d: kplus.Deployment) => ({
    name: 'web',
    serviceName: 'web',
    deployment: d,
    selector: { app: 'web' },
    replicas: 3,
    virtualServiceName: 'web',
    routes: ['primary'],
    destinationRuleName: 'web',
    prometheusUrl: 'http://prometheus.monitoring:9090',
  });

  test('wraps any Deployment: the Rollout runs its template and the container it names is the one whose probes count', () => {
    const c = chart();
    const p = new ProgressiveDelivery(c, 'progressive', props(deployment(c)));
    const all = synth(c);
    // Argo scales the Deployment down (workloadRef.scaleDown); a count in Git would bring it back.
    expect(one(all, 'Deployment', 'web').spec.replicas).toBeUndefined();
    expect(one(all, 'Rollout', 'web').spec).toMatchObject({ replicas: 3, progressDeadlineSeconds: 1800, workloadRef: { kind: 'Deployment', name: 'web', scaleDown: 'progressively' } });
    expect(one(all, 'AnalysisTemplate', 'web-failed-health-checks').spec.metrics[0].provider.prometheus.query).toContain('container="web"');
    expect(p.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web' });
    expect(p.analysisTemplates.map((t) => t.name)).toEqual(['web-error-rate', 'web-latency-p99', 'web-failed-health-checks']);
  });

  test('no routes: rejected before anything is created', () => {
    const c = chart();
    const d = deployment(c);
    expect(() => new ProgressiveDelivery(c, 'progressive', { ...props(d), routes: [] })).toThrow(
      new ValidationError('serving/progressive', 'routes', [], 'is empty', 'name the VirtualService routes that hold the stable and canary subsets, e.g. ["primary"]'),
    );
    expect(c.node.tryFindChild('progressive')).toBeUndefined();
    expect(ofKind(synth(c), 'Rollout')).toEqual([]);
    expect(one(synth(c), 'Deployment', 'web').spec.replicas).toBe(3);
  });

  test.each<[string, object, string]>([
    // From JavaScript: without the check the queries would read destination_service_name="undefined".
    ['no serviceName', { serviceName: undefined }, 'serving/progressive: serviceName (not set) is not set; give the Kubernetes name of that object'],
    ['no destinationRuleName', { destinationRuleName: undefined }, 'serving/progressive: destinationRuleName (not set) is not set; give the Kubernetes name of that object'],
    [
      'a name too long for the analysis to find the pods',
      { name: 'w'.repeat(47) },
      `serving/progressive: name ("${'w'.repeat(47)}") has 47 characters, too many for a progressive rollout: the analysis finds the new version's pods by name (<name>-<pod template hash>-<5 characters>), and Kubernetes cuts pod names longer than 63 characters; use a name of at most 46 characters`,
    ],
  ])('%s: rejected before anything is created', (_name, extra, message) => {
    const c = chart();
    const d = deployment(c);
    expect(() => new ProgressiveDelivery(c, 'progressive', { ...props(d), ...extra })).toThrow(message);
    expect(c.node.tryFindChild('progressive')).toBeUndefined();
    expect(ofKind(synth(c), 'Rollout')).toEqual([]);
  });
});
