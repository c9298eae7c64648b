import { Construct } from 'constructs';
import { GpuShare } from '../../lib/catalog';
import { ModelPipeline, ModelServeDashboards, ModelServer, ModelService, Rollout, ServicePeer, ServingChart } from '../../lib/k8s';
import { PRODUCTION_NODE_POOLS } from '../node-pools';
import { PLATFORM_TEAM } from '../platform/deployer';

/** The model bucket the platform example creates: `<name>-<env>-models-<account>-<region>`. */
const MODEL_BUCKET = 's3://modelserve-prod-models-123456789012-us-east-1';
/** Private subnets of the platform example's VPC, where ElastiCache listens. */
const CACHE_SUBNETS = '10.0.0.0/16';
/** The platform example's Cache: its primaryEndpointAddress and port outputs. */
const CACHE_ENDPOINT = 'master.modelserve-prod-cache.abc123.use1.cache.amazonaws.com';
const CACHE_PORT = 6379;
/** The platform account's ECR, where the orchestrator image built from orchestrator/Dockerfile is pushed. */
const ECR_REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

/**
 * Production model services: two GPU models, a small one on a time-sliced GPU slot, an OCR model
 * on CPU, and the document pipeline that chains them, in batch (Argo Workflows) and online (an
 * orchestrator keeping its state in Redis). Every pod's loader copies its model from the bucket
 * with the pod's EKS Pod Identity role (grant it with ModelStore.grantServiceAccount on the AWS
 * side: one grant per service account, e.g. bert-ner, resnet); the servers read the local copy.
 */
