import { ApiObject, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { parseIpv4Cidr } from '../catalog/cidr';
import { DNS_LABEL, DNS_LABEL_RULE, ENVIRONMENT_PRESETS, EnvironmentName, GPU_RESOURCE, isDnsSubdomain, PropsValidator } from '../catalog';
import { MODEL_LOADER_LABEL } from './labels';
import { EGRESS_REASON_ANNOTATION, PRIVATE_AND_LINK_LOCAL_RANGES } from './egress';
import { checkConstructProps } from '../catalog/props-check';

/** Where a set of pods lives, for network policy peers. */
export interface PodPeer {
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
  /**
   * The pods' ServiceAccount: their mesh identity, which authorization policies name.
   * @default - for Prometheus, kube-prometheus-stack's `kube-prometheus-stack-prometheus`
   */
  readonly serviceAccount?: string;
}

/** An egress destination outside the cluster (a database, a cache, an API). */
export interface EgressRule {
  readonly cidr: string;
  readonly ports: readonly number[];
}

export interface ServingNamespaceOptions {
  /**
   * The mesh ingress gateway pods, admitted to each ModelService's serving ports.
   * @default - pods labelled istio=ingressgateway in namespace istio-ingress
   */
  readonly ingressGateway?: PodPeer;
  /**
   * The Prometheus pods, admitted to the sidecars' metrics ports and each ModelService's metrics port.
   * @default - pods labelled app.kubernetes.io/name=prometheus in namespace monitoring
   */
  readonly prometheus?: PodPeer;
  /**
   * Let the model loaders (the init container of each ModelService's pods, and nothing else)
   * reach HTTPS on public addresses: S3 through the VPC's gateway endpoint, whose addresses are
   * S3's public ones and change, so no CIDR narrows them. Private and link-local ranges stay
   * closed (other pods, the node's metadata service). The loaders also reach the EKS Pod Identity
   * agent. No other pod of the namespace gets HTTPS egress.
   * @default true
   */
  readonly allowHttpsEgress?: boolean;
  /**
   * Where S3 answers inside the VPC (the subnets of an S3 interface endpoint with private DNS):
   * the loaders' HTTPS egress goes there only, and no rule opens public addresses.
   * @default - S3's public addresses, through the gateway endpoint (allowHttpsEgress)
   */
  readonly modelStoreCidrs?: readonly string[];
  /**
   * Scrape the ingress gateway's Envoy stats with a PodMonitor in this namespace: the calls that
   * wake a service scaled to zero are seen there (its pods report nothing while there are none).
   * @default true
   */
  readonly scrapeIngressGateway?: boolean;
  /**
   * Further egress, e.g. the VPC's database subnets on 5432 and 6379.
   * @default - none
   */
  readonly egress?: readonly EgressRule[];
  /**
   * Override the environment preset's ResourceQuota.
   * @default - the preset's serving.quota
   */
  readonly quota?: Partial<{ cpu: number; memoryGiB: number; gpus: number; pods: number }>;
}

export interface ServingNamespaceProps extends ServingNamespaceOptions {
  readonly name: string;
  readonly environment: EnvironmentName;
}

/** The Istio ingress gateway as the Istio gateway Helm chart labels it. */
export const DEFAULT_INGRESS_GATEWAY: PodPeer = { namespace: 'istio-ingress', podLabels: { istio: 'ingressgateway' } };
/** The Prometheus Operator's Prometheus, as kube-prometheus-stack labels it. */
export const DEFAULT_PROMETHEUS: PodPeer = { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } };

/** Istio sidecar ports Prometheus scrapes: merged agent metrics and Envoy's own. */
const SIDECAR_METRICS_PORTS = [15020, 15090];

/**
 * EKS Pod Identity agent: pods fetch their AWS credentials from it on port 80
 * (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html).
 */
const POD_IDENTITY_AGENT = '169.254.170.23/32';
const ISTIOD = { namespace: 'istio-system', podLabels: { app: 'istiod' } };

/**
 * The namespace one environment's model services run in: mesh sidecar injection, Pod Security
 * "restricted" enforced, quota and per-container limits from the environment preset, mTLS STRICT,
 * and a default-deny network policy with the allows every model service needs.
 *
 * Sidecar injection under Pod Security "restricted" needs Istio's CNI plugin: the classic
 * istio-init container asks for NET_ADMIN, which the restricted profile refuses.
 */
export class ServingNamespace extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: ServingNamespaceProps) {
    checkConstructProps(ServingNamespace, scope, id, props);
    super(scope, id);
    const check = new PropsValidator(this.node.path);
    check.matches('name', props.name, DNS_LABEL, DNS_LABEL_RULE);
    validateServingNamespaceOptions(check, props);
    const preset = ENVIRONMENT_PRESETS[props.environment];
    const quota = { ...preset.serving.quota, ...props.quota };
    this.name = props.name;
    const labels = { 'app.kubernetes.io/part-of': 'modelserve', 'app.kubernetes.io/managed-by': 'cdk8s', 'modelserve.io/environment': props.environment };

