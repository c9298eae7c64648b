import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart, Testing } from 'cdk8s';
import { servingApp } from '../../examples/serving/main';
import { ModelPipeline, ModelServer, ModelService, ModelServiceProps, ORCHESTRATOR_VERSION, PIPELINE_ALERT_NAMES, ServingChart } from '../../lib/k8s';
// The service's own code, read across the package line: its definition parser and its metrics.
import { parseDefinition } from '../../orchestrator/src/definition';
import { PipelineMetrics } from '../../orchestrator/src/pipeline-metrics';
import { describeWith, requireEngines, run, tempDir } from '../support/engines';
import { counterSeries, gaugeSeries, promtoolTestRules, seriesName } from '../support/promtool-rules';
import { CPU_SERVICE, K8sObject, one, POOLS, synth } from '../support/serving';
import { rejectionOf } from '../support/validation';

const NS = 'models-production';
const ORCHESTRATOR = join(__dirname, '../../orchestrator');
const REDIS = { host: 'master.modelserve-prod-cache.abc123.use1.cache.amazonaws.com', authToken: { secretName: 'redis-auth', key: 'token' } };
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

function custom(name: string): ModelServiceProps {
  return { ...CPU_SERVICE, name, model: { ...CPU_SERVICE.model, id: name }, server: ModelServer.custom({ port: 8080, healthPath: '/healthz' }) };
}

function pipelineChart(online: Record<string, unknown>, app: App = Testing.app()): { chart: ServingChart; objects: K8sObject[]; pipeline: ModelPipeline } {
  const chart = new ServingChart(app, 'serving', { environment: 'production', nodePools: POOLS, modelStoreUri: 's3://models-bucket' });
  new ModelService(chart, 'ocr', custom('ocr'));
  new ModelService(chart, 'ner', custom('ner'));
  const pipeline = new ModelPipeline(chart, 'docs', { stages: [{ service: 'ocr', path: '/ocr', timeoutSeconds: 20 }, { service: 'ner', path: '/ner', timeoutSeconds: 40 }], online: { redis: REDIS, ...online } as never });
  return { chart, objects: synth(chart), pipeline };
}

function container(objects: readonly K8sObject[]) {
  return one(objects, 'Deployment', 'docs-orchestrator').spec.template.spec.containers[0];
}

function env(objects: readonly K8sObject[], name: string) {
  return container(objects).env.find((e: any) => e.name === name);
}

describe('the orchestrator image: built from orchestrator/, run as the contract says', () => {
  const { objects } = pipelineChart({ imageRegistry: REGISTRY });

  test('by default, the image orchestrator/Dockerfile builds, under the registry it was pushed to, at the package\'s version', () => {
    const version = JSON.parse(readFileSync(join(ORCHESTRATOR, 'package.json'), 'utf8')).version;
    expect(ORCHESTRATOR_VERSION).toBe(version);
    expect(container(objects).image).toBe(`${REGISTRY}/modelserve/pipeline-orchestrator:${version}`);
    expect(one(objects, 'Deployment', 'docs-orchestrator').metadata.labels?.['modelserve.io/model-version']).toBe(version);
  });

  test('the pod runs as the Dockerfile\'s user, non-root, on a read-only root file system', () => {
    const user = /^USER (\d+):(\d+)$/m.exec(readFileSync(join(ORCHESTRATOR, 'Dockerfile'), 'utf8'))!;
    expect(container(objects).securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: Number(user[1]), runAsGroup: Number(user[2]), readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });

  test('port and probe paths reach the service through the contract\'s variables', () => {
    expect(env(objects, 'PIPELINE_HTTP_PORT')).toEqual({ name: 'PIPELINE_HTTP_PORT', value: '8080' });
    expect(env(objects, 'PIPELINE_HEALTH_PATH')).toEqual({ name: 'PIPELINE_HEALTH_PATH', value: '/healthz' });
    expect(env(objects, 'PIPELINE_LIVENESS_PATH')).toEqual({ name: 'PIPELINE_LIVENESS_PATH', value: '/livez' });
    expect(env(objects, 'PIPELINE_API_TOKEN')).toBeUndefined();
    const moved = pipelineChart({ imageRegistry: REGISTRY, port: 9000, healthPath: '/ready', livenessPath: '/alive' }).objects;
    expect(container(moved).ports).toEqual([{ containerPort: 9000, name: 'http' }]);
    expect(container(moved).readinessProbe.httpGet).toMatchObject({ path: '/ready', port: 9000 });
    expect(['PIPELINE_HTTP_PORT', 'PIPELINE_HEALTH_PATH', 'PIPELINE_LIVENESS_PATH'].map((n) => env(moved, n).value)).toEqual(['9000', '/ready', '/alive']);
  });

  test('the mesh lets a waiting client hear the end of a run: its timeout is the run\'s plus 10 s, at most an hour', () => {
    expect(one(objects, 'VirtualService', 'docs-orchestrator').spec.http[0].timeout).toBe('70s');
    const long = pipelineChart({ imageRegistry: REGISTRY, timeoutSeconds: 3595 }).objects;
    expect(one(long, 'VirtualService', 'docs-orchestrator').spec.http[0].timeout).toBe('3600s');
  });

  test('the definition ModelPipeline writes is one the service accepts', () => {
    const text = one(objects, 'ConfigMap', 'docs-orchestrator-config').data['pipeline.json'];
    expect(parseDefinition(text, 'docs-orchestrator-config').steps.map((s) => s.name)).toEqual(['ocr', 'ner']);
  });

  test('the example\'s definition is the fixture the service\'s end-to-end and fault tests run', () => {
    const app = servingApp(Testing.app());
    const all = app.node.children.filter((c): c is Chart => c instanceof Chart).flatMap((c) => Testing.synth(c) as K8sObject[]);
    const written = all.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'documents-orchestrator-config')!.data['pipeline.json'];
    expect(JSON.parse(readFileSync(join(ORCHESTRATOR, 'test/fixtures/documents-pipeline.json'), 'utf8'))).toEqual(JSON.parse(written));
  });
});

