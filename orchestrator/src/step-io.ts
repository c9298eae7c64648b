import { DefinitionStep, PipelineDefinition } from './definition';

/**
 * What a step receives, as the contract (and the batch WorkflowTemplate) says: the run's input
 * when it depends on no step, the response of its one dependency, or one JSON object of its
 * dependencies' responses keyed by step name. Built from the JSON texts as they were received,
 * so a response is never parsed and serialized again on its way to the next step.
 */
export function stepInput(step: DefinitionStep, runInput: string, responses: ReadonlyMap<string, string>): string {
  if (step.dependsOn.length === 0) return runInput;
  if (step.dependsOn.length === 1) return responses.get(step.dependsOn[0])!;
  return keyedObject(step.dependsOn, responses);
}

/** The run's result: the one output step's response as is, or several keyed by step name. */
export function runResult(definition: PipelineDefinition, responses: ReadonlyMap<string, string>): string {
  if (definition.outputs.length === 1) return responses.get(definition.outputs[0])!;
  return keyedObject(definition.outputs, responses);
}

function keyedObject(names: readonly string[], responses: ReadonlyMap<string, string>): string {
  return `{${names.map((n) => `${JSON.stringify(n)}:${responses.get(n)!}`).join(',')}}`;
}
