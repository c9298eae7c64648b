import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { payerLabels } from '../labels';
import { ModelService } from '../model-service';
import { ServingChart } from '../serving-chart';
import { ModelPipelineProps } from './model-pipeline-props';
import { PipelineDefinition, pipelineDefinition } from './pipeline-definition';
import { createPipelineOrchestrator } from './pipeline-orchestrator';
import { PIPELINE_LABEL, pipelineServiceAccounts } from './pipeline-names';
import { PipelineWorkflow } from './pipeline-workflow';
import { PipelinePlan, planModelPipeline } from './plan-model-pipeline';
import { checkConstructProps } from '../../catalog/props-check';

/**
 * A chain of ModelServices, in order or fanned out and back in (OCR → NER; classification →
 * [detection, captioning] → merge), run two ways from one definition:
 *
 * - batch: an Argo Workflows WorkflowTemplate (`argo submit --from workflowtemplate/<name>`), one
 *   DAG task per step, retried and timed out per step, in restricted, meshed pods;
 * - online: when `online` is given, a `<name>-orchestrator` ModelService running your orchestrator
 *   image with the definition mounted and its run state in Redis (the AWS Cache).
 *
 * Every step's service is found, and the graph checked (no missing service, duplicate step or
 * cycle), before any object is created: a bad pipeline throws and leaves nothing to synthesize.
 */
export class ModelPipeline extends Construct {
  /**
   * The ServiceAccounts the pipeline named `pipelineName` calls its services as (its batch pods',
   * its orchestrator's), for the `auth.allowedServiceAccounts` of a service that has `auth`:
   * the services exist before the pipeline, so they take the names, not the pipeline.
   */
  public static serviceAccounts(pipelineName: string): Array<{ readonly name: string }> {
    const { workflow, orchestrator } = pipelineServiceAccounts(pipelineName);
    return [{ name: orchestrator }, { name: workflow }];
  }

  public readonly name: string;
  public readonly namespace: string;
  /** The props with defaults applied, steps in dependency order. */
  public readonly plan: PipelinePlan;
  /** The batch WorkflowTemplate's construct, unless `batch.enabled` is false. */
  public readonly workflow?: PipelineWorkflow;
  /** The WorkflowTemplate, unless `batch.enabled` is false. */
  public readonly workflowTemplate?: ApiObject;
  /** The batch pods' ServiceAccount, unless `batch.enabled` is false. */
  public readonly serviceAccount?: kplus.ServiceAccount;
  /** The orchestrator service, when `online` is given. */
  public readonly orchestrator?: ModelService;
  /** What the orchestrator reads, when `online` is given. */
  public readonly definition?: PipelineDefinition;

  constructor(scope: Construct, id: string, props: ModelPipelineProps) {
    checkConstructProps(ModelPipeline, scope, id, props);
    const chart = ServingChart.of(scope);
    const plan = planModelPipeline(props, { path: scope.node.path ? `${scope.node.path}/${id}` : id, id, chart });
    super(scope, id);
    this.plan = plan;
    this.name = plan.name;
    this.namespace = plan.namespace;
    const labels = {
      'app.kubernetes.io/name': plan.name,
      'app.kubernetes.io/instance': plan.name,
      'app.kubernetes.io/component': 'pipeline',
      'app.kubernetes.io/part-of': 'modelserve',
      'app.kubernetes.io/managed-by': 'cdk8s',
      [PIPELINE_LABEL]: plan.name,
      // Who pays, as the services' labels say it; not the service key, which services select pods by.
      ...payerLabels({ environment: chart.environment, team: chart.team }),
    };

    // The orchestrator first: it is the one part built by another construct's constructor.
    if (plan.online) {
      this.definition = pipelineDefinition(plan);
      this.orchestrator = createPipelineOrchestrator(this, plan, this.definition, labels);
    }
    if (plan.batch.enabled) {
      this.workflow = new PipelineWorkflow(this, 'batch', { plan, labels });
      this.workflowTemplate = this.workflow.workflowTemplate;
      this.serviceAccount = this.workflow.serviceAccount;
    }
  }
}
