import { Chart, Testing } from 'cdk8s';
import { ModelPipeline, ModelServer, ModelService, ModelTraffic, Rollout } from '../../lib/k8s';
import { resolveTracks } from '../../lib/k8s/rollout';
import { MAX_DESCRIPTION_BYTES } from '../../lib/k8s/description';
import { rejectionOf } from '../support/validation';
import { chart, CPU_SERVICE, expectServiceRejected, GPU_SERVICE, one, synth } from '../support/serving';

describe('sticky sessions and a weighted split', () => {
  const sticky = { loadBalancer: { stickySessions: true } };

  test('refused with a canary that takes part of the traffic: a session would hop between versions', () => {
    expectServiceRejected({ ...CPU_SERVICE, ...sticky, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 10 }) },
      'serving/svc: loadBalancer.stickySessions (true) cannot hold with a canary at weight 10: the mesh picks stable (1.0.0) or canary (1.1.0) for each request by weight, so a session hops between the two versions; pin clients to a version with Rollout.abTest({ variantVersion: "1.1.0", match: { cookie: { name, value } } }), or turn stickySessions off until the canary is promoted');
  });

  test('refused with a progressive rollout, whose weights Argo Rollouts moves', () => {
    expectServiceRejected({ ...CPU_SERVICE, loadBalancer: { stickySessions: { cookieName: 'sid' } }, rollout: Rollout.progressive() },
      'serving/svc: loadBalancer.stickySessions ({"cookieName":"sid"}) cannot hold with Rollout.progressive(): Argo Rollouts moves requests between the versions by weight at each step, so a session hops between them; turn stickySessions off, or roll out with Rollout.abTest() (clients keep their variant) or Rollout.blueGreen()');
  });

  test.each([
    ['an A/B test (routed by cookie or header: a client keeps its variant)', Rollout.abTest({ variantVersion: '1.1.0', match: { cookie: { name: 'variant', value: 'b' } } })],
    ['blue-green (one colour answers)', Rollout.blueGreen({ greenVersion: '1.1.0' })],
    ['a shadow (only stable answers)', Rollout.shadow({ newVersion: '1.1.0' })],
    ['a canary at weight 0 (no live request reaches it)', Rollout.canary({ newVersion: '1.1.0', weight: 0 })],
    ['a canary at weight 100 (every request reaches it)', Rollout.canary({ newVersion: '1.1.0', weight: 100 })],
  ])('allowed with %s', (_name, rollout) => {
    const c = chart();
    new ModelService(c, 'svc', { ...CPU_SERVICE, ...sticky, rollout });
    expect(one(synth(c), 'DestinationRule', 'svc').spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.name).toBe('modelserve-affinity');
  });

  test('ModelTraffic on its own refuses it too', () => {
    const rollout = Rollout.canary({ newVersion: '2.0.0', weight: 50 });
    expect(rejectionOf(() => new ModelTraffic(new Chart(Testing.app(), 'test'), 'traffic', { serviceName: 'resnet', port: 8080, tracks: resolveTracks('1.0.0', rollout), rollout, loadBalancer: { stickySessions: true } })))
      .toMatch(/^test\/traffic: loadBalancer\.stickySessions \(true\) cannot hold with a canary at weight 50/);
  });
});

