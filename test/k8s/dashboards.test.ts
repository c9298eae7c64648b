import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv from 'ajv';
import { createGenerator } from 'ts-json-schema-generator';
import { stringify } from 'yaml';
import { productionServing } from '../../examples/serving/production';
import { Testing } from 'cdk8s';
import { ModelServeDashboards } from '../../lib/k8s';
import { describeWith, requireEngines, run, tempDir } from '../support/engines';
import { counter, InstantResult, PrometheusServer, sampled, Series } from '../support/engine-servers';
import { bucketsForQuantile } from '../support/promtool-rules';
import { chart, K8sObject, synth } from '../support/serving';
import { rejectionOf } from '../support/validation';

/** The dashboards as the production example ships them. */
const example = Testing.synth(productionServing(Testing.app())) as K8sObject[];
const configMaps = example.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1');
const dashboards = configMaps.map((c) => JSON.parse(Object.values(c.data as Record<string, string>)[0]));

interface Target { expr: string; legendFormat: string }
interface Panel { type: string; title: string; targets: Target[] }
const panels = (): { dashboard: string; panel: Panel }[] => dashboards.flatMap((d) => d.panels.map((panel: Panel) => ({ dashboard: d.title, panel })));

describe('the four dashboards, as the production example ships them', () => {
  test('are ConfigMaps in the serving namespace that kube-prometheus-stack\'s Grafana sidecar loads', () => {
    expect(configMaps.map((c) => c.metadata.name).sort()).toEqual(['modelserve-dashboard-canary', 'modelserve-dashboard-infrastructure', 'modelserve-dashboard-overview', 'modelserve-dashboard-performance']);
    for (const c of configMaps) {
      expect(c.metadata.namespace).toBe('models-production');
      expect(c.metadata.labels).toMatchObject({ grafana_dashboard: '1', 'app.kubernetes.io/part-of': 'modelserve' });
    }
    expect(dashboards.map((d) => d.title).sort()).toEqual(['Canary Deployment', 'Infrastructure', 'Model Performance', 'Model Serving Overview']);
  });

  test('each has the datasource, namespace, service and version variables, and fixed uids', () => {
    for (const d of dashboards) {
      expect(d.templating.list.map((v: { name: string }) => v.name)).toEqual(['datasource', 'namespace', 'service', 'version']);
      expect(d.templating.list[3]).toMatchObject({ multi: true, includeAll: true, allValue: '.*' });
      expect(d.uid).toMatch(/^modelserve-[a-z]+$/);
    }
  });

  test('every panel has a query, and its panels do not overlap', () => {
    for (const d of dashboards) {
      const cells = new Set<string>();
      for (const p of d.panels) {
        expect(p.targets.length).toBeGreaterThan(0);
        for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
          for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
            expect(cells.has(`${x},${y}`)).toBe(false);
            cells.add(`${x},${y}`);
          }
        }
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      }
    }
  });

  test('are valid against Grafana\'s dashboard schema (@grafana/schema\'s Dashboard type)', () => {
    const types = join(dirname(require.resolve('@grafana/schema/package.json')), 'dist', 'types', 'raw', 'dashboard', 'x', 'types.gen.d.ts');
    const schema = createGenerator({ path: types, type: 'Dashboard', skipTypeCheck: true, expose: 'all' }).createSchema('Dashboard');
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    for (const d of dashboards) {
      const ok = validate(d);
      expect({ title: d.title, errors: ok ? [] : validate.errors }).toEqual({ title: d.title, errors: [] });
    }
    // The schema refuses what Grafana would not read (the check is not vacuous).
    expect(validate({ ...dashboards[0], panels: [{ ...dashboards[0].panels[0], gridPos: { x: 'left' } }] })).toBe(false);
    expect(validate({ ...dashboards[0], refesh: '30s' })).toBe(false);
  }, 30_000);

  test('ModelServeDashboards refuses a bad namespace and a label that would hide them from Grafana', () => {
    expect(rejectionOf(() => new ModelServeDashboards(chart(), 'dashboards', { namespace: 'Monitoring' }))).toMatch(/^serving\/dashboards: namespace \("Monitoring"\)/);
    const c = chart();
    expect(rejectionOf(() => new ModelServeDashboards(c, 'dashboards', { labels: { grafana_dashboard: '0' } }))).toMatch(/^serving\/dashboards: labels\.grafana_dashboard \("0"\) is not a string label value, or replaces the label/);
    expect(synth(c).filter((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('modelserve-dashboard'))).toEqual([]);
  });

  test('namespace: the Grafana namespace when asked', () => {
    const c = chart();
    new ModelServeDashboards(c, 'dashboards', { namespace: 'monitoring' });
    expect(new Set(synth(c).filter((o) => o.metadata.name.startsWith('modelserve-dashboard')).map((o) => o.metadata.namespace))).toEqual(new Set(['monitoring']));
  });
});

