import { Chart, ChartProps } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import {
  ENVIRONMENT_PRESETS,
  ENVIRONMENTS,
  EnvironmentName,
  EnvironmentPreset,
  NodePoolSpec,
  PropsValidator,
  DNS_LABEL,
  DNS_LABEL_RULE,
  isEnvironmentName,
  validateNodePoolSpec,
} from '../catalog';
import { ServingNamespace, ServingNamespaceOptions, validateServingNamespaceOptions } from './serving-namespace';

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
  /** Options of the namespace when this chart creates it. */
  readonly namespaceOptions?: ServingNamespaceOptions;
}

/**
 * A cdk8s chart for one environment's model services: it knows the environment preset and the node
 * pools, which every ModelService inside reads through `ServingChart.of(this)`.
 */
export class ServingChart extends Chart {
  /** The ServingChart that holds `construct`; throws if there is none. */
  public static of(construct: IConstruct): ServingChart {
    const found = construct.node.scopes.reverse().find((s): s is ServingChart => s instanceof ServingChart);
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

  constructor(scope: Construct, id: string, props: ServingChartProps) {
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

    super(scope, id, { ...props, namespace });
    this.environment = props.environment;
    this.preset = ENVIRONMENT_PRESETS[props.environment];
    this.nodePools = props.nodePools;
    this.namespaceName = namespace;
    if (props.createNamespace ?? true) {
      this.servingNamespace = new ServingNamespace(this, 'namespace', { ...props.namespaceOptions, name: namespace, environment: props.environment });
    }
  }
}
