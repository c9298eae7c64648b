import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Capacity, COST_ALLOCATION_TAGS, COST_ALLOCATION_TAG_KEYS, DNS_LABEL, EnvironmentName, ENVIRONMENT_PRESETS, NodePoolSpec, PropsValidator, runsClusterControllers } from '../catalog';
import { validateIamPolicyArn } from './aws-arns';
import { AwsContext, configuredRegion } from './aws-context';
import { configurePlatformProvider, validateRegionProp } from './aws-provider';
import { validateEnvironment, validateTags, validateTagValue } from './aws-names';
import { Budget, BudgetOptions, validateBudgetOptions } from './budget';
import { Cache, CacheProps } from './cache';
import { Cluster, ClusterProps } from './cluster';
import { Database, DatabaseProps } from './database';
import { DisasterRecovery, DisasterRecoveryOptions, validateDisasterRecoveryOptions } from './disaster-recovery';
import { EncryptionKey } from './encryption-key';
import { IEncryptionKey } from './encryption-key-attributes';
import { validateEncryptionKeyProp } from './encryption-key-props';
import { ImageRegistry, ImageRegistryProps } from './image-registry';
import { ModelStore, ModelStoreProps } from './model-store';
import { validateNetworkAttributes } from './imported-network';
import { Network, NetworkProps } from './network';
import { INetwork } from './network-attributes';
import { ManagedNodeGroup } from './managed-node-group';
import { Observability, ObservabilityProps } from './observability';
import { checkConstructProps } from '../catalog/props-check';
import { PermissionsBoundary } from './permissions-boundary';

/** Short environment names in resource names: `modelserve-prod`. */
const ENVIRONMENT_SUFFIX: Readonly<Record<EnvironmentName, string>> = { development: 'dev', staging: 'staging', production: 'prod' };
/** Leaves room for `-<env>` and the longest derived name (the model bucket, 63 characters). */
const MAX_NAME = 20;

/** Who pays: tagged on every resource beside the environment and the service. */
export interface CostAllocationOptions {
  /**
   * The team that pays for the platform, as the `modelserve.io/team` tag (a tag value: at most 256
   * letters, digits, spaces and _ . : / = + - @).
   * @default - no team tag
   */
  readonly team?: string;
}

/**
 * A VPC made elsewhere, used instead of creating a Network.
 * @deprecated Pass `Network.fromNetworkAttributes(scope, id, { vpcId, privateSubnetIds, databaseSubnetIds })`
 * (an `INetwork`) instead; the plain object is accepted until 0.3.0.
 */
export interface ExistingNetwork {
  readonly vpcId: string;
  /** Subnets for the cluster and nodes (tag them for EKS load balancers yourself). */
  readonly privateSubnetIds: readonly string[];
  /** Subnets for the database and cache. */
  readonly databaseSubnetIds: readonly string[];
}

