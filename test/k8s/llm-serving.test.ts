import { Testing } from 'cdk8s';
import { examplesLlmChart } from '../support/llm-example';
import { Capacity, GpuShare, LanguageModels, NodePools } from '../../lib/catalog';
import { ModelServer, ModelService, ModelServiceProps, Rollout, ServingChart } from '../../lib/k8s';
import { restrictedViolations } from '../support/pod-security';
import { expectServiceRejected, one, ofKind, ofService, synth } from '../support/serving';

const llm = examplesLlmChart();

const POOLS = [
  NodePools.general(),
  NodePools.gpu({ gpu: 'T4' }),
  NodePools.gpu({ gpu: 'A10G' }),
  NodePools.gpu({ gpu: 'L4', instanceTypes: ['g6.12xlarge'] }),
  NodePools.gpu({ gpu: 'A100' }),
  NodePools.gpu({ gpu: 'H100' }),
];
const chartOf = (capacity?: Capacity) => new ServingChart(Testing.app(), 'serving', { environment: 'production', nodePools: POOLS, capacity });
const LLAMA_8B: ModelServiceProps = {
  model: { id: 'llama', version: '1.0.0', uri: 's3://models-bucket/llama/{version}/' },
  server: ModelServer.vllm({ model: LanguageModels.llama31_8B(), maxContextTokens: 8192 }),
  resources: { cpu: 4, memoryGiB: 32, gpu: { model: 'L4' } },
};

