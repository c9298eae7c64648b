import { Chart, ChartProps } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import {
  Capacity,
  ENVIRONMENT_PRESETS,
  ENVIRONMENTS,
  EnvironmentName,
  EnvironmentPreset,
  NodePoolSpec,
  PropsValidator,
  DNS_LABEL,
  DNS_LABEL_RULE,
  isEnvironmentName,
  isLabelValue,
  LABEL_VALUE_RULE,
  validateNodePoolSpec,
} from '../catalog';
import { DEFAULT_INGRESS_GATEWAY, DEFAULT_PROMETHEUS, PodPeer, ServingNamespace, ServingNamespaceOptions, validateServingNamespaceOptions } from './serving-namespace';
import { checkConstructProps } from '../catalog/props-check';

export interface ServingChartProps extends Omit<ChartProps, 'namespace'> {
  /** Preset for quotas, limits and image rules. */
  readonly environment: EnvironmentName;
  /**
   * The node pools the cluster offers: the same specs given to the AWS platform. ModelServices in
   * this chart are placed on them and checked to fit.
   */
  readonly nodePools: readonly NodePoolSpec[];
  /**
   * Namespace of every object in the chart.
   * @default `models-<environment>`
   */
  readonly namespace?: string;
  /**
   * Emit the namespace with its quota, limits, network policies and mTLS. Turn off when another
   * chart (or the platform team) owns the namespace.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Options of the namespace when this chart creates it. The ingress gateway and Prometheus peers
   * are also what each ModelService's network policy admits.
   */
  readonly namespaceOptions?: ServingNamespaceOptions;
  /**
   * Where model artefacts live, e.g. the AWS platform's ModelStore bucket
   * (`s3://modelserve-prod-models-123456789012-us-east-1`): a ModelService without `model.uri`
   * loads `<modelStoreUri>/<model id>/<version>/`.
   * @default - none: every ModelService gives `model.uri`
   */
  readonly modelStoreUri?: string;
  /**
   * How the platform gets its nodes, as given to ModelServePlatform. With
   * `Capacity.karpenter()`, the pools Karpenter provisions on NVMe instance types keep pods'
   * caches on the striped instance store (RAID0): the disk proof counts its size, and a language
   * model's copy and load are timed at its speed.
   * @default Capacity.managedNodeGroups() - caches on the nodes' gp3 root volumes
   */
  readonly capacity?: Capacity;
  /**
   * The team that pays for the chart's services: the `modelserve.io/team` cost-allocation label
   * on every object and pod of each ModelService that names no team of its own.
   * @default - no team label (environment and service labels only)
   */
  readonly team?: string;
  /**
   * Give every pod of the chart one of the environment's PriorityClasses
   * (`modelserve-<environment>-critical|standard|batch`, see ServingPriorityClasses), which must
   * exist in the cluster before the pods: apply a ServingPriorityClasses chart first. Off, pods
   * get no priority class (the cluster's default, usually 0).
   * @default true
   */
  readonly priorityClasses?: boolean;
}

/** Marks ServingCharts: cdk8s's Chart answers `instanceof` for every chart, subclass or not. */
const SERVING_CHART = Symbol.for('modelserve.ServingChart');

/**
 * A cdk8s chart for one environment's model services: it knows the environment preset and the node
 * pools, which every ModelService inside reads through `ServingChart.of(this)`.
 */
export class ServingChart extends Chart {
  /** The ServingChart that holds `construct`; throws if there is none. */
  public static of(construct: IConstruct): ServingChart {
    const found = construct.node.scopes.reverse().find((s): s is ServingChart => (s as unknown as Record<symbol, unknown>)[SERVING_CHART] === true);
    if (!found) {
      throw new Error(`${construct.node.path}: a ModelService must be created inside a ServingChart; create one with new ServingChart(app, 'serving', { environment, nodePools }) and pass it as the scope`);
    }
    return found;
  }

