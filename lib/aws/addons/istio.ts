import { ADDON_PRIORITY_CLASS } from './addon-priority';
import { AddonProfile, resources, spreadConstraints } from './addon-profile';
import { HelmChartPin } from './helm-chart-pin';

/**
 * Istio 1.31.0, released 2026-08-31 (github.com/istio/istio/releases, after 1.31.0-rc.4); the four
 * charts share the Istio version. One constant, so that base, istiod, CNI and gateway never skew.
 */
export const ISTIO_VERSION = '1.31.0';
const ISTIO_REPOSITORY = 'https://istio-release.storage.googleapis.com/charts';

export const ISTIO_BASE_CHART: HelmChartPin = { repository: ISTIO_REPOSITORY, chart: 'base', version: ISTIO_VERSION };
export const ISTIOD_CHART: HelmChartPin = { repository: ISTIO_REPOSITORY, chart: 'istiod', version: ISTIO_VERSION };
export const ISTIO_CNI_CHART: HelmChartPin = { repository: ISTIO_REPOSITORY, chart: 'cni', version: ISTIO_VERSION };
export const ISTIO_GATEWAY_CHART: HelmChartPin = { repository: ISTIO_REPOSITORY, chart: 'gateway', version: ISTIO_VERSION };

/** Where ServingNamespace's network policies expect istiod (`app: istiod`). */
export const ISTIO_NAMESPACE = 'istio-system';
/** Where ServingNamespace's network policies expect the ingress gateway pods. */
export const ISTIO_INGRESS_NAMESPACE = 'istio-ingress';
/**
 * The CNI node agent is a privileged DaemonSet. In kube-system, next to EKS's own privileged node
 * agents (aws-node, kube-proxy), istio-system keeps a stricter Pod Security level. Istio supports
 * the agent in a namespace other than istiod's (its GKE install uses kube-system too).
 */
export const ISTIO_CNI_NAMESPACE = 'kube-system';
/** Release name of the gateway; the chart labels its pods `istio: <name without "istio-">`. */
export const INGRESS_GATEWAY_RELEASE = 'istio-ingressgateway';
/** The label ModelService's Istio Gateway selects and ServingNamespace admits traffic from. */
export const INGRESS_GATEWAY_LABELS: Readonly<Record<string, string>> = { istio: 'ingressgateway' };

/** Annotations that make the AWS Load Balancer Controller (not the in-tree controller) build an NLB. */
export function nlbAnnotations(o: { internetFacing: boolean }): Record<string, string> {
  return {
    'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
    // IP targets: the NLB sends straight to gateway pods, no second hop through a node port.
    'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
    'service.beta.kubernetes.io/aws-load-balancer-scheme': o.internetFacing ? 'internet-facing' : 'internal',
    'service.beta.kubernetes.io/aws-load-balancer-ip-address-type': 'ipv4',
    'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',
    // Health from the gateway's readiness endpoint, so a draining pod leaves the target group first.
    'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'http',
    'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': '15021',
    'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path': '/healthz/ready',
  };
}

export function istioBaseValues(): Record<string, unknown> {
  return { defaultRevision: 'default' };
}

/**
 * istiod with the CNI plugin (`pilot.cni.enabled`): injected pods then get no `istio-init`
 * container with NET_ADMIN, which Pod Security "restricted" would refuse. Mesh-wide: clients use
 * mTLS automatically, each sidecar is ready before the app container starts, and access logs are
 * JSON on stdout.
 */
export function istiodValues(o: { profile: AddonProfile }): Record<string, unknown> {
  const ha = o.profile.highAvailability;
  return {
    pilot: {
      cni: { enabled: true },
      replicaCount: o.profile.replicas,
      autoscaleEnabled: ha,
      autoscaleMin: o.profile.replicas,
      autoscaleMax: ha ? 5 : 1,
      resources: resources('500m', '2Gi', '2', '4Gi'),
      seccompProfile: { type: 'RuntimeDefault' },
      nodeSelector: { ...o.profile.nodeSelector },
      topologySpreadConstraints: spreadConstraints(o.profile, { app: 'istiod' }),
    },
    global: {
      logAsJson: true,
      priorityClassName: ADDON_PRIORITY_CLASS,
      // istiod's PDB (minAvailable 1) would block every drain with a single replica.
      defaultPodDisruptionBudget: { enabled: ha },
    },
    meshConfig: {
      enableAutoMtls: true,
      accessLogFile: '/dev/stdout',
      accessLogEncoding: 'JSON',
      enablePrometheusMerge: true,
      defaultConfig: { holdApplicationUntilProxyStarts: true },
    },
  };
}

export function istioCniValues(): Record<string, unknown> {
  return {
    global: { logAsJson: true },
    resources: resources('100m', '100Mi', '500m', '512Mi'),
  };
}

export interface IngressGatewayValuesOptions {
  readonly profile: AddonProfile;
  readonly internetFacing: boolean;
  readonly sourceCidrs: readonly string[];
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

export function ingressGatewayValues(o: IngressGatewayValuesOptions): Record<string, unknown> {
  return {
    labels: { ...INGRESS_GATEWAY_LABELS },
    service: {
      type: 'LoadBalancer',
      annotations: nlbAnnotations(o),
      // The controller writes these into the NLB's security group.
      ...(o.sourceCidrs.length ? { loadBalancerSourceRanges: [...o.sourceCidrs] } : {}),
    },
    autoscaling: { enabled: true, minReplicas: o.minReplicas, maxReplicas: o.maxReplicas, targetCPUUtilizationPercentage: 70 },
    podDisruptionBudget: o.profile.highAvailability ? { minAvailable: 1 } : {},
    resources: resources('500m', '512Mi', '2', '1Gi'),
    nodeSelector: { ...o.profile.nodeSelector },
    priorityClassName: ADDON_PRIORITY_CLASS,
    topologySpreadConstraints: spreadConstraints(o.profile, INGRESS_GATEWAY_LABELS),
    // In-flight inference requests finish before the pod goes; the NLB stops sending first.
    terminationGracePeriodSeconds: 60,
  };
}
