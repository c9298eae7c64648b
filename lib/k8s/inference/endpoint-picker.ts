import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PRIVATE_RANGES } from '../egress';
import { meshSidecarResourceAnnotations } from '../mesh-sidecar';
import { PodPeer } from '../serving-namespace';
import { ENDPOINT_PICKER_PORTS, INFERENCE_POOL_API } from './inference-pool-options';
import { checkConstructProps } from '../../catalog/props-check';

/** UID of the picker's image (its Dockerfile's `USER 65532:65532`, distroless nonroot). */
const PICKER_UID = 65532;
/** Label of the picker's pods: never the service's label, or they would join its Service and pool. */
export const ENDPOINT_PICKER_LABEL = 'modelserve.io/endpoint-picker';
const CONFIG_FILE = 'default-plugins.yaml';

export interface EndpointPickerProps {
  /** `<service>-epp`: Deployment, Service, ServiceAccount, Role, ConfigMap and NetworkPolicy. */
  readonly name: string;
  readonly poolName: string;
  readonly namespace: string;
  readonly image: string;
  readonly resources: { readonly cpu: number; readonly memoryGiB: number };
  /** Labels of every object (the service's, for pruning). */
  readonly labels: Readonly<Record<string, string>>;
  /** The inference Gateway's pods, the only caller of the ext_proc port. */
  readonly gatewayPodLabels: Readonly<Record<string, string>>;
  readonly prometheus: PodPeer;
  /** The service's PriorityClass: the picker is on every request's path. @default - none */
  readonly priorityClassName?: string;
}

/**
 * The scorer configuration: llm-d-router's default profile for vLLM over HTTP (its chart's
 * `default-plugins.yaml`, v0.10.0): queue length and KV-cache use read from each pod's
 * `/metrics`, and the prefix cache the picker tracks from the prompts it routed. JSON is YAML.
 */
export function endpointPickerConfig(): string {
  return JSON.stringify({
    apiVersion: 'llm-d.ai/v1alpha1',
    kind: 'EndpointPickerConfig',
    plugins: [
      { type: 'queue-scorer' },
      { type: 'kv-cache-utilization-scorer' },
      { type: 'prefix-cache-scorer' },
      { type: 'metrics-data-source', parameters: { scheme: 'http', path: '/metrics', insecureSkipVerify: true } },
      { type: 'core-metrics-extractor' },
    ],
    schedulingProfiles: [{ name: 'default', plugins: [{ pluginRef: 'queue-scorer', weight: 2 }, { pluginRef: 'kv-cache-utilization-scorer', weight: 2 }, { pluginRef: 'prefix-cache-scorer', weight: 3 }] }],
  }, null, 2) + '\n';
}

/**
 * The Gateway API Inference Extension's endpoint picker for one InferencePool, as llm-d-router's
 * chart deploys it (one replica, Recreate: the prefix-cache index lives in the process), under Pod
 * Security "restricted": its own ServiceAccount with read access to the pods and pools of the
 * namespace only, a read-only root filesystem, every capability dropped. It runs in the mesh and
 * serves plain gRPC (`--secure-serving=false`): the gateway reaches it, and it reaches the model
 * pods' metrics, over the mesh's mTLS, which STRICT PeerAuthentication requires of both.
 */
export class EndpointPicker extends Construct {
  public readonly serviceName: string;

