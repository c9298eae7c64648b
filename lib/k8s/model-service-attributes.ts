import { Construct, IConstruct } from 'constructs';
import { ServiceAccountReference } from './traffic/request-authentication';

/** A mesh identity: a ServiceAccount in its namespace. */
export interface ServiceAccountIdentity {
  /** Name of the ServiceAccount. */
  readonly name: string;
  /** Its namespace. */
  readonly namespace: string;
}

/** Who a service with `auth` admits: it refuses, with 403, every caller that is neither. */
export interface ModelServiceAuth {
  /** Callers with a valid JWT of the service's issuer are admitted. */
  readonly jwt: boolean;
  /**
   * The in-mesh callers admitted by their identity, without a JWT: `auth.allowedServiceAccounts`,
   * then those of every `allowFrom`, namespaces resolved.
   */
  readonly allowedServiceAccounts: readonly ServiceAccountIdentity[];
}

/**
 * What a caller needs of a model service (a pipeline step, another service's `allowFrom`): where
 * it answers, which pods and identity are behind it, and who it admits. A `ModelService` is one;
 * `ModelService.fromServiceName()` makes one for a service defined elsewhere (another app,
 * another team's chart), which creates nothing.
 */
export interface IModelService extends IConstruct {
  /** Name of the Kubernetes Service. */
  readonly serviceName: string;
  /** Namespace of the Service and its pods. */
  readonly namespace: string;
  /** `<service>.<namespace>.svc.cluster.local`. */
  readonly host: string;
  /** Service port of the HTTP inference API: callers use `http://<host>:<port>/...` (80 for a ModelService). */
  readonly port: number;
  /** Service port of the gRPC inference API, when the server has one. */
  readonly grpcPort?: number;
  /**
   * The container ports the pods take inference calls on: the ports NetworkPolicies match, which
   * see the pod's port, not the Service's. Empty when unknown: a caller's egress then opens the
   * service's pods on every port.
   */
  readonly podPorts: readonly number[];
  /** Labels every pod of the service carries (all tracks): `{ 'modelserve.io/service': <name> }` for a ModelService. */
  readonly selector: Readonly<Record<string, string>>;
  /** The ServiceAccount the pods run as: their mesh identity when they call others. */
  readonly serviceAccountName: string;
  /**
   * The path a pipeline step POSTs to when it gives none: the server's own inference path.
   * Undefined when only the image knows it (a custom server).
   */
  readonly inferencePath?: string;
  /** The mesh's timeout of one request to the service, retries included, seconds. */
  readonly requestTimeoutSeconds: number;
  /**
   * Who the service admits, when it has `auth`. Undefined: it admits every meshed caller that its
   * NetworkPolicy lets through (its namespace, the ingress gateway, the peers of `allowFrom`).
   */
  readonly auth?: ModelServiceAuth;
}

/** A service defined elsewhere, as `ModelService.fromServiceName()` takes it. Checked for its form only. */
export interface ModelServiceAttributes {
  /** Name of the Kubernetes Service (a DNS-1035 label). */
  readonly serviceName: string;
  /**
   * Namespace of the Service.
   * @default - the namespace of the chart the import is made in
   */
  readonly namespace?: string;
  /**
   * Service port of the HTTP inference API.
   * @default 80 - a ModelService's
   */
  readonly port?: number;
  /**
   * Service port of the gRPC inference API.
   * @default - none
   */
  readonly grpcPort?: number;
  /**
   * Container ports the pods take inference calls on (a ModelService's server port, e.g. 8000 for
   * Triton): what a pipeline's egress NetworkPolicy opens towards the service.
   * @default - none known: the egress opens the service's pods on every port
   */
  readonly podPorts?: readonly number[];
  /**
   * Labels every pod of the service carries.
   * @default { 'modelserve.io/service': serviceName } - a ModelService's
   */
  readonly selector?: Readonly<Record<string, string>>;
  /**
   * The ServiceAccount the pods run as.
   * @default - serviceName, as a ModelService's
   */
  readonly serviceAccountName?: string;
  /**
   * The path a pipeline step POSTs to when it gives none, e.g. `/v2/models/bert-ner/infer`.
   * @default - none: each step gives its path
   */
  readonly inferencePath?: string;
  /**
   * The mesh's timeout of one request to the service, seconds: a pipeline step's timeout must fit it.
   * @default 60 - a ModelService's default
   */
  readonly requestTimeoutSeconds?: number;
  /**
   * Who the service admits, when it has `auth`: the pipeline that calls it checks that it is named.
   * @default - no auth: every meshed caller its NetworkPolicy lets through
   */
  readonly auth?: ModelServiceAuthAttributes;
}

/** The `auth` of a service defined elsewhere, as its owner set it. */
export interface ModelServiceAuthAttributes {
  /**
   * The service accepts callers with a JWT of an issuer.
   * @default false
   */
  readonly jwt?: boolean;
  /**
   * In-mesh callers it admits without a JWT (with `allowFrom` grants included).
   * @default - none
   */
  readonly allowedServiceAccounts?: readonly ServiceAccountReference[];
}

/** A construct that is a model service (a ModelService, or one imported with fromServiceName). */
export function isModelService(value: unknown): value is IModelService {
  return Construct.isConstruct(value) && typeof (value as Partial<IModelService>).serviceName === 'string' && typeof (value as Partial<IModelService>).namespace === 'string';
}