export interface ModelServePlatformProps {
  /** Platform name, a DNS label of at most 20 characters; resources are named `<name>-<env>` (`modelserve-prod`). */
  readonly name: string;
  /** Environment preset: sizes, HA, retention and data protection. */
  readonly environment: EnvironmentName;
  /**
   * AWS region. Given, the platform configures the stack's AWS provider for it (with default tags
   * naming the platform and environment), and the stack must not have one already. Not given, the
   * stack's own `AwsProvider` (or the environment, `AWS_REGION`) decides.
   * @default - the stack's AWS provider
   */
  readonly region?: string;
  /** Node pools of the cluster (`NodePools.general()`, `.gpu()`, `.spot()`, `.highMemory()`); at least one. */
  readonly nodePools: readonly NodePoolSpec[];
  /**
   * How the pools get nodes: an EKS managed node group each, scaled by the Cluster Autoscaler, or
   * `Capacity.karpenter()`, where Karpenter provisions every pool but the controllers' and the
   * GPU-sharing ones (give the serving side the same object for its KarpenterNodePools).
   * @default Capacity.managedNodeGroups()
   */
  readonly capacity?: Capacity;
  /**
   * IAM roles or users that get cluster-admin through EKS access entries, beside whoever runs
   * `cdktf deploy` (on by default: `cluster: { grantDeployerClusterAdmin }`).
   * @default - none beyond the deployer
   */
  readonly adminPrincipalArns?: readonly string[];
  /**
   * Overrides of the Network, or the network to use instead of making one: a `Network` of another
   * stack, or an existing VPC, `Network.fromNetworkAttributes(scope, id, { vpcId, privateSubnetIds,
   * databaseSubnetIds })`. (The plain `{ vpcId, privateSubnetIds, databaseSubnetIds }` still works
   * until 0.3.0.)
   * @default - a Network from the preset, 10.0.0.0/16
   */
  readonly network?: Partial<Omit<NetworkProps, 'environment'>> | INetwork | ExistingNetwork;
  /**
   * Overrides of the Cluster, among them an existing cluster role and node role (`clusterRoleArn`,
   * `nodeRoleArn`).
   * @default - Kubernetes 1.35, private endpoint only
   */
  readonly cluster?: Partial<Omit<ClusterProps, 'environment' | 'subnetIds' | 'adminPrincipalArns' | 'capacity' | 'permissionsBoundaryArn'>>;
  /**
   * KMS key for the VPC flow logs and the EKS control-plane logs (`EncryptionKey.fromKeyArn` for a
   * key that exists); its policy must let `logs.<region>.amazonaws.com` use it.
   * @default - a new key with rotation on, `alias/<name>-<env>-logs`
   */
  readonly logEncryptionKey?: IEncryptionKey;
  /**
   * A managed policy (`arn:aws:iam::<account>:policy/<name>`) set as the permissions boundary of
   * every IAM role the platform makes: the cluster and node roles, the managed add-ons' and the
   * model store grants' Pod Identity roles, Karpenter's node role, the flow-log and replication
   * roles. The add-ons' stack takes it with `PermissionsBoundary.of(addonsStack).apply(arn)`.
   * @default - no permissions boundary
   */
  readonly permissionsBoundaryArn?: string;
  /**
   * Overrides of the PostgreSQL database, or `false` for none.
   * @default - a Database from the preset, reachable from the cluster only
   */
  readonly database?: Partial<Omit<DatabaseProps, 'environment' | 'vpcId' | 'subnetIds'>> | false;
  /**
   * Overrides of the cache, or `false` for none.
   * @default - a Cache from the preset, reachable from the cluster only
   */
  readonly cache?: Partial<Omit<CacheProps, 'environment' | 'vpcId' | 'subnetIds'>> | false;
  /**
   * Overrides of the model bucket, or `false` for none.
   * @default - bucket `<name>-<env>-models-<account>-<region>`
   */
  readonly modelStore?: Partial<Omit<ModelStoreProps, 'environment'>> | false;
  /**
   * Overrides of the image registry, or `false` for none.
   * @default - one repository, `<name>-<env>/model-server`
   */
  readonly imageRegistry?: Partial<Omit<ImageRegistryProps, 'environment'>> | false;
  /**
   * Overrides of alarms and log groups, or `false` for none.
   * @default - an alarm topic, database and cache alarms, and the Container Insights application log group
   */
  readonly observability?: Partial<Omit<ObservabilityProps, 'environment'>> | false;
  /**
   * Cost allocation: every resource is tagged `modelserve.io/environment`, `modelserve.io/service`
   * (the platform component: `database`, `cluster`, ...) and, given a team, `modelserve.io/team`;
   * the provider's default tags carry environment and team too. Activate the keys once in the
   * payer account with `CostAllocationTags`.
   * @default - environment and service tags, no team
   */
  readonly costAllocation?: CostAllocationOptions;
  /**
   * A monthly AWS cost budget for the environment, counting the costs tagged with its environment
   * (an active cost allocation tag), whose alerts go to the alarm topic. Needs `observability`.
   * @default - no budget
   */
  readonly budget?: BudgetOptions;
  /**
   * Copies of the database backups and the models in a second region, to recover there.
   * @default - none
   */
  readonly disasterRecovery?: DisasterRecoveryOptions;
  /** Tags on every resource (on top of the provider's default tags). @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The whole AWS side of the serving platform for one environment: network, EKS cluster with its
 * node pools, PostgreSQL, cache, model bucket, image registry and alarms, each from the
 * environment preset and each overridable or (except network and cluster) turned off. Emits the
 * outputs the Kubernetes side and operators need. The cluster add-ons (`PlatformAddons`, from
 * `modelserve/addons`) go into a stack of their own, applied after this one.
 */
export class ModelServePlatform extends Construct {
  /** `<name>-<env>`, the prefix of every resource name. */
  public readonly resourcePrefix: string;
  public readonly network?: Network;
  public readonly cluster: Cluster;
  /** The pools that became EKS managed node groups (all of them, unless Karpenter provisions some). */
  public readonly managedNodeGroups: readonly ManagedNodeGroup[];
  public readonly database?: Database;
  public readonly cache?: Cache;
  public readonly modelStore?: ModelStore;
  public readonly imageRegistry?: ImageRegistry;
  public readonly observability?: Observability;
  public readonly budget?: Budget;
  public readonly disasterRecovery?: DisasterRecovery;

