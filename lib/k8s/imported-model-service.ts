import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DNS_1035_LABEL, DNS_1035_LABEL_RULE, DNS_LABEL, DNS_LABEL_RULE, isDnsSubdomain, isLabelValue, LABEL_KEY, PropsValidator } from '../catalog';
import { checkConstructProps } from '../catalog/props-check';
import { SERVICE_LABEL } from './labels';
import { IModelService, ModelServiceAttributes, ModelServiceAuth } from './model-service-attributes';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from './traffic/traffic-options';
import { isPlainUrlPath } from './traffic/workload-endpoints';

/** A ModelService's Service port of its HTTP API. */
const MODEL_SERVICE_HTTP_PORT = 80;

/**
 * A model service defined elsewhere, seen through `IModelService` (made by
 * `ModelService.fromServiceName`): its attributes, checked at synth, and nothing else; no object is
 * created or changed. What it admits is its owner's to say (their `allowFrom`).
 */
export class ImportedModelService extends Construct implements IModelService {
  public static fromAttributes(scope: Construct, id: string, attributes: ModelServiceAttributes): IModelService {
    return new ImportedModelService(scope, id, attributes);
  }

  public readonly serviceName: string;
  public readonly namespace: string;
  public readonly host: string;
  public readonly port: number;
  public readonly grpcPort?: number;
  public readonly podPorts: readonly number[];
  public readonly selector: Readonly<Record<string, string>>;
  public readonly serviceAccountName: string;
  public readonly inferencePath?: string;
  public readonly requestTimeoutSeconds: number;
  public readonly auth?: ModelServiceAuth;

  private constructor(scope: Construct, id: string, props: ModelServiceAttributes) {
    checkConstructProps(ImportedModelService, scope, id, props);
    const namespace = props?.namespace ?? chartNamespace(scope);
    validateModelServiceAttributes(new PropsValidator(scope.node.path ? `${scope.node.path}/${id}` : id), props, namespace);
    super(scope, id);
    this.serviceName = props.serviceName;
    this.namespace = namespace!;
    this.host = `${props.serviceName}.${this.namespace}.svc.cluster.local`;
    this.port = props.port ?? MODEL_SERVICE_HTTP_PORT;
    this.grpcPort = props.grpcPort;
    this.podPorts = [...(props.podPorts ?? [])];
    this.selector = { ...(props.selector ?? { [SERVICE_LABEL]: props.serviceName }) };
    this.serviceAccountName = props.serviceAccountName ?? props.serviceName;
    this.inferencePath = props.inferencePath;
    this.requestTimeoutSeconds = props.requestTimeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS;
    const auth = props.auth;
    this.auth = auth === undefined ? undefined : {
      jwt: auth.jwt ?? false,
      allowedServiceAccounts: (auth.allowedServiceAccounts ?? []).map((sa) => ({ name: sa.name, namespace: sa.namespace ?? this.namespace })),
    };
  }
}

/** The attributes' form: names Kubernetes takes, ports, a selector that selects something. */
function validateModelServiceAttributes(check: PropsValidator, a: ModelServiceAttributes, namespace: string | undefined): void {
  check.matches('serviceName', a.serviceName, DNS_1035_LABEL, DNS_1035_LABEL_RULE);
  check.that(namespace !== undefined, 'namespace', namespace, 'is not set and the chart has no namespace', 'give the namespace of the service');
  check.matches('namespace', namespace, DNS_LABEL, DNS_LABEL_RULE);
  check.integerInRange('port', a.port, 1, 65535);
  check.integerInRange('grpcPort', a.grpcPort, 1, 65535);
  (a.podPorts ?? []).forEach((p, i) => check.integerInRange(`podPorts[${i}]`, p, 1, 65535, 'give the container ports the pods serve on, e.g. [8000]'));
  if (a.selector !== undefined) {
    const entries = Object.entries(a.selector);
    check.that(entries.length > 0, 'selector', a.selector, 'is empty, which would select every pod of the namespace', `give the labels every pod of the service carries, e.g. { "${SERVICE_LABEL}": "${a.serviceName}" }`);
    for (const [k, v] of entries) {
      check.that(LABEL_KEY.test(k) && isLabelValue(v), 'selector', { [k]: v }, 'is not a valid label', 'use a label key with an optional DNS prefix and a value of at most 63 letters, digits, "-", "_" or "."');
    }
  }
  if (a.serviceAccountName !== undefined) {
    check.that(isDnsSubdomain(a.serviceAccountName), 'serviceAccountName', a.serviceAccountName, 'is not a valid ServiceAccount name', 'use lowercase letters, digits, "-" and "."');
  }
  if (a.inferencePath !== undefined) {
    check.that(isPlainUrlPath(a.inferencePath), 'inferencePath', a.inferencePath, 'is not a URL path (it must start with "/" and hold no spaces, "?", "#" or "*")', 'give the path the server answers inference on, e.g. "/v2/models/bert-ner/infer"');
  }
  check.integerInRange('requestTimeoutSeconds', a.requestTimeoutSeconds, 1, 3600, 'give the service\'s requestTimeoutSeconds');
  (a.auth?.allowedServiceAccounts ?? []).forEach((sa, i) => {
    check.that(isDnsSubdomain(sa?.name), `auth.allowedServiceAccounts[${i}].name`, sa?.name, 'is not a valid ServiceAccount name', 'name the ServiceAccount the service admits');
    if (sa.namespace !== undefined) check.matches(`auth.allowedServiceAccounts[${i}].namespace`, sa.namespace, DNS_LABEL, DNS_LABEL_RULE);
  });
}

/** The namespace of the chart around `scope`, if there is one and it names one. */
function chartNamespace(scope: Construct): string | undefined {
  try {
    return Chart.of(scope).namespace;
  } catch {
    return undefined;
  }
}
