import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PodPeer } from '../serving-namespace';
import { EndpointPicker, inferencePoolSpec } from './endpoint-picker';
import {
  DEFAULT_ENDPOINT_PICKER_IMAGE,
  DEFAULT_ENDPOINT_PICKER_RESOURCES,
  GATEWAY_API,
  INFERENCE_GATEWAY_PORT,
  INFERENCE_POOL_API,
  InferencePoolOptions,
  ISTIO_GATEWAY_CLASS,
  MAX_GATEWAY_REPLICAS,
} from './inference-pool-options';
import { checkConstructProps } from '../../catalog/props-check';

/** Label Istio puts on the pods of a Gateway it deploys (and selects them by). */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

export interface InferenceRoutingProps {
  /** The ModelService's name: the pool's and the route's; the picker is `<name>-epp`, the Gateway `<name>-inference`. */
  readonly name: string;
  readonly namespace: string;
  /** Labels of the pods the pool holds (the serving tracks'). */
  readonly poolSelector: Readonly<Record<string, string>>;
  /** The model server's HTTP container port. */
  readonly targetPort: number;
  /** Labels of every object. */
  readonly labels: Readonly<Record<string, string>>;
  /** Callers outside the namespace admitted to the Gateway (the mesh ingress gateway). */
  readonly ingressGateway: PodPeer;
  readonly prometheus: PodPeer;
  /** The route's timeout: the service's requestTimeoutSeconds. */
  readonly requestTimeoutSeconds: number;
  readonly options: InferencePoolOptions;
  readonly development: boolean;
  /** The service's PriorityClass, for the picker's and the Gateway's pods. @default - none */
  readonly priorityClassName?: string;
}

/** The names of what InferenceRouting emits, for a service of that name. */
export function inferenceRoutingNames(name: string): {
  pool: string;
  picker: string;
  gateway: string;
  gatewayOptions: string;
  gatewayDeployment: string;
} {
  return { pool: name, picker: `${name}-epp`, gateway: `${name}-inference`, gatewayOptions: `${name}-inference-gateway`, gatewayDeployment: `${name}-inference-istio` };
}

/**
 * KV-cache-aware routing for a vLLM service: an `InferencePool` (inference.networking.k8s.io/v1)
 * over the service's serving pods, its endpoint picker, and a Gateway API `Gateway` of class
 * `istio` whose `HTTPRoute` sends every request to the pool. Istio's gateway calls the picker
 * (Envoy ext_proc) for each request, and the picker chooses the pod by queue length, KV-cache use
 * and prefix-cache hits (https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api-inference-extension/).
 *
 * The Gateway is internal: a ClusterIP Service (`networking.istio.io/service-type`), reachable
 * from the namespace and the mesh ingress gateway, nothing public. Its Envoy Deployment is
 * Istio's, shaped by the ConfigMap its `infrastructure.parametersRef` names: seccomp
 * RuntimeDefault (Pod Security "restricted"), replicas through its autoscaler, a
 * PodDisruptionBudget.
 */
export class InferenceRouting extends Construct {
  public readonly pool: ApiObject;
  public readonly gateway: ApiObject;
  public readonly route: ApiObject;
  public readonly endpointPicker: EndpointPicker;