    const namespace = new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: props.name,
        labels: {
          ...labels,
          'istio-injection': 'enabled',
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    });
    // The chart stamps its namespace on every object; a Namespace itself is cluster-scoped.
    namespace.addJsonPatch(JsonPatch.remove('/metadata/namespace'));

    new k8s.KubeResourceQuota(this, 'quota', {
      metadata: { name: 'serving-quota', labels },
      spec: {
        hard: {
          'requests.cpu': k8s.Quantity.fromNumber(quota.cpu),
          'limits.memory': k8s.Quantity.fromString(`${quota.memoryGiB}Gi`),
          'requests.memory': k8s.Quantity.fromString(`${quota.memoryGiB}Gi`),
          [`requests.${GPU_RESOURCE}`]: k8s.Quantity.fromNumber(quota.gpus),
          pods: k8s.Quantity.fromNumber(quota.pods),
          // Model services are reached through the mesh gateway: no public load balancers or node ports.
          'services.loadbalancers': k8s.Quantity.fromNumber(0),
          'services.nodeports': k8s.Quantity.fromNumber(0),
        },
      },
    });

    const d = preset.serving.containerDefaults;
    new k8s.KubeLimitRange(this, 'limits', {
      metadata: { name: 'container-limits', labels },
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: { cpu: k8s.Quantity.fromString(d.requestCpu), memory: k8s.Quantity.fromString(d.requestMemory) },
            default: { cpu: k8s.Quantity.fromString(d.limitCpu), memory: k8s.Quantity.fromString(d.limitMemory) },
            max: { cpu: k8s.Quantity.fromNumber(d.maxCpu), memory: k8s.Quantity.fromString(`${d.maxMemoryGiB}Gi`) },
          },
        ],
      },
    });

    new ApiObject(this, 'mtls', {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', labels },
      spec: { mtls: { mode: 'STRICT' } },
    });

    // Istio's request metrics (istio_requests_total, istio_request_duration_milliseconds) come from
    // each sidecar's Envoy: the error-rate and latency alerts, KEDA's request-rate trigger and the
    // progressive rollout's analysis all read them. Istio's documented "envoy-stats" PodMonitor,
    // limited to this namespace; Envoy's stats port is plain HTTP outside the mesh's capture.
    new ApiObject(this, 'sidecar-metrics', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'istio-sidecars', labels },
      spec: {
        selector: { matchLabels: { 'security.istio.io/tlsMode': 'istio' } },
        jobLabel: 'envoy-stats',
        podMetricsEndpoints: [{ port: 'http-envoy-prom', path: '/stats/prometheus', interval: '15s' }],
      },
    });
    if (props.scrapeIngressGateway ?? true) this.gatewayMonitor(labels, props.ingressGateway ?? DEFAULT_INGRESS_GATEWAY);

    this.networkPolicies(labels, props);
  }

  private networkPolicies(labels: Record<string, string>, props: ServingNamespaceProps): void {
    const prometheus = props.prometheus ?? DEFAULT_PROMETHEUS;
    const policy = (id: string, name: string, spec: k8s.NetworkPolicySpec, annotations?: Record<string, string>) =>
      new k8s.KubeNetworkPolicy(this, id, { metadata: { name, labels, ...(annotations ? { annotations } : {}) }, spec });
    const allPods = {};

    policy('default-deny', 'default-deny-all', { podSelector: allPods, policyTypes: ['Ingress', 'Egress'] });
    policy('allow-dns', 'allow-dns', {
      podSelector: allPods,
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: byName('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) }],
      }],
    });
    // Ingress to a model's own ports (from the gateway, callers in the namespace, Prometheus) is each
    // ModelService's own policy, port by port; here only what every meshed pod needs.
    policy('allow-mesh', 'allow-mesh-egress', {
      podSelector: allPods,
      policyTypes: ['Egress'],
      egress: [
        // Callers in the namespace (the pipeline orchestrator calling a model); mTLS authenticates them.
        { to: [{ podSelector: allPods }] },
        // Sidecars fetch config and certificates from istiod (xDS + CA on 15012, injection webhook on 15017).
        { to: [peer(ISTIOD)], ports: [15012, 15017].map((p) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(p) })) },
      ],
    });
    policy('allow-prometheus', 'allow-sidecar-metrics', {
      podSelector: allPods,
      policyTypes: ['Ingress'],
      ingress: [{ from: [peer(prometheus)], ports: SIDECAR_METRICS_PORTS.map((p) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(p) })) }],
    });
    this.egressPolicies(policy, props);
  }

  /**
   * Egress to outside the cluster. The model loaders reach the Pod Identity agent and S3 (see
   * allowHttpsEgress / modelStoreCidrs); every pod reaches the destinations `egress` lists (a
   * database, a cache). A rule that opens 0.0.0.0/0 states why in EGRESS_REASON_ANNOTATION.
   */
  private egressPolicies(
    policy: (id: string, name: string, spec: k8s.NetworkPolicySpec, annotations?: Record<string, string>) => k8s.KubeNetworkPolicy,
    props: ServingNamespaceProps,
  ): void {
    const tcp = (port: number) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
    const storeCidrs = props.modelStoreCidrs ?? [];
    const https = storeCidrs.length > 0
      ? [{ to: storeCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(443)] }]
      : (props.allowHttpsEgress ?? true) ? [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [...PRIVATE_AND_LINK_LOCAL_RANGES] } }], ports: [tcp(443)] }] : [];
    const reason = storeCidrs.length === 0 && https.length > 0
      ? { [EGRESS_REASON_ANNOTATION]: 'Model loaders copy models from S3 through the VPC gateway endpoint, whose addresses are S3\'s public ranges and change; private and link-local ranges stay closed. Set modelStoreCidrs to an S3 interface endpoint to close it.' }
      : undefined;
    policy('allow-model-store', 'allow-model-store-egress', {
      podSelector: { matchLabels: { [MODEL_LOADER_LABEL]: 's3' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT } }], ports: [tcp(80)] }, ...https],
    }, reason);
    if ((props.egress ?? []).length > 0) {
      policy('allow-egress', 'allow-listed-egress', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: props.egress!.map((rule) => ({ to: [{ ipBlock: { cidr: rule.cidr } }], ports: rule.ports.map(tcp) })),
      });
    }
  }

  /**
   * The ingress gateway's Envoy stats (Istio's documented port), from a PodMonitor in this
   * namespace that selects the gateway's pods in theirs: source-side request metrics of calls
   * through the gateway, the only ones that exist while a service has no pods.
   */
  private gatewayMonitor(labels: Record<string, string>, gateway: PodPeer): void {
    new ApiObject(this, 'ingress-gateway-metrics', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'istio-ingress-gateway', labels },
      spec: {
        namespaceSelector: { matchNames: [gateway.namespace] },
        selector: { matchLabels: { ...gateway.podLabels } },
        jobLabel: 'istio',
        podMetricsEndpoints: [{ port: 'http-envoy-prom', path: '/stats/prometheus', interval: '15s' }],
      },
    });
  }
}

