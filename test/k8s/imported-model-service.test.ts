import { Testing } from 'cdk8s';
import { ModelPipeline, ModelServer, ModelService, ModelServiceAttributes, ServingChart } from '../../lib/k8s';
import { K8sObject, ofKind, one, POOLS, CPU_SERVICE } from '../support/serving';
import { rejectionOf } from '../support/validation';

// ModelService.fromServiceName: a service defined elsewhere, as a pipeline step or an allowFrom
// peer; it creates nothing and its attributes are checked for their form.

const PROD = 'models-production';
const chartOf = () => new ServingChart(Testing.app(), 'serving', { environment: 'production', nodePools: POOLS, modelStoreUri: 's3://models-bucket' });
const synth = (chart: ServingChart) => Testing.synth(chart) as K8sObject[];
const ONLINE = { image: 'registry.example.com/pipeline-orchestrator:2.3.1', redis: { host: 'cache.example.com', authToken: { secretName: 'redis-auth', key: 'token' } } };

describe('ModelService.fromServiceName', () => {
  test('a ModelService\'s defaults: port 80, its name as selector and ServiceAccount, the chart\'s namespace, 60 s', () => {
    const chart = chartOf();
    const count = synth(chart).length;
    const ner = ModelService.fromServiceName(chart, 'ner', { serviceName: 'bert-ner' });
    expect({
      serviceName: ner.serviceName, namespace: ner.namespace, host: ner.host, port: ner.port, podPorts: ner.podPorts, selector: ner.selector,
      serviceAccountName: ner.serviceAccountName, inferencePath: ner.inferencePath, requestTimeoutSeconds: ner.requestTimeoutSeconds, auth: ner.auth,
    }).toEqual({
      serviceName: 'bert-ner', namespace: PROD, host: `bert-ner.${PROD}.svc.cluster.local`, port: 80, podPorts: [], selector: { 'modelserve.io/service': 'bert-ner' },
      serviceAccountName: 'bert-ner', inferencePath: undefined, requestTimeoutSeconds: 60, auth: undefined,
    });
    // Nothing is created.
    expect(synth(chart)).toHaveLength(count);
  });

  test('a ModelService answers the same questions about itself', () => {
    const chart = chartOf();
    const ner = new ModelService(chart, 'ner', {
      ...CPU_SERVICE, name: 'bert-ner', image: 'nvcr.io/nvidia/tritonserver:24.08-py3', server: ModelServer.triton(),
      auth: { jwt: { issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks' }, allowedServiceAccounts: [{ name: 'batch', namespace: 'jobs' }] },
    });
    expect([ner.port, ner.grpcPort, ner.podPorts, ner.serviceAccountName, ner.inferencePath, ner.requestTimeoutSeconds])
      .toEqual([80, 8001, [8000, 8001], 'bert-ner', '/v2/models/model_abc123/infer', 60]);
    expect(ner.auth).toEqual({ jwt: true, allowedServiceAccounts: [{ name: 'batch', namespace: 'jobs' }] });
  });

  test('a step of a pipeline in another namespace: called at its host, the pipeline\'s pods opened to its pods on the ports given', () => {
    const chart = chartOf();
    const ner = ModelService.fromServiceName(chart, 'ner', { serviceName: 'bert-ner', namespace: 'models-nlp', podPorts: [8000], inferencePath: '/v2/models/bert-ner/infer' });
    const ocr = ModelService.fromServiceName(chart, 'ocr', { serviceName: 'ocr', namespace: 'models-vision' });
    new ModelPipeline(chart, 'docs', { stages: [{ service: ocr, path: '/v1/ocr' }, ner], online: ONLINE });
    const objects = synth(chart);
    const env = one(objects, 'WorkflowTemplate', 'docs').spec.templates.find((t: any) => t.name === 'call-bert-ner').container.env;
    expect(env).toContainEqual({ name: 'STEP_URL', value: 'http://bert-ner.models-nlp.svc.cluster.local/v2/models/bert-ner/infer' });
    const to = (namespace: string, service: string) => [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } }, podSelector: { matchLabels: { 'modelserve.io/service': service } } }];
    const egress = [{ to: to('models-vision', 'ocr') }, { to: to('models-nlp', 'bert-ner'), ports: [{ port: 8000, protocol: 'TCP' }] }];
    expect(one(objects, 'NetworkPolicy', 'docs-steps-to-services').spec).toEqual({
      podSelector: { matchLabels: { 'modelserve.io/pipeline': 'docs' }, matchExpressions: [{ key: 'modelserve.io/pipeline-step', operator: 'Exists' }] },
      policyTypes: ['Egress'],
      egress,
    });
    expect(one(objects, 'NetworkPolicy', 'docs-orchestrator-to-services').spec.podSelector).toEqual({ matchLabels: { 'modelserve.io/service': 'docs-orchestrator' } });
  });

  test('a step without a path on a service imported without one', () => {
    const chart = chartOf();
    const ner = ModelService.fromServiceName(chart, 'ner', { serviceName: 'bert-ner' });
    expect(rejectionOf(() => new ModelPipeline(chart, 'docs', { stages: [ner] })))
      .toBe('serving/docs: stages[0].path (not set) is not set and service "bert-ner" was imported without an inferencePath; give the path the step POSTs to, e.g. "/predict"');
  });

  test('a service imported with auth that does not name the pipeline', () => {
    const chart = chartOf();
    const ner = ModelService.fromServiceName(chart, 'ner', { serviceName: 'bert-ner', auth: { jwt: true, allowedServiceAccounts: [{ name: 'batch' }] } });
    expect(rejectionOf(() => new ModelPipeline(chart, 'docs', { stages: [{ service: ner, path: '/infer' }] })))
      .toBe(`serving/docs: stages[0].service ("bert-ner") refuses callers without a JWT except the ServiceAccounts its auth.allowedServiceAccounts lists (${PROD}/batch), `
        + 'and the pipeline calls it as docs-workflow; add ModelPipeline.serviceAccounts("docs") to bert-ner\'s auth.allowedServiceAccounts');
  });

  test('admitted by a ModelService of this app: its pods in its namespace; no egress made on its side, which is not this app\'s', () => {
    const chart = chartOf();
    const ranker = new ModelService(chart, 'ranker', { ...CPU_SERVICE, name: 'ranker', server: ModelServer.custom({ port: 8080, healthPath: '/healthz' }) });
    const access = ranker.allowFrom(ModelService.fromServiceName(chart, 'search', { serviceName: 'search', namespace: 'models-search' }));
    expect(access.peerEgressPolicy).toBeUndefined();
    expect(ofKind(synth(chart), 'NetworkPolicy', 'ranker-from-models-search-search')[0].spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'models-search' } }, podSelector: { matchLabels: { 'modelserve.io/service': 'search' } } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }]);
  });

  describe('attributes checked for their form', () => {
    const refused = (attributes: ModelServiceAttributes) => {
      const chart = chartOf();
      const message = rejectionOf(() => ModelService.fromServiceName(chart, 'ner', attributes));
      expect(chart.node.tryFindChild('ner')).toBeUndefined();
      return message;
    };

    test.each<[string, ModelServiceAttributes, string | RegExp]>([
      ['a service name that is not one', { serviceName: 'Bert_NER' }, /^serving\/ner: serviceName \("Bert_NER"\) is not a valid name: lowercase letters/],
      ['an empty selector', { serviceName: 'ner', selector: {} },
        'serving/ner: selector ({}) is empty, which would select every pod of the namespace; give the labels every pod of the service carries, e.g. { "modelserve.io/service": "ner" }'],
      ['a path that is not one', { serviceName: 'ner', inferencePath: 'v2/infer' },
        'serving/ner: inferencePath ("v2/infer") is not a URL path (it must start with "/" and hold no spaces, "?", "#" or "*"); give the path the server answers inference on, e.g. "/v2/models/bert-ner/infer"'],
      ['a port out of range', { serviceName: 'ner', podPorts: [70000] }, 'serving/ner: podPorts[0] (70000) must be a whole number from 1 to 65535; give the container ports the pods serve on, e.g. [8000]'],
      ['a misspelt attribute, from JavaScript', { serviceName: 'ner', namspace: 'models-nlp' } as ModelServiceAttributes, /^serving\/ner: namspace \("models-nlp"\) is not an ImportedModelService prop.*namespace/],
    ])('%s', (_, attributes, message) => {
      if (typeof message === 'string') expect(refused(attributes)).toBe(message);
      else expect(refused(attributes)).toMatch(message);
    });
  });
});