  constructor(scope: Construct, id: string, props: ModelServePlatformProps) {
    checkConstructProps(ModelServePlatform, scope, id, props);
    super(scope, id);
    validatePlatformProps(this, props);
    const env = props.environment;
    const capacity = props.capacity ?? Capacity.managedNodeGroups();
    const prefix = `${props.name}-${ENVIRONMENT_SUFFIX[env]}`;
    this.resourcePrefix = prefix;
    const team = props.costAllocation?.team;

    if (props.region) {
      configurePlatformProvider(TerraformStack.of(this), props.region, env, { 'modelserve.io/platform': props.name, ...(team ? { [COST_ALLOCATION_TAGS.team]: team } : {}) });
    }

    const clusterName = props.cluster?.name ?? prefix;
    const aws = AwsContext.of(this);
    // One key for the flow logs and the control-plane logs: both are read by the same people.
    const logEncryptionKey = props.logEncryptionKey ?? new EncryptionKey(this, 'log-key', {
      description: `${prefix} VPC flow logs and EKS control-plane logs`,
      alias: `${prefix}-logs`,
      servicePrincipals: [`logs.${aws.region}.${aws.dnsSuffix}`],
      tags: this.tagsFor(props, 'observability'),
    });
    const brought = broughtNetwork(props.network);
    this.network = brought ? undefined : this.createNetwork(props, clusterName, logEncryptionKey);
    const vpc: VpcIds = brought ?? (this.network as Network);

    this.cluster = new Cluster(this, 'cluster', {
      logEncryptionKey,
      ...props.cluster,
      tags: this.tagsFor(props, 'cluster', props.cluster?.tags),
      name: clusterName,
      environment: env,
      subnetIds: vpc.privateSubnetIds,
      adminPrincipalArns: props.adminPrincipalArns,
      capacity,
    });
    this.managedNodeGroups = capacity.managedPools(props.nodePools).map((spec) => this.cluster.addManagedNodeGroup(spec));
    capacity.karpenterPools(props.nodePools).forEach((spec) => this.cluster.addKarpenterPool(spec));
    // Managed nodes and their pods (VPC CNI) sit in the EKS cluster security group.
    const clients = [this.cluster.clusterSecurityGroupId];

    this.database = props.database === false ? undefined : this.createDatabase(props, props.database, vpc, clients);
    this.cache = props.cache === false ? undefined : this.createCache(props, props.cache, vpc, clients);
    this.modelStore = props.modelStore === false ? undefined : this.createModelStore(props, props.modelStore);
    this.imageRegistry = props.imageRegistry === false ? undefined : this.createImageRegistry(props, props.imageRegistry);
    this.observability = props.observability === false ? undefined : this.createObservability(props, props.observability, clusterName);
    this.budget = props.budget && this.observability ? this.createBudget(props, props.budget, this.observability) : undefined;
    this.disasterRecovery = props.disasterRecovery ? this.createDisasterRecovery(props, props.disasterRecovery) : undefined;

    if (props.permissionsBoundaryArn !== undefined) PermissionsBoundary.of(this).apply(props.permissionsBoundaryArn);
    this.outputs();
  }