/** Grafana's variables as a user picks them: one namespace and service, every version. */
const PICKED = { namespace: 'models-production', service: 'ocr', version: '.*' };
function substitute(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('${datasource}', 'prometheus')
    .replace(/\$(namespace|service|version)\b/g, (_, name: keyof typeof PICKED) => PICKED[name]);
}

const engines = requireEngines('promtool', 'prometheus');

describeWith(engines)('dashboard queries: promtool and a running Prometheus', () => {
  test('every panel query and variable selector passes promtool check rules', () => {
    const variables = dashboards.flatMap((d) => d.templating.list.filter((v: { type: string }) => v.type === 'query').map((v: { query: { query: string } }) => /^label_values\((.*), \w+\)$/.exec(v.query.query)![1]));
    const expressions = [...panels().flatMap(({ panel }) => panel.targets.map((t) => t.expr)), ...variables].map(substitute);
    const dir = tempDir('dashboards');
    try {
      writeFileSync(join(dir.path, 'rules.yaml'), stringify({ groups: [{ name: 'dashboards', rules: expressions.map((expr, i) => ({ record: `modelserve:dashboard:${i}`, expr })) }] }));
      const r = run(engines!.promtool, ['check', 'rules', 'rules.yaml'], { cwd: dir.path });
      expect(`${r.stdout}${r.stderr}`).toContain(`SUCCESS: ${expressions.length} rules found`);
    } finally {
      dir.remove();
    }
  });

  let prometheus: PrometheusServer | undefined;
  beforeAll(async () => {
    if (engines) prometheus = await PrometheusServer.start(engines, ocrSeries());
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
  });

  test('every panel answers data of its shape: a stat one series, a graph series with the labels its legend names', async () => {
    for (const { dashboard, panel } of panels()) {
      for (const target of panel.targets) {
        const answer: InstantResult = await prometheus!.query(substitute(target.expr), END);
        const series = answer.resultType === 'vector' ? answer.result : [];
        const where = `${dashboard} / ${panel.title} / ${target.legendFormat}`;
        expect({ where, resultType: answer.resultType }).toEqual({ where, resultType: 'vector' });
        if (panel.type === 'stat') expect({ where, series: series.length }).toEqual({ where, series: 1 });
        else expect({ where, some: series.length > 0 }).toEqual({ where, some: true });
        const legendLabels = [...target.legendFormat.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]);
        for (const s of series) for (const label of legendLabels) expect({ where, label, has: s.metric[label] !== undefined }).toEqual({ where, label, has: true });
        for (const s of series) expect({ where, finite: Number.isFinite(Number(s.value[1])) }).toEqual({ where, finite: true });
      }
    }
  });

  test('the variables offer the namespaces, services and versions that have traffic', async () => {
    const values = async (selector: string, label: string) => [...new Set(((await prometheus!.query(substitute(selector), END)) as { result: { metric: Record<string, string> }[] }).result.map((s) => s.metric[label]))].sort();
    const list = dashboards[0].templating.list;
    const def = (name: string) => /^label_values\((.*), (\w+)\)$/.exec(list.find((v: { name: string }) => v.name === name).query.query)!;
    const [, ns, nsLabel] = def('namespace');
    const [, svc, svcLabel] = def('service');
    const [, ver, verLabel] = def('version');
    expect(await values(ns, nsLabel)).toEqual(['models-production']);
    expect(await values(svc, svcLabel)).toEqual(['ocr', 'resnet']);
    expect(await values(ver, verLabel)).toEqual(['4.0.0', '4.1.0']);
  });
});

const END = Math.floor(Date.now() / 60_000) * 60 - 120;
const START = END - 30 * 60;

/**
 * ocr in models-production, mid-canary: 4.0.0 on two pods, 4.1.0 on one; Istio, cAdvisor,
 * kube-state-metrics, kubelet probe and DCGM series as their exporters label them; and resnet's
 * traffic next to it.
 */
