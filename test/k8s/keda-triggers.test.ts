import { describeWith, requireEngines } from '../support/engines';
import { kedaQueries, monitoredObjects } from '../support/monitoring-app';
import { counter, InstantResult, PrometheusServer, sampled, Series } from '../support/engine-servers';

/**
 * KEDA's Prometheus scaler reads one number: it asks for an instant vector at "now" and takes the
 * single sample's value; an empty answer is 0 (`ignoreNullValues`, default true), two or more
 * samples an error (`returned multiple elements`), a scalar answer does not unmarshal into its
 * result type (kedacore/keda, pkg/scalers/prometheus_scaler.go, ExecutePromQuery). Every trigger
 * of the synthesized services is asked against a running Prometheus over exporter-shaped series.
 */
function kedaValue(answer: InstantResult): number {
  if (answer.resultType !== 'vector') throw new Error(`a ${answer.resultType} answer does not unmarshal into KEDA's vector result`);
  if (answer.result.length === 0) return 0;
  if (answer.result.length > 1) throw new Error(`prometheus query returned multiple elements (${answer.result.length})`);
  const v = Number(answer.result[0].value[1]);
  return Number.isFinite(v) ? v : 0;
}

const engines = requireEngines('promtool', 'prometheus');
const objects = monitoredObjects();
const triggers = kedaQueries(objects);

const END = Math.floor(Date.now() / 60_000) * 60 - 120;
const START = END - 10 * 60;
const STEP = 15;

/** dcgm-exporter's labels for the GPU a pod holds, as the GPU Operator's ServiceMonitor keeps them. */
function dcgm(namespace: string, pod: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    gpu: '0',
    UUID: `GPU-${pod}`,
    device: 'nvidia0',
    modelName: 'Tesla T4',
    Hostname: 'ip-10-0-40-12.ec2.internal',
    DCGM_FI_DRIVER_VERSION: '550.90.07',
    namespace,
    pod,
    container: 'model-server',
    job: 'nvidia-dcgm-exporter',
    service: 'nvidia-dcgm-exporter',
    endpoint: 'gpu-metrics',
    instance: '10.0.40.12:9400',
    ...extra,
  };
}

const gauge = (name: string, labels: Record<string, string>, value: number) => sampled(name, labels, START, END, STEP, () => value);

/**
 * Requests the ingress gateway sends to a service (what it reports) and that the sidecar of a pod
 * of the track's Deployment (`workload`) serves.
 */
function requests(namespace: string, service: string, workload: string, version: string, perSecond: number): Series[] {
  const common = { destination_service_name: service, destination_service_namespace: namespace, destination_version: version, response_code: '200', request_protocol: 'http' };
  return [
    counter('istio_requests_total', { ...common, reporter: 'source', source_workload: 'istio-ingressgateway', namespace: 'istio-ingress', pod: 'istio-ingressgateway-5d8f7c9b6-q2w3e' }, perSecond, START, END, STEP),
    counter('istio_requests_total', { ...common, reporter: 'destination', source_workload: 'istio-ingressgateway', destination_workload: workload, namespace, pod: `${workload}-7d9f8c6b5-x2k4q` }, perSecond, START, END, STEP),
  ];
}