  /**
   * Each resource carries the cost-allocation tags itself: launch templates pass only their own
   * tags to instances and volumes, and a stack's own provider may have no default tags. A
   * component's own tags (`database: { tags }`) add to the platform's, never replace them.
   */
  private tagsFor(props: ModelServePlatformProps, service: string, own?: Readonly<Record<string, string>>): Record<string, string> {
    return costAllocationTags(props.environment, service, props.costAllocation?.team, { ...props.tags, ...own });
  }

  private createNetwork(props: ModelServePlatformProps, clusterName: string, logEncryptionKey: IEncryptionKey): Network {
    const network = props.network as Partial<Omit<NetworkProps, 'environment'>> | undefined;
    return new Network(this, 'network', {
      name: this.resourcePrefix,
      clusterName,
      logEncryptionKey,
      ...network,
      tags: this.tagsFor(props, 'network', network?.tags),
      environment: props.environment,
    });
  }

  private createDatabase(props: ModelServePlatformProps, options: ComponentOptions<'database'>, vpc: VpcIds, clients: string[]): Database {
    return new Database(this, 'database', {
      identifier: this.resourcePrefix,
      allowedSecurityGroupIds: clients,
      ...options,
      tags: this.tagsFor(props, 'database', options?.tags),
      environment: props.environment,
      vpcId: vpc.vpcId,
      subnetIds: vpc.databaseSubnetIds,
    });
  }

  private createCache(props: ModelServePlatformProps, options: ComponentOptions<'cache'>, vpc: VpcIds, clients: string[]): Cache {
    return new Cache(this, 'cache', {
      name: this.resourcePrefix,
      allowedSecurityGroupIds: clients,
      ...options,
      tags: this.tagsFor(props, 'cache', options?.tags),
      environment: props.environment,
      vpcId: vpc.vpcId,
      subnetIds: vpc.databaseSubnetIds,
    });
  }

  private createModelStore(props: ModelServePlatformProps, options: ComponentOptions<'modelStore'>): ModelStore {
    const aws = AwsContext.of(this);
    return new ModelStore(this, 'model-store', {
      // Bucket names are global: account and region keep two platforms of one name apart.
      bucketName: `${this.resourcePrefix}-models-${aws.accountId}-${aws.region}`,
      ...options,
      tags: this.tagsFor(props, 'model-store', options?.tags),
      environment: props.environment,
    });
  }

  private createImageRegistry(props: ModelServePlatformProps, options: ComponentOptions<'imageRegistry'>): ImageRegistry {
    return new ImageRegistry(this, 'image-registry', {
      // ECR names are per account and region, which several environments share.
      repositoryNames: [`${this.resourcePrefix}/model-server`],
      ...options,
      tags: this.tagsFor(props, 'image-registry', options?.tags),
      environment: props.environment,
    });
  }