function ocrSeries(): Series[] {
  const ns = PICKED.namespace;
  const pods = [{ pod: 'ocr-stable-7d9f8c6b5-x2k4q', version: '4.0.0' }, { pod: 'ocr-stable-7d9f8c6b5-p7m9z', version: '4.0.0' }, { pod: 'ocr-canary-5c4b3a2d1-abcde', version: '4.1.0' }];
  const gauge = (name: string, labels: Record<string, string>, value: number) => sampled(name, labels, START, END, 30, () => value);
  const out: Series[] = [];
  const istio = (service: string, pod: string, version: string, extra: Record<string, string>) => ({
    reporter: 'destination', destination_service_name: service, destination_service_namespace: ns, destination_version: version, source_workload: 'istio-ingressgateway', namespace: ns, pod, container: 'istio-proxy', ...extra,
  });
  for (const { pod, version } of pods) {
    out.push(counter('istio_requests_total', istio('ocr', pod, version, { response_code: '200', request_protocol: 'http' }), 19, START, END, 15));
    out.push(counter('istio_requests_total', istio('ocr', pod, version, { response_code: '503', request_protocol: 'http' }), 1, START, END, 15));
    out.push(counter('istio_requests_total', istio('ocr', pod, version, { response_code: '200', request_protocol: 'grpc', grpc_response_status: '0' }), 5, START, END, 15));
    for (const [le, perSecond] of Object.entries(bucketsForQuantile(0.99, version === '4.0.0' ? 400 : 700, 20))) {
      out.push(counter('istio_request_duration_milliseconds_bucket', istio('ocr', pod, version, { response_code: '200', le }), perSecond, START, END, 15));
    }
    const ksm = { job: 'kube-state-metrics', service: 'kube-prometheus-stack-kube-state-metrics', instance: '10.0.7.9:8080' };
    out.push(gauge('kube_pod_labels', { namespace: ns, pod, ...ksm, label_modelserve_io_service: 'ocr', label_modelserve_io_model_version: version }, 1));
    out.push(gauge('kube_pod_status_ready', { namespace: ns, pod, condition: 'true', ...ksm }, 1));
    out.push(gauge('kube_pod_container_resource_limits', { namespace: ns, pod, container: 'model-server', resource: 'cpu', unit: 'core', ...ksm }, 4));
    out.push(gauge('kube_pod_container_resource_limits', { namespace: ns, pod, container: 'model-server', resource: 'memory', unit: 'byte', ...ksm }, 8 * 1024 ** 3));
    const cadvisor = { namespace: ns, pod, container: 'model-server', job: 'kubelet', metrics_path: '/metrics/cadvisor', service: 'kube-prometheus-stack-kubelet' };
    out.push(counter('container_cpu_usage_seconds_total', cadvisor, 2.5, START, END, 30));
    out.push(gauge('container_memory_working_set_bytes', cadvisor, 5 * 1024 ** 3));
    const dcgm = { gpu: '0', UUID: `GPU-${pod}`, modelName: 'Tesla T4', namespace: ns, pod, container: 'model-server', job: 'nvidia-dcgm-exporter' };
    out.push(gauge('DCGM_FI_DEV_GPU_UTIL', dcgm, 55));
    out.push(gauge('DCGM_FI_DEV_FB_USED', dcgm, 9000));
    const probe = { namespace: ns, pod, container: 'model-server', probe_type: 'Readiness', job: 'kubelet', metrics_path: '/metrics/probes' };
    out.push(counter('prober_probe_total', { ...probe, result: 'successful' }, 0.1, START, END, 30));
    out.push(sampled('prober_probe_total', { ...probe, result: 'failed' }, START, END, 30, (t) => Math.floor((t - START) / 600)));
  }
  for (const [rs, version, created, replicas] of [['ocr-stable-7d9f8c6b5', '4.0.0', END - 30 * 3600, 2], ['ocr-canary-5c4b3a2d1', '4.1.0', END - 3600, 1]] as const) {
    const rsLabels = { namespace: ns, replicaset: rs, job: 'kube-state-metrics' };
    out.push(gauge('kube_replicaset_created', rsLabels, created));
    out.push(gauge('kube_replicaset_spec_replicas', rsLabels, replicas));
    out.push(gauge('kube_replicaset_labels', { ...rsLabels, label_modelserve_io_service: 'ocr', label_modelserve_io_model_version: version }, 1));
  }
  out.push(gauge('ALERTS', { alertname: 'ModelServeLatencyP99High', alertstate: 'firing', severity: 'warning', namespace: ns, service: 'ocr', model_id: 'doc-ocr', destination_version: '4.1.0' }, 1));
  out.push(counter('istio_requests_total', istio('resnet', 'resnet-stable-6c5b4a3d2-abcde', '1.0.0', { response_code: '200' }), 10, START, END, 15));
  return out;
}
