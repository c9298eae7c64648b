import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Construct } from 'constructs';
import { CanaryPause, ModelPipeline, ModelServer, ModelService, PipelinePayloads, Rollout, ServingChart, ServingSpecs } from '../../lib/k8s';
import { PRODUCTION_NODE_POOLS } from '../node-pools';

/** examples/specs: beside this file in the repository, three folders up from build/examples/serving. */
export const SPECS_FOLDER = [join(__dirname, '..', 'specs'), join(__dirname, '..', '..', '..', 'examples', 'specs')].find((d) => existsSync(d))!;

/** The chart the model owners' spec files go into: the platform team keeps the environment and the pools. */
function specsChart(scope: Construct): ServingChart {
  return new ServingChart(scope, 'serving-specs', {
    environment: 'production',
    nodePools: PRODUCTION_NODE_POOLS,
    namespace: 'models-specs',
    modelStoreUri: 's3://modelserve-prod-models-123456789012-us-east-1',
  });
}

/** The services and the pipeline of examples/specs/, read from their YAML and JSON files. */
export function specServing(scope: Construct): ServingChart {
  const chart = specsChart(scope);
  ServingSpecs.fromDirectory(SPECS_FOLDER).addTo(chart);
  return chart;
}

/**
 * The same services and pipeline written in TypeScript, in the order the files give them (files
 * by name, services before pipelines): test/k8s/spec-files.test.ts proves both synthesize to the
 * same bytes.
 */
export function specServingInTypeScript(scope: Construct): ServingChart {
  const chart = specsChart(scope);
  new ModelService(chart, 'ocr', {
    description: 'Document OCR: page images to text and word boxes',
    model: { id: 'doc-ocr', version: '4.1.0' },
    image: 'registry.example.com/modelserve/ocr-server:4.1.0',
    server: ModelServer.custom({ port: 8080, healthPath: '/healthz', livenessPath: '/livez' }),
    resources: { cpu: 4, memoryGiB: 8, storageGiB: 5 },
    autoscaling: { minReplicas: 2, maxReplicas: 12, targetCpuUtilization: 65 },
    config: { data: { OCR_LANGUAGES: 'eng+deu', OCR_DPI: '300' }, asEnv: true },
    requestTimeoutSeconds: 60,
  });
  new ModelService(chart, 'resnet', {
    description: 'ResNet-50 image classifier',
    model: { id: 'resnet50', version: '1.0.0' },
    image: 'nvcr.io/nvidia/tritonserver:26.07-py3',
    server: ModelServer.triton(),
    resources: { cpu: 8, memoryGiB: 64, gpu: { count: 1, model: 'A100' }, storageGiB: 20 },
    autoscaling: { minReplicas: 2, maxReplicas: 6, targetGpuUtilization: 75 },
    loadBalancer: { algorithm: 'least-connections', healthCheck: { path: '/v2/models/resnet50/ready', intervalSeconds: 10 } },
    rollout: Rollout.canary({ newVersion: '1.1.0', weight: 10 }),
    monitoring: { alerts: { latencyP99Ms: 300 } },
  });
  new ModelService(chart, 'bert-ner', {
    description: 'BERT named-entity recognition for the document pipeline',
    model: { id: 'bert-ner', version: '3.2.0' },
    image: 'nvcr.io/nvidia/tritonserver:26.07-py3',
    resources: { cpu: 3, memoryGiB: 12, gpu: { count: 1, model: 'T4' }, storageGiB: 10 },
    autoscaling: { minReplicas: 2, maxReplicas: 8, targetGpuUtilization: 70, requestsPerSecond: 50 },
    env: { LOG_VERBOSE: '1' },
    requestTimeoutSeconds: 30,
  });
  new ModelService(chart, 'sentiment', {
    description: 'DistilBERT sentiment for support tickets.\nOwner: support-ml@example.com\n',
    model: { id: 'distilbert-sentiment', version: '1.4.0' },
    image: 'nvcr.io/nvidia/tritonserver:26.07-py3',
    resources: { cpu: 1, memoryGiB: 4, gpu: { count: 1, model: 'T4', share: { kind: 'time-slicing' } }, storageGiB: 5 },
    autoscaling: { minReplicas: 2, maxReplicas: 8, requestsPerSecond: 40 },
    rollout: Rollout.progressive({ steps: [{ weight: 20, pause: CanaryPause.minutes(10) }, { weight: 50, pause: CanaryPause.untilPromoted() }] }),
  });
  new ModelPipeline(chart, 'documents', {
    description: 'Page classification and OCR side by side, then named entities from the text',
    stages: [
      [{ service: 'resnet', timeoutSeconds: 30 }, { service: 'ocr', path: '/v1/ocr', timeoutSeconds: 60 }],
      { service: 'bert-ner', dependsOn: ['ocr'], timeoutSeconds: 30, retries: 3 },
    ],
    batch: { activeDeadlineSeconds: 1800, payloads: PipelinePayloads.parameters() },
  });
  return chart;
}