describe('the 8B example: Llama 3.1 8B on one L4', () => {
  const pod = one(llm, 'Deployment', 'chat').spec.template.spec;
  const server = pod.containers[0];

  test('vLLM gets its flags from the model, and the pod one L4 (tensorParallelSize 1)', () => {
    expect(server.args).toEqual(['$(MODEL_DIR)', '--served-model-name=$(MODEL_ID)', '--port=8000', '--tensor-parallel-size=1', '--max-model-len=8192', '--gpu-memory-utilization=0.9', '--dtype=bfloat16']);
    expect(server.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toContainEqual({ key: 'modelserve.io/node-pool', operator: 'In', values: ['gpu-l4'] });
  });

  test('the cache holds the weights (15 GiB, with a tenth and 2 GiB to spare), on the NVMe Karpenter stripes', () => {
    expect(pod.volumes.find((v: { name: string }) => v.name === 'model-cache').emptyDir.sizeLimit).toBe('19456Mi');
    // The loader copies with the AWS CLI's CRT client.
    expect(pod.initContainers[0].command[2]).toContain('preferred_transfer_client = crt');
    expect(pod.initContainers[0].command[2]).toContain('export AWS_CONFIG_FILE="$HOME/aws-config"');
    // It keeps many ranged GETs in flight: 4 cores and 4 GiB, within the server's own requests.
    expect(pod.initContainers[0].resources.limits).toMatchObject({ cpu: '4', memory: '4096Mi' });
  });

  test('the startup probe allows the weights\' read from NVMe (15 GiB at 500 MiB/s) and 300 s of warm-up; Karpenter leaves the pod alone until it has loaded', () => {
    expect(server.startupProbe).toMatchObject({ periodSeconds: 10, failureThreshold: 34 });
    // 52 s to copy 15 GiB at half of g6.2xlarge's 5 Gbit/s, then 331 s of startup budget.
    expect(one(llm, 'Deployment', 'chat').spec.template.metadata.annotations['karpenter.sh/do-not-disrupt']).toBe('383s');
  });

  test('it scales on vLLM\'s queue and KV-cache use (the name vLLM 0.28 exports), and waits the loading time before removing pods', () => {
    const scaled = one(llm, 'ScaledObject', 'chat').spec;
    expect(scaled.triggers.map((t: { name: string; metadata: { query: string; threshold: string } }) => [t.name, t.metadata.query, t.metadata.threshold])).toEqual([
      ['queue-length', 'sum(vllm:num_requests_waiting{namespace="models-llm", pod=~"(chat)-[a-z0-9]+-[a-z0-9]{5}"})', '4'],
      ['kv-cache-utilization', 'sum(vllm:kv_cache_usage_perc{namespace="models-llm", pod=~"(chat)-[a-z0-9]+-[a-z0-9]{5}"}) * 100', '80'],
    ]);
    expect(scaled.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'chat' });
    expect(scaled.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).toBe(383);
  });

  test('it rolls out progressively, judged on TTFT, inter-token latency and aborts against the stable version', () => {
    expect(ofKind(ofService(llm, 'chat'), 'AnalysisTemplate').map((t) => [t.metadata.name, t.spec.metrics.map((m: { name: string }) => m.name)])).toEqual([
      ['chat-error-rate', ['error-rate']],
      ['chat-time-to-first-token', ['ttft-p90', 'ttft-p90-vs-stable', 'ttft-p99', 'ttft-p99-vs-stable']],
      ['chat-inter-token-latency', ['itl-p90', 'itl-p90-vs-stable', 'itl-p99', 'itl-p99-vs-stable']],
      ['chat-aborted-requests', ['aborted-requests-vs-stable']],
      ['chat-failed-health-checks', ['failed-health-checks']],
    ]);
    expect(one(llm, 'Rollout', 'chat').spec.strategy.canary.analysis.args).toEqual([
      { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
      { name: 'stable-hash', valueFrom: { podTemplateHashValue: 'Stable' } },
    ]);
  });

  test('it is routed through its InferencePool: the pool holds its pods, llm-d\'s picker chooses, an istio Gateway and an HTTPRoute reach it', () => {
    expect(one(llm, 'InferencePool', 'chat').spec).toEqual({
      selector: { matchLabels: { 'modelserve.io/service': 'chat' } },
      targetPorts: [{ number: 8000 }],
      appProtocol: 'http',
      endpointPickerRef: { kind: 'Service', name: 'chat-epp', port: { number: 9002 }, failureMode: 'FailOpen' },
    });
    expect(one(llm, 'HTTPRoute', 'chat').spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'chat-inference', sectionName: 'http' }],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'chat' }], timeouts: { request: '300s' } }],
    });
    const gateway = one(llm, 'Gateway', 'chat-inference');
    expect(gateway.spec.gatewayClassName).toBe('istio');
    expect(gateway.metadata.annotations).toEqual({ 'networking.istio.io/service-type': 'ClusterIP' });
    expect(gateway.spec.listeners).toEqual([{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } }]);
    // The Gateway's pods never carry the service's label: they would join its Service and pool.
    expect(gateway.metadata.labels?.['modelserve.io/service']).toBeUndefined();
    expect(gateway.metadata.labels?.['modelserve.io/inference-gateway']).toBe('chat');
    expect(gateway.spec.infrastructure.labels['modelserve.io/service']).toBeUndefined();
  });

  test('the endpoint picker: pinned image, one replica, Pod Security "restricted", mesh mTLS instead of its own TLS, read-only RBAC on pods and pools', () => {
    const epp = one(llm, 'Deployment', 'chat-epp');
    const spec = epp.spec.template.spec;
    expect(spec.containers[0].image).toBe('ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.0');
    expect(epp.spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
    expect(restrictedViolations(spec)).toEqual([]);
    expect(spec.containers[0].args).toEqual(expect.arrayContaining(['--pool-name', 'chat', '--pool-namespace', 'models-llm', '--secure-serving=false']));
    // Its pods are not the service's: neither its Service nor its pool selects them.
    expect(epp.spec.template.metadata.labels['modelserve.io/service']).toBeUndefined();
    expect(one(llm, 'Role', 'chat-epp').rules.every((r: { verbs: string[] }) => r.verbs.every((v) => ['get', 'list', 'watch'].includes(v)))).toBe(true);
    expect(one(llm, 'Service', 'chat-epp').spec.ports.map((p: { name: string; port: number }) => [p.name, p.port])).toEqual([['grpc-ext-proc', 9002], ['http-metrics', 9090]]);
  });

  test('network policy: only the Gateway\'s pods reach the picker\'s ext_proc port; the Gateway takes requests from the namespace and the mesh ingress gateway', () => {
    const picker = one(llm, 'NetworkPolicy', 'chat-epp').spec;
    expect(picker.ingress[0]).toEqual({ from: [{ podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'chat-inference' } } }], ports: [{ protocol: 'TCP', port: 9002 }] });
    expect(picker.egress).toEqual([{ to: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: 'TCP', port: 443 }] }]);
    const gateway = one(llm, 'NetworkPolicy', 'chat-inference-gateway').spec;
    expect(gateway.podSelector).toEqual({ matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'chat-inference' } });
    expect(gateway.ingress.map((r: { ports: { port: number }[] }) => r.ports[0].port)).toEqual([80, 80]);
  });

  test('the Gateway\'s Envoy, deployed by Istio, gets seccomp RuntimeDefault (restricted), two replicas and a PodDisruptionBudget through its parameters ConfigMap', () => {
    const options = one(llm, 'ConfigMap', 'chat-inference-gateway').data;
    expect(JSON.parse(options.deployment).spec.template.spec.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
    expect(JSON.parse(options.horizontalPodAutoscaler)).toEqual({ spec: { minReplicas: 2, maxReplicas: 5 } });
    expect(JSON.parse(options.podDisruptionBudget)).toEqual({ spec: { minAvailable: 1 } });
    expect(one(llm, 'Gateway', 'chat-inference').spec.infrastructure.parametersRef).toEqual({ group: '', kind: 'ConfigMap', name: 'chat-inference-gateway' });
  });
});