describe('who may call the orchestrator', () => {
  test('online.auth: the sidecar admits the named ServiceAccounts only', () => {
    const { objects } = pipelineChart({ imageRegistry: REGISTRY, auth: { allowedServiceAccounts: [{ name: 'document-intake' }] } });
    const policy = one(objects, 'AuthorizationPolicy', 'docs-orchestrator');
    expect(policy.spec.selector.matchLabels).toEqual({ 'modelserve.io/service': 'docs-orchestrator' });
    const principals = policy.spec.rules.flatMap((r: any) => (r.from ?? []).flatMap((f: any) => f.source.principals ?? []));
    expect(principals).toContain(`cluster.local/ns/${NS}/sa/document-intake`);
  });

  test('online.apiToken: the service checks a bearer token from the Secret', () => {
    const { objects } = pipelineChart({ imageRegistry: REGISTRY, apiToken: { secretName: 'docs-api', key: 'token' } });
    expect(env(objects, 'PIPELINE_API_TOKEN')).toEqual({ name: 'PIPELINE_API_TOKEN', valueFrom: { secretKeyRef: { name: 'docs-api', key: 'token', optional: false } } });
  });
});

/** The pipeline is refused with `message`, and nothing of it joins the chart. */
function expectRejected(online: Record<string, unknown>, message: string | RegExp): void {
  const chart = new ServingChart(Testing.app(), 'serving', { environment: 'production', nodePools: POOLS, modelStoreUri: 's3://models-bucket' });
  new ModelService(chart, 'ocr', custom('ocr'));
  const error = rejectionOf(() => new ModelPipeline(chart, 'docs', { stages: [{ service: 'ocr', path: '/ocr' }], online: { redis: REDIS, ...online } as never }));
  if (typeof message === 'string') expect(error).toBe(message);
  else expect(error).toMatch(message);
  expect(chart.node.tryFindChild('docs')).toBeUndefined();
}

