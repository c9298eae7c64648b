/**
 * The names a pipeline gives its pods and identities, with nothing imported: a ModelService's
 * ServicePeer.pipeline() reads them before (and without) the pipeline.
 */

/**
 * Label of a pipeline's batch objects, step pods and Redis egress policy: the pipeline's name (the
 * orchestrator is a ModelService and carries that service's labels). The step pods do not carry
 * `modelserve.io/service`, which would put them behind a service's Service and policies.
 */
export const PIPELINE_LABEL = 'modelserve.io/pipeline';
/** Pod label of a step pod: the step's name (`kubectl logs -l modelserve.io/pipeline-step=ocr`). */
export const STEP_LABEL = 'modelserve.io/pipeline-step';

/** The ServiceAccounts a pipeline's pods call the services as: its batch pods' and its orchestrator's. */
export function pipelineServiceAccounts(pipelineName: string): { readonly workflow: string; readonly orchestrator: string } {
  return { workflow: `${pipelineName}-workflow`, orchestrator: `${pipelineName}-orchestrator` };
}
