import { PropsValidator } from '../../catalog';
import { checkImage } from '../image-reference';
import type { Rollout } from '../rollout';

/**
 * The endpoint picker the pool calls: llm-d's router (the Gateway API Inference Extension's
 * EPP moved there: kubernetes-sigs/gateway-api-inference-extension README), release v0.10.0,
 * which scores pods on queue length, KV-cache use and prefix-cache hits from vLLM's metrics.
 */
export const DEFAULT_ENDPOINT_PICKER_IMAGE = 'ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.0';

/** The API versions emitted: the Inference Extension's GA pool, Gateway API v1. */
export const INFERENCE_POOL_API = 'inference.networking.k8s.io/v1';
export const GATEWAY_API = 'gateway.networking.k8s.io/v1';
/** Istio's GatewayClass: istiod deploys the Gateway's Envoy and programs its ext_proc to the picker. */
export const ISTIO_GATEWAY_CLASS = 'istio';

/** Ports of the endpoint picker (llm-d-router's chart): ext_proc gRPC, gRPC health, Prometheus metrics. */
export const ENDPOINT_PICKER_PORTS = { extProc: 9002, health: 9003, metrics: 9090 } as const;
/** The inference Gateway's HTTP listener. */
export const INFERENCE_GATEWAY_PORT = 80;

/** How requests reach a vLLM service through KV-cache-aware routing. */
export interface InferencePoolOptions {
  /**
   * Image of the endpoint picker, pinned.
   * @default DEFAULT_ENDPOINT_PICKER_IMAGE
   */
  readonly endpointPickerImage?: string;
  /**
   * CPU cores and memory of the endpoint picker (requests equal limits).
   * @default { cpu: 1, memoryGiB: 2 }
   */
  readonly endpointPickerResources?: { readonly cpu: number; readonly memoryGiB: number };
  /**
   * What the gateway does when the picker does not answer: `FailOpen` spreads requests over the
   * pool's pods itself (routing loses its KV-cache awareness, requests still flow); `FailClose`
   * answers 5xx.
   * @default 'FailOpen'
   */
  readonly failureMode?: 'FailOpen' | 'FailClose';
  /**
   * Replicas of the inference Gateway's Envoy (its HorizontalPodAutoscaler's floor; the ceiling is 5).
   * @default 2 (1 in development)
   */
  readonly gatewayReplicas?: number;
}

export const DEFAULT_ENDPOINT_PICKER_RESOURCES = { cpu: 1, memoryGiB: 2 } as const;
/** Most inference Gateway replicas its autoscaler may run. */
export const MAX_GATEWAY_REPLICAS = 5;

/** Checks the options against the service; `field` is their name in the props. */
export function validateInferencePoolOptions(
  check: PropsValidator,
  options: InferencePoolOptions | boolean,
  ctx: { readonly server: string; readonly rollout: Rollout; readonly environment: string; readonly preset: Parameters<typeof checkImage>[3]['preset']; readonly name: string },
  field = 'inferencePool',
): void {
  check.that(options === true || (typeof options === 'object' && options !== null && !Array.isArray(options)), field, options, 'is not true or an options object', `pass true, or { endpointPickerImage, failureMode, gatewayReplicas }, or leave ${field} out`);
  check.that(ctx.server === 'vllm', field, true, `is set on a ${ctx.server} server, but the endpoint picker scores pods on vLLM's metrics (queue, KV-cache use, prefix cache)`, 'serve the model with ModelServer.vllm(), or leave inferencePool out');
  const kind = ctx.rollout.kind;
  check.that(kind !== 'ab-test' && kind !== 'shadow', 'rollout', kind, `cannot be routed through an InferencePool: the endpoint picker chooses among the pool's pods by load and cache, not by header or copy, so ${kind === 'ab-test' ? 'variant B would get requests that do not match' : 'the shadow would answer real requests'}`, 'use Rollout.progressive(), .canary(), .blueGreen() or a rolling update with inferencePool, or keep the A/B test or shadow on the mesh route without inferencePool');
  // The Gateway's Envoy Deployment is `<gateway>-istio`, a DNS label.
  check.that(ctx.name.length <= 47, 'name', ctx.name, `has ${ctx.name.length} characters, too many for inferencePool: Istio names the inference Gateway's Deployment <name>-inference-istio, at most 63 characters`, 'use a name of at most 47 characters');
  if (options === true) return;
  const o = options as InferencePoolOptions;
  const known = ['endpointPickerImage', 'endpointPickerResources', 'failureMode', 'gatewayReplicas'];
  for (const key of Object.keys(o)) check.that(known.includes(key), `${field}.${key}`, (o as Record<string, unknown>)[key], 'is not an option of inferencePool', `use one of ${known.join(', ')}`);
  if (o.endpointPickerImage !== undefined) checkImage(check, `${field}.endpointPickerImage`, o.endpointPickerImage, ctx, DEFAULT_ENDPOINT_PICKER_IMAGE);
  check.oneOf(`${field}.failureMode`, o.failureMode, ['FailOpen', 'FailClose'] as const);
  check.integerInRange(`${field}.gatewayReplicas`, o.gatewayReplicas, 1, MAX_GATEWAY_REPLICAS, `run 1 to ${MAX_GATEWAY_REPLICAS} gateway replicas (2 or more outside development)`);
  const r = o.endpointPickerResources;
  if (r !== undefined) {
    check.numberInRange(`${field}.endpointPickerResources.cpu`, r.cpu, 0.1, 32, 'give the picker\'s cores, e.g. 1');
    check.numberInRange(`${field}.endpointPickerResources.memoryGiB`, r.memoryGiB, 0.25, 64, 'give the picker\'s memory in GiB, e.g. 2');
  }
}
