import { LanguageModels, NodePools } from '../../lib/catalog';
import { ModelServer, ModelService } from '../../lib/k8s';
import { chart, synth } from '../support/serving';

test('scratch', () => {
  const c = chart('production', [NodePools.general(), NodePools.gpu({ gpu: 'T4' }), NodePools.gpu({ gpu: 'L4', instanceTypes: ['g6.2xlarge'] })]);
  try {
    new ModelService(c, 'big', { model: { id: 'llama', version: '1', uri: 's3://models-bucket/llama/{version}/' }, server: ModelServer.vllm({ model: LanguageModels.llama31_70B(), dtype: 'float16' }), resources: { cpu: 4, memoryGiB: 32, gpu: { model: 'T4' } as any } });
  } catch (e) { console.log((e as Error).message); }
  new ModelService(c, 'small', { model: { id: 'llama8', version: '1', uri: 's3://models-bucket/llama8/{version}/' }, server: ModelServer.vllm({ model: LanguageModels.llama31_8B(), maxContextTokens: 8192, concurrentSequences: 2 }), resources: { cpu: 6, memoryGiB: 24, gpu: { model: 'L4' } as any }, autoscaling: { minReplicas: 2, maxReplicas: 4, queueLength: 8, targetKvCacheUtilization: 80 } });
  const d = synth(c).find((o) => o.kind === 'Deployment' && o.metadata.name === 'small')!;
  console.log(JSON.stringify(d.spec.template.metadata.annotations), d.spec.template.spec.containers[0].args, JSON.stringify(d.spec.template.spec.containers[0].startupProbe), JSON.stringify(d.spec.template.spec.containers[0].resources));
  console.log(JSON.stringify(synth(c).find((o) => o.kind === 'ScaledObject')!.spec, null, 1));
});