describe('a variable from config.asEnv that another source also sets (Kubernetes lets env win over envFrom silently)', () => {
  const config = { data: { LOG_LEVEL: 'info', 'settings.json': '{}' }, asEnv: true };

  test('env', () => {
    expectServiceRejected({ ...CPU_SERVICE, env: { LOG_LEVEL: 'debug' }, config },
      'serving/svc: config.data["LOG_LEVEL"] ("LOG_LEVEL") is also set by env ("debug"), which silently wins over config.asEnv; give each variable one source: remove it from env or from config.data');
  });

  test('secrets.env', () => {
    expectServiceRejected({ ...CPU_SERVICE, secrets: { env: { LOG_LEVEL: { secretName: 'app', key: 'level' } } }, config },
      'serving/svc: config.data["LOG_LEVEL"] ("LOG_LEVEL") is also set by secrets.env, which silently wins over config.asEnv; give each variable one source: remove it from secrets.env or from config.data');
  });

  test('the service itself', () => {
    expectServiceRejected({ ...CPU_SERVICE, config: { data: { MODEL_DIR: '/tmp/x' }, asEnv: true } },
      'serving/svc: config.data["MODEL_DIR"] ("MODEL_DIR") is set by the ModelService itself, which silently wins over config.asEnv; choose another name; the model is in MODEL_DIR (copied from MODEL_URI)');
  });

  test('the server preset', () => {
    expectServiceRejected({ ...GPU_SERVICE, image: 'vllm/vllm-openai:v0.11.0', server: ModelServer.vllm(), config: { data: { HF_HUB_OFFLINE: '0' }, asEnv: true } },
      'serving/svc: config.data["HF_HUB_OFFLINE"] ("HF_HUB_OFFLINE") is set by the server preset ("1"), which silently wins over config.asEnv; choose another name, or set it through env, which replaces the preset\'s value');
  });

  test('mounted as files, the same keys are no conflict', () => {
    const c = chart();
    new ModelService(c, 'svc', { ...CPU_SERVICE, env: { LOG_LEVEL: 'debug' }, config: { data: { LOG_LEVEL: 'info' } } });
    expect(one(synth(c), 'ConfigMap', 'svc-config').data).toEqual({ LOG_LEVEL: 'info' });
  });
});

describe('a description, carried in an annotation', () => {
  test('of 64 KiB is accepted, and the Deployment stays under Kubernetes\' 256 KiB of annotations even when a client-side apply copies it into last-applied-configuration', () => {
    const description = 'é'.repeat(MAX_DESCRIPTION_BYTES / 2);
    const c = chart();
    new ModelService(c, 'svc', { ...CPU_SERVICE, description });
    const deployment = one(synth(c), 'Deployment', 'svc');
    const annotations = deployment.metadata.annotations ?? {};
    expect(annotations['modelserve.io/description']).toBe(description);
    const annotationBytes = Object.entries(annotations).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    const lastApplied = Buffer.byteLength('kubectl.kubernetes.io/last-applied-configuration') + Buffer.byteLength(JSON.stringify(deployment));
    expect(annotationBytes + lastApplied).toBeLessThan(256 * 1024);
  });

  test('over 64 KiB (counted in UTF-8 bytes) is refused, and the message does not repeat it', () => {
    const message = rejectionOf(() => new ModelService(chart(), 'svc', { ...CPU_SERVICE, description: `${'é'.repeat(MAX_DESCRIPTION_BYTES / 2)}x` }));
    expect(message).toBe(`serving/svc: description ("${'é'.repeat(64)}"… (32769 characters)) is 65537 bytes, over the 65536 a description may have: it becomes an annotation, and Kubernetes refuses objects whose annotations exceed 256 KiB (a client-side apply counts it twice); shorten it and link to the model card for the rest`);
  });

  test('with a control character is refused; line breaks and tabs are text', () => {
    expectServiceRejected({ ...CPU_SERVICE, description: 'ResNet\u0007' },
      'serving/svc: description ("ResNet\\u0007") holds the control character U+0007 at position 6, which terminals and UIs that show the annotation would act on; remove it; line breaks (\\n) and tabs are fine');
    expectServiceRejected({ ...CPU_SERVICE, description: 'Line\r\nbreak' }, /holds the control character U\+000D at position 4/);
    expect(() => new ModelService(chart(), 'svc', { ...CPU_SERVICE, description: 'Two\nlines\tand a tab' })).not.toThrow();
  });

  test('of a pipeline is held to the same rules', () => {
    const c = chart();
    new ModelService(c, 'ner', CPU_SERVICE);
    expect(rejectionOf(() => new ModelPipeline(c, 'pipe', { stages: [{ service: 'ner', path: '/p' }], description: 'x\u001b[2J' })))
      .toBe('serving/pipe: description ("x\\u001b[2J") holds the control character U+001B at position 1, which terminals and UIs that show the annotation would act on; remove it; line breaks (\\n) and tabs are fine');
  });
});
