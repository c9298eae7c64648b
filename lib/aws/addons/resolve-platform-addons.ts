import { canonicalCidr, toCidr } from '../../catalog/cidr';
import { Capacity, EnvironmentName, NodePoolSpec, PropsValidator, runsClusterControllers } from '../../catalog';
import { TerraformStack } from 'cdktf';
import { isUnresolved, validateEnvironment, validateS3BucketName } from '../aws-names';
import { validateRegionProp } from '../aws-provider';
import { ICluster } from '../cluster-attributes';
import { AddonProfile, addonProfile } from './addon-profile';
import { ArgoServerAuth } from './argo-workflows';
import { CLUSTER_AUTOSCALER_EXPANDERS, ClusterAutoscalerExpander } from './cluster-autoscaler';
import { ClusterProviders } from './cluster-providers';
import { PlatformAddonsProps, PrometheusOptions } from './platform-addons-props';
import { SpotInterruption } from './spot-interruption';

/** Every add-on PlatformAddons installs, by its prop name. */
export const ADDONS = [
  'loadBalancerController',
  'clusterAutoscaler',
  'metricsServer',
  'keda',
  'istio',
  'prometheus',
  'logging',
  'gpuOperator',
  'argoRollouts',
  'argoWorkflows',
  'karpenter',
  'verticalPodAutoscaler',
] as const;
export type AddonName = (typeof ADDONS)[number];

const PROPS = ['cluster', 'environment', 'vpcId', 'nodePools', 'providers', 'region', 'deployFromInsideVpc', 'spotInterruption', 'tags', ...ADDONS] as const;

/** Option names of each add-on that takes an options object. */
const OPTION_KEYS: Readonly<Partial<Record<AddonName, readonly string[]>>> = {
  loadBalancerController: ['replicas'],
  clusterAutoscaler: ['expanders', 'scaleDownUtilizationThreshold', 'scaleDownUnneededMinutes'],
  keda: ['operatorReplicas'],
  istio: ['gateway', 'internetFacing', 'sourceCidrs', 'allowFromAnywhere', 'gatewayMinReplicas', 'gatewayMaxReplicas'],
  prometheus: ['retentionDays', 'storageGiB', 'storageClassName', 'grafanaAdminSecretName', 'alerting'],
  logging: ['bucketName', 'retentionDays'],
  argoRollouts: ['controllerReplicas', 'dashboard'],
  argoWorkflows: ['serverAuth', 'controllerReplicas'],
  karpenter: ['interruptionQueueName'],
};

const VPC_ID = /^vpc-[0-9a-f]+$/;
/** `-logs-`, a 12-digit account, `-` and the longest region name (14) next to the cluster name. */
const LOG_BUCKET_SUFFIX_LENGTH = 6 + 12 + 1 + 14;