  public readonly environment: EnvironmentName;
  public readonly preset: EnvironmentPreset;
  public readonly nodePools: readonly NodePoolSpec[];
  public readonly namespaceName: string;
  /** The namespace construct, when this chart created it. */
  public readonly servingNamespace?: ServingNamespace;
  /** Where model artefacts live, when the chart names it. */
  public readonly modelStoreUri?: string;
  /** How the platform gets its nodes. */
  public readonly capacity: Capacity;
  /** The mesh ingress gateway pods that may call the services. */
  public readonly ingressGateway: PodPeer;
  /** The Prometheus pods that may scrape the services. */
  public readonly prometheus: PodPeer;
  /** The team that pays for services that name none. */
  public readonly team?: string;
  /** Whether pods get the environment's PriorityClasses. */
  public readonly priorityClasses: boolean;

  constructor(scope: Construct, id: string, props: ServingChartProps) {
    checkConstructProps(ServingChart, scope, id, props);
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    const check = new PropsValidator(path);
    check.that(isEnvironmentName(props?.environment), 'environment', props?.environment, 'is not an environment preset', `use one of ${ENVIRONMENTS.join(', ')}`);
    check.that(Array.isArray(props.nodePools) && props.nodePools.length > 0, 'nodePools', props.nodePools, 'is empty', 'pass the node pool specs the cluster offers, e.g. [NodePools.general(), NodePools.gpu({ gpu: "T4" })]');
    props.nodePools.forEach((pool, i) => validateNodePoolSpec(pool, `${path}: nodePools[${i}]`));
    const names = props.nodePools.map((p) => p.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    check.that(duplicate === undefined, 'nodePools', duplicate, 'names two pools the same', 'give each node pool its own name');
    const namespace = props.namespace ?? `models-${props.environment}`;
    check.matches('namespace', namespace, DNS_LABEL, DNS_LABEL_RULE);
    validateServingNamespaceOptions(new PropsValidator(`${path}/namespace`), props.namespaceOptions ?? {});
    check.that(props.capacity === undefined || props.capacity instanceof Capacity, 'capacity', props.capacity, 'is not a Capacity', 'pass the platform\'s Capacity.karpenter(...) or Capacity.managedNodeGroups()');
    check.that(props.team === undefined || isLabelValue(props.team), 'team', props.team, `is not a valid label value (${LABEL_VALUE_RULE})`, 'name the team as the cost-allocation tags do, e.g. "ml-platform"');
    check.that(props.priorityClasses === undefined || typeof props.priorityClasses === 'boolean', 'priorityClasses', props.priorityClasses, 'is not true or false', 'set priorityClasses: true (the default) or false');
    check.that(props.modelStoreUri === undefined || /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/\S*)?$/.test(props.modelStoreUri), 'modelStoreUri', props.modelStoreUri, 'is not an S3 URI', 'give the bucket as "s3://<bucket>" (the ModelStore\'s bucketName)');

    super(scope, id, { ...props, namespace });
    this.environment = props.environment;
    this.preset = ENVIRONMENT_PRESETS[props.environment];
    this.nodePools = props.nodePools;
    this.namespaceName = namespace;
    this.modelStoreUri = props.modelStoreUri;
    this.capacity = props.capacity ?? Capacity.managedNodeGroups();
    this.ingressGateway = props.namespaceOptions?.ingressGateway ?? DEFAULT_INGRESS_GATEWAY;
    this.prometheus = props.namespaceOptions?.prometheus ?? DEFAULT_PROMETHEUS;
    this.team = props.team;
    this.priorityClasses = props.priorityClasses ?? true;
    Object.defineProperty(this, SERVING_CHART, { value: true });
    if (props.createNamespace ?? true) {
      this.servingNamespace = new ServingNamespace(this, 'namespace', { ...props.namespaceOptions, name: namespace, environment: props.environment });
    }
  }
}
