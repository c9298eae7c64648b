import { COST_ALLOCATION_TAGS, EnvironmentName } from '../catalog';

/**
 * Label keys of a ModelService. `modelserve.io/service` is on every object the service emits, so a
 * GitOps tool can select (and prune) the whole service with one selector.
 */
export const SERVICE_LABEL = COST_ALLOCATION_TAGS.service;
/** Pod label the Istio subsets select on, one value per rollout track. */
export const TRACK_LABEL = 'modelserve.io/track';
export const MODEL_ID_LABEL = 'modelserve.io/model-id';
/**
 * Pod label of the pods whose loader copies a model from S3 (every ModelService's): the only pods
 * the serving namespace lets reach the Pod Identity agent and HTTPS outside the VPC.
 */
export const MODEL_LOADER_LABEL = 'modelserve.io/model-loader';
export const MODEL_VERSION_LABEL = 'modelserve.io/model-version';

/** Who pays for a service: the cost-allocation labels Kubecost and OpenCost group spend by. */
export interface CostAllocation {
  readonly environment: EnvironmentName;
  /** @default - no team label */
  readonly team?: string;
}

/**
 * The cost-allocation labels (COST_ALLOCATION_TAGS, the keys the AWS side tags with): environment,
 * service and, when known, team. Kubecost and OpenCost read pod labels to split a node's cost.
 */
export function costAllocationLabels(service: string, cost: CostAllocation): Record<string, string> {
  return { ...payerLabels(cost), [COST_ALLOCATION_TAGS.service]: service };
}

/**
 * Environment and team only, for what is not a model service (a pipeline's step pods): the
 * service key is also what a ModelService's Service and policies select pods by.
 */
export function payerLabels(cost: CostAllocation): Record<string, string> {
  return {
    [COST_ALLOCATION_TAGS.environment]: cost.environment,
    ...(cost.team !== undefined ? { [COST_ALLOCATION_TAGS.team]: cost.team } : {}),
  };
}

/**
 * Labels of every object of the service: the recommended app.kubernetes.io set, the prune label
 * and the cost-allocation labels (the prune label is the cost-allocation `service` key).
 */
export function serviceLabels(name: string, modelId: string, version: string, cost: CostAllocation): Record<string, string> {
  return {
    ...costAllocationLabels(name, cost),
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/version': version,
    'app.kubernetes.io/component': 'model-server',
    'app.kubernetes.io/part-of': 'modelserve',
    'app.kubernetes.io/managed-by': 'cdk8s',
    [SERVICE_LABEL]: name,
    [MODEL_ID_LABEL]: modelId,
    [MODEL_VERSION_LABEL]: version,
  };
}

/** Labels of one track's Deployment and pods; `app`/`version` are what Istio's telemetry reads. */
export function trackLabels(base: Readonly<Record<string, string>>, track: string, version: string): Record<string, string> {
  return {
    ...base,
    'app.kubernetes.io/version': version,
    [MODEL_VERSION_LABEL]: version,
    [TRACK_LABEL]: track,
    [MODEL_LOADER_LABEL]: 's3',
    app: base[SERVICE_LABEL],
    version,
  };
}

/** What a track's Deployment selects: immutable once applied, so only the two labels that never change. */
export function trackSelector(name: string, track: string): Record<string, string> {
  return { [SERVICE_LABEL]: name, [TRACK_LABEL]: track };
}