const SERIES: Series[] = [
  // bert-ner: two pods on whole T4s; resnet's pods next to it must not count.
  gauge('DCGM_FI_DEV_GPU_UTIL', dcgm('models-production', 'bert-ner-7d9f8c6b5-x2k4q'), 60),
  gauge('DCGM_FI_DEV_GPU_UTIL', dcgm('models-production', 'bert-ner-7d9f8c6b5-p7m9z'), 80),
  gauge('DCGM_FI_DEV_GPU_UTIL', dcgm('models-production', 'resnet-stable-6c5b4a3d2-abcde'), 50),
  gauge('DCGM_FI_DEV_GPU_UTIL', dcgm('models-production', 'resnet-stable-6c5b4a3d2-fghij'), 70),
  gauge('DCGM_FI_DEV_GPU_UTIL', dcgm('models-production', 'resnet-canary-5b4a3c2d1-klmno'), 90),
  ...requests('models-production', 'bert-ner', 'bert-ner', '3.2.0', 30),
  // detector: MIG 1g.10gb instances report engine activity as a 0-1 ratio.
  gauge('DCGM_FI_PROF_GR_ENGINE_ACTIVE', dcgm('models-variants', 'detector-6f5e4d3c2-x2k4q', { GPU_I_PROFILE: '1g.10gb', GPU_I_ID: '1', modelName: 'NVIDIA A100-SXM4-80GB' }), 0.5),
  gauge('DCGM_FI_PROF_GR_ENGINE_ACTIVE', dcgm('models-variants', 'detector-6f5e4d3c2-p7m9z', { GPU_I_PROFILE: '1g.10gb', GPU_I_ID: '2', modelName: 'NVIDIA A100-SXM4-80GB' }), 0.7),
  // ranker: a 20 % canary, each track scaled on its own share of requests and its own queue.
  ...requests('models-variants', 'ranker', 'ranker-stable', '2.0.0', 40),
  ...requests('models-variants', 'ranker', 'ranker-canary', '2.1.0', 10),
  gauge('nv_inference_pending_request_count', { model: 'ranker', version: '1', namespace: 'models-variants', pod: 'ranker-stable-6d5c4b3a2-x2k4q', job: 'models-variants/ranker' }, 3),
  gauge('nv_inference_pending_request_count', { model: 'ranker', version: '1', namespace: 'models-variants', pod: 'ranker-stable-6d5c4b3a2-p7m9z', job: 'models-variants/ranker' }, 5),
  gauge('nv_inference_pending_request_count', { model: 'ranker', version: '1', namespace: 'models-variants', pod: 'ranker-canary-5c4b3a2d1-abcde', job: 'models-variants/ranker' }, 2),
  // chat: vLLM's waiting requests, one series per engine.
  gauge('vllm:num_requests_waiting', { model_name: 'chat', engine: '0', namespace: 'models-variants', pod: 'chat-5f4e3d2c1-x2k4q', job: 'models-variants/chat' }, 4),
  gauge('vllm:num_requests_waiting', { model_name: 'chat', engine: '0', namespace: 'models-variants', pod: 'chat-5f4e3d2c1-p7m9z', job: 'models-variants/chat' }, 6),
  // vLLM 0.6 names its KV-cache use vllm:gpu_cache_usage_perc, a 0-1 share per engine.
  gauge('vllm:gpu_cache_usage_perc', { model_name: 'chat', engine: '0', namespace: 'models-variants', pod: 'chat-5f4e3d2c1-x2k4q', job: 'models-variants/chat' }, 0.5),
  gauge('vllm:gpu_cache_usage_perc', { model_name: 'chat', engine: '0', namespace: 'models-variants', pod: 'chat-5f4e3d2c1-p7m9z', job: 'models-variants/chat' }, 0.9),
  // The LLM example's chat (vLLM 0.28, a progressive rollout: its pods are the Rollout's) names it vllm:kv_cache_usage_perc.
  gauge('vllm:kv_cache_usage_perc', { model_name: 'llama-3-1-8b-instruct', engine: '0', namespace: 'models-llm', pod: 'chat-6d5c4b3a2-x2k4q', job: 'models-llm/chat' }, 0.7),
  gauge('vllm:kv_cache_usage_perc', { model_name: 'llama-3-1-8b-instruct', engine: '0', namespace: 'models-llm', pod: 'chat-6d5c4b3a2-p7m9z', job: 'models-llm/chat' }, 0.95),
  gauge('vllm:num_requests_waiting', { model_name: 'llama-3-1-8b-instruct', engine: '0', namespace: 'models-llm', pod: 'chat-6d5c4b3a2-x2k4q', job: 'models-llm/chat' }, 3),
  // A pod of another service in the namespace never counts.
  gauge('vllm:kv_cache_usage_perc', { model_name: 'llama-3-1-70b-instruct', engine: '0', namespace: 'models-llm', pod: 'assistant-5b4a3c2d1-abcde', job: 'models-llm/assistant' }, 0.99),
];

let prometheus: PrometheusServer | undefined;

beforeAll(async () => {
  if (engines) prometheus = await PrometheusServer.start(engines, SERIES);
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
});

async function valueOf(scaledObject: string, trigger: string, namespace?: string): Promise<number> {
  const t = triggers.find((q) => q.scaledObject === scaledObject && q.trigger === trigger && (namespace === undefined || q.namespace === namespace));
  if (!t) throw new Error(`no trigger ${trigger} on ScaledObject ${scaledObject}`);
  return kedaValue(await prometheus!.query(t.expr, END));
}

describeWith(engines)('KEDA trigger queries against a running Prometheus', () => {
  test('every trigger of every ScaledObject answers with one sample or none, never several', async () => {
    expect(triggers.length).toBeGreaterThanOrEqual(10);
    for (const t of triggers) {
      const answer = await prometheus!.query(t.expr, END);
      expect({ source: t.source, resultType: answer.resultType }).toEqual({ source: t.source, resultType: 'vector' });
      expect({ source: t.source, atMostOne: (answer.result as unknown[]).length <= 1 }).toEqual({ source: t.source, atMostOne: true });
    }
  });

  test('GPU utilisation: the service\'s pods summed per GPU, other Deployments\' pods left out', async () => {
    expect(await valueOf('bert-ner', 'gpu-utilization')).toBeCloseTo(140);
    expect(await valueOf('resnet-stable', 'gpu-utilization')).toBeCloseTo(120);
    expect(await valueOf('resnet-canary', 'gpu-utilization')).toBeCloseTo(90);
  });

  test('MIG: engine activity as a percentage', async () => {
    expect(await valueOf('detector', 'gpu-utilization')).toBeCloseTo(120);
  });

  test('request rate: the service\'s requests per second, once, and per track when there are two', async () => {
    expect(await valueOf('bert-ner', 'requests-per-second')).toBeCloseTo(30);
    expect(await valueOf('ranker-stable', 'requests-per-second')).toBeCloseTo(40);
    expect(await valueOf('ranker-canary', 'requests-per-second')).toBeCloseTo(10);
  });

  test('queue length: Triton\'s and vLLM\'s waiting requests over the track\'s pods', async () => {
    expect(await valueOf('ranker-stable', 'queue-length')).toBe(8);
    expect(await valueOf('ranker-canary', 'queue-length')).toBe(2);
    expect(await valueOf('chat', 'queue-length', 'models-variants')).toBe(10);
  });

  test('KV-cache use: vLLM\'s gauge by the name its version exports, summed over the track\'s pods, in percent', async () => {
    expect(await valueOf('chat', 'kv-cache-utilization', 'models-variants')).toBeCloseTo(140);
    expect(await valueOf('chat', 'kv-cache-utilization', 'models-llm')).toBeCloseTo(165);
    expect(await valueOf('chat', 'queue-length', 'models-llm')).toBe(3);
  });

  test('a service with no series yet reads 0 (KEDA\'s ignoreNullValues), not an error', async () => {
    expect(await valueOf('sentiment', 'requests-per-second')).toBe(0);
  });
});
