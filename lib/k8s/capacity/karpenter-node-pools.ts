import { ApiObject, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { Capacity, COST_ALLOCATION_TAGS, EKS_CLUSTER_NAME, EnvironmentName, ENVIRONMENTS, NODE_POOL_LABEL, NodePoolSpec, PropsValidator, validateNodePoolSpec } from '../../catalog';
import { EC2_NODE_CLASS_API, ec2NodeClassSpec, KARPENTER_NODE_POOL_API, karpenterNodePoolSpec } from './karpenter-objects';
import { checkConstructProps } from '../../catalog/props-check';

export interface KarpenterNodePoolsProps extends Omit<ChartProps, 'namespace'> {
  /** The EKS cluster's name: the discovery tag's value and the node role's prefix. */
  readonly clusterName: string;
  /** Every node pool of the platform, as given to ModelServePlatform and ServingChart. */
  readonly nodePools: readonly NodePoolSpec[];
  /** The platform's capacity, `Capacity.karpenter(...)`: it decides which pools Karpenter provisions. */
  readonly capacity: Capacity;
  /**
   * The platform's environment: Karpenter's instances and volumes carry it as the cost-allocation
   * tag the environment's AWS Budget counts (a node without it is spend no budget sees).
   */
  readonly environment: EnvironmentName;
  /**
   * The team that pays (ModelServePlatform's `costAllocation.team`), as a cost-allocation tag.
   * @default - no team tag
   */
  readonly team?: string;
}

/**
 * Karpenter's NodePools and EC2NodeClasses for the pools that `capacity` gives Karpenter, as a
 * chart of its own (cluster-scoped objects, no namespace) for the GitOps tool to apply after the
 * platform's add-ons installed Karpenter and its CRDs. Each is made from the same NodePoolSpec that
 * ServingChart places model services on, so the labels and taints pods select and tolerate are the
 * ones the nodes get.
 */
export class KarpenterNodePools extends Chart {
  /** The pools Karpenter provisions, by name. */
  public readonly pools: readonly NodePoolSpec[];

  constructor(scope: Construct, id: string, props: KarpenterNodePoolsProps) {
    checkConstructProps(KarpenterNodePools, scope, id, props);
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    const pools = checkProps(path, props);
    // Built (and their limits checked) before the chart joins the app.
    const specs = pools.map((pool) => ({
      pool,
      nodeClass: ec2NodeClassSpec(pool, props.clusterName, props.capacity, { environment: props.environment, team: props.team }),
      nodePool: karpenterNodePoolSpec(pool, props.capacity, path),
    }));
    super(scope, id, { ...props, namespace: undefined });
    this.pools = pools;
    for (const { pool, nodeClass, nodePool } of specs) {
      // The environment as on every serving object, so `kubectl get -l` and the cost tools find them.
      const labels = { 'app.kubernetes.io/managed-by': 'modelserve', [NODE_POOL_LABEL]: pool.name, [COST_ALLOCATION_TAGS.environment]: props.environment };
      new ApiObject(this, `${pool.name}-node-class`, { apiVersion: EC2_NODE_CLASS_API, kind: 'EC2NodeClass', metadata: { name: pool.name, labels }, spec: nodeClass });
      new ApiObject(this, `${pool.name}-node-pool`, { apiVersion: KARPENTER_NODE_POOL_API, kind: 'NodePool', metadata: { name: pool.name, labels }, spec: nodePool });
    }
  }
}

/** Everything checked before the chart joins the tree; returns the pools Karpenter provisions. */
function checkProps(path: string, props: KarpenterNodePoolsProps): NodePoolSpec[] {
  const v: PropsValidator = new PropsValidator(path);
  v.that(typeof props?.clusterName === 'string' && EKS_CLUSTER_NAME.test(props.clusterName), 'clusterName', props?.clusterName, 'is not an EKS cluster name', 'give the name of the platform\'s cluster, e.g. "modelserve-prod"');
  v.that(props.environment !== undefined, 'environment', props.environment, 'is required: Karpenter\'s nodes carry it as the cost-allocation tag the environment\'s budget counts', 'pass the platform\'s environment, e.g. "production"');
  v.oneOf('environment', props.environment, ENVIRONMENTS);
  v.that(props.team === undefined || (typeof props.team === 'string' && /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u.test(props.team)), 'team', props.team, 'is not a valid AWS tag value', 'use up to 256 letters, digits, spaces and _ . : / = + - @');
  v.that(props.capacity instanceof Capacity && props.capacity.kind === 'karpenter', 'capacity', props.capacity?.kind, 'is not Karpenter capacity, so there is nothing for Karpenter to provision', 'pass the platform\'s Capacity.karpenter(...), or leave this chart out');
  v.that(Array.isArray(props.nodePools) && props.nodePools.length > 0, 'nodePools', props.nodePools, 'is empty', 'pass the platform\'s node pool specs');
  props.nodePools.forEach((pool, i) => validateNodePoolSpec(pool, `${path}: nodePools[${i}]`));
  const pools = props.capacity.karpenterPools(props.nodePools);
  v.that(pools.length > 0, 'nodePools', props.nodePools.map((p) => p.name), 'has no pool for Karpenter: the pools that run the controllers and GPU-sharing pools stay managed node groups', 'add the GPU, spot or high-memory pools Karpenter should provision');
  const limits = props.capacity.karpenter?.limits ?? {};
  for (const name of Object.keys(limits)) {
    v.that(pools.some((p) => p.name === name), `capacity.limits.${name}`, limits[name], 'names no pool that Karpenter provisions', `use one of ${pools.map((p) => p.name).join(', ')}`);
  }
  return pools;
}
