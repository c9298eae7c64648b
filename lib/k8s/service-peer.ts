import { SERVICE_LABEL } from './labels';
import { IModelService } from './model-service-attributes';
import { PIPELINE_LABEL, pipelineServiceAccounts } from './pipeline/pipeline-names';

/** A caller given by its ServiceAccount, for `ServicePeer.serviceAccount()`. */
export interface ServiceAccountPeerOptions {
  /** Name of the ServiceAccount the caller's pods run as. */
  readonly name: string;
  /**
   * Namespace of the ServiceAccount and its pods.
   * @default - the namespace of the service that admits it
   */
  readonly namespace?: string;
  /**
   * Labels of the caller's pods. A NetworkPolicy cannot select pods by ServiceAccount, so without
   * them the service's NetworkPolicy admits every pod of that namespace and only the mesh identity
   * (its AuthorizationPolicy) narrows it to the account: allowed only on a service with `auth`.
   * @default - every pod of the namespace, narrowed by identity
   */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/** Options of `ServicePeer.pipeline()`. */
export interface PipelinePeerOptions {
  /**
   * Namespace of the pipeline.
   * @default - the namespace of the service that admits it
   */
  readonly namespace?: string;
}

/** What a peer is: another model service, a pipeline, or the pods of a ServiceAccount. */
export type ServicePeerKind = 'model-service' | 'pipeline' | 'service-account';

/**
 * Who may call a ModelService from outside what it admits by default (`service.allowFrom(peer)`):
 * the pods its NetworkPolicy admits and the mesh identities its AuthorizationPolicy admits.
 */
export class ServicePeer {
  /** Another model service (a ModelService, or one made by ModelService.fromServiceName): its pods, as its ServiceAccount. */
  public static modelService(service: IModelService): ServicePeer {
    return new ServicePeer('model-service', service.serviceName, service.namespace, [service.selector], [service.serviceAccountName], service);
  }

  /**
   * A ModelPipeline by name: its batch step pods and its orchestrator, as their ServiceAccounts
   * (`ModelPipeline.serviceAccounts(name)`). Named, not passed, because a pipeline checks when it
   * is created that each of its services admits it: grant first, then create the pipeline.
   */
  public static pipeline(pipelineName: string, options: PipelinePeerOptions = {}): ServicePeer {
    const accounts = pipelineServiceAccounts(pipelineName);
    const pods: Record<string, string>[] = [{ [PIPELINE_LABEL]: pipelineName }, { [SERVICE_LABEL]: accounts.orchestrator }];
    return new ServicePeer('pipeline', pipelineName, options.namespace, pods, [accounts.orchestrator, accounts.workflow]);
  }

  /** The pods that run as a ServiceAccount: a batch job, a smoke test, a workload of another team. */
  public static serviceAccount(options: ServiceAccountPeerOptions): ServicePeer {
    const pods = options?.podLabels !== undefined ? [{ ...options.podLabels }] : [];
    return new ServicePeer('service-account', options?.name, options?.namespace, pods, [options?.name]);
  }

  private constructor(
    /** Another model service, a pipeline, or the pods of a ServiceAccount. */
    public readonly kind: ServicePeerKind,
    /** The service's, pipeline's or ServiceAccount's name. */
    public readonly name: string,
    /** Its namespace; undefined: the admitting service's. */
    public readonly namespace: string | undefined,
    /** Label selectors of its pods, one per kind of pod; empty: every pod of its namespace. */
    public readonly podSelectors: readonly Readonly<Record<string, string>>[],
    /** The ServiceAccounts its pods run as, in its namespace. */
    public readonly serviceAccounts: readonly string[],
    /** The service, for a model-service peer. */
    public readonly service?: IModelService,
  ) {}

  /** How messages name it: `pipeline documents in models-production`. */
  public describe(defaultNamespace: string): string {
    const what = { 'model-service': 'service', 'pipeline': 'pipeline', 'service-account': 'ServiceAccount' }[this.kind];
    return `${what} ${this.name} in ${this.namespace ?? defaultNamespace}`;
  }
}
