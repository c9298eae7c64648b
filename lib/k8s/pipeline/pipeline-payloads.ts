/** An Argo artifact repository other than the namespace's default (`artifactRepositoryRef`). */
export interface ArtifactRepositoryReference {
  /**
   * ConfigMap holding the repository.
   * @default 'artifact-repositories'
   */
  readonly configMap?: string;
  /** Key of the repository in that ConfigMap. */
  readonly key: string;
}

export interface ArtifactPayloadOptions {
  /**
   * The S3 artifact repository the step responses are written to.
   * @default - the default repository of the namespace (or of the controller)
   */
  readonly artifactRepositoryRef?: ArtifactRepositoryReference;
}

export type PipelinePayloadsSpec =
  | { readonly kind: 'parameters' }
  | { readonly kind: 'artifacts'; readonly artifactRepositoryRef?: ArtifactRepositoryReference };

/**
 * How a batch run's input and each step's response travel between the step pods.
 *
 * - `parameters()`: the input is the workflow parameter `input` (inline JSON) and every response
 *   an output parameter. Needs nothing but Argo; Argo keeps parameters in the cluster's API
 *   objects, so keep each response under about 256 KiB.
 * - `artifacts()`: the input is the S3 object named by the workflow parameter `input-key`, and
 *   every response an artifact in the S3 artifact repository. For documents and images.
 */
export class PipelinePayloads {
  public static parameters(): PipelinePayloads {
    return new PipelinePayloads({ kind: 'parameters' });
  }

  public static artifacts(options: ArtifactPayloadOptions = {}): PipelinePayloads {
    return new PipelinePayloads({ kind: 'artifacts', artifactRepositoryRef: options.artifactRepositoryRef });
  }

  private constructor(public readonly spec: PipelinePayloadsSpec) {}
}
