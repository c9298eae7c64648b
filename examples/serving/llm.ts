import { Construct } from 'constructs';
import { LanguageModels } from '../../lib/catalog';
import { ModelServer, ModelService, Rollout, ServingChart } from '../../lib/k8s';
import { PRODUCTION_CAPACITY, PRODUCTION_NODE_POOLS } from '../node-pools';

/** The model bucket the platform example creates: `<name>-<env>-models-<account>-<region>`. */
const MODEL_BUCKET = 's3://modelserve-prod-models-123456789012-us-east-1';

/**
 * Language models on vLLM, in production: each knows its model, so its flags, GPUs and cache come
 * from it and synth proves that the weights and the KV cache fit the GPUs' memory; each scales on
 * vLLM's queue and KV-cache use, rolls out judged on time to first token and inter-token latency
 * against the running version, and is routed KV-cache-aware through its InferencePool. The chart
 * knows the platform's Karpenter capacity, so the weights land on the nodes' NVMe RAID0.
 */
export function llmServing(scope: Construct): ServingChart {
  const chart = new ServingChart(scope, 'serving-llm', {
    environment: 'production',
    namespace: 'models-llm',
    nodePools: PRODUCTION_NODE_POOLS,
    capacity: PRODUCTION_CAPACITY,
    modelStoreUri: MODEL_BUCKET,
  });

  // Llama 3.1 8B Instruct on one L4 (g6.2xlarge): bfloat16 weights (15 GiB), an 8K context with
  // room for two full sequences in the KV cache. Clients call the inference gateway:
  //   POST http://chat-inference-istio.models-llm.svc.cluster.local/v1/chat/completions
  new ModelService(chart, 'chat', {
    description: 'Llama 3.1 8B Instruct for the support assistant',
    model: { id: 'llama-3-1-8b-instruct', version: '2024-07-23' },
    server: ModelServer.vllm({ model: LanguageModels.llama31_8B(), maxContextTokens: 8192, concurrentSequences: 2 }),
    resources: { cpu: 6, memoryGiB: 24, gpu: { model: 'L4' } },
    // Scale before requests queue: at 80 % KV-cache use per replica, or 4 requests waiting.
    autoscaling: { minReplicas: 2, maxReplicas: 6, queueLength: 4, targetKvCacheUtilization: 80 },
    // Each new version: 10 %, 25 %, 50 % of the pods, rolled back above 1 s p90 / 3 s p99 TTFT,
    // 100 / 250 ms inter-token latency, 25 % slower than the running version, or 5 points more aborts.
    rollout: Rollout.progressive(),
    requestTimeoutSeconds: 300,
    inferencePool: true,
  });

  // Llama 3.1 70B Instruct over four H100s (tensor parallelism 4, two replicas per p5.48xlarge):
  // 131.5 GiB of bfloat16 weights, a 32K context with eight full sequences in the KV cache.
  new ModelService(chart, 'assistant', {
    description: 'Llama 3.1 70B Instruct for long documents',
    model: { id: 'llama-3-1-70b-instruct', version: '2024-07-23' },
    server: ModelServer.vllm({ model: LanguageModels.llama31_70B(), tensorParallelSize: 4, maxContextTokens: 32_768, concurrentSequences: 8 }),
    resources: { cpu: 40, memoryGiB: 320, gpu: { model: 'H100' } },
    autoscaling: { minReplicas: 2, maxReplicas: 4, queueLength: 8, targetKvCacheUtilization: 85 },
    rollout: Rollout.progressive({ analysis: { maxTimeToFirstTokenP90Ms: 2000, maxTimeToFirstTokenP99Ms: 6000 } }),
    requestTimeoutSeconds: 600,
    inferencePool: true,
  });
  return chart;
}
