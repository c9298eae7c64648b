import type { ModelServerSpec } from '../model-server';

/**
 * The inference endpoint a step calls when it names no path (a ModelService's `inferencePath`):
 * the server's own request path for the model the service loads. `undefined` for a custom server,
 * whose API only its author knows.
 */
export function defaultInferencePath({ server, modelId }: { readonly server: ModelServerSpec; readonly modelId: string }): string | undefined {
  switch (server.name) {
    // KServe v2 protocol; the model in the repository is assumed to carry the model id as its name.
    case 'triton':
      return `/v2/models/${modelId}/infer`;
    // The preset registers the archive as "model" (`--models model=$(MODEL_URI)`).
    case 'torchserve':
      return '/predictions/model';
    // The preset's readiness path is `/v1/models/<modelName>`: predict is its `:predict` verb.
    case 'tensorflow-serving':
      return `${server.readinessPath}:predict`;
    case 'vllm':
      return '/v1/completions';
    default:
      return undefined;
  }
}