  /** Alarms on the database and cache made above, to a topic that also takes the budget's alerts when there is one. */
  private createObservability(props: ModelServePlatformProps, options: ComponentOptions<'observability'>, clusterName: string): Observability {
    const database = this.database;
    return new Observability(this, 'observability', {
      name: this.resourcePrefix,
      // Created here, the log group gets KMS and retention; left to the agent, it gets neither.
      logGroupNames: [`/aws/containerinsights/${clusterName}/application`],
      database: database ? { instanceIdentifier: database.instanceIdentifier, allocatedStorageGiB: databaseStorageGiB(props) } : undefined,
      cache: this.cache ? { cacheClusterIds: this.cache.cacheClusterIds } : undefined,
      ...options,
      tags: this.tagsFor(props, 'observability', options?.tags),
      acceptBudgetNotifications: props.budget !== undefined || options?.acceptBudgetNotifications,
      environment: props.environment,
    });
  }

  private createBudget(props: ModelServePlatformProps, budget: BudgetOptions, observability: Observability): Budget {
    return new Budget(this, 'budget', {
      ...budget,
      name: `${this.resourcePrefix}-monthly`,
      topicArn: observability.topicArn,
      costTag: { key: COST_ALLOCATION_TAGS.environment, value: props.environment },
      dependsOn: observability.topicPolicy ? [observability.topicPolicy] : undefined,
      tags: this.tagsFor(props, 'budget'),
    });
  }

  private createDisasterRecovery(props: ModelServePlatformProps, options: DisasterRecoveryOptions): DisasterRecovery {
    return new DisasterRecovery(this, 'disaster-recovery', {
      ...options,
      environment: props.environment,
      name: this.resourcePrefix,
      primaryRegion: props.region,
      database: this.database,
      modelStore: this.modelStore,
      tags: this.tagsFor(props, 'disaster-recovery'),
    });
  }

  /** @deprecated Renamed `managedNodeGroups` in 0.2.0; this alias goes in 0.3.0. */
  public get nodePools(): readonly ManagedNodeGroup[] {
    return this.managedNodeGroups;
  }

