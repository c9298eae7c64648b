import { Construct } from 'constructs';
import { ModelServer, ModelService, Rollout, ServingChart } from '../../lib/k8s';
import { PRODUCTION_NODE_POOLS } from '../node-pools';

/** The model bucket the platform example creates: `<name>-<env>-models-<account>-<region>`. */
const MODEL_BUCKET = 's3://modelserve-prod-models-123456789012-us-east-1';
/** Private subnets of the platform example's VPC, where ElastiCache listens. */
const CACHE_SUBNETS = '10.0.0.0/16';

/**
 * Production model services: two GPU models and the CPU pipeline orchestrator that calls them
 * and keeps its state in Redis.
 */
export function productionServing(scope: Construct): ServingChart {
  const chart = new ServingChart(scope, 'serving-production', {
    environment: 'production',
    nodePools: PRODUCTION_NODE_POOLS,
    // Services without model.uri load <bucket>/<model id>/<version>/.
    modelStoreUri: MODEL_BUCKET,
    // The orchestrator reaches ElastiCache (TLS on 6379) outside the cluster.
    namespaceOptions: { egress: [{ cidr: CACHE_SUBNETS, ports: [6379] }] },
  });

  // Token classification on T4s: scales on GPU use and request rate, never below two replicas.
  new ModelService(chart, 'bert-ner', {
    description: 'BERT named-entity recognition for the document pipeline',
    model: { id: 'bert-ner', version: '3.2.0', uri: `${MODEL_BUCKET}/bert-ner/{version}/` },
    image: 'nvcr.io/nvidia/tritonserver:24.08-py3',
    server: ModelServer.triton(),
    resources: { cpu: 3, memoryGiB: 12, gpu: { count: 1, model: 'T4' }, storageGiB: 10 },
    autoscaling: { minReplicas: 2, maxReplicas: 8, targetGpuUtilization: 70, requestsPerSecond: 50 },
    loadBalancer: { algorithm: 'least-connections', healthCheck: { path: '/v2/health/ready', intervalSeconds: 10 } },
    requestTimeoutSeconds: 30,
    monitoring: { alerts: { latencyP99Ms: 250 } },
  });

  // Image classification on A100s, with 10 % of requests on the new version.
  new ModelService(chart, 'resnet', {
    description: 'ResNet-50 image classifier',
    model: { id: 'resnet50', version: '1.0.0' },
    image: 'nvcr.io/nvidia/tritonserver:24.08-py3',
    resources: { cpu: 8, memoryGiB: 64, gpu: { count: 1, model: 'A100' }, storageGiB: 20 },
    autoscaling: { minReplicas: 2, maxReplicas: 6, targetGpuUtilization: 75 },
    rollout: Rollout.canary({ newVersion: '1.1.0', weight: 10 }),
    loadBalancer: { healthCheck: { path: '/v2/health/ready' } },
    // Callers need a Cognito access token with the models/infer scope (such tokens carry no "aud"),
    // or must be the orchestrator; each replica takes at most 200 requests per second.
    auth: {
      jwt: {
        issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE',
        jwksUri: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE/.well-known/jwks.json',
        requiredClaims: { scope: ['models/infer'] },
      },
      allowedServiceAccounts: [{ name: 'pipeline-orchestrator' }],
    },
    rateLimit: { requestsPerSecond: 200, burst: 400 },
  });

  // The orchestrator: CPU only, its state in Redis, the auth token from an existing Secret.
  new ModelService(chart, 'pipeline-orchestrator', {
    description: 'Runs document pipelines: calls bert-ner and resnet, keeps job state in Redis',
    model: { id: 'pipeline-orchestrator', version: '2.3.1', uri: `${MODEL_BUCKET}/pipelines/{version}/` },
    image: 'registry.example.com/modelserve/pipeline-orchestrator:2.3.1',
    server: ModelServer.custom({ port: 8080, healthPath: '/healthz', livenessPath: '/livez' }),
    resources: { cpu: 1, memoryGiB: 2, storageGiB: 2 },
    autoscaling: { minReplicas: 2, maxReplicas: 10, targetCpuUtilization: 70 },
    env: {
      REDIS_HOST: 'master.modelserve-prod-cache.abc123.use1.cache.amazonaws.com',
      REDIS_PORT: '6379',
      REDIS_TLS: 'true',
      BERT_NER_URL: 'http://bert-ner.models-production.svc.cluster.local',
      RESNET_URL: 'http://resnet.models-production.svc.cluster.local',
    },
    secrets: { env: { REDIS_AUTH_TOKEN: { secretName: 'redis-auth', key: 'token' } } },
    requestTimeoutSeconds: 120,
  });
  return chart;
}
