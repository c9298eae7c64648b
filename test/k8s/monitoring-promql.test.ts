import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describeWith, requireEngines, run, tempDir } from '../support/engines';
import { analysisTemplates, Expression, kedaQueries, monitoredObjects, ruleGroups, withArgs } from '../support/monitoring-app';

const engines = requireEngines('promtool');
const objects = monitoredObjects();

/** Pod template hashes as Argo Rollouts passes them in `canary-hash` and (vLLM services) `stable-hash`. */
const HASH = '7d9f8c6b5';
const STABLE_HASH = '6c8e7d5f4';

function analysisExpressions(): Expression[] {
  return analysisTemplates(objects).flatMap((t) =>
    t.metrics.map((m) => ({ source: `AnalysisTemplate ${t.namespace}/${t.name} ${m.name}`, expr: withArgs(m.provider.prometheus.query, { 'canary-hash': HASH, 'stable-hash': STABLE_HASH }) })),
  );
}

/**
 * promtool checks a rules file: alerts as the PrometheusRules hold them, every other expression as
 * a recording rule (parsed and type-checked the same way, and it must return an instant vector).
 */
function checkRules(groups: unknown[]): { status: number | null; output: string } {
  const dir = tempDir('promtool-check');
  try {
    writeFileSync(join(dir.path, 'rules.yaml'), stringify({ groups }));
    const r = run(engines!.promtool, ['check', 'rules', 'rules.yaml'], { cwd: dir.path });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    dir.remove();
  }
}

function recordingGroup(name: string, expressions: readonly Expression[]) {
  return { name, rules: expressions.map((e, i) => ({ record: `modelserve:check:${name}_${i}`, expr: e.expr, labels: { source: e.source } })) };
}

describeWith(engines)('promtool check rules: every PromQL expression of the synthesized services', () => {
  test('the app under test has every kind of expression', () => {
    expect(ruleGroups(objects).length).toBeGreaterThanOrEqual(10);
    expect(kedaQueries(objects).map((q) => q.trigger).sort()).toEqual(expect.arrayContaining(['gpu-utilization', 'queue-length', 'requests-per-second']));
    expect(kedaQueries(objects).some((q) => q.expr.includes('DCGM_FI_PROF_GR_ENGINE_ACTIVE'))).toBe(true);
    expect(analysisExpressions().length).toBeGreaterThanOrEqual(6);
  });

  test('the PrometheusRules\' alerts (expressions, durations, label and annotation templates)', () => {
    const groups = ruleGroups(objects);
    const r = checkRules(groups);
    expect(r.output).toContain(`SUCCESS: ${groups.reduce((n, g) => n + g.rules.length, 0)} rules found`);
    expect(r.status).toBe(0);
  });

  test('the KEDA triggers\' queries', () => {
    const queries = kedaQueries(objects);
    const r = checkRules([recordingGroup('keda', queries)]);
    expect(r.output).toContain(`SUCCESS: ${queries.length} rules found`);
    expect(r.status).toBe(0);
  });

  test('the Argo AnalysisTemplates\' queries, with the canary hash filled in as Argo does', () => {
    const queries = analysisExpressions();
    const r = checkRules([recordingGroup('analysis', queries)]);
    expect(r.output).toContain(`SUCCESS: ${queries.length} rules found`);
    expect(r.status).toBe(0);
  });

  test('a broken expression fails the same check (the check is not vacuous)', () => {
    const r = checkRules([recordingGroup('broken', [{ source: 'test', expr: 'sum by (le (rate(istio_requests_total[5m]))' }])]);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/parse error/);
  });
});
