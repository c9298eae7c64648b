import { Chart, Testing } from 'cdk8s';
import { EnvironmentName } from '../../lib/catalog';
import { ModelServer, ModelService, ModelServiceProps, Rollout, ServingChart } from '../../lib/k8s';
import { chart, CPU_SERVICE, expectServiceRejected, GPU_SERVICE, POOLS } from '../support/serving';

const expectRejected = (props: ModelServiceProps, message: string | RegExp, environment: EnvironmentName = 'production') => expectServiceRejected(props, message, chart(environment));

// Casts for the values TypeScript would refuse: the checks exist for JavaScript and JSON callers.
const loose = (p: unknown): any => p;

describe('ModelService validation: nothing is created when a prop is wrong', () => {
  test('invalid name', () => {
    expectRejected({ ...CPU_SERVICE, name: 'Resnet_50' }, 'serving/svc: name ("Resnet_50") is not a valid name: lowercase letters, digits and "-", starting with a letter and ending with a letter or digit, at most 63 characters; rename it so that it follows that rule');
  });

  test('name longer than 63 characters', () => {
    expectRejected({ ...CPU_SERVICE, name: `a${'b'.repeat(63)}` }, /^serving\/svc: name \("ab{63}"\) is not a valid name: .*at most 63 characters/);
  });

  test('name starting with a digit (a Service name must start with a letter)', () => {
    expectRejected({ ...CPU_SERVICE, name: '3d-model' }, /^serving\/svc: name \("3d-model"\) is not a valid name: lowercase letters, digits and "-", starting with a letter/);
  });

  test('minReplicas greater than maxReplicas', () => {
    expectRejected({ ...CPU_SERVICE, autoscaling: { minReplicas: 12, maxReplicas: 10 } }, 'serving/svc: autoscaling.minReplicas (12) is greater than maxReplicas (10); lower minReplicas or raise maxReplicas');
  });

  test('maxReplicas 0', () => {
    expectRejected({ ...CPU_SERVICE, autoscaling: { minReplicas: 0, maxReplicas: 0 } }, 'serving/svc: autoscaling.maxReplicas (0) must be a whole number from 1 to 1000; allow at least 1 replica (use stopped: true to run none)');
  });

  test.each([
    ['targetCpuUtilization', 0],
    ['targetMemoryUtilization', 101],
    ['targetGpuUtilization', 150],
  ])('%s (%d) outside 1-100', (field, value) => {
    expectRejected({ ...GPU_SERVICE, autoscaling: { [field]: value } }, `serving/svc: autoscaling.${field} (${value}) must be a whole number from 1 to 100; give a percentage from 1 to 100, e.g. 70`);
  });

  test('GPU count without a model', () => {
    expectRejected({ ...CPU_SERVICE, resources: loose({ cpu: 2, memoryGiB: 8, gpu: { count: 1 } }) }, /^serving\/svc: resources\.gpu\.model \(not set\) is not set but resources\.gpu\.count is 1; name the GPU model the pod needs, one of T4, A10G, L4, L40S, V100, A100, H100$/);
  });

  test('GPU model without a count', () => {
    expectRejected({ ...CPU_SERVICE, resources: loose({ cpu: 2, memoryGiB: 8, gpu: { model: 'A100' } }) }, 'serving/svc: resources.gpu.count (not set) is not set but resources.gpu.model is "A100"; give the number of GPUs per pod, e.g. { count: 1, model: "A100" }');
  });

  test('unknown GPU model', () => {
    expectRejected({ ...CPU_SERVICE, resources: loose({ cpu: 2, memoryGiB: 8, gpu: { count: 1, model: 'RTX4090' } }) }, 'serving/svc: resources.gpu.model ("RTX4090") is not a GPU model the platform knows; use one of T4, A10G, L4, L40S, V100, A100, H100');
  });

  test.each([-5, 120])('canary weight (%d) outside 0-100', (weight) => {
    expectRejected({ ...CPU_SERVICE, rollout: Rollout.canary({ newVersion: '1.1.0', weight }) }, `serving/svc: rollout.weight (${weight}) must be from 0 to 100 (a percentage of requests); set rollout.weight between 0 and 100`);
  });

  test('A/B test without a match rule', () => {
    expectRejected({ ...CPU_SERVICE, rollout: Rollout.abTest({ variantVersion: '1.1.0', match: {} }) }, 'serving/svc: rollout.match ({}) has neither a header nor a cookie; give exactly one of match.header { name, value } or match.cookie { name, value }');
  });

  test('health check path not starting with /', () => {
    expectRejected({ ...CPU_SERVICE, loadBalancer: { healthCheck: { path: 'health' } } }, /^serving\/svc: loadBalancer\.healthCheck\.path \("health"\) must start with "\/"; /);
  });

  test('health check interval below 1 s', () => {
    expectRejected({ ...CPU_SERVICE, loadBalancer: { healthCheck: { path: '/health', intervalSeconds: 0.5 } } }, /^serving\/svc: loadBalancer\.healthCheck\.intervalSeconds \(0\.5\) must be a whole number from 1 to 300; /);
  });

  test('custom server health path not starting with /', () => {
    expectRejected({ ...CPU_SERVICE, server: ModelServer.custom({ port: 8080, healthPath: 'ready' }) }, 'serving/svc: server.healthPath ("ready") must start with "/"; give an absolute URL path, e.g. "/health"');
  });

  test('latest image in production', () => {
    expectRejected({ ...CPU_SERVICE, image: 'registry.example.com/ner:latest' }, 'serving/svc: image ("registry.example.com/ner:latest") is not pinned, and the production environment requires pinned images so that every pod runs the same build; add a version tag other than "latest" or a digest (@sha256:...)');
  });

  test('untagged image in production (a registry port is not a tag)', () => {
    expectRejected({ ...CPU_SERVICE, image: 'registry.example.com:5000/ner' }, /^serving\/svc: image \("registry.example.com:5000\/ner"\) is not pinned/);
  });

  test('latest image is accepted in development, a digest in production', () => {
    expect(() => new ModelService(chart('development'), 'svc', { ...CPU_SERVICE, image: 'ner:latest' })).not.toThrow();
    expect(() => new ModelService(chart(), 'svc', { ...CPU_SERVICE, image: `ner@sha256:${'a'.repeat(64)}` })).not.toThrow();
  });

  test('scale-to-zero with only a CPU target explains that KEDA owns the HPA', () => {
    expectRejected(
      { ...CPU_SERVICE, autoscaling: { maxReplicas: 5, targetCpuUtilization: 60, scaleToZero: true } },
      'serving/svc: autoscaling.scaleToZero (true) is set with a CPU or memory target only: a HorizontalPodAutoscaler cannot scale to zero, and with no pods there is no CPU to measure, so KEDA (which owns the HPA when scaling to zero) could never wake the service; add a targetGpuUtilization, requestsPerSecond, queueLength or targetKvCacheUtilization trigger, or drop scaleToZero',
    );
  });

  test('replicas together with autoscaling', () => {
    expectRejected({ ...CPU_SERVICE, replicas: 3, autoscaling: { maxReplicas: 5 } }, 'serving/svc: replicas (3) is set together with autoscaling, which decides the replica count; remove replicas, or remove autoscaling for a fixed count');
  });

  test('minReplicas 0 without scaleToZero', () => {
    expectRejected({ ...CPU_SERVICE, autoscaling: { minReplicas: 0, maxReplicas: 5 } }, /^serving\/svc: autoscaling\.minReplicas \(0\) is 0 without scaleToZero; /);
  });

  test('queue length on a server without a queue metric', () => {
    expectRejected({ ...CPU_SERVICE, server: ModelServer.torchServe(), autoscaling: { queueLength: 10 } }, 'serving/svc: autoscaling.queueLength (10) is set but the torchserve server exposes no queue-length metric; scale on requestsPerSecond instead, or use ModelServer.custom({ ..., queueMetric })');
  });

  test('GPU utilisation target on a CPU service', () => {
    expectRejected({ ...CPU_SERVICE, autoscaling: { targetGpuUtilization: 70 } }, /^serving\/svc: autoscaling\.targetGpuUtilization \(70\) is set but the service has no GPU; /);
  });

  test('a model URI without {version} for a rollout with two versions', () => {
    expectRejected(
      { ...CPU_SERVICE, model: { id: 'm', version: '1.0.0', uri: 's3://models-bucket/ner/' }, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 10 }) },
      'serving/svc: model.uri ("s3://models-bucket/ner/") has no {version} placeholder, so the canary tracks (1.0.0, 1.1.0) would all load the same artefacts; put {version} where the version goes, e.g. "s3://my-models/resnet/{version}/"',
    );
  });

  test('a model URI that is not S3', () => {
    expectRejected({ ...CPU_SERVICE, model: { id: 'm', version: '1', uri: 'https://example.com/m' } }, /^serving\/svc: model\.uri \("https:\/\/example\.com\/m"\) is not an S3 URI; /);
  });

  test('no model URI and no model store on the chart', () => {
    expectRejected({ ...CPU_SERVICE, model: { id: 'm', version: '1' } }, /^serving\/svc: model\.uri \(not set\) is not set and the chart names no model store; /);
  });

  test('CPU above the namespace LimitRange maximum', () => {
    expectRejected({ ...CPU_SERVICE, resources: { cpu: 64, memoryGiB: 8 } }, 'serving/svc: resources.cpu (64) must be from 0.1 to 32 cores (the namespace\'s LimitRange maximum); request the cores one pod needs, e.g. 2', 'development');
  });

  test('an env var the service sets itself', () => {
    expectRejected({ ...CPU_SERVICE, env: { MODEL_URI: 's3://x' } }, /^serving\/svc: env\["MODEL_URI"\] \("MODEL_URI"\) is set by the ModelService itself; /);
  });

  test('termination grace not longer than the drain', () => {
    expectRejected({ ...CPU_SERVICE, drainSeconds: 30, terminationGracePeriodSeconds: 30 }, 'serving/svc: terminationGracePeriodSeconds (30) is not longer than drainSeconds (30), so pods are killed before in-flight requests finish; raise it to at least 60');
  });

  test('alert thresholds (checked by the monitoring rules)', () => {
    expectRejected({ ...CPU_SERVICE, monitoring: { alerts: { errorRatePercent: 150 } } }, /^serving\/svc: monitoring\.alerts\.errorRatePercent \(150\) must be a percentage above 0 and at most 100; /);
  });

  test('request timeout (checked by the traffic options)', () => {
    expectRejected({ ...CPU_SERVICE, requestTimeoutSeconds: 0 }, /^serving\/svc: requestTimeoutSeconds \(0\) must be a whole number from 1 to 3600; /);
  });

  test('a chart that names the model store gives the default URI', () => {
    const c = new ServingChart(Testing.app(), 'serving', { environment: 'production', nodePools: POOLS, modelStoreUri: 's3://modelserve-prod-models-123456789012-us-east-1/' });
    const service = new ModelService(c, 'svc', { ...CPU_SERVICE, model: { id: 'ner', version: '1.0.0' }, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 1 }) });
    expect(service.plan.tracks.map((t) => t.modelUri)).toEqual([
      's3://modelserve-prod-models-123456789012-us-east-1/ner/1.0.0/',
      's3://modelserve-prod-models-123456789012-us-east-1/ner/1.1.0/',
    ]);
  });

  test('two services that would emit the same object', () => {
    const c = chart();
    new ModelService(c, 'resnet', { ...CPU_SERVICE, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 5 }) });
    expect(() => new ModelService(c, 'resnet-canary', CPU_SERVICE)).toThrow(
      'serving/resnet-canary: name ("resnet-canary") gives Deployment "resnet-canary", which serving/resnet already creates in this chart; rename one of the two services',
    );
    expect(() => new ModelService(c, 'other', { ...CPU_SERVICE, serviceAccount: { name: 'resnet' } })).toThrow(
      'serving/other: serviceAccount.name ("resnet") gives ServiceAccount "resnet", which serving/resnet already creates in this chart; give each service its own ServiceAccount (the AWS side can grant several the same access)',
    );
    expect(c.node.tryFindChild('resnet-canary')).toBeUndefined();
    expect(c.node.tryFindChild('other')).toBeUndefined();
    // A failed service reserves nothing: the name is free for a correct one.
    expect(() => new ModelService(c, 'other', CPU_SERVICE)).not.toThrow();
  });

  test('outside a ServingChart', () => {
    const c = new Chart(Testing.app(), 'plain');
    expect(() => new ModelService(c, 'svc', CPU_SERVICE)).toThrow(/^plain: a ModelService must be created inside a ServingChart/);
    expect(c.node.children).toHaveLength(0);
  });
});