export interface ResolvedGateway {
  readonly internetFacing: boolean;
  readonly sourceCidrs: readonly string[];
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/** PlatformAddonsProps checked, with every default filled in. `undefined` means the add-on is off. */
export interface ResolvedAddons {
  readonly environment: EnvironmentName;
  /** The cluster's VPC as given; unset, the cluster's own attribute is used. */
  readonly vpcId?: string;
  readonly profile: AddonProfile;
  /** The cluster name as written, when it is a literal (role names, bucket name); else undefined. */
  readonly literalClusterName?: string;
  readonly nodePools: readonly NodePoolSpec[];
  readonly loadBalancerController?: { readonly replicas: number };
  readonly clusterAutoscaler?: {
    readonly expanders: readonly ClusterAutoscalerExpander[];
    readonly scaleDownUtilizationThreshold: number;
    readonly scaleDownUnneededMinutes: number;
  };
  readonly metricsServer: boolean;
  readonly keda?: { readonly operatorReplicas: number };
  readonly istio?: { readonly gateway?: ResolvedGateway };
  readonly prometheus?: PrometheusOptions;
  readonly logging?: { readonly bucketName?: string; readonly retentionDays?: number };
  readonly gpuOperator: boolean;
  readonly spotInterruption: SpotInterruption;
  readonly argoRollouts?: { readonly controllerReplicas: number; readonly dashboard: boolean };
  readonly argoWorkflows?: { readonly serverAuth: ArgoServerAuth; readonly controllerReplicas: number };
  readonly karpenter?: { readonly interruptionQueueName: string };
  /** The VPA recommender, for ModelService's resourceRecommendations. */
  readonly verticalPodAutoscaler: boolean;
  /** The pools that are EKS managed node groups: the ones the Cluster Autoscaler scales. */
  readonly managedNodePools: readonly NodePoolSpec[];
}

type Toggle = boolean | Record<string, unknown> | undefined;

/** Checks the props that do not depend on the cluster, before the cluster is looked at. */
export function checkPlatformAddonsProps(path: string, stack: TerraformStack, props: PlatformAddonsProps): void {
  const v: PropsValidator = new PropsValidator(path);
  v.that(typeof props === 'object' && props !== null && !Array.isArray(props), 'props', props, 'are not set', 'pass { cluster }');
  for (const key of Object.keys(props)) {
    v.that((PROPS as readonly string[]).includes(key), key, (props as unknown as Record<string, unknown>)[key], 'is not a PlatformAddons prop', `use one of ${PROPS.join(', ')}`);
  }
  const cluster = props.cluster as ICluster | undefined;
  v.that(
    typeof cluster === 'object' && cluster !== null && Array.isArray(cluster.nodePoolSpecs) && typeof cluster.node?.path === 'string',
    'cluster',
    cluster === undefined || cluster === null ? cluster : '(not a Cluster)',
    'is required',
    'pass the platform\'s Cluster (platform.cluster), or Cluster.fromClusterName(stack, id, { ... })',
  );
  if (props.environment !== undefined) validateEnvironment(v, props.environment);
  v.that(props.deployFromInsideVpc === undefined || typeof props.deployFromInsideVpc === 'boolean', 'deployFromInsideVpc', props.deployFromInsideVpc, 'is not true or false', 'set deployFromInsideVpc: true or false');
  validateRegionProp(v, stack, props.region);
}

/**
 * Checks every prop against `cluster` (the cluster as this stack sees it) before anything is
 * created, and fills in the defaults: one resolver per add-on, in the order the messages have
 * always come in.
 */
export function resolvePlatformAddons(path: string, props: PlatformAddonsProps, cluster: ICluster): ResolvedAddons {
  const v: PropsValidator = new PropsValidator(path);
  const env = resolveEnvironment(v, props, cluster);
  const profile = addonProfile(env);
  const literalClusterName = cluster.literalClusterName;
  // Not the cluster's attribute: for a cluster of another stack that would be a cross-stack reference.
  const vpcId = props.vpcId;
  checkProviders(v, props, cluster);
  const nodePools = resolveNodePools(v, props, cluster, profile);
  const o = new AddonOptionReader(v, profile);
  const loadBalancerController = resolveLoadBalancerController(o, props, vpcId);
  const clusterAutoscaler = resolveClusterAutoscaler(o, props);
  const metricsServer = o.bool('metricsServer', props.metricsServer, true);
  const verticalPodAutoscaler = o.bool('verticalPodAutoscaler', props.verticalPodAutoscaler, false);
  v.that(!verticalPodAutoscaler || metricsServer, 'verticalPodAutoscaler', true, 'needs metricsServer: the VPA recommender reads the pods\' CPU and memory from the metrics API', 'turn metricsServer on, or leave verticalPodAutoscaler off');
  const kedaOptions = o.options('keda', props.keda as Toggle);
  const keda = kedaOptions ? { operatorReplicas: o.replicas('keda.operatorReplicas', kedaOptions.operatorReplicas, 5) } : undefined;
  const istio = resolveIstio(o, props, loadBalancerController !== undefined);
  const prometheus = o.options('prometheus', props.prometheus as Toggle) as PrometheusOptions | undefined;
  const logging = resolveLogging(o, props, literalClusterName);
  const gpuOperator = resolveGpuOperator(o, props, nodePools, prometheus !== undefined);
  const spotInterruption = resolveSpotInterruption(v, props, literalClusterName);
  const argoRollouts = resolveArgoRollouts(o, props);
  const argoWorkflows = resolveArgoWorkflows(o, props);
  const karpenter = resolveKarpenter(v, props.karpenter, o.options('karpenter', props.karpenter as Toggle), cluster, literalClusterName, spotInterruption);
  const capacity = cluster.capacity ?? Capacity.managedNodeGroups();

  return {
    karpenter,
    managedNodePools: capacity.managedPools(nodePools),
    environment: env,
    vpcId,
    profile,
    literalClusterName,
    nodePools,
    loadBalancerController,
    clusterAutoscaler,
    metricsServer,
    verticalPodAutoscaler,
    keda,
    istio,
    prometheus,
    logging,
    gpuOperator,
    spotInterruption,
    argoRollouts,
    argoWorkflows,
  };
}

/**
 * The add-on options as given: `true` or absent is on with defaults, `false` off, an object on
 * with its keys checked. Checked rather than trusted to the types: JavaScript callers.
 */
export class AddonOptionReader {
  constructor(
    private readonly v: PropsValidator,
    private readonly profile: AddonProfile,
  ) {}