  constructor(scope: Construct, id: string, props: InferenceRoutingProps) {
    checkConstructProps(InferenceRouting, scope, id, props);
    super(scope, id);
    const names = inferenceRoutingNames(props.name);
    const metadata = (name: string, labels: Readonly<Record<string, string>> = props.labels) => (
      { name, namespace: props.namespace, labels: { ...labels } }
    );
    const gatewayPods = { [GATEWAY_NAME_LABEL]: names.gateway };

    this.pool = new ApiObject(this, 'pool', {
      apiVersion: INFERENCE_POOL_API,
      kind: 'InferencePool',
      metadata: metadata(names.pool),
      spec: inferencePoolSpec(props.poolSelector, props.targetPort, names.picker, props.options.failureMode ?? 'FailOpen'),
    });
    this.endpointPicker = new EndpointPicker(this, 'endpoint-picker', {
      name: names.picker,
      poolName: names.pool,
      namespace: props.namespace,
      image: props.options.endpointPickerImage ?? DEFAULT_ENDPOINT_PICKER_IMAGE,
      resources: props.options.endpointPickerResources ?? DEFAULT_ENDPOINT_PICKER_RESOURCES,
      labels: props.labels,
      gatewayPodLabels: gatewayPods,
      prometheus: props.prometheus,
      priorityClassName: props.priorityClassName,
    });

    // The Gateway's own labels never carry the service label: Istio copies a Gateway's labels to
    // the pods it deploys when `infrastructure.labels` is unset, and those pods must not join the
    // service's Service or pool. `infrastructure.labels` names what they do get.
    const gatewayLabels = Object.fromEntries(Object.entries(props.labels).filter(([k]) => k !== 'modelserve.io/service'));
    this.gateway = new ApiObject(this, 'gateway', {
      apiVersion: GATEWAY_API,
      kind: 'Gateway',
      metadata: { ...metadata(names.gateway, { ...gatewayLabels, 'modelserve.io/inference-gateway': props.name }), annotations: { 'networking.istio.io/service-type': 'ClusterIP' } },
      spec: {
        gatewayClassName: ISTIO_GATEWAY_CLASS,
        infrastructure: {
          labels: { 'modelserve.io/inference-gateway': props.name, 'app.kubernetes.io/part-of': 'modelserve' },
          parametersRef: { group: '', kind: 'ConfigMap', name: names.gatewayOptions },
        },
        listeners: [{ name: 'http', port: INFERENCE_GATEWAY_PORT, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } }],
      },
    });
    new k8s.KubeConfigMap(this, 'gateway-options', { metadata: metadata(names.gatewayOptions, gatewayLabels), data: gatewayDeploymentOptions(props) });

    this.route = new ApiObject(this, 'route', {
      apiVersion: GATEWAY_API,
      kind: 'HTTPRoute',
      metadata: metadata(names.pool),
      spec: {
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: names.gateway, sectionName: 'http' }],
        rules: [{
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [{ group: INFERENCE_POOL_API.split('/')[0], kind: 'InferencePool', name: names.pool }],
          timeouts: { request: `${props.requestTimeoutSeconds}s` },
        }],
      },
    });
    this.gatewayPolicy(props, names.gatewayOptions, gatewayLabels, gatewayPods);
  }

  /** The Gateway's pods take requests on its listener from the namespace and the mesh ingress gateway only. */
  private gatewayPolicy(props: InferenceRoutingProps, name: string, labels: Record<string, string>, gatewayPods: Record<string, string>): void {
    const port = { protocol: 'TCP', port: k8s.IntOrString.fromNumber(INFERENCE_GATEWAY_PORT) };
    new k8s.KubeNetworkPolicy(this, 'gateway-network-policy', {
      metadata: { name, namespace: props.namespace, labels },
      spec: {
        podSelector: { matchLabels: gatewayPods },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ podSelector: {} }], ports: [port] },
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.ingressGateway.namespace } }, podSelector: { matchLabels: { ...props.ingressGateway.podLabels } } }], ports: [port] },
        ],
      },
    });
  }
}

/**
 * Overlays Istio applies to what it deploys for the Gateway (the `deployment`,
 * `horizontalPodAutoscaler` and `podDisruptionBudget` keys of its parameters ConfigMap): seccomp
 * RuntimeDefault, which Istio's template sets only from mesh-wide values and Pod Security
 * "restricted" requires; requests for the Envoy; two replicas or more outside development, which a
 * drain never takes both of.
 */
function gatewayDeploymentOptions(props: InferenceRoutingProps): Record<string, string> {
  const replicas = props.options.gatewayReplicas ?? (props.development ? 1 : 2);
  const deployment = {
    spec: {
      template: {
        spec: {
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          ...(props.priorityClassName ? { priorityClassName: props.priorityClassName } : {}),
          containers: [{ name: 'istio-proxy', resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2', memory: '1Gi' } } }],
        },
      },
    },
  };
  const options: Record<string, string> = {
    deployment: JSON.stringify(deployment, null, 2) + '\n',
    horizontalPodAutoscaler: JSON.stringify({ spec: { minReplicas: replicas, maxReplicas: Math.max(replicas, MAX_GATEWAY_REPLICAS) } }, null, 2) + '\n',
  };
  if (replicas >= 2) options.podDisruptionBudget = JSON.stringify({ spec: { minAvailable: 1 } }, null, 2) + '\n';
  return options;
}
