import { ModelServiceProps } from '../model-service-props';
import { ModelPipelineProps } from '../pipeline/model-pipeline-props';

/**
 * A ModelService as a document of a spec file (YAML or JSON): `kind: ModelService`, its `name`,
 * and the props of `new ModelService(chart, name, props)`. A prop that takes an object made by a
 * factory is written as the factory's call: `rollout: { canary: { newVersion: 1.1.0, weight: 10 } }`
 * for `Rollout.canary({ newVersion: '1.1.0', weight: 10 })`, or its name alone when it needs no
 * argument (`server: triton`, `rollout: recreate`).
 */
export interface ModelServiceDocument extends ModelServiceProps {
  /** The editor's schema, for JSON files (YAML files name it in a comment); not read. */
  readonly $schema?: string;
  /** Says which construct the document makes. */
  readonly kind: 'ModelService';
  /** Name of the service and id of its construct in the chart. A DNS-1035 label, at most 63 characters. */
  readonly name: string;
}

/**
 * A ModelPipeline as a document of a spec file: `kind: ModelPipeline`, its `name`, and the props
 * of `new ModelPipeline(chart, name, props)`. Steps name their services (`service: resnet`): the
 * services of every spec file are created before any pipeline.
 */
export interface ModelPipelineDocument extends ModelPipelineProps {
  /** The editor's schema, for JSON files (YAML files name it in a comment); not read. */
  readonly $schema?: string;
  /** Says which construct the document makes. */
  readonly kind: 'ModelPipeline';
  /** Name of the pipeline and id of its construct in the chart. */
  readonly name: string;
}

/** Any document of a spec file. */
export type ServingDocument = ModelServiceDocument | ModelPipelineDocument;