  public options(name: AddonName, value: Toggle): Record<string, unknown> | undefined {
    const v = this.v;
    if (value === undefined || value === true) return {};
    if (value === false) return undefined;
    v.that(typeof value === 'object' && value !== null && !Array.isArray(value), name, value, 'is neither true, false nor an options object', `set ${name}: true, false or { ... }`);
    const allowed = OPTION_KEYS[name] ?? [];
    for (const key of Object.keys(value)) {
      v.that(allowed.includes(key), `${name}.${key}`, value[key], `is not an option of ${name}`, allowed.length ? `use one of ${allowed.join(', ')}` : `set ${name}: true or false`);
    }
    return value;
  }

  public bool(field: string, value: unknown, fallback: boolean): boolean {
    this.v.that(value === undefined || typeof value === 'boolean', field, value, 'is not true or false', `set ${field}: true or false`);
    return (value as boolean | undefined) ?? fallback;
  }

  /** A replica count, the environment's profile's unless given. */
  public replicas(field: string, value: unknown, max: number): number {
    const count = (value as number | undefined) ?? this.profile.replicas;
    this.v.integerInRange(field, count, 1, max);
    return count;
  }

  public get validator(): PropsValidator {
    return this.v;
  }
}

/** The environment (the props', else the cluster's), and a cluster the add-ons can be installed on at all. */
function resolveEnvironment(v: PropsValidator, props: PlatformAddonsProps, cluster: ICluster): EnvironmentName {
  const environment = props.environment ?? cluster.environment;
  v.that(
    environment !== undefined,
    'environment',
    environment,
    `is not set and the cluster (${cluster.node.path}) does not say which environment it was made for`,
    'set environment: "development", "staging" or "production"',
  );
  validateEnvironment(v, environment);
  v.that(cluster.nodePoolSpecs.length > 0, 'cluster', cluster.node.path, 'has no node pools, so no add-on could run and the charts would wait until the apply times out', 'add the node pools (cluster.addManagedNodeGroup) before PlatformAddons');
  // The providers call the API as whoever runs cdktf deploy.
  v.that(
    cluster.grantsApiAccess !== false,
    'cluster',
    cluster.node.path,
    'grants nobody access to its Kubernetes API, so Helm, which calls it as whoever runs cdktf deploy, could not install a single chart',
    'keep grantDeployerClusterAdmin on, or list the deployer\'s role in adminPrincipalArns (of ModelServePlatform or Cluster)',
  );
  return environment as EnvironmentName;
}

function checkProviders(v: PropsValidator, props: PlatformAddonsProps, cluster: ICluster): void {
  v.that(
    props.providers === undefined || props.providers instanceof ClusterProviders,
    'providers',
    typeof props.providers,
    'is not a ClusterProviders',
    'pass new ClusterProviders(stack, id, { cluster, alias }), or leave it out',
  );
  v.that(
    props.providers === undefined || props.providers.cluster === cluster || props.providers.cluster === props.cluster,
    'providers',
    props.providers?.helm.alias,
    'point at another cluster',
    'make the providers from this cluster: new ClusterProviders(stack, id, { cluster })',
  );
}

/** The pools the add-ons are configured for: the cluster's, with an on-demand general pool for the controllers. */
export function resolveNodePools(v: PropsValidator, props: PlatformAddonsProps, cluster: ICluster, profile: AddonProfile): readonly NodePoolSpec[] {
  const clusterPools = cluster.nodePoolSpecs;
  const nodePools = props.nodePools ?? clusterPools;
  v.that(Array.isArray(nodePools), 'nodePools', nodePools, 'is not a list', 'pass the node pool specs of the cluster, or leave nodePools out');
  nodePools.forEach((pool, i) => {
    v.that(
      clusterPools.some((c) => c.name === pool?.name),
      `nodePools[${i}]`,
      pool?.name,
      'is not one of the cluster\'s node pools, so the add-ons would be configured for capacity that does not exist',
      `use the cluster's pools (${clusterPools.map((c) => c.name).join(', ')}), or leave nodePools out`,
    );
  });
  // The controllers' nodeSelector is the label, not the capacity type: a hand-written on-demand
  // spec without it would leave every controller pending until the apply times out.
  const labels = Object.entries(profile.nodeSelector).map(([key, value]) => `${key}=${value}`).join(', ');
  v.that(
    nodePools.some(runsClusterControllers),
    'nodePools',
    nodePools.map((p) => p.name),
    `has no untainted on-demand pool with nodes labelled ${labels}, where the add-on controllers run (never on spot capacity they may have to replace)`,
    'add NodePools.general()',
  );
  return nodePools;
}

function resolveLoadBalancerController(o: AddonOptionReader, props: PlatformAddonsProps, vpcId: string | undefined): ResolvedAddons['loadBalancerController'] {
  const v = o.validator;
  const lbc = o.options('loadBalancerController', props.loadBalancerController as Toggle);
  if (!lbc) return undefined;
  const resolved = { replicas: o.replicas('loadBalancerController.replicas', lbc.replicas, 5) };
  if (vpcId !== undefined) {
    v.that(typeof vpcId === 'string' && vpcId.length > 0, 'vpcId', vpcId, 'is empty', 'pass the VPC of the cluster, or leave vpcId out to read it from the cluster');
    if (!isUnresolved(vpcId)) v.that(VPC_ID.test(vpcId), 'vpcId', vpcId, 'is not a VPC id', 'use the id of the cluster\'s VPC, e.g. "vpc-0abc1234def567890"');
  }
  return resolved;
}

export function resolveClusterAutoscaler(o: AddonOptionReader, props: Pick<PlatformAddonsProps, 'clusterAutoscaler'>): ResolvedAddons['clusterAutoscaler'] {
  const v = o.validator;
  const ca = o.options('clusterAutoscaler', props.clusterAutoscaler as Toggle);
  if (!ca) return undefined;
  const expanders = (ca.expanders as ClusterAutoscalerExpander[] | undefined) ?? ['priority', 'least-waste'];
  v.that(Array.isArray(expanders) && expanders.length > 0, 'clusterAutoscaler.expanders', expanders, 'is empty', 'list one or more expanders, e.g. ["priority", "least-waste"]');
  expanders.forEach((e, i) => v.oneOf(`clusterAutoscaler.expanders[${i}]`, e, CLUSTER_AUTOSCALER_EXPANDERS));
  v.that(new Set(expanders).size === expanders.length, 'clusterAutoscaler.expanders', expanders, 'lists an expander twice', 'list each expander once');
  const threshold = (ca.scaleDownUtilizationThreshold as number | undefined) ?? 0.5;
  v.numberInRange('clusterAutoscaler.scaleDownUtilizationThreshold', threshold, 0.1, 0.9);
  const minutes = (ca.scaleDownUnneededMinutes as number | undefined) ?? 10;
  v.integerInRange('clusterAutoscaler.scaleDownUnneededMinutes', minutes, 1, 1440);
  return { expanders: [...expanders], scaleDownUtilizationThreshold: threshold, scaleDownUnneededMinutes: minutes };
}

/**
 * Istio and its ingress gateway: behind an NLB of the load balancer controller, internal unless
 * asked for by name, and a public one only for the client CIDRs it lists.
 */
export function resolveIstio(o: AddonOptionReader, props: Pick<PlatformAddonsProps, 'istio'>, hasLoadBalancerController: boolean): ResolvedAddons['istio'] {
  const v = o.validator;
  const istio = o.options('istio', props.istio as Toggle);
  if (!istio) return undefined;
  const gateway = o.bool('istio.gateway', istio.gateway, true);
  const internetFacing = o.bool('istio.internetFacing', istio.internetFacing, false);
  v.that(!(internetFacing && !gateway), 'istio.internetFacing', internetFacing, 'asks for a public load balancer, but istio.gateway is false, so there is none', 'drop internetFacing, or set istio.gateway: true');
  v.that(
    !(gateway && !hasLoadBalancerController),
    'istio.gateway',
    gateway,
    'needs the AWS Load Balancer Controller: without it the in-tree controller would give the gateway\'s Service a Classic Load Balancer',
    'turn loadBalancerController on, or set istio.gateway: false',
  );
  const sourceCidrs = (istio.sourceCidrs as string[] | undefined) ?? [];
  v.that(Array.isArray(sourceCidrs), 'istio.sourceCidrs', sourceCidrs, 'is not a list', 'list CIDRs, e.g. ["203.0.113.0/24"]');
  v.that(!(internetFacing && sourceCidrs.length === 0), 'istio.sourceCidrs', sourceCidrs, 'is empty, so an internet-facing gateway would admit the whole internet', 'list the client CIDRs, or set allowFromAnywhere: true with sourceCidrs ["0.0.0.0/0"]');
  const allowFromAnywhere = istio.allowFromAnywhere ?? false;
  sourceCidrs.forEach((cidr, i) => {
    const field = `istio.sourceCidrs[${i}]`;
    if (!toCidr(cidr)) {
      const canonical = canonicalCidr(cidr);
      v.fail(field, cidr, canonical ? 'has host bits set' : 'is not a valid IPv4 CIDR', canonical ? `use ${canonical}` : 'write it as a.b.c.d/prefix, e.g. 203.0.113.0/24');
    }
    v.that(toCidr(cidr)?.prefix !== 0 || allowFromAnywhere === true, field, cidr, 'admits the whole internet', 'list your clients\' CIDRs, or set istio.allowFromAnywhere: true if that is really meant');
  });
  const minReplicas = o.replicas('istio.gatewayMinReplicas', istio.gatewayMinReplicas, 50);
  const maxReplicas = (istio.gatewayMaxReplicas as number | undefined) ?? Math.max(10, minReplicas);
  v.integerInRange('istio.gatewayMaxReplicas', maxReplicas, 1, 100);
  v.that(minReplicas <= maxReplicas, 'istio.gatewayMinReplicas', minReplicas, `is greater than gatewayMaxReplicas (${maxReplicas})`, 'lower gatewayMinReplicas or raise gatewayMaxReplicas');
  return { gateway: gateway ? { internetFacing, sourceCidrs: [...sourceCidrs], minReplicas, maxReplicas } : undefined };
}

/** Loki's bucket: a valid name when given, and a default name that fits S3's 63 characters. */
function resolveLogging(o: AddonOptionReader, props: PlatformAddonsProps, literalClusterName: string | undefined): ResolvedAddons['logging'] {
  const v = o.validator;
  const logging = o.options('logging', props.logging as Toggle);
  if (logging) {
    if (logging.bucketName !== undefined) {
      v.that(typeof logging.bucketName === 'string', 'logging.bucketName', logging.bucketName, 'is not a string', 'name the bucket');
      validateS3BucketName(v, 'logging.bucketName', logging.bucketName as string);
    } else if (literalClusterName !== undefined) {
      v.that(
        literalClusterName.length + LOG_BUCKET_SUFFIX_LENGTH <= 63,
        'logging.bucketName',
        undefined,
        `defaults to "${literalClusterName}-logs-<account>-<region>", which can exceed the 63 characters S3 allows`,
        'give logging.bucketName',
      );
    }
    v.integerInRange('logging.retentionDays', logging.retentionDays as number | undefined, 1, 3650);
  }
  return logging as ResolvedAddons['logging'];
}

/** The GPU Operator: on when a pool has GPUs, and its DCGM exporter's ServiceMonitor needs Prometheus. */
export function resolveGpuOperator(
  o: AddonOptionReader,
  props: Pick<PlatformAddonsProps, 'gpuOperator'>,
  nodePools: readonly NodePoolSpec[],
  prometheus: boolean,
): boolean {
  const v = o.validator;
  const hasGpuPool = nodePools.some((p) => p.gpuModel !== undefined);
  const gpuOperator = o.bool('gpuOperator', props.gpuOperator, hasGpuPool);
  v.that(!(gpuOperator && !hasGpuPool), 'gpuOperator', gpuOperator, 'is on, but no node pool has GPUs', 'add NodePools.gpu(...), or leave gpuOperator out');
  v.that(!(gpuOperator && !prometheus), 'gpuOperator', gpuOperator, 'needs prometheus: the DCGM exporter\'s ServiceMonitor (GPU utilisation for KEDA) is a Prometheus Operator object', 'turn prometheus on, or set gpuOperator: false');
  return gpuOperator;
}

/** How spot interruptions are handled; the handler's default queue name must fit the rules' 46-character prefix. */
function resolveSpotInterruption(v: PropsValidator, props: PlatformAddonsProps, literalClusterName: string | undefined): SpotInterruption {
  const spotInterruption = props.spotInterruption ?? SpotInterruption.capacityRebalance();
  v.that(spotInterruption instanceof SpotInterruption, 'spotInterruption', typeof props.spotInterruption, 'is not a SpotInterruption', 'use SpotInterruption.capacityRebalance() or SpotInterruption.terminationHandlerQueue()');
  if (spotInterruption.installsTerminationHandler && spotInterruption.queueName === undefined && literalClusterName !== undefined) {
    v.that(
      literalClusterName.length + '-node-termination'.length <= 46,
      'spotInterruption',
      'terminationHandlerQueue',
      `names its queue "${literalClusterName}-node-termination", longer than the 46 characters a queue name that prefixes rule names may have`,
      'pass SpotInterruption.terminationHandlerQueue({ queueName })',
    );
  }
  return spotInterruption;
}

export function resolveArgoRollouts(o: AddonOptionReader, props: Pick<PlatformAddonsProps, 'argoRollouts'>): ResolvedAddons['argoRollouts'] {
  const rollouts = o.options('argoRollouts', props.argoRollouts as Toggle);
  if (!rollouts) return undefined;
  return { controllerReplicas: o.replicas('argoRollouts.controllerReplicas', rollouts.controllerReplicas, 3), dashboard: o.bool('argoRollouts.dashboard', rollouts.dashboard, false) };
}

/** Argo Workflows with its server's login: the client's token or SSO, never the unauthenticated "server" mode. */
function resolveArgoWorkflows(o: AddonOptionReader, props: PlatformAddonsProps): ResolvedAddons['argoWorkflows'] {
  const workflows = o.options('argoWorkflows', props.argoWorkflows as Toggle);
  if (!workflows) return undefined;
  const serverAuth = (workflows.serverAuth as ArgoServerAuth | undefined) ?? ArgoServerAuth.client();
  o.validator.that(serverAuth instanceof ArgoServerAuth, 'argoWorkflows.serverAuth', serverAuth, 'is not an ArgoServerAuth', 'use ArgoServerAuth.client() or ArgoServerAuth.sso({ ... }); the "server" mode is not offered');
  return { serverAuth, controllerReplicas: o.replicas('argoWorkflows.controllerReplicas', workflows.controllerReplicas, 3) };
}

/** A queue name that prefixes EventBridge rule names must fit 46 characters (spot-interruption.ts). */
const MAX_INTERRUPTION_QUEUE_NAME = 46;

/**
 * Karpenter is on exactly when the cluster's capacity is Karpenter: off there, no pool would get
 * a node; on elsewhere, it would provision nothing. It handles its own nodes' interruptions, so the
 * Node Termination Handler's queue mode would drain the same nodes a second time.
 */
function resolveKarpenter(
  v: PropsValidator,
  given: unknown,
  options: Record<string, unknown> | undefined,
  cluster: ICluster,
  clusterName: string | undefined,
  spot: SpotInterruption,
): ResolvedAddons['karpenter'] {
  const wanted = cluster.capacity?.kind === 'karpenter';
  if (options === undefined) {
    v.that(!wanted, 'karpenter', false, 'is off, but the cluster\'s capacity is Karpenter, so its Karpenter pools would never get a node', 'leave karpenter on, or give the platform Capacity.managedNodeGroups()');
    return undefined;
  }
  if (!wanted) {
    v.that(given === undefined, 'karpenter', given, 'is asked for, but the cluster\'s capacity is managed node groups, so Karpenter would provision nothing', 'give the platform capacity: Capacity.karpenter(), or drop karpenter');
    return undefined;
  }
  v.that(!spot.installsTerminationHandler, 'spotInterruption', 'terminationHandlerQueue', 'would drain the nodes Karpenter already drains on the same interruption events', 'use SpotInterruption.capacityRebalance() with Karpenter');
  const name = (options.interruptionQueueName as string | undefined) ?? (clusterName !== undefined ? `${clusterName}-karpenter` : undefined);
  v.that(
    typeof name === 'string' && /^[A-Za-z0-9_-]+$/.test(name) && name.length <= MAX_INTERRUPTION_QUEUE_NAME,
    'karpenter.interruptionQueueName',
    name,
    `is not a queue name of at most ${MAX_INTERRUPTION_QUEUE_NAME} letters, digits, "-" and "_" (it prefixes the EventBridge rules' names)`,
    'pass karpenter: { interruptionQueueName } with a shorter name',
  );
  return { interruptionQueueName: name as string };
}
