// The Kubernetes side: `npx cdk8s synth` writes dist/serving.k8s.yaml for Argo CD or Flux.
import { App } from 'cdk8s';
import { NodePools } from 'modelserve';
import { ModelServer, ModelService, Rollout, ServingChart } from 'modelserve/k8s';

const nodePools = [NodePools.general(), NodePools.gpu({ gpu: 'A100' }), NodePools.spot(), NodePools.highMemory()];
const app = new App();
const chart = new ServingChart(app, 'serving', {
  environment: 'production',
  nodePools,                                   // the same specs given to ModelServePlatform
  modelStoreUri: 's3://modelserve-prod-models-123456789012-us-east-1',
});
new ModelService(chart, 'resnet', {
  model: { id: 'resnet50', version: '1.0.0' },            // loads <modelStoreUri>/resnet50/<version>/
  image: 'nvcr.io/nvidia/tritonserver:26.07-py3',         // the preset's default; any pinned tag
  server: ModelServer.triton(),
  resources: { cpu: 8, memoryGiB: 64, gpu: { count: 1, model: 'A100' } },
  autoscaling: { minReplicas: 2, maxReplicas: 6, targetGpuUtilization: 75 },
  loadBalancer: { algorithm: 'least-connections' },        // ready = /v2/models/resnet50/ready
  rollout: Rollout.canary({ newVersion: '1.1.0', weight: 10 }),
});
app.synth();   // dist/serving.k8s.yaml