  private outputs(): void {
    const output = (id: string, value: unknown, description: string, sensitive = false) => {
      new TerraformOutput(this, id, { value, description, sensitive }).overrideLogicalId(id.replace(/-/g, '_'));
    };
    const c = this.cluster;
    output('cluster-name', c.clusterName, 'EKS cluster name');
    output('cluster-endpoint', c.clusterEndpoint, 'Kubernetes API endpoint (private unless publicEndpointCidrs were given)');
    output('update-kubeconfig-command', c.updateKubeconfigCommand, 'Adds the cluster to ~/.kube/config');
    output('oidc-provider-arn', c.oidcProviderArn, 'IAM OIDC provider of the cluster, for IRSA roles');
    output('node-pool-names', this.managedNodeGroups.map((p) => p.nodeGroupName), 'EKS managed node group names');
    if (c.karpenter) output('karpenter-node-role-name', c.karpenter.nodeRoleName, 'IAM role of the nodes Karpenter launches (every EC2NodeClass names it)');
    if (this.network) output('vpc-id', this.network.vpcId, 'VPC of the platform');
    if (this.database) {
      output('database-endpoint', this.database.endpoint, 'PostgreSQL endpoint, host:port (TLS only)');
      output('database-secret-arn', this.database.masterUserSecretArn, 'Secrets Manager secret with the master credentials, rotated by RDS');
    }
    if (this.cache) output('cache-endpoint', this.cache.primaryEndpointAddress, 'Primary endpoint of the cache (TLS and AUTH token)');
    if (this.modelStore) output('model-bucket-name', this.modelStore.bucketName, 'S3 bucket of model artifacts');
    if (this.imageRegistry) output('image-repository-urls', this.imageRegistry.repositoryUrls, 'ECR repository URL per repository name');
    if (this.observability) output('alarm-topic-arn', this.observability.topicArn, 'SNS topic the alarms publish to');
    const dr = this.disasterRecovery;
    if (dr?.databaseBackupsArn) output('dr-database-backups-arn', dr.databaseBackupsArn, `Replicated automated backups in ${dr.region}, to restore the database from there`);
    if (dr?.modelReplicaBucketName) output('dr-model-bucket-name', dr.modelReplicaBucketName, `Bucket in ${dr.region} holding a replica of every model`);
  }
}

/** What a component that can be turned off was given, when it was not turned off. */
type ComponentOptions<K extends 'database' | 'cache' | 'modelStore' | 'imageRegistry' | 'observability'> = Exclude<ModelServePlatformProps[K], false>;

/** The cost-allocation tags of one platform component, then the user's own tags. */
function costAllocationTags(
  environment: EnvironmentName,
  service: string,
  team: string | undefined,
  tags: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  return {
    [COST_ALLOCATION_TAGS.environment]: environment,
    [COST_ALLOCATION_TAGS.service]: service,
    ...(team ? { [COST_ALLOCATION_TAGS.team]: team } : {}),
    ...tags,
  };
}

function databaseStorageGiB(props: ModelServePlatformProps): number {
  return (props.database && props.database.allocatedStorageGiB) || ENVIRONMENT_PRESETS[props.environment].database.allocatedStorageGiB;
}

/** The ids of the VPC the platform goes into, as the cluster, database and cache take them. */
type VpcIds = Pick<INetwork, 'vpcId' | 'privateSubnetIds' | 'databaseSubnetIds'>;

/**
 * The network the platform was given instead of making one: an `INetwork` (a construct), or the
 * deprecated plain ids (overrides of a Network never hold a `vpcId`). Undefined: make a Network.
 */
function broughtNetwork(network: ModelServePlatformProps['network']): VpcIds | undefined {
  if (network === undefined || network === null) return undefined;
  if (Construct.isConstruct(network) || 'vpcId' in network) return network as VpcIds;
  return undefined;
}

/** What `network` holds when it is not overrides: a construct that is a network, or the deprecated ids. */
function validateBroughtNetwork(check: PropsValidator, network: ModelServePlatformProps['network']): void {
  check.that(
    network === undefined || network === null || (typeof network === 'object' && !Array.isArray(network)),
    'network',
    network,
    'is not a network',
    'pass Network.fromNetworkAttributes(scope, id, { vpcId, privateSubnetIds, databaseSubnetIds }), a Network, or Network overrides such as { cidr }',
  );
  if (Construct.isConstruct(network)) {
    const ids = network as Partial<INetwork>;
    check.that(
      typeof ids.vpcId === 'string' && Array.isArray(ids.privateSubnetIds) && Array.isArray(ids.databaseSubnetIds),
      'network',
      network.node.path,
      'is a construct that is not a network (it has no vpcId, privateSubnetIds and databaseSubnetIds)',
      'pass a Network, Network.fromNetworkAttributes(scope, id, { vpcId, privateSubnetIds, databaseSubnetIds }), '
        + 'or Network overrides such as { cidr }',
    );
    return;
  }
  if (network !== undefined && network !== null && 'vpcId' in network) validateNetworkAttributes(check, network, 'network.');
}

function validatePlatformProps(scope: Construct, props: ModelServePlatformProps): void {
  const check: PropsValidator = new PropsValidator(scope.node.path);
  // The add-ons left this construct for a stack of their own; say where they went.
  const addons = (props as unknown as Record<string, unknown>).addons;
  check.that(
    addons === undefined,
    'addons',
    addons,
    'is no longer a ModelServePlatform prop: the cluster add-ons install from a stack of their own, applied after the cluster\'s',
    'drop it and add new PlatformAddons(addonsStack, "addons", { cluster: platform.cluster, ... }) from modelserve/addons in a second TerraformStack (nothing to add for addons: false)',
  );
  validateEnvironment(check, props.environment);
  check.that(
    typeof props.name === 'string' && DNS_LABEL.test(props.name) && props.name.length <= MAX_NAME,
    'name',
    props.name,
    `is not a valid platform name: lowercase letters, digits and "-", starting and ending with a letter or digit, at most ${MAX_NAME} characters (it prefixes bucket and cluster names)`,
    'rename it, e.g. "modelserve"',
  );
  check.that(Array.isArray(props.nodePools) && props.nodePools.length > 0, 'nodePools', props.nodePools, 'is empty, so nothing can run (coredns included)', 'add at least NodePools.general()');
  if (Array.isArray(props.nodePools) && props.nodePools.length > 0) {
    check.that(
      props.nodePools.some((p) => p.taints.length === 0 && p.desiredSize >= 1),
      'nodePools',
      props.nodePools.map((p) => p.name),
      'has no untainted pool with nodes, so coredns and the other cluster add-ons cannot schedule and the apply fails',
      'add NodePools.general() (or give one pool no taints and desiredSize 1 or more)',
    );
  }
  check.that(props.capacity === undefined || props.capacity instanceof Capacity, 'capacity', typeof props.capacity, 'is not a Capacity', 'use Capacity.managedNodeGroups() or Capacity.karpenter()');
  if (props.capacity?.kind === 'karpenter' && Array.isArray(props.nodePools)) {
    check.that(
      props.nodePools.some(runsClusterControllers),
      'nodePools',
      props.nodePools.map((p) => p.name),
      'has no on-demand, untainted pool labelled for the controllers, so Karpenter would have no node to run on (it must not run on nodes it manages)',
      'add NodePools.general(): it stays a managed node group',
    );
  }
  validateRegionProp(check, TerraformStack.of(scope), props.region);
  validateBroughtNetwork(check, props.network);
  validateEncryptionKeyProp(check, 'logEncryptionKey', props.logEncryptionKey);
  if (props.permissionsBoundaryArn !== undefined) validateIamPolicyArn(check, 'permissionsBoundaryArn', props.permissionsBoundaryArn);
  validateTags(check, 'tags', props.tags);
  validateCostAllocation(check, props);
  if (props.budget !== undefined) {
    validateBudgetOptions(check, 'budget.', props.budget);
    check.that(props.observability !== false, 'budget', props.budget, 'needs the alarm topic to send its alerts to, but observability is false', 'leave observability on, or drop budget');
  }
  if (props.disasterRecovery !== undefined) {
    validateDisasterRecoveryOptions(check, 'disasterRecovery.', props.disasterRecovery, {
      primaryRegion: props.region ?? configuredRegion(scope),
      hasDatabase: props.database !== false,
      databaseBackupRetentionDays: props.database === false
        ? undefined
        : (props.database?.backupRetentionDays ?? ENVIRONMENT_PRESETS[props.environment].database.backupRetentionDays),
      hasModelStore: props.modelStore !== false,
      platformProvider: props.region !== undefined,
    });
  }
}

function validateCostAllocation(check: PropsValidator, props: ModelServePlatformProps): void {
  const team = props.costAllocation?.team;
  if (team !== undefined) {
    check.that(typeof team === 'string' && team.length > 0, 'costAllocation.team', team, 'is empty', 'name the team that pays, e.g. "ml-platform"');
    validateTagValue(check, 'costAllocation.team', team);
  }
  const own = (part: unknown): Readonly<Record<string, string>> | undefined => (part && typeof part === 'object' && 'tags' in part ? (part as { tags?: Record<string, string> }).tags : undefined);
  const tagSets: [string, Readonly<Record<string, string>> | undefined][] = [
    ['tags', props.tags],
    ...(['network', 'cluster', 'database', 'cache', 'modelStore', 'imageRegistry', 'observability'] as const).map((part): [string, Readonly<Record<string, string>> | undefined] => [`${part}.tags`, own(props[part])]),
  ];
  for (const [field, tags] of tagSets) {
    for (const key of Object.keys(tags ?? {})) {
      check.that(
        !COST_ALLOCATION_TAG_KEYS.includes(key),
        `${field}["${key}"]`,
        tags?.[key],
        'is a cost-allocation tag the platform sets itself (the environment, each component\'s service, the team)',
        'drop it; give the team as costAllocation.team',
      );
    }
  }
}