  constructor(scope: Construct, id: string, props: EndpointPickerProps) {
    checkConstructProps(EndpointPicker, scope, id, props);
    super(scope, id);
    const { name, labels } = props;
    const podLabels = { [ENDPOINT_PICKER_LABEL]: props.poolName, 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'endpoint-picker', 'app.kubernetes.io/part-of': 'modelserve' };
    const metadata = { name, labels: { ...labels, 'app.kubernetes.io/component': 'endpoint-picker' } };
    this.serviceName = name;

    new k8s.KubeServiceAccount(this, 'service-account', { metadata, automountServiceAccountToken: true });
    new k8s.KubeRole(this, 'role', {
      metadata,
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['inference.networking.k8s.io'], resources: ['inferencepools'], verbs: ['get', 'list', 'watch'] },
        // The picker watches objectives under both groups when their CRDs exist (llm-d-router's chart).
        { apiGroups: ['llm-d.ai', 'inference.networking.x-k8s.io'], resources: ['inferenceobjectives', 'inferencemodelrewrites'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'role-binding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: props.namespace }],
    });
    new k8s.KubeConfigMap(this, 'config', { metadata, data: { [CONFIG_FILE]: endpointPickerConfig() } });
    this.deployment(props, metadata, podLabels);
    new k8s.KubeService(this, 'service', {
      metadata,
      spec: {
        type: 'ClusterIP',
        selector: podLabels,
        ports: [
          { name: 'grpc-ext-proc', port: ENDPOINT_PICKER_PORTS.extProc, targetPort: k8s.IntOrString.fromNumber(ENDPOINT_PICKER_PORTS.extProc), appProtocol: 'kubernetes.io/h2c' },
          { name: 'http-metrics', port: ENDPOINT_PICKER_PORTS.metrics, targetPort: k8s.IntOrString.fromNumber(ENDPOINT_PICKER_PORTS.metrics), appProtocol: 'http' },
        ],
      },
    });
    this.networkPolicy(props, metadata, podLabels);
  }

  private deployment(
    props: EndpointPickerProps,
    metadata: { name: string; labels: Record<string, string> },
    podLabels: Record<string, string>,
  ): void {
    const quantity = { cpu: k8s.Quantity.fromNumber(props.resources.cpu), memory: k8s.Quantity.fromString(`${Math.round(props.resources.memoryGiB * 1024)}Mi`) };
    const grpcProbe = (periodSeconds: number) => ({ grpc: { port: ENDPOINT_PICKER_PORTS.health, service: 'inference-extension' }, periodSeconds });
    new k8s.KubeDeployment(this, 'deployment', {
      metadata,
      spec: {
        replicas: 1,
        // The prefix-cache index is the process's own: a second replica would score blind.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: podLabels },
        template: {
          metadata: { labels: podLabels, annotations: { 'sidecar.istio.io/nativeSidecar': 'true', ...meshSidecarResourceAnnotations() } },
          spec: {
            serviceAccountName: props.name,
            ...(props.priorityClassName ? { priorityClassName: props.priorityClassName } : {}),
            automountServiceAccountToken: true,
            terminationGracePeriodSeconds: 130,
            securityContext: { runAsNonRoot: true, runAsUser: PICKER_UID, runAsGroup: PICKER_UID, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'epp',
              image: props.image,
              imagePullPolicy: 'IfNotPresent',
              args: [
                '--pool-name', props.poolName,
                '--pool-namespace', props.namespace,
                '--pool-group', INFERENCE_POOL_API.split('/')[0],
                '--zap-encoder', 'json',
                '--config-file', `/config/${CONFIG_FILE}`,
                '--grpc-health-port', String(ENDPOINT_PICKER_PORTS.health),
                // The mesh's mTLS protects the ext_proc stream; TLS of its own would meet STRICT mTLS twice.
                '--secure-serving=false',
                '--tracing=false',
                // Only Prometheus reaches the metrics port (network policy).
                '--metrics-endpoint-auth=false',
              ],
              ports: [
                { name: 'grpc', containerPort: ENDPOINT_PICKER_PORTS.extProc },
                { name: 'grpc-health', containerPort: ENDPOINT_PICKER_PORTS.health },
                { name: 'metrics', containerPort: ENDPOINT_PICKER_PORTS.metrics },
              ],
              env: [
                { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              ],
              resources: { requests: quantity, limits: quantity },
              livenessProbe: { ...grpcProbe(10), initialDelaySeconds: 5 },
              readinessProbe: grpcProbe(2),
              securityContext: {
                allowPrivilegeEscalation: false,
                privileged: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts: [{ name: 'config', mountPath: '/config', readOnly: true }, { name: 'tmp', mountPath: '/tmp' }],
            }],
            volumes: [{ name: 'config', configMap: { name: props.name } }, { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } }],
          },
        },
      },
    });
  }

  /**
   * Under the namespace's default deny: the gateway's pods reach the ext_proc port, Prometheus the
   * metrics port; the picker reaches the API server (private addresses, 443) to watch pods and its
   * pool. Its calls to the model pods' metrics stay in the namespace, which every pod may reach.
   */
  private networkPolicy(
    props: EndpointPickerProps,
    metadata: { name: string; labels: Record<string, string> },
    podLabels: Record<string, string>,
  ): void {
    const tcp = (port: number) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
    new k8s.KubeNetworkPolicy(this, 'network-policy', {
      metadata,
      spec: {
        podSelector: { matchLabels: podLabels },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          { from: [{ podSelector: { matchLabels: { ...props.gatewayPodLabels } } }], ports: [tcp(ENDPOINT_PICKER_PORTS.extProc)] },
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.prometheus.namespace } }, podSelector: { matchLabels: { ...props.prometheus.podLabels } } }], ports: [tcp(ENDPOINT_PICKER_PORTS.metrics)] },
        ],
        egress: [{ to: PRIVATE_RANGES.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(443)] }],
      },
    });
  }
}

/** The InferencePool `spec`: the serving pods, their HTTP port, and the picker that chooses among them. */
export function inferencePoolSpec(selector: Readonly<Record<string, string>>, targetPort: number, picker: string, failureMode: 'FailOpen' | 'FailClose'): Record<string, unknown> {
  return {
    selector: { matchLabels: { ...selector } },
    targetPorts: [{ number: targetPort }],
    appProtocol: 'http',
    endpointPickerRef: { kind: 'Service', name: picker, port: { number: ENDPOINT_PICKER_PORTS.extProc }, failureMode },
  };
}

