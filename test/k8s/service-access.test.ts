import { App, Testing } from 'cdk8s';
import { ValidationError } from '../../lib/catalog';
import { ModelPipeline, ModelServer, ModelService, ModelServiceProps, ServicePeer, ServingChart } from '../../lib/k8s';
import { connects, ingressAllowed, meshAdmits, Pod } from '../support/network-rules';
import { schemaFailures } from '../support/schema';
import { CPU_SERVICE, K8sObject, ofKind, one, POOLS } from '../support/serving';

// service.allowFrom(peer): the rules it adds admit that peer's pods and identity and nothing else,
// in the service's namespace or from another; asked of the synthesized NetworkPolicies and
// AuthorizationPolicies with Kubernetes' and Istio's semantics (test/support/network-rules.ts).

const PROD = 'models-production';
const SEARCH = 'models-search';
const JWT = { issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/.well-known/jwks.json' };

function custom(name: string, extra: Partial<ModelServiceProps> = {}): ModelServiceProps {
  return { ...CPU_SERVICE, name, model: { ...CPU_SERVICE.model, id: name }, server: ModelServer.custom({ port: 8080, healthPath: '/healthz' }), ...extra };
}

/** Production serves `ranker`; the search team's namespace runs `search` and `indexer`. */
function twoNamespaces(rankerProps: Partial<ModelServiceProps> = {}) {
  const app = Testing.app();
  const prod = new ServingChart(app, 'prod', { environment: 'production', nodePools: POOLS, modelStoreUri: 's3://models-bucket' });
  const search = new ServingChart(app, 'search', { environment: 'production', nodePools: POOLS, namespace: SEARCH, modelStoreUri: 's3://models-bucket' });
  const ranker = new ModelService(prod, 'ranker', custom('ranker', rankerProps));
  const caller = new ModelService(search, 'search', custom('search'));
  const indexer = new ModelService(search, 'indexer', custom('indexer'));
  return { app, prod, search, ranker, caller, indexer };
}

const objectsOf = (app: App): K8sObject[] => app.charts.flatMap((c) => Testing.synth(c) as K8sObject[]);
/** A pod of a service, labelled as its Deployment's template says. */
const podOf = (objects: readonly K8sObject[], deployment: string, namespace: string): Pod =>
  ({ namespace, labels: objects.find((o) => o.kind === 'Deployment' && o.metadata.name === deployment && o.metadata.namespace === namespace)!.spec.template.metadata.labels });
const principal = (namespace: string, sa: string) => `cluster.local/ns/${namespace}/sa/${sa}`;

describe('allowFrom another ModelService in another namespace', () => {
  const { app, ranker, caller } = twoNamespaces();
  const before = objectsOf(twoNamespaces().app);
  const access = ranker.allowFrom(caller);
  const objects = objectsOf(app);
  const rankerPod = podOf(objects, 'ranker', PROD);
  const searchPod = podOf(objects, 'search', SEARCH);

  test('without the grant the call is refused both ways: the search namespace keeps its egress, production its ingress', () => {
    expect(connects(before, podOf(before, 'search', SEARCH), podOf(before, 'ranker', PROD), 8080)).toBe(false);
    expect(ingressAllowed(before, podOf(before, 'ranker', PROD), podOf(before, 'search', SEARCH), 8080)).toBe(false);
  });

  test('with it, search\'s pods reach ranker\'s inference port: ingress on ranker\'s side, egress on search\'s', () => {
    expect(connects(objects, searchPod, rankerPod, 8080)).toBe(true);
    expect(access.peerEgressPolicy!.metadata.namespace).toBe(SEARCH);
  });

  test('and nothing else: not another pod of the search namespace, not search\'s labels elsewhere, not another port', () => {
    const grant = objects.filter((o) => o.metadata.name === 'ranker-from-models-search-search');
    expect(grant.map((o) => `${o.kind} ${o.metadata.namespace}`)).toEqual([`NetworkPolicy ${PROD}`]);
    expect(ingressAllowed(grant, rankerPod, searchPod, 8080)).toBe(true);
    expect(ingressAllowed(grant, rankerPod, podOf(objects, 'indexer', SEARCH), 8080)).toBe(false);
    expect(ingressAllowed(grant, rankerPod, { namespace: 'elsewhere', labels: searchPod.labels }, 8080)).toBe(false);
    expect(ingressAllowed(grant, rankerPod, searchPod, 9999)).toBe(false);
    expect(connects(objects, podOf(objects, 'indexer', SEARCH), rankerPod, 8080)).toBe(false);
    // The egress opened on search's side leads to ranker's pods only.
    const egress = objects.filter((o) => o.metadata.name === 'search-to-models-production-ranker');
    expect(egress[0].spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': PROD } }, podSelector: { matchLabels: { 'modelserve.io/service': 'ranker' } } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }]);
  });

  test('returns what it created, and no AuthorizationPolicy: ranker has no auth, so the mesh admits whom the NetworkPolicy lets through', () => {
    expect(access.peer.kind).toBe('model-service');
    expect(access.networkPolicy.name).toBe('ranker-from-models-search-search');
    expect(access.authorizationPolicy).toBeUndefined();
    expect(ranker.grants).toEqual([access]);
    expect(ofKind(objects, 'AuthorizationPolicy')).toEqual([]);
    expect(meshAdmits(objects, rankerPod, principal(SEARCH, 'search'), 8080)).toBe(true);
  });

  test('valid against the Kubernetes schemas', () => {
    expect(schemaFailures(objects).failures).toEqual([]);
  });
});

describe('allowFrom on a service with auth', () => {
  const { app, ranker, caller } = twoNamespaces({ auth: { jwt: JWT } });
  const access = ranker.allowFrom(caller);
  const objects = objectsOf(app);
  const rankerPod = podOf(objects, 'ranker', PROD);

  test('an AuthorizationPolicy admits search\'s identity without a JWT, on the inference port only', () => {
    expect(access.authorizationPolicy!.toJson().spec).toEqual({
      selector: { matchLabels: { 'modelserve.io/service': 'ranker' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: [principal(SEARCH, 'search')] } }], to: [{ operation: { ports: ['8080'] } }] }],
    });
    expect(meshAdmits(objects, rankerPod, principal(SEARCH, 'search'), 8080)).toBe(true);
  });

  test('and no other identity: not another account of that namespace, not the same name in another', () => {
    expect(meshAdmits(objects, rankerPod, principal(SEARCH, 'indexer'), 8080)).toBe(false);
    expect(meshAdmits(objects, rankerPod, principal(PROD, 'search'), 8080)).toBe(false);
    expect(meshAdmits(objects, rankerPod, principal(SEARCH, 'search'), 9999)).toBe(false);
  });

  test('the service says whom it admits, for the pipelines that call it', () => {
    expect(ranker.auth).toEqual({ jwt: true, allowedServiceAccounts: [{ name: 'search', namespace: SEARCH }] });
    expect(one(objects, 'AuthorizationPolicy', 'ranker').spec.rules.map((r: any) => r.from[0].source)).not.toContainEqual({ principals: [principal(SEARCH, 'search')] });
  });
});