export function productionServing(scope: Construct): ServingChart {
  const chart = new ServingChart(scope, 'serving-production', {
    environment: 'production',
    nodePools: PRODUCTION_NODE_POOLS,
    // Services without model.uri load <bucket>/<model id>/<version>/.
    modelStoreUri: MODEL_BUCKET,
    // The cost-allocation label of every service's objects and pods (the AWS side's tag too).
    team: PLATFORM_TEAM,
  });

  // The four Grafana dashboards (overview, performance, canary, infrastructure), one set per cluster.
  new ModelServeDashboards(chart, 'dashboards');

  // Token classification on T4s: scales on GPU use and request rate, never below two replicas.
  new ModelService(chart, 'bert-ner', {
    description: 'BERT named-entity recognition for the document pipeline',
    model: { id: 'bert-ner', version: '3.2.0', uri: `${MODEL_BUCKET}/bert-ner/{version}/` },
    image: 'nvcr.io/nvidia/tritonserver:26.07-py3',
    server: ModelServer.triton(),
    resources: { cpu: 3, memoryGiB: 12, gpu: { count: 1, model: 'T4' }, storageGiB: 10 },
    autoscaling: { minReplicas: 2, maxReplicas: 8, targetGpuUtilization: 70, requestsPerSecond: 50 },
    // Readiness is Triton's model-ready endpoint for bert-ner (the preset's default): a pod whose
    // model failed to load never takes traffic.
    loadBalancer: { algorithm: 'least-connections', healthCheck: { path: '/v2/models/bert-ner/ready', intervalSeconds: 10 } },
    requestTimeoutSeconds: 30,
    monitoring: { alerts: { latencyP99Ms: 250 } },
    // The document pipeline stops without it: scheduled before, and may preempt, standard services.
    priority: 'critical',
  });

  // Image classification on A100s, with 10 % of requests on the new version.
  const resnet = new ModelService(chart, 'resnet', {
    description: 'ResNet-50 image classifier',
    model: { id: 'resnet50', version: '1.0.0' },
    image: 'nvcr.io/nvidia/tritonserver:26.07-py3',
    resources: { cpu: 8, memoryGiB: 64, gpu: { count: 1, model: 'A100' }, storageGiB: 20 },
    autoscaling: { minReplicas: 2, maxReplicas: 6, targetGpuUtilization: 75 },
    rollout: Rollout.canary({ newVersion: '1.1.0', weight: 10 }),
    // Callers need a Cognito access token with the models/infer scope (such tokens carry no "aud");
    // each replica takes at most 200 requests per second.
    auth: {
      jwt: {
        issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE',
        jwksUri: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE/.well-known/jwks.json',
        requiredClaims: { scope: ['models/infer'] },
      },
    },
    rateLimit: { requestsPerSecond: 200, burst: 400 },
  });
  // The document pipeline below calls resnet without a token: its batch pods and its orchestrator
  // are admitted by their mesh identities (and their pods by a NetworkPolicy), before it exists.
  resnet.allowFrom(ServicePeer.pipeline('documents'));

  // A small sentiment model does not need a whole T4: one time-sliced slot of the shared T4 pool
  // (4 slots per GPU). GPU utilisation of a shared GPU counts every tenant, so it scales on requests.
  new ModelService(chart, 'sentiment', {
    description: 'DistilBERT sentiment for support tickets',
    model: { id: 'distilbert-sentiment', version: '1.4.0' },
    image: 'nvcr.io/nvidia/tritonserver:26.07-py3',
    resources: { cpu: 1, memoryGiB: 4, gpu: { count: 1, model: 'T4', share: GpuShare.timeSliced() }, storageGiB: 5 },
    autoscaling: { minReplicas: 2, maxReplicas: 8, requestsPerSecond: 40 },
    // What the pods really use, to right-size resources by hand (kubectl describe vpa sentiment);
    // recommendations only, with PlatformAddons' verticalPodAutoscaler installed.
    resourceRecommendations: true,
  });

  // Text recognition on CPU (a custom ONNX Runtime server): pages in, text and boxes out.
  new ModelService(chart, 'ocr', {
    description: 'Document OCR: page images to text and word boxes',
    model: { id: 'doc-ocr', version: '4.1.0' },
    image: 'registry.example.com/modelserve/ocr-server:4.1.0',
    server: ModelServer.custom({ port: 8080, healthPath: '/healthz', livenessPath: '/livez' }),
    resources: { cpu: 4, memoryGiB: 8, storageGiB: 5 },
    // Invoices arrive in office hours: two pods at night and at weekends, at least six on weekdays
    // from 07:30 to 19:00 in Berlin, and CPU adds more whenever the pages pile up.
    autoscaling: {
      minReplicas: 2,
      maxReplicas: 12,
      targetCpuUtilization: 65,
      schedule: [{ name: 'office-hours', timeZone: 'Europe/Berlin', start: '30 7 * * 1-5', end: '0 19 * * 1-5', minReplicas: 6 }],
    },
    requestTimeoutSeconds: 60,
    // The server looks words up in a hosted dictionary API: it calls http://dictionary.example.com
    // and its sidecar opens TLS; the egress policy opens port 443 and nothing else.
    externalServices: [{ host: 'dictionary.example.com' }],
    // A new pod reads three small pages before it takes traffic: its ONNX sessions and thread
    // pools are built by then, and the first invoice of the day is not the slow one.
    warmup: { requests: [{ path: '/v1/ocr', body: '{"image_url":"file:///models/model/warmup/page.png"}', repeat: 3 }] },
  });

  // Each scanned page: ResNet classifies it (invoice, letter, form) while OCR reads it, then
  // BERT finds the entities in the text. One definition, two ways to run it:
  //   batch:  argo submit -n models-production --from workflowtemplate/documents -p input='{...}'
  //   online: POST http://documents-orchestrator.models-production.svc.cluster.local/v1/runs?wait=true
  new ModelPipeline(chart, 'documents', {
    description: 'Page classification and OCR side by side, then named entities from the text',
    stages: [
      [{ service: 'resnet', timeoutSeconds: 30 }, { service: 'ocr', path: '/v1/ocr', timeoutSeconds: 60 }],
      // Entities from the text only: NER takes OCR's response, not the classification.
      { service: 'bert-ner', dependsOn: ['ocr'], timeoutSeconds: 30, retries: 3 },
    ],
    batch: { activeDeadlineSeconds: 1800 },
    online: {
      // <ECR_REGISTRY>/modelserve/pipeline-orchestrator:0.1.0, built from orchestrator/Dockerfile.
      imageRegistry: ECR_REGISTRY,
      // The Cache's outputs; its AUTH token synced from Secrets Manager by External Secrets.
      redis: { host: CACHE_ENDPOINT, port: CACHE_PORT, authToken: { secretName: 'redis-auth', key: 'token' }, cidr: CACHE_SUBNETS },
      autoscaling: { minReplicas: 2, maxReplicas: 10, targetCpuUtilization: 70 },
    },
  });
  return chart;
}
