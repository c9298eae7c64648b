/**
 * The keys that split spend by environment, service and team: AWS resources carry them as tags
 * (activated as cost allocation tags in the payer account), Kubernetes objects as labels, so that
 * Cost Explorer, AWS Budgets and in-cluster cost tools (Kubecost, OpenCost) group by the same names.
 * Valid both as AWS tag keys and as Kubernetes label keys (prefix/name).
 */
export const COST_ALLOCATION_TAGS = {
  /** `development`, `staging` or `production`. */
  environment: 'modelserve.io/environment',
  /** What the spend is for: a platform component on AWS (`database`, `cluster`), a model service in Kubernetes. */
  service: 'modelserve.io/service',
  /** Who pays. */
  team: 'modelserve.io/team',
} as const;

export type CostAllocationDimension = keyof typeof COST_ALLOCATION_TAGS;

/** Every cost-allocation key, in a fixed order. */
export const COST_ALLOCATION_TAG_KEYS: readonly string[] = Object.values(COST_ALLOCATION_TAGS);