describe('the 70B example: Llama 3.1 70B over four H100s', () => {
  test('tensor parallelism 4: four GPUs per pod, two pods per p5.48xlarge, the flags to match', () => {
    const server = one(llm, 'Deployment', 'assistant').spec.template.spec.containers[0];
    expect(server.resources.limits['nvidia.com/gpu']).toBe(4);
    expect(server.args).toEqual(expect.arrayContaining(['--tensor-parallel-size=4', '--max-model-len=32768', '--dtype=bfloat16']));
  });

  test('its 131.5 GiB of weights get a 147 GiB cache and a startup budget of 270 s to read them at 500 MiB/s plus warm-up', () => {
    const pod = one(llm, 'Deployment', 'assistant').spec.template.spec;
    expect(pod.volumes.find((v: { name: string }) => v.name === 'model-cache').emptyDir.sizeLimit).toBe('150528Mi');
    expect(pod.containers[0].startupProbe.failureThreshold).toBe(57);
  });
});

describe('bad input is refused with field, value and fix, and leaves nothing behind', () => {
  test('Llama 3.1 70B in float16 on one T4: the numbers, and what would fit', () => {
    expectServiceRejected(
      { ...LLAMA_8B, server: ModelServer.vllm({ model: LanguageModels.llama31_70B(), dtype: 'float16' }), resources: { cpu: 4, memoryGiB: 32, gpu: { model: 'T4' } } },
      'serving/svc: resources.gpu ({"count":1,"model":"T4"}) cannot hold Llama 3.1 70B, float16, 131.5 GiB of weights over 1 GPU: on T4 it needs 173.5 GiB per GPU (weights 131.5, KV cache 40 for 1 × 131072 tokens, runtime 2) of 14.4 GiB (16 GiB × 0.9 gpuMemoryUtilization); serve a checkpoint quantized with awq and tensorParallelSize 8 (T4 runs awq); or use a GPU with more memory: A100 (80 GiB) with tensorParallelSize 4, H100 (80 GiB) with tensorParallelSize 4, L40S (44.7 GiB) with tensorParallelSize 8',
      chartOf(),
    );
  });

  test('a context longer than the model\'s', () => {
    expectServiceRejected({ ...LLAMA_8B, server: ModelServer.vllm({ model: LanguageModels.llama31_8B(), maxContextTokens: 200_000 }) }, 'serving/svc: server.maxContextTokens (200000) is longer than Llama 3.1 8B\'s context (131072 tokens), which vLLM refuses (max_model_len above max_position_embeddings); give at most 131072', chartOf());
  });

  test('tensor parallelism that does not divide the GPUs, or gives the pod GPUs it would not use', () => {
    const tp2 = ModelServer.vllm({ model: LanguageModels.llama31_8B(), maxContextTokens: 8192, tensorParallelSize: 2 });
    expectServiceRejected({ ...LLAMA_8B, server: tp2, resources: { cpu: 4, memoryGiB: 32, gpu: { model: 'L4', count: 3 } } }, 'serving/svc: server.tensorParallelSize (2) does not divide resources.gpu.count (3): each replica spreads the model over exactly tensorParallelSize GPUs; set resources.gpu.count to 2, or leave it out (it follows tensorParallelSize)', chartOf());
    expectServiceRejected({ ...LLAMA_8B, server: tp2, resources: { cpu: 4, memoryGiB: 32, gpu: { model: 'L4', count: 4 } } }, 'serving/svc: resources.gpu.count (4) gives each pod 4 GPUs but vLLM uses tensorParallelSize (2) of them; the rest would sit idle; set resources.gpu.count to 2 (or leave it out), or raise server.tensorParallelSize to 4', chartOf());
  });

  test('tensor parallelism that does not divide the model\'s attention heads', () => {
    expectServiceRejected({ ...LLAMA_8B, server: ModelServer.vllm({ model: LanguageModels.qwen25_7B(), tensorParallelSize: 8 }), resources: { cpu: 4, memoryGiB: 32, gpu: { model: 'H100' } } }, 'serving/svc: server.tensorParallelSize (8) does not divide Qwen2.5 7B\'s 28 attention heads, which vLLM requires; use one of 1, 2, 4', chartOf());
  });

  test('a quantization the GPU lacks (FP8 on an A10G), and bfloat16 on a T4', () => {
    expectServiceRejected({ ...LLAMA_8B, server: ModelServer.vllm({ model: LanguageModels.llama31_8B(), quantization: 'fp8', maxContextTokens: 8192 }), resources: { cpu: 3, memoryGiB: 12, gpu: { model: 'A10G' } } }, 'serving/svc: server.quantization ("fp8") is a quantization the GPU lacks: A10G (compute capability 8.6) has no kernels for FP8 weights and activations (W8A8), which need 8.9 (https://docs.vllm.ai/en/latest/features/quantization/); serve an unquantized checkpoint or one quantized with int8, awq, gptq, bitsandbytes on A10G, or request a GPU that runs fp8 (L4, L40S or H100)', chartOf());
    expectServiceRejected({ ...LLAMA_8B, server: ModelServer.vllm({ model: LanguageModels.llama31_8B(), dtype: 'bfloat16', quantization: 'awq', maxContextTokens: 4096 }), resources: { cpu: 3, memoryGiB: 12, gpu: { model: 'T4' } } }, 'serving/svc: server.dtype ("bfloat16") is a dtype the GPU lacks: T4 (compute capability 7.5) has no bfloat16, which needs 8.0; use dtype: "float16" on T4, or an Ampere or newer GPU for bfloat16', chartOf());
  });

  test('no GPU, a shared GPU, or a startup budget shorter than the weights need', () => {
    expectServiceRejected({ ...LLAMA_8B, resources: { cpu: 4, memoryGiB: 8 } }, 'serving/svc: resources.gpu (not set) is not set, but Llama 3.1 8B is served by vLLM on GPUs; request the GPU model, e.g. { model: "L4" } (the count follows server.tensorParallelSize)', chartOf());
    expectServiceRejected({ ...LLAMA_8B, resources: { cpu: 4, memoryGiB: 32, gpu: { model: 'L4', count: 1, share: GpuShare.timeSliced() } } }, /resources\.gpu\.share \("time-slicing"\) shares a GPU, but vLLM sizes its KV cache from the whole GPU's memory/, chartOf());
    expectServiceRejected({ ...LLAMA_8B, startupTimeoutSeconds: 100 }, 'serving/svc: startupTimeoutSeconds (100) is shorter than loading 15 GiB of weights takes on the slowest candidate pool (123 s to read them, 300 s of engine warm-up), so the kubelet would restart every pod before it is ready; give at least 423, or leave it out to derive it', chartOf());
  });

  test('an architecture given by hand with impossible numbers', () => {
    expectServiceRejected({ ...LLAMA_8B, server: ModelServer.vllm({ model: LanguageModels.custom({ ...LanguageModels.llama31_8B(), kvHeads: 5 }) }) }, 'serving/svc: server.model.kvHeads (5) does not divide attentionHeads (32); give num_key_value_heads from the model\'s config.json', chartOf());
  });

  test('rollback thresholds of the other kind of server are refused, not ignored', () => {
    const common = { ...LLAMA_8B, replicas: 2 };
    expectServiceRejected({ ...common, rollout: Rollout.progressive({ analysis: { maxLatencyP99Ms: 500 } }) }, 'serving/svc: rollout.analysis.maxLatencyP99Ms (500) judges the whole response, which for a language model grows with the tokens it writes, so a vLLM service is not judged on it; use maxTimeToFirstTokenP99Ms and maxInterTokenLatencyP99Ms', chartOf());
    const triton = { model: LLAMA_8B.model, image: 'nvcr.io/nvidia/tritonserver:26.07-py3', resources: { cpu: 2, memoryGiB: 8, gpu: { count: 1, model: 'T4' as const } }, replicas: 2 };
    expectServiceRejected({ ...triton, rollout: Rollout.progressive({ analysis: { maxTimeToFirstTokenP90Ms: 500 } }) }, 'serving/svc: rollout.analysis.maxTimeToFirstTokenP90Ms (500) reads vLLM\'s metrics, and this service does not run vLLM; remove it; other servers are judged on maxErrorRatePercent, maxLatencyP99Ms and maxFailedHealthChecks', chartOf());
    expectServiceRejected({ ...common, rollout: Rollout.progressive({ analysis: { maxTimeToFirstTokenP90Ms: 5000, maxTimeToFirstTokenP99Ms: 4000 } }) }, /maxTimeToFirstTokenP90Ms \(5000\) is above maxTimeToFirstTokenP99Ms \(4000\)/, chartOf());
  });

  test('KV-cache autoscaling needs vLLM and its version (the gauge was renamed in 0.10)', () => {
    const triton = { model: LLAMA_8B.model, image: 'nvcr.io/nvidia/tritonserver:26.07-py3', resources: { cpu: 2, memoryGiB: 8, gpu: { count: 1, model: 'T4' as const } } };
    expectServiceRejected({ ...triton, autoscaling: { minReplicas: 2, targetKvCacheUtilization: 80 } }, 'serving/svc: autoscaling.targetKvCacheUtilization (80) is set but the triton server has no KV cache to measure; scale on queueLength or requestsPerSecond instead, or serve a language model with ModelServer.vllm()', chartOf());
    const digest = `registry.example.com/vllm@sha256:${'a'.repeat(64)}`;
    expectServiceRejected({ ...LLAMA_8B, image: digest, autoscaling: { minReplicas: 2, targetKvCacheUtilization: 80 } }, 'serving/svc: server.version (not set) is not set and the image tag names no vLLM version, which autoscaling.targetKvCacheUtilization needs (vLLM renamed its KV-cache gauge in 0.10); give ModelServer.vllm({ version: "0.28.0" }), or an image tagged with its version', chartOf());
  });

  test('an InferencePool needs vLLM 0.10 or later, and a rollout the picker can carry', () => {
    const triton = { model: LLAMA_8B.model, image: 'nvcr.io/nvidia/tritonserver:26.07-py3', resources: { cpu: 2, memoryGiB: 8, gpu: { count: 1, model: 'T4' as const } } };
    expectServiceRejected({ ...triton, inferencePool: true }, 'serving/svc: inferencePool (true) is set on a triton server, but the endpoint picker scores pods on vLLM\'s metrics (queue, KV-cache use, prefix cache); serve the model with ModelServer.vllm(), or leave inferencePool out', chartOf());
    expectServiceRejected({ ...LLAMA_8B, image: 'vllm/vllm-openai:v0.9.2', inferencePool: true }, 'serving/svc: inferencePool (true) is set on vLLM 0.9.2, older than 0.10, whose KV-cache gauge (vllm:gpu_cache_usage_perc) the endpoint picker does not read; serve the model with vLLM 0.10 or later (the preset\'s default image is current)', chartOf());
    expectServiceRejected({ ...LLAMA_8B, inferencePool: true, rollout: Rollout.abTest({ variantVersion: '1.1.0', match: { header: { name: 'x-variant', value: 'b' } } }) }, /rollout \("ab-test"\) cannot be routed through an InferencePool: the endpoint picker chooses among the pool's pods by load and cache, not by header or copy, so variant B would get requests that do not match/, chartOf());
    expectServiceRejected({ ...LLAMA_8B, inferencePool: { failureMode: 'Open' as never } }, 'serving/svc: inferencePool.failureMode ("Open") is not supported; use one of "FailOpen", "FailClose"', chartOf());
    expectServiceRejected({ ...LLAMA_8B, inferencePool: { gatewayReplica: 2 } as never }, 'serving/svc: inferencePool.gatewayReplica (2) is not an option of inferencePool; use one of endpointPickerImage, endpointPickerResources, failureMode, gatewayReplicas', chartOf());
  });
});

describe('the proof on the chart\'s pools', () => {
  test('of two A100 pools, only the one whose GPUs hold the model is a candidate', () => {
    const c = new ServingChart(Testing.app(), 'serving', { environment: 'production', nodePools: [NodePools.general(), NodePools.gpu({ gpu: 'A100' }), NodePools.gpu({ gpu: 'A100', name: 'gpu-a100-80gb', instanceTypes: ['p4de.24xlarge'] })] });
    const svc = new ModelService(c, 'big', { ...LLAMA_8B, server: ModelServer.vllm({ model: LanguageModels.llama31_70B(), tensorParallelSize: 4, maxContextTokens: 32_768, concurrentSequences: 8 }), resources: { cpu: 40, memoryGiB: 320, gpu: { model: 'A100' } } });
    expect(svc.plan.candidatePools.map((p) => p.name)).toEqual(['gpu-a100-80gb']);
  });

  test('without Karpenter the cache is the gp3 root volume: the copy and the read run at 125 MiB/s', () => {
    const svc = new ModelService(chartOf(), 'chat', LLAMA_8B);
    // 15 GiB: 123 s of copy, 123 s of read and 300 s of warm-up.
    expect(svc.plan.startupTimeoutSeconds).toBe(423);
    expect(svc.plan.loadingSeconds).toBe(546);
    const onKarpenter = new ModelService(chartOf(Capacity.karpenter()), 'chat', LLAMA_8B);
    expect(onKarpenter.plan.startupTimeoutSeconds).toBe(331);
  });

  test('vLLM\'s metric names follow its version: the KV-cache gauge from 0.10, inter-token latency from 0.11', () => {
    const names = (image: string) => new ModelService(chartOf(), 'chat', { ...LLAMA_8B, image }).plan.vllm?.metrics;
    expect(names('vllm/vllm-openai:v0.9.2')).toMatchObject({ kvCacheUsage: 'vllm:gpu_cache_usage_perc', interTokenLatency: 'vllm:time_per_output_token_seconds' });
    expect(names('vllm/vllm-openai:v0.10.1')).toMatchObject({ kvCacheUsage: 'vllm:kv_cache_usage_perc', interTokenLatency: 'vllm:time_per_output_token_seconds' });
    expect(names('vllm/vllm-openai:v0.28.0')).toMatchObject({ kvCacheUsage: 'vllm:kv_cache_usage_perc', interTokenLatency: 'vllm:inter_token_latency_seconds' });
  });

  test('blue-green: the pool holds the active colour only; the idle one stays reachable by header on the mesh route', () => {
    const c = chartOf();
    new ModelService(c, 'chat', { ...LLAMA_8B, inferencePool: true, rollout: Rollout.blueGreen({ greenVersion: '1.1.0', active: 'green' }) });
    expect(one(synth(c), 'InferencePool', 'chat').spec.selector.matchLabels).toEqual({ 'modelserve.io/service': 'chat', 'modelserve.io/track': 'green' });
  });

  test('with auth, the model pods\' AuthorizationPolicy lets the picker read the metrics it scores on', () => {
    const c = chartOf();
    new ModelService(c, 'chat', { ...LLAMA_8B, inferencePool: true, auth: { allowedServiceAccounts: [{ name: 'batch' }] } });
    const rules = one(synth(c), 'AuthorizationPolicy', 'chat').spec.rules;
    expect(rules[rules.length - 1]).toEqual({ from: [{ source: { principals: ['cluster.local/ns/models-production/sa/chat-epp'] } }], to: [{ operation: { ports: ['8000'], methods: ['GET'], paths: ['/metrics'] } }] });
  });

  test('a service named like the pool\'s picker is refused before anything is created', () => {
    const c = chartOf();
    new ModelService(c, 'chat', { ...LLAMA_8B, inferencePool: true });
    expect(() => new ModelService(c, 'svc', { ...LLAMA_8B, name: 'chat-epp' })).toThrow('serving/svc: serviceAccount.name ("chat-epp") gives ServiceAccount "chat-epp", which serving/chat already creates in this chart; give each service its own ServiceAccount (the AWS side can grant several the same access)');
    expect(c.node.tryFindChild('svc')).toBeUndefined();
  });
});
