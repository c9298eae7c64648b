import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { App, Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { PRODUCTION_NODE_POOLS } from '../../examples/node-pools';
import { SPECS_FOLDER, specServing, specServingInTypeScript } from '../../examples/serving/specs';
import { ModelService, ServingChart, ServingSpecs, SpecError } from '../../lib/k8s';
import { FACTORY_CLASSES } from '../../lib/k8s/specs/spec-factories';
import { restrictedViolations } from '../support/pod-security';
import { schemaFailures } from '../support/schema';
import { K8sObject, ofKind, one } from '../support/serving';

const REPO = join(__dirname, '..', '..');
const MISTAKES = join(REPO, 'test', 'fixtures', 'specs-with-mistakes');

/** Every file `build` makes an app write, by name. */
function synthesizedFiles(build: (app: App) => void): Record<string, Buffer> {
  const outdir = mkdtempSync(join(tmpdir(), 'modelserve-specs-'));
  try {
    const app = new App({ outdir });
    build(app);
    app.synth();
    return Object.fromEntries(readdirSync(outdir).map((f) => [f, readFileSync(join(outdir, f))]));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function chart(): ServingChart {
  return new ServingChart(Testing.app(), 'serving', { environment: 'production', nodePools: PRODUCTION_NODE_POOLS, modelStoreUri: 's3://models' });
}

function specError(run: () => unknown): SpecError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return e as SpecError;
  }
  throw new Error('expected a SpecError, nothing was thrown');
}

/** ajv (draft-07), an engine nobody here wrote, with the published schemas; NaN and Infinity are not JSON numbers. */
function publishedSchemas(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, strictNumbers: true });
  for (const file of ['model-service.schema.json', 'model-pipeline.schema.json', 'serving-spec.schema.json']) {
    ajv.addSchema(JSON.parse(readFileSync(join(REPO, 'schemas', file), 'utf8')) as object);
  }
  return ajv;
}

const SERVING_SPEC_ID = 'https://unpkg.com/modelserve@0.1.0/schemas/serving-spec.schema.json';

function documentsOf(folder: string): Array<{ file: string; value: Record<string, unknown> }> {
  return readdirSync(folder).sort().flatMap((file) => {
    const docs = parseAllDocuments(readFileSync(join(folder, file), 'utf8'));
    return (Array.isArray(docs) ? docs : []).filter((d) => d.errors.length === 0).map((d) => ({ file, value: d.toJS() as Record<string, unknown> }));
  });
}