describe('allowFrom a pipeline in another namespace', () => {
  const { app, ranker, search } = twoNamespaces({ auth: { jwt: JWT } });
  ranker.allowFrom(ServicePeer.pipeline('docs', { namespace: SEARCH }));
  new ModelPipeline(search, 'docs', {
    stages: [{ service: ranker, path: '/predict' }],
    online: { image: 'registry.example.com/pipeline-orchestrator:2.3.1', redis: { host: 'cache.example.com', authToken: { secretName: 'redis-auth', key: 'token' } } },
  });
  const objects = objectsOf(app);
  const rankerPod = podOf(objects, 'ranker', PROD);
  const stepPod: Pod = { namespace: SEARCH, labels: { 'modelserve.io/pipeline': 'docs', 'modelserve.io/pipeline-step': 'ranker' } };
  const orchestratorPod = podOf(objects, 'docs-orchestrator', SEARCH);

  test('the steps call the service in its namespace', () => {
    const template = one(objects, 'WorkflowTemplate', 'docs');
    const env = template.spec.templates.find((t: any) => t.name === 'call-ranker').container.env;
    expect(env).toContainEqual({ name: 'STEP_URL', value: `http://ranker.${PROD}.svc.cluster.local/predict` });
  });

  test('its batch step pods and its orchestrator reach ranker, as their own identities', () => {
    expect(connects(objects, stepPod, rankerPod, 8080)).toBe(true);
    expect(connects(objects, orchestratorPod, rankerPod, 8080)).toBe(true);
    expect(meshAdmits(objects, rankerPod, principal(SEARCH, 'docs-workflow'), 8080)).toBe(true);
    expect(meshAdmits(objects, rankerPod, principal(SEARCH, 'docs-orchestrator'), 8080)).toBe(true);
  });

  test('the pipeline\'s egress opens ranker only, and other pods of its namespace stay out', () => {
    expect(ofKind(objects, 'NetworkPolicy', 'docs-steps-to-services')[0].spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': PROD } }, podSelector: { matchLabels: { 'modelserve.io/service': 'ranker' } } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }]);
    expect(connects(objects, podOf(objects, 'indexer', SEARCH), rankerPod, 8080)).toBe(false);
    expect(meshAdmits(objects, rankerPod, principal(SEARCH, 'indexer'), 8080)).toBe(false);
  });

  test('valid against the Kubernetes and CRD schemas', () => {
    expect(schemaFailures(objects).failures).toEqual([]);
  });
});

describe('allowFrom in the service\'s own namespace', () => {
  test('a pipeline named before it exists: the pipeline that then calls the service with auth passes its check', () => {
    const { prod, ranker } = twoNamespaces({ auth: { jwt: JWT } });
    const access = ranker.allowFrom(ServicePeer.pipeline('nightly'));
    expect(access.peerEgressPolicy).toBeUndefined();
    expect(access.authorizationPolicy!.toJson().spec.rules[0].from[0].source.principals).toEqual([principal(PROD, 'nightly-orchestrator'), principal(PROD, 'nightly-workflow')]);
    expect(() => new ModelPipeline(prod, 'nightly', { stages: [{ service: ranker, path: '/predict' }] })).not.toThrow();
    // The same namespace needs no egress of its own: the namespace lets its pods reach each other.
    expect(ofKind(Testing.synth(prod) as K8sObject[], 'NetworkPolicy', 'nightly-steps-to-services')).toEqual([]);
  });

  test('a ServiceAccount with pod labels: those pods, and with auth that identity', () => {
    const { prod, ranker } = twoNamespaces();
    const access = ranker.allowFrom(ServicePeer.serviceAccount({ name: 'batch', namespace: 'jobs', podLabels: { app: 'nightly-batch' } }));
    const objects = Testing.synth(prod) as K8sObject[];
    const grant = objects.filter((o) => o.metadata.name === access.networkPolicy.name);
    const rankerPod = podOf(objects, 'ranker', PROD);
    expect(ingressAllowed(grant, rankerPod, { namespace: 'jobs', labels: { app: 'nightly-batch' } }, 8080)).toBe(true);
    expect(ingressAllowed(grant, rankerPod, { namespace: 'jobs', labels: { app: 'other' } }, 8080)).toBe(false);
  });

  test('a ServiceAccount without pod labels on a service with auth: its namespace\'s pods by network, the account alone by identity', () => {
    const { prod, ranker } = twoNamespaces({ auth: { jwt: JWT } });
    ranker.allowFrom(ServicePeer.serviceAccount({ name: 'batch', namespace: 'jobs' }));
    const objects = Testing.synth(prod) as K8sObject[];
    const rankerPod = podOf(objects, 'ranker', PROD);
    expect(ingressAllowed(objects, rankerPod, { namespace: 'jobs', labels: { app: 'anything' } }, 8080)).toBe(true);
    expect(meshAdmits(objects, rankerPod, principal('jobs', 'batch'), 8080)).toBe(true);
    expect(meshAdmits(objects, rankerPod, principal('jobs', 'other'), 8080)).toBe(false);
  });
});

describe('allowFrom refuses, creating nothing', () => {
  function refusal(grant: (s: ReturnType<typeof twoNamespaces>) => unknown, setup: (s: ReturnType<typeof twoNamespaces>) => void = () => undefined, rankerProps: Partial<ModelServiceProps> = {}): string {
    const s = twoNamespaces(rankerProps);
    setup(s);
    const children = s.ranker.node.children.length;
    const grants = s.ranker.grants;
    let error: unknown;
    try {
      grant(s);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(s.ranker.node.children.length).toBe(children);
    expect(s.ranker.grants).toEqual(grants);
    return (error as Error).message;
  }

  test('the service itself', () => {
    expect(refusal(({ ranker }) => ranker.allowFrom(ranker)))
      .toBe('prod/ranker: allowFrom ("service ranker in models-production") is the service itself, whose own pods reach it without a grant; pass the service that calls this one');
  });

  test('the same peer twice', () => {
    expect(refusal(({ ranker, caller }) => ranker.allowFrom(caller), ({ ranker, caller }) => ranker.allowFrom(caller)))
      .toBe('prod/ranker: allowFrom ("service search in models-search") is admitted already; call allowFrom once per peer');
  });

  test('what is no peer, from JavaScript', () => {
    expect(refusal(({ ranker }) => ranker.allowFrom('search' as never)))
      .toBe('prod/ranker: allowFrom ("search") is neither a model service nor a ServicePeer; pass another ModelService (or ModelService.fromServiceName(...)), '
        + 'ServicePeer.pipeline(name) or ServicePeer.serviceAccount({ name, namespace })');
  });

  test('a namespace that is not one', () => {
    expect(refusal(({ ranker }) => ranker.allowFrom(ServicePeer.pipeline('docs', { namespace: 'Models_Search' }))))
      .toMatch(/^prod\/ranker: allowFrom\.namespace \("Models_Search"\) is not a valid name/);
  });

  test('a ServiceAccount without pod labels on a service without auth: the whole namespace would be admitted', () => {
    expect(refusal(({ ranker }) => ranker.allowFrom(ServicePeer.serviceAccount({ name: 'batch', namespace: 'jobs' }))))
      .toBe('prod/ranker: allowFrom ("ServiceAccount batch in jobs") has no podLabels, so the NetworkPolicy would admit every pod of its namespace, '
        + 'and the service has no auth whose AuthorizationPolicy could narrow that to the account; give the podLabels of the caller\'s pods, or set auth on the service');
  });
});
