import { Chart, ChartProps } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { COST_ALLOCATION_TAGS, EnvironmentName, ENVIRONMENTS, PropsValidator } from '../catalog';
import { priorityClassSpecs } from './priority-classes';
import { checkConstructProps } from '../catalog/props-check';

export interface ServingPriorityClassesProps extends Omit<ChartProps, 'namespace'> {
  /** The environment whose classes these are: `modelserve-<environment>-critical|standard|batch`. */
  readonly environment: EnvironmentName;
}

/**
 * One environment's PriorityClasses (critical serving, standard serving, batch), as a chart of its
 * own: PriorityClasses are cluster-scoped, and several ServingCharts of one environment (one per
 * namespace, or per team repository) share them, so no ServingChart owns them; the GitOps tool
 * applies this chart once per cluster and environment, before the serving charts, whose pods are
 * refused while their class does not exist. Batch never preempts (`preemptionPolicy: Never`).
 */
export class ServingPriorityClasses extends Chart {
  /** Names of the classes, highest first. */
  public readonly classNames: readonly string[];

  constructor(scope: Construct, id: string, props: ServingPriorityClassesProps) {
    checkConstructProps(ServingPriorityClasses, scope, id, props);
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    new PropsValidator(path).oneOf('environment', props?.environment, ENVIRONMENTS);
    super(scope, id, { ...props, namespace: undefined });
    const specs = priorityClassSpecs(props.environment);
    this.classNames = specs.map((s) => s.name);
    const labels = { 'app.kubernetes.io/part-of': 'modelserve', 'app.kubernetes.io/managed-by': 'cdk8s', [COST_ALLOCATION_TAGS.environment]: props.environment };
    for (const spec of specs) {
      new k8s.KubePriorityClass(this, spec.name, {
        metadata: { name: spec.name, labels },
        value: spec.value,
        preemptionPolicy: spec.preemptionPolicy,
        globalDefault: false,
        description: spec.description,
      });
    }
  }
}
