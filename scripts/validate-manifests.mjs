// Validates Kubernetes objects against the schemas of kubernetes-models (Kubernetes 1.3x), the
// @kubernetes-models CRD packages (Istio, KEDA, Prometheus Operator, Argo, Karpenter, Gateway API)
// and, for kinds no package ships (the Gateway API Inference Extension's InferencePool, the
// Vertical Pod Autoscaler's VerticalPodAutoscaler), the
// upstream CRDs copied under test/fixtures/crds (their openAPIV3Schema, with ajv; CEL rules are not
// evaluated). Those packages are ES modules, so they run here in plain Node rather than inside
// jest's CommonJS sandbox.
//
// Input: a JSON array of objects on stdin, or YAML files/folders as arguments.
// Output: a JSON array of { index, source, apiVersion, kind, name, error } for every object that is
// invalid or has no known schema (an object we cannot check counts as a failure); exit 1 if any.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import { parse, parseAllDocuments } from 'yaml';

const GROUP_PACKAGES = {
  'networking.istio.io': ['@kubernetes-models/istio/networking.istio.io'],
  'security.istio.io': ['@kubernetes-models/istio/security.istio.io'],
  'telemetry.istio.io': ['@kubernetes-models/istio/telemetry.istio.io'],
  'keda.sh': ['@kubernetes-models/keda/keda.sh'],
  'monitoring.coreos.com': ['@kubernetes-models/prometheus-operator/monitoring.coreos.com'],
  'argoproj.io': ['@kubernetes-models/argo-rollouts/argoproj.io', '@kubernetes-models/argo-workflows/argoproj.io'],
  'karpenter.sh': ['@kubernetes-models/karpenter/karpenter.sh'],
  'karpenter.k8s.aws': ['@kubernetes-models/karpenter/karpenter.k8s.aws'],
  'gateway.networking.k8s.io': ['@kubernetes-models/gateway-api/gateway.networking.k8s.io'],
};

const CRD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'crds');

/**
 * The schema with unknown fields refused: the API server prunes them from a structural schema (and
 * `kubectl apply --validate=strict` refuses them), so a misspelt field would vanish silently.
 */
function closeObjects(schema) {
  if (!schema || typeof schema !== 'object') return schema;
  const out = Array.isArray(schema) ? schema.map(closeObjects) : Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, closeObjects(v)]));
  if (!Array.isArray(schema) && schema.properties && schema.additionalProperties === undefined && !schema['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

/** `group/version/kind` → an ajv validator of each served version's openAPIV3Schema. */
function crdValidators() {
  // x-kubernetes-* keywords and formats such as int32 are Kubernetes', not JSON Schema's.
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  const validators = new Map();
  for (const file of readdirSync(CRD_DIR).filter((f) => /\.ya?ml$/.test(f))) {
    const crd = parse(readFileSync(join(CRD_DIR, file), 'utf8'));
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      validators.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, ajv.compile(closeObjects(version.schema.openAPIV3Schema)));
    }
  }
  return validators;
}
const CRD_VALIDATORS = crdValidators();

/** A model-like object for a kind whose CRD is under test/fixtures/crds. */
function crdModel(apiVersion, kind) {
  const validate = CRD_VALIDATORS.get(`${apiVersion}/${kind}`);
  if (!validate) return undefined;
  return class {
    constructor(object) { this.object = object; }
    validate() {
      if (!validate(this.object)) throw new Error(validate.errors.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; '));
    }
  };
}

async function modelFor(apiVersion, kind) {
  const fromCrd = crdModel(apiVersion, kind);
  if (fromCrd) return fromCrd;
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const candidates = group === ''
    ? [`kubernetes-models/${version}`]
    : GROUP_PACKAGES[group]?.map((base) => `${base}/${version}`) ?? [`kubernetes-models/${group}/${version}`];
  for (const specifier of candidates) {
    try {
      const mod = await import(specifier);
      if (typeof mod[kind] === 'function') return mod[kind];
    } catch {
      // not this package: try the next candidate
    }
  }
  return undefined;
}

function readInput() {
  const paths = process.argv.slice(2);
  if (paths.length === 0) {
    return JSON.parse(readFileSync(0, 'utf8')).map((object) => ({ source: 'stdin', object }));
  }
  const files = paths.flatMap(function walk(path) {
    return statSync(path).isDirectory() ? readdirSync(path).sort().flatMap((f) => walk(join(path, f))) : /\.ya?ml$/.test(path) ? [path] : [];
  });
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => ({ source: file, object: doc.toJSON() })).filter((d) => d.object),
  );
}

const failures = [];
const inputs = readInput();
for (const [index, { source, object }] of inputs.entries()) {
  const { apiVersion, kind } = object ?? {};
  const where = { index, source, apiVersion, kind, name: object?.metadata?.name };
  const Model = apiVersion && kind ? await modelFor(apiVersion, kind) : undefined;
  if (!Model) {
    failures.push({ ...where, error: `no schema known for ${apiVersion} ${kind}` });
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    failures.push({ ...where, error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify({ checked: inputs.length, failures }, null, 2) + '\n');
process.exit(failures.length ? 1 : 0);