describe('orchestrator options refused before anything is written', () => {
  const build = (online: Record<string, unknown>) => online;
  test('no image and no registry', () => {
    expectRejected(build({}), 'serving/docs: online.image (not set) is not set, and neither is online.imageRegistry; build the orchestrator from orchestrator/Dockerfile '
      + '(docker build -t <registry>/modelserve/pipeline-orchestrator:0.1.0 orchestrator/), push it, and give that registry as online.imageRegistry, '
      + 'e.g. "123456789012.dkr.ecr.us-east-1.amazonaws.com"; or give your own image as online.image');
  });
  test('both an image and a registry', () => {
    expectRejected(build({ image: 'registry.example.com/orchestrator:1.0.0', imageRegistry: REGISTRY }),
      `serving/docs: online.imageRegistry ("${REGISTRY}") is set together with online.image, which names its registry already; give one of them`);
  });
  test.each(['https://123456789012.dkr.ecr.us-east-1.amazonaws.com', `${REGISTRY}/`, `${REGISTRY}/team:1.0`])('a registry written as %s', (registry) => {
    expectRejected(build({ imageRegistry: registry }), /^serving\/docs: online\.imageRegistry \(".+"\) is not a registry host with an optional path \(no scheme, no tag, no trailing "\/"\); give e\.g\./);
  });
  test('an API token beside a JWT check', () => {
    const jwt = { issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks.json' };
    expectRejected(build({ imageRegistry: REGISTRY, auth: { jwt }, apiToken: { secretName: 'docs-api', key: 'token' } }),
      'serving/docs: online.apiToken ({"secretName":"docs-api","key":"token"}) is set together with online.auth.jwt, but both travel in the Authorization header and the sidecar removes the JWT it checked; '
      + 'authenticate with one of them: the mesh (auth.allowedServiceAccounts) beside the token is fine');
  });
  test('an API token Secret that is no Secret name', () => {
    expectRejected(build({ imageRegistry: REGISTRY, apiToken: { secretName: 'Docs_API', key: 'token' } }),
      'serving/docs: online.apiToken.secretName ("Docs_API") is not a valid Secret name; use the name of an existing Secret (lowercase letters, digits, "-", ".")');
  });
  test('the pipeline variables are the contract\'s, not online.env\'s', () => {
    expectRejected(build({ imageRegistry: REGISTRY, env: { PIPELINE_API_TOKEN: 'x' } }),
      'serving/docs: online.env["PIPELINE_API_TOKEN"] ("PIPELINE_API_TOKEN") is set by the pipeline (the orchestrator contract); choose another name');
  });
});

describe('the orchestrator\'s alerts', () => {
  const { objects } = pipelineChart({ imageRegistry: REGISTRY, monitoring: { labels: { release: 'kube-prometheus-stack' } } });
  const pipelineRule = one(objects, 'PrometheusRule', 'docs-orchestrator-pipeline');
  const rules = pipelineRule.spec.groups[0].rules;

  test('its service alerts read latency against the run\'s timeout, not a model\'s; the monitoring labels reach both rules', () => {
    const serviceRules = one(objects, 'PrometheusRule', 'docs-orchestrator').spec.groups[0].rules;
    expect(serviceRules.find((r: any) => r.alert === 'ModelServeLatencyP50High').expr).toMatch(/ > 30000$/);
    expect(serviceRules.find((r: any) => r.alert === 'ModelServeLatencyP99High').expr).toMatch(/ > 60000$/);
    expect(one(objects, 'PrometheusRule', 'docs-orchestrator').metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    expect(pipelineRule.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack', 'modelserve.io/pipeline': 'docs' });
  });

  test('every series the pipeline alerts read is one the service exports, with the labels they select by', () => {
    const exported = new PipelineMetrics('docs').render();
    const read = new Set(rules.flatMap((r: any) => [...r.expr.matchAll(/(modelserve_pipeline_\w+)\{/g)].map((m: RegExpMatchArray) => m[1])));
    expect([...read].sort()).toEqual(['modelserve_pipeline_queue_depth', 'modelserve_pipeline_redis_up', 'modelserve_pipeline_runs_finished_total']);
    // Gauges appear once set; the finished-runs counter is born at 0 for each state, so increase() sees a first failure.
    expect(exported).toContain('modelserve_pipeline_runs_finished_total{pipeline="docs",state="failed"} 0');
    for (const name of read) expect(exported).toContain(`# TYPE ${name} `);
  });

  const engines = requireEngines('promtool');
  describeWith(engines)('judged by promtool on series shaped like the orchestrator\'s, as its ServiceMonitor scrapes them', () => {
    const target = (pod: string) => ({ namespace: NS, pipeline: 'docs', service: 'docs-orchestrator', pod, job: 'docs-orchestrator', endpoint: 'http-metrics' });
    const finished = (pod: string, state: string, perMinute: number) => counterSeries('modelserve_pipeline_runs_finished_total', { ...target(pod), state }, perMinute, 40);
    const labels = (alertname: string, severity: string) => ({ alertname, severity, namespace: NS, service: 'docs-orchestrator', pipeline: 'docs' });

    test('promtool check rules accepts them', () => {
      const dir = tempDir('pipeline-rules');
      try {
        writeFileSync(join(dir.path, 'rules.json'), JSON.stringify({ groups: pipelineRule.spec.groups }));
        const r = run(engines!.promtool, ['check', 'rules', join(dir.path, 'rules.json')]);
        expect(r.stdout + r.stderr).toContain('SUCCESS: 3 rules found');
      } finally {
        dir.remove();
      }
    });

    test('runs failing: 4 % over two replicas is quiet, 11 % fires once it has held 5 minutes, and 1 of 5 with too few runs never', () => {
      const r = promtoolTestRules(engines!.promtool, rules, [
        { name: '4 %', intervalSeconds: 60, series: [finished('a', 'succeeded', 24), finished('b', 'succeeded', 24), finished('a', 'failed', 2)], checks: [{ atMinutes: 30, alertname: PIPELINE_ALERT_NAMES.runsFailing, firing: [] }] },
        {
          name: '11 %',
          intervalSeconds: 60,
          // Failures (6 of 53 a minute) start at minute 11; the 10-minute share passes 5 % at minute 15 and the alert fires 5 minutes later.
          series: [
            finished('a', 'succeeded', 24),
            finished('b', 'succeeded', 23),
            { series: finished('b', 'failed', 0).series, values: '0+0x10 6+6x30' },
          ],
          checks: [
            { atMinutes: 18, alertname: PIPELINE_ALERT_NAMES.runsFailing, firing: [] },
            { atMinutes: 22, alertname: PIPELINE_ALERT_NAMES.runsFailing, firing: [labels(PIPELINE_ALERT_NAMES.runsFailing, 'critical')] },
          ],
        },
        { name: 'too few', intervalSeconds: 60, series: [counterSeries('modelserve_pipeline_runs_finished_total', { ...target('a'), state: 'failed' }, 0.1, 40), finished('a', 'succeeded', 0.4)], checks: [{ atMinutes: 30, alertname: PIPELINE_ALERT_NAMES.runsFailing, firing: [] }] },
      ]);
      expect(r.output).toContain('SUCCESS');
      expect(r.status).toBe(0);
    });

    test('backlog: runs waiting 9 minutes are quiet, 11 minutes fire; Redis: 1 minute down is quiet, 3 fire; one replica still connected keeps it quiet', () => {
      const depth = (value: number) => gaugeSeries('modelserve_pipeline_queue_depth', target('a'), value, 40);
      const up = (pod: string, values: string) => ({ series: seriesName('modelserve_pipeline_redis_up', target(pod)), values });
      const r = promtoolTestRules(engines!.promtool, rules, [
        {
          name: 'backlog',
          intervalSeconds: 60,
          series: [{ series: depth(0).series, values: '0 0 0 0 0 3+0x30' }],
          checks: [
            { atMinutes: 13, alertname: PIPELINE_ALERT_NAMES.backlog, firing: [] },
            { atMinutes: 16, alertname: PIPELINE_ALERT_NAMES.backlog, firing: [labels(PIPELINE_ALERT_NAMES.backlog, 'warning')] },
          ],
        },
        {
          name: 'redis',
          intervalSeconds: 60,
          series: [up('a', '1 1 1 0 0 0 0 0'), up('b', '1 1 1 0 0 0 0 0'), up('c', '1 1 1 1 1 1 1 1')],
          checks: [{ atMinutes: 7, alertname: PIPELINE_ALERT_NAMES.redisUnreachable, firing: [] }],
        },
        {
          name: 'redis down',
          intervalSeconds: 60,
          series: [up('a', '1 1 1 0 0 0 0 0'), up('b', '1 1 1 0 0 0 0 0')],
          checks: [
            { atMinutes: 4, alertname: PIPELINE_ALERT_NAMES.redisUnreachable, firing: [] },
            { atMinutes: 6, alertname: PIPELINE_ALERT_NAMES.redisUnreachable, firing: [labels(PIPELINE_ALERT_NAMES.redisUnreachable, 'critical')] },
          ],
        },
      ]);
      expect(r.output).toContain('SUCCESS');
      expect(r.status).toBe(0);
    });
  });
});