describe('examples/specs', () => {
  test('synthesizes byte for byte what the same services written in TypeScript synthesize', () => {
    const fromFiles = synthesizedFiles((app) => specServing(app));
    const fromTypeScript = synthesizedFiles((app) => specServingInTypeScript(app));
    expect(Object.keys(fromFiles)).toEqual(['serving-specs.k8s.yaml']);
    expect(Object.keys(fromTypeScript)).toEqual(Object.keys(fromFiles));
    expect(fromFiles['serving-specs.k8s.yaml'].length).toBeGreaterThan(50_000);
    expect(fromFiles['serving-specs.k8s.yaml'].equals(fromTypeScript['serving-specs.k8s.yaml'])).toBe(true);
  });

  test('reads every document of every file, files in name order', () => {
    const specs = ServingSpecs.fromDirectory(SPECS_FOLDER);
    expect(specs.documents.map((d) => [d.file.replace(/^.*examples\//, ''), d.line, d.kind, d.name])).toEqual([
      ['specs/documents.yaml', 5, 'ModelPipeline', 'documents'],
      ['specs/ocr.json', 1, 'ModelService', 'ocr'],
      ['specs/resnet.yaml', 5, 'ModelService', 'resnet'],
      ['specs/text.yaml', 6, 'ModelService', 'bert-ner'],
      ['specs/text.yaml', 19, 'ModelService', 'sentiment'],
    ]);
    expect(specs.syntaxProblems).toEqual([]);
  });

  test('the factory calls become the objects they name, and the output is what the files ask for', () => {
    const objects = Testing.synth(specServing(Testing.app())) as K8sObject[];
    // rollout: { canary: ... } → Rollout.canary(): two tracks, 10 % to the canary.
    expect(ofKind(objects, 'Deployment').map((d) => d.metadata.name).sort()).toEqual(['bert-ner', 'ocr', 'resnet-canary', 'resnet-stable', 'sentiment']);
    const route = one(objects, 'VirtualService', 'resnet').spec.http.find((h: { name: string }) => h.name === 'primary').route;
    expect(route.map((r: { weight: number }) => r.weight)).toEqual([90, 10]);
    // rollout: { progressive: { steps: [..., { pause: untilPromoted }] } } → an Argo Rollout whose last pause waits.
    const steps = one(objects, 'Rollout', 'sentiment').spec.strategy.canary.steps;
    expect(steps.filter((s: Record<string, unknown>) => 'pause' in s).map((s: { pause: object }) => s.pause)).toEqual([{ duration: '600s' }, {}]);
    // server: { custom: { port: 8080, ... } } and config.asEnv.
    const ocr = one(objects, 'Deployment', 'ocr').spec.template.spec.containers[0];
    expect(ocr.ports[0].containerPort).toBe(8080);
    expect(ocr.envFrom).toEqual(expect.arrayContaining([{ configMapRef: { name: 'ocr-config' } }]));
    // A block scalar keeps its line breaks.
    expect(one(objects, 'Deployment', 'sentiment').metadata.annotations?.['modelserve.io/description']).toBe('DistilBERT sentiment for support tickets.\nOwner: support-ml@example.com\n');
    expect(one(objects, 'WorkflowTemplate', 'documents').spec.templates.length).toBeGreaterThan(1);
  });

  test('the output is valid against the Kubernetes and CRD schemas and meets Pod Security "restricted"', () => {
    const objects = Testing.synth(specServing(Testing.app())) as K8sObject[];
    expect(schemaFailures(objects)).toEqual({ checked: objects.length, failures: [] });
    for (const d of ofKind(objects, 'Deployment')) expect({ name: d.metadata.name, violations: restrictedViolations(d.spec.template.spec) }).toEqual({ name: d.metadata.name, violations: [] });
  });

  test('ajv accepts every example document against the published schemas (what an editor checks)', () => {
    const ajv = publishedSchemas();
    for (const { file, value } of documentsOf(SPECS_FOLDER)) {
      const id = `https://unpkg.com/modelserve@0.1.0/schemas/${value.kind === 'ModelService' ? 'model-service' : 'model-pipeline'}.schema.json`;
      expect({ file, name: value.name, errors: ajv.validate(id, value) ? null : ajv.errors }).toEqual({ file, name: value.name, errors: null });
      expect(ajv.validate(SERVING_SPEC_ID, value)).toBe(true);
    }
  });

  test('each file names its schema for editors: a yaml-language-server comment, or $schema in JSON', () => {
    for (const file of readdirSync(SPECS_FOLDER)) {
      const text = readFileSync(join(SPECS_FOLDER, file), 'utf8');
      const schema = file.endsWith('.json') ? (JSON.parse(text) as { $schema: string }).$schema : /^# yaml-language-server: \$schema=(\S+)$/m.exec(text)?.[1];
      expect(readdirSync(join(REPO, 'schemas'))).toContain(schema?.replace('../../schemas/', ''));
    }
  });
});

/** The mistakes of test/fixtures/specs-with-mistakes, one per document, as the loader reports them. */
const EXPECTED_LINES = [
  'broken.yaml:5:1: Flow map in block collection must be sufficiently indented and end with a }; fix the YAML syntax',
  'duplicate.yaml:3:1: Map keys must be unique; fix the YAML syntax',
  'pipeline.yaml:4:16: serving/misspelt-service: stages[0].service ("quoted-numbr") names no ModelService in the app (namespace models-production has none); create the ModelService before the pipeline and use its name, or pass the ModelService object',
  'service.json:6:15: serving/json-quoted-number: replicas ("3") is a string, not a number; use 3 without quotes',
  'services.yaml:6:16: serving/misspelt-option: autoscaling.minReplica (2) is not a field of AutoscalingOptions; did you mean minReplicas?',
  'services.yaml:12:1: serving/misspelt-prop: replica (3) is not a field of a ModelService; did you mean replicas?',
  'services.yaml:17:19: serving/quoted-number: resources.cpu ("2") is a string, not a number; use 2 without quotes',
  'services.yaml:23:10: serving/quoted-boolean: stopped ("false") is a string, not true or false; use false without quotes',
  'services.yaml:27:7: serving/null-model: model (null) is null; pass { id, version }',
  'services.yaml:30:1: serving/no-resources: resources (not set) is missing; pass { cpu, memoryGiB }',
  'services.yaml:38:11: serving/not-a-number: replicas (NaN) is not a finite number; give a number',
  'services.yaml:44:11: serving/infinite: replicas (Infinity) is not a finite number; give a number',
  'services.yaml:50:21: serving/string-for-list: secrets.envFrom ("api-keys") is a string, not a list; give a list, e.g. ["api-keys"]',
  'services.yaml:56:14: serving/list-for-object: autoscaling ([]) is a list, not an object (AutoscalingOptions); give an object (AutoscalingOptions)',
  'services.yaml:62:20: serving/unknown-choice: placement.spot ("sometimes") is not supported; use one of "never", "allowed", "preferred"',
  'services.yaml:66:26: serving/yaml-number: model.version (1) is a number, not a string; quote it: "1.0"',
  'services.yaml:73:9: serving/misspelt-server: server ("tritn") is not a ModelServer factory; did you mean triton?',
  'services.yaml:80:3: serving/misspelt-strategy: rollout.canry ({"newVersion":"1.1.0","weight":10}) is not a Rollout factory; did you mean canary?',
  'services.yaml:86:29: serving/min-above-max: autoscaling.minReplicas (6) is greater than maxReplicas (4); lower minReplicas or raise maxReplicas',
  'services.yaml:92:33: serving/sticky-canary: loadBalancer.stickySessions (true) cannot hold with a canary at weight 10: the mesh picks stable (1.0.0) or canary (1.1.0) for each request by weight, so a session hops between the two versions; pin clients to a version with Rollout.abTest({ variantVersion: "1.1.0", match: { cookie: { name, value } } }), or turn stickySessions off until the canary is promoted',
  'services.yaml:102:22: serving/env-and-config: config.data["LOG_LEVEL"] ("LOG_LEVEL") is also set by env ("debug"), which silently wins over config.asEnv; give each variable one source: remove it from env or from config.data',
  'services.yaml:107:14: serving/control-character: description ("Sentiment \\u001b[31mmodel") holds the control character U+001B at position 10, which terminals and UIs that show the annotation would act on; remove it; line breaks (\\n) and tabs are fine',
  'services.yaml:111:7: serving/misspelt-kind: kind ("ModelSevice") is not a kind of spec document; did you mean ModelService?',
  'services.yaml:117:7: serving/Upper-Case: name ("Upper-Case") is not a valid name: lowercase letters, digits and "-", starting with a letter and ending with a letter or digit, at most 63 characters; rename it so that it follows that rule',
];

/** The documents whose mistake only the construct can see (a rule across fields, a name rule): valid JSON Schema instances. */
const CONSTRUCT_MISTAKES = ['misspelt-service', 'min-above-max', 'sticky-canary', 'env-and-config', 'control-character', 'Upper-Case'];

describe('a folder with one mistake of each kind', () => {
  test('fails with one line per mistake, each with its file:line:column, the construct path and the field', () => {
    const error = specError(() => ServingSpecs.fromDirectory(MISTAKES).addTo(chart()));
    expect(error.message.split('\n').map((line) => line.replace(/^test\/fixtures\/specs-with-mistakes\//, ''))).toEqual(EXPECTED_LINES);
    expect(error.problems).toHaveLength(EXPECTED_LINES.length);
    expect(error.problems.find((p) => p.message.includes('misspelt-option'))).toMatchObject({ line: 6, column: 16, field: 'autoscaling.minReplica' });
  });

  test('leaves nothing of any file in the chart, and the chart synthesizes without them', () => {
    const c = chart();
    const before = c.node.children.length;
    specError(() => ServingSpecs.fromDirectory(MISTAKES).addTo(c));
    expect(c.node.children.length).toBe(before);
    expect((Testing.synth(c) as K8sObject[]).filter((o) => o.kind === 'Deployment')).toEqual([]);
    // The names the refused services reserved are free again.
    expect(() => new ModelService(c, 'min-above-max', { model: { id: 'm', version: '1.0.0' }, resources: { cpu: 2, memoryGiB: 4 } })).not.toThrow();
  });

  test('ajv refuses each document whose mistake is in the schema, and accepts the ones only a construct refuses', () => {
    const ajv = publishedSchemas();
    const verdicts = documentsOf(MISTAKES).map(({ value }) => [value.name, ajv.validate(SERVING_SPEC_ID, value)]);
    expect(verdicts.filter(([, valid]) => valid).map(([name]) => name)).toEqual(CONSTRUCT_MISTAKES);
    expect(verdicts.filter(([, valid]) => !valid)).toHaveLength(EXPECTED_LINES.length - CONSTRUCT_MISTAKES.length - 2 /* the two syntax errors */);
  });
});

describe('spec documents', () => {
  const SERVICE = 'kind: ModelService\nmodel: { id: m, version: 1.0.0 }\nresources: { cpu: 2, memoryGiB: 4 }\n';

  test('YAML documents are separated by ---, a JSON file may hold a list of them, and fromText names the file', () => {
    const yamlSpecs = ServingSpecs.fromText(`name: a\n${SERVICE}---\nname: b\n${SERVICE}`, 'team/a.yaml');
    expect(yamlSpecs.documents.map((d) => [d.file, d.line, d.name])).toEqual([['team/a.yaml', 1, 'a'], ['team/a.yaml', 6, 'b']]);
    const json = JSON.stringify([{ kind: 'ModelService', name: 'c', model: { id: 'm', version: '1.0.0' }, resources: { cpu: 2, memoryGiB: 4 } }, { kind: 'ModelService', name: 'd', model: { id: 'm', version: '1.0.0' }, resources: { cpu: 2, memoryGiB: 4 } }], null, 2);
    const c = chart();
    const { services } = ServingSpecs.fromText(json, 'team/b.json').addTo(c);
    expect(services.map((s) => s.name)).toEqual(['c', 'd']);
    expect(specError(() => ServingSpecs.fromText(`name: e\n${SERVICE}replicas: two\n`, 'team/e.yaml').addTo(chart())).message).toBe(
      'team/e.yaml:5:11: serving/e: replicas ("two") is a string, not a number; give a number',
    );
  });

  test('$schema is allowed in a document (JSON files name their schema that way); an empty document is skipped', () => {
    const { services } = ServingSpecs.fromText(`---\n---\n$schema: ./model-service.schema.json\nname: a\n${SERVICE}`, 'a.yaml').addTo(chart());
    expect(services.map((s) => s.name)).toEqual(['a']);
  });

  test('a pipeline whose service was refused is skipped, not reported a second time', () => {
    const text = `name: svc\n${SERVICE}replicas: -1\n---\nkind: ModelPipeline\nname: pipe\nstages: [{ service: svc }]\n`;
    const error = specError(() => ServingSpecs.fromText(text, 'p.yaml').addTo(chart()));
    expect(error.problems.map((p) => p.message.split(':')[0])).toEqual(['serving/svc']);
  });

  test('a document that is not an object, or has no kind', () => {
    const error = specError(() => ServingSpecs.fromText(`- just a string\n- name: x\n`, 'list.yaml').addTo(chart()));
    expect(error.message).toBe([
      'list.yaml:1:3: serving/list.yaml#1: kind (not set) is missing; start the document with kind: ModelService or kind: ModelPipeline',
      'list.yaml:2:3: serving/x: kind (not set) is missing; start the document with kind: ModelService or kind: ModelPipeline',
    ].join('\n'));
  });

  test('every class the spec schema writes as a factory call can be built', () => {
    const schema = readFileSync(join(REPO, 'schemas', 'serving-spec.schema.json'), 'utf8');
    const named = [...new Set([...schema.matchAll(/"x-factories": "(\w+)"/g)].map((m) => m[1]))].sort();
    expect(named).toEqual(Object.keys(FACTORY_CLASSES).sort());
  });

  test('nothing is created in a chart that is not a ServingChart', () => {
    const plain = new Chart(Testing.app(), 'plain');
    expect(() => ServingSpecs.fromText(`name: a\n${SERVICE}`, 'a.yaml').addTo(plain as ServingChart)).toThrow(/must be created inside a ServingChart/);
  });
});
