import { ORCHESTRATOR_CONTRACT } from './orchestrator-contract';
import { PipelinePlan } from './plan-model-pipeline';

/** One step of the definition the orchestrator reads. */
export interface PipelineDefinitionStep {
  readonly name: string;
  /** The ModelService called. */
  readonly service: string;
  readonly method: 'POST';
  readonly url: string;
  /** Steps whose responses make this step's request; empty: the run's input. */
  readonly dependsOn: readonly string[];
  readonly timeoutSeconds: number;
  readonly retries: number;
}

/** The file at `PIPELINE_DEFINITION_PATH`: everything the orchestrator needs to run the pipeline. */
export interface PipelineDefinition {
  readonly apiVersion: 'modelserve.io/v1alpha1';
  readonly kind: 'PipelineDefinition';
  readonly name: string;
  readonly namespace: string;
  /** A whole run, from request to last response. */
  readonly timeoutSeconds: number;
  readonly resultTtlSeconds: number;
  /** In dependency order: running them in this order one by one is always correct. */
  readonly steps: readonly PipelineDefinitionStep[];
  /** Steps whose responses are the result: one response as is, several keyed by step name. */
  readonly outputs: readonly string[];
  readonly retryOn: { readonly statuses: readonly number[]; readonly timeouts: true; readonly connectionErrors: true };
}

export function pipelineDefinition(plan: PipelinePlan): PipelineDefinition {
  if (!plan.online) throw new Error(`${plan.path}: no online options, so no orchestrator definition`);
  return {
    apiVersion: 'modelserve.io/v1alpha1',
    kind: 'PipelineDefinition',
    name: plan.name,
    namespace: plan.namespace,
    timeoutSeconds: plan.online.timeoutSeconds,
    resultTtlSeconds: plan.online.resultTtlSeconds,
    steps: plan.steps.map((s) => ({
      name: s.name,
      service: s.service.serviceName,
      method: 'POST',
      url: s.url,
      dependsOn: [...s.dependsOn],
      timeoutSeconds: s.timeoutSeconds,
      retries: s.retries,
    })),
    outputs: [...plan.outputs],
    retryOn: { statuses: [...ORCHESTRATOR_CONTRACT.retryStatuses], timeouts: true, connectionErrors: true },
  };
}
