import { PropsValidator } from '../catalog';
import { imageTag } from './image-reference';
import { ModelServer, VllmOptions } from './model-server';

/** A vLLM release: [major, minor, patch]. */
export type VllmVersion = readonly [number, number, number];

/**
 * The Prometheus series of vLLM's engine that scaling, routing and rollbacks read, named as the
 * version exports them (vLLM deprecates a name in X.Y, hides it in X.Y+1, removes it in X.Y+2:
 * https://docs.vllm.ai/en/latest/usage/metrics/):
 * - KV-cache use: `vllm:kv_cache_usage_perc` from 0.10 (vllm-project/vllm#18354), before it
 *   `vllm:gpu_cache_usage_perc`, removed in 0.12 (#29330);
 * - inter-token latency: `vllm:inter_token_latency_seconds` from 0.11, before it
 *   `vllm:time_per_output_token_seconds` (deprecated in 0.11, removed in 0.13: #32661).
 */
export interface VllmMetricNames {
  /** Gauge: requests waiting for the engine. */
  readonly waiting: string;
  /** Gauge: share of KV-cache blocks in use, 0 to 1. */
  readonly kvCacheUsage: string;
  /** Histogram base name: seconds to the first token of each request. */
  readonly timeToFirstToken: string;
  /** Histogram base name: seconds between two tokens of a request. */
  readonly interTokenLatency: string;
  /** Counter base name: finished requests, labelled `finished_reason` (`stop`, `length`, `abort`...). */
  readonly requestSuccess: string;
}

const KV_CACHE_RENAMED_IN: VllmVersion = [0, 10, 0];
const INTER_TOKEN_RENAMED_IN: VllmVersion = [0, 11, 0];

function atLeast(v: VllmVersion, min: VllmVersion): boolean {
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i] > min[i];
  return true;
}

export function vllmMetricNames(version: VllmVersion): VllmMetricNames {
  return {
    waiting: 'vllm:num_requests_waiting',
    kvCacheUsage: atLeast(version, KV_CACHE_RENAMED_IN) ? 'vllm:kv_cache_usage_perc' : 'vllm:gpu_cache_usage_perc',
    timeToFirstToken: 'vllm:time_to_first_token_seconds',
    interTokenLatency: atLeast(version, INTER_TOKEN_RENAMED_IN) ? 'vllm:inter_token_latency_seconds' : 'vllm:time_per_output_token_seconds',
    requestSuccess: 'vllm:request_success_total',
  };
}

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(?:[-.+].*)?$/;

function parse(text: string | undefined): VllmVersion | undefined {
  const m = VERSION.exec(text ?? '');
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** The vLLM options of a server, when it is `ModelServer.vllm()`. */
export function vllmOptionsOf(server: ModelServer | undefined): VllmOptions | undefined {
  return server?.spec.name === 'vllm' ? ((server.options.vllm as VllmOptions | undefined) ?? {}) : undefined;
}

/** The version the options give, else the image's tag (`v0.28.0`); undefined when neither tells. */
export function vllmVersion(check: PropsValidator, options: VllmOptions, image: string): VllmVersion | undefined {
  if (options.version !== undefined) {
    const given = parse(options.version);
    check.that(given !== undefined, 'server.version', options.version, 'is not a vLLM version', 'give it as "0.28.0"');
    return given;
  }
  return parse(imageTag(image));
}

/** The version, or a refusal naming what needs it: the metric names differ between releases. */
export function requireVllmVersion(check: PropsValidator, version: VllmVersion | undefined, image: string, needs: string): VllmVersion {
  check.that(version !== undefined, 'server.version', undefined, `is not set and the image tag of ${JSON.stringify(image)} names no version, which ${needs} needs (vLLM renamed its metrics between releases)`, 'give ModelServer.vllm({ version: "0.28.0" }), or an image tagged with its version');
  return version!;
}