/** Checks the options; called by ServingChart before it creates anything, and by the namespace itself. */
export function validateServingNamespaceOptions(check: PropsValidator, options: ServingNamespaceOptions): void {
  for (const [field, value] of Object.entries(options.quota ?? {})) {
    check.integerInRange(`quota.${field}`, value, 0, 1_000_000);
  }
  (options.modelStoreCidrs ?? []).forEach((cidr, i) => {
    check.that(parseIpv4Cidr(cidr) !== undefined, `modelStoreCidrs[${i}]`, cidr, 'is not an IPv4 CIDR', 'give the S3 interface endpoint\'s subnets as a.b.c.d/n, e.g. 10.0.64.0/19');
  });
  check.that(
    options.allowHttpsEgress !== false || (options.modelStoreCidrs ?? []).length > 0,
    'allowHttpsEgress',
    false,
    'leaves the model loaders no way to S3, so no model service could load its model',
    'list where S3 answers inside the VPC (an S3 interface endpoint\'s subnets) in modelStoreCidrs, or leave allowHttpsEgress on',
  );
  if (options.prometheus?.serviceAccount !== undefined) {
    check.that(isDnsSubdomain(options.prometheus.serviceAccount), 'prometheus.serviceAccount', options.prometheus.serviceAccount, 'is not a valid ServiceAccount name', 'give the name of the Prometheus pods\' ServiceAccount');
  }
  (options.egress ?? []).forEach((rule, i) => {
    check.that(parseIpv4Cidr(rule.cidr) !== undefined, `egress[${i}].cidr`, rule.cidr, 'is not an IPv4 CIDR', 'write it as a.b.c.d/n, e.g. 10.0.64.0/18');
    check.that(rule.ports.length > 0 && rule.ports.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535), `egress[${i}].ports`, rule.ports, 'must list ports from 1 to 65535', 'list the destination ports, e.g. [5432]');
  });
}

function byName(namespace: string): k8s.LabelSelector {
  return { matchLabels: { 'kubernetes.io/metadata.name': namespace } };
}

function peer(p: PodPeer): k8s.NetworkPolicyPeer {
  return { namespaceSelector: byName(p.namespace), podSelector: { matchLabels: { ...p.podLabels } } };
}
