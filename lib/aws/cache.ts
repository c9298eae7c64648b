import { ElasticacheParameterGroup } from '@cdktf/provider-aws/lib/elasticache-parameter-group';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { ElasticacheSubnetGroup } from '@cdktf/provider-aws/lib/elasticache-subnet-group';
import { Construct } from 'constructs';
import { ENVIRONMENT_PRESETS, EnvironmentName, PropsValidator, validateElastiCacheNodeType } from '../catalog';
import { validateEc2Id, validateEc2Ids, validateElastiCacheId, validateMinLength, validateEnvironment, validateTags } from './aws-names';
import { clientOnlySecurityGroup, validateClientSecurityGroups } from './client-security-group';
import { CacheAuthToken } from './cache-auth-token';
import { EncryptionKey } from './encryption-key';
import { IEncryptionKey } from './encryption-key-attributes';
import { givenKeyArn, validateStoreKey } from './encryption-key-props';
import { finalSnapshotName } from './final-snapshot-name';
import { validateStoreWindows } from './time-windows';
import { checkConstructProps } from '../catalog/props-check';

/** The in-memory engines ElastiCache offers; both speak the Redis protocol. */
export const CACHE_ENGINES = ['redis', 'valkey'] as const;
export type CacheEngine = (typeof CACHE_ENGINES)[number];

/**
 * Versions per engine whose parameter family (`redis7`, `valkey7`, `valkey8`) is known here,
 * newest last. Redis OSS stops at 7.1 on ElastiCache; Valkey is where new versions land.
 */
export const CACHE_ENGINE_VERSIONS: Readonly<Record<CacheEngine, readonly string[]>> = {
  redis: ['7.0', '7.1'],
  valkey: ['7.2', '8.0', '8.1', '8.2'],
};
export const DEFAULT_CACHE_ENGINE_VERSION: Readonly<Record<CacheEngine, string>> = { redis: '7.1', valkey: '8.2' };

/** ElastiCache (cluster mode disabled) holds one primary and up to five replicas. */
const MAX_NODES = 6;

export interface CacheProps {
  /** Node type, node count and snapshot retention come from this environment's preset. */
  readonly environment: EnvironmentName;
  /** Replication group id; also names the subnet, security and parameter groups and the secret. */
  readonly name: string;
  readonly vpcId: string;
  /** Private subnets, one per availability zone the nodes may use. */
  readonly subnetIds: readonly string[];
  /** Security groups whose members may connect on the cache port (the EKS cluster and nodes). */
  readonly allowedSecurityGroupIds: readonly string[];
  /** @default 'redis' */
  readonly engine?: CacheEngine;
  /** @default - '7.1' for redis, '8.2' for valkey */
  readonly engineVersion?: string;
  /** @default - the environment preset's `cache.nodeType` */
  readonly nodeType?: string;
  /**
   * Primary plus replicas (1 to 6). Production needs at least 2 so that a node or AZ failure
   * fails over instead of losing the cache.
   * @default - the environment preset's `cache.nodeCount`
   */
  readonly nodeCount?: number;
  /**
   * Promote a replica when the primary fails; needs 2 or more nodes.
   * @default - true when there are 2 or more nodes
   */
  readonly automaticFailover?: boolean;
  /**
   * Spread nodes over availability zones; needs automatic failover.
   * @default - same as automaticFailover
   */
  readonly multiAz?: boolean;
  /** @default - the environment preset's `cache.snapshotRetentionDays` */
  readonly snapshotRetentionDays?: number;
  /**
   * Daily snapshot window, UTC `hh:mm-hh:mm`; must not overlap the maintenance window.
   * @default '03:00-04:00'
   */
  readonly snapshotWindow?: string;
  /**
   * Weekly maintenance window, UTC `ddd:hh:mm-ddd:hh:mm`.
   * @default 'sun:05:00-sun:06:00'
   */
  readonly maintenanceWindow?: string;
  /** @default 6379 */
  readonly port?: number;
  /**
   * Extra engine parameters for the parameter group (e.g. `maxmemory-policy`).
   * @default - the engine's defaults
   */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * Customer KMS key for data at rest, snapshots and the auth token secret
   * (`EncryptionKey.fromKeyArn` for a key that exists).
   * @default - a new key with rotation on
   */
  readonly encryptionKey?: IEncryptionKey;
  /**
   * Customer KMS key (ARN) for data at rest, snapshots and the auth token secret.
   * @default - a new key with rotation on
   * @deprecated Use `encryptionKey` (`EncryptionKey.fromKeyArn(scope, id, arn)` for a key that exists); goes in 0.3.0.
   */
  readonly kmsKeyArn?: string;
  /**
   * Version of the AUTH token: raise it by one to draw a new token, which the cache (strategy
   * ROTATE: the previous token stays valid beside it) and the secret receive in the same apply.
   * The token is never in the Terraform state (write-only arguments; Terraform 1.11+ and AWS
   * provider 6.64+).
   * @default 1
   */
  readonly authTokenVersion?: number;
  /** @default - no tags beyond the provider's default tags */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * An ElastiCache replication group (Redis OSS or Valkey, cluster mode disabled) encrypted at rest
 * with a customer key and in transit (TLS required), guarded by an AUTH token that is generated
 * during the apply, kept in Secrets Manager and never written to the Terraform state, and reachable
 * only from the listed security groups.
 */
export class Cache extends Construct {
  public readonly replicationGroup: ElasticacheReplicationGroup;
  public readonly replicationGroupId: string;
  /** Writer endpoint. */
  public readonly primaryEndpointAddress: string;
  /** Load-balanced endpoint over the replicas (the primary when there are none). */
  public readonly readerEndpointAddress: string;
  public readonly port: number;
  /** Secret whose string is the AUTH token clients send. */
  public readonly authTokenSecretArn: string;
  public readonly securityGroupId: string;
  /** Member node ids (`<name>-001`, ...), for per-node CloudWatch alarms. */
  public readonly cacheClusterIds: readonly string[];
  public readonly engine: CacheEngine;
  public readonly kmsKeyArn: string;

  constructor(scope: Construct, id: string, props: CacheProps) {
    checkConstructProps(Cache, scope, id, props);
    super(scope, id);
    const preset = ENVIRONMENT_PRESETS[props.environment];
    const plan = planCache(this.node.path, props);

    const tags = props.tags ? { ...props.tags } : undefined;
    const name = props.name;

    this.kmsKeyArn =
      givenKeyArn(props) ??
      new EncryptionKey(this, 'key', {
        description: `ElastiCache ${name}: data at rest, snapshots, AUTH token`,
        alias: `modelserve/elasticache/${name}`,
        tags,
      }).keyArn;

    const subnetGroup = new ElasticacheSubnetGroup(this, 'subnet-group', {
      name,
      description: `Subnets of the ${name} cache`,
      subnetIds: [...props.subnetIds],
      tags,
    });

    const securityGroup = clientOnlySecurityGroup(this, {
      name: `${name}-cache`,
      service: plan.engine,
      serverName: name,
      vpcId: props.vpcId,
      port: plan.port,
      clientSecurityGroupIds: props.allowedSecurityGroupIds,
      tags,
    });

    const parameterGroup = this.parameterGroup(props, plan, tags);

    const authToken = new CacheAuthToken(this, 'auth-token', {
      secretName: `modelserve/elasticache/${name}/auth-token`,
      description: `AUTH token of the ${name} ${plan.engine} replication group`,
      kmsKeyArn: this.kmsKeyArn,
      // Outside protected environments a re-created cache must be able to reuse the name at once.
      recoveryWindowInDays: preset.protectData ? 30 : 0,
      version: plan.authTokenVersion,
      tags,
    });

    this.replicationGroup = this.createReplicationGroup(props, plan, { subnetGroup, securityGroupId: securityGroup.id, parameterGroup }, tags);
    authToken.applyTo(this.replicationGroup);

    this.replicationGroupId = this.replicationGroup.id;
    this.primaryEndpointAddress = this.replicationGroup.primaryEndpointAddress;
    this.readerEndpointAddress = this.replicationGroup.readerEndpointAddress;
    this.port = plan.port;
    this.authTokenSecretArn = authToken.secretArn;
    this.securityGroupId = securityGroup.id;
    this.engine = plan.engine;
    // ElastiCache names the members of a cluster-mode-disabled group <id>-001, <id>-002, ...
    this.cacheClusterIds = Array.from({ length: plan.nodeCount }, (_, i) => `${name}-${String(i + 1).padStart(3, '0')}`);
  }

  /**
   * name, family and description are ForceNew, and there is no name_prefix. So every input that
   * replaces the group is in its name (the family, and the cache name), and the description holds
   * nothing that changes otherwise: a minor upgrade (7.0 -> 7.1) keeps the group, a major one
   * (redis7 -> valkey8) creates a group of a new name before dropping the old one, which the
   * replication group still uses until it moves.
   */
  private parameterGroup(props: CacheProps, plan: CachePlan, tags: Record<string, string> | undefined): ElasticacheParameterGroup {
    const name = props.name;
    const family = `${plan.engine}${plan.engineVersion.split('.')[0]}`;
    return new ElasticacheParameterGroup(this, 'parameters', {
      name: `${name}-${family}`,
      family,
      description: `Parameters of the ${name} cache (${family})`,
      parameter: Object.entries(props.parameters ?? {}).map(([n, value]) => ({ name: n, value })),
      lifecycle: { createBeforeDestroy: true },
      tags,
    });
  }

  private createReplicationGroup(
    props: CacheProps,
    plan: CachePlan,
    parts: CacheParts,
    tags: Record<string, string> | undefined,
  ): ElasticacheReplicationGroup {
    const name = props.name;
    const protectData = ENVIRONMENT_PRESETS[props.environment].protectData;
    return new ElasticacheReplicationGroup(this, 'replication-group', {
      replicationGroupId: name,
      description: `${plan.engine} ${plan.engineVersion} for modelserve (${props.environment})`,
      engine: plan.engine,
      engineVersion: plan.engineVersion,
      nodeType: plan.nodeType,
      numCacheClusters: plan.nodeCount,
      port: plan.port,
      parameterGroupName: parts.parameterGroup.name,
      subnetGroupName: parts.subnetGroup.name,
      securityGroupIds: [parts.securityGroupId],
      automaticFailoverEnabled: plan.automaticFailover,
      multiAzEnabled: plan.multiAz,
      atRestEncryptionEnabled: 'true',
      kmsKeyId: this.kmsKeyArn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      // Sent as auth_token_wo by authToken.applyTo: never in the state. ROTATE keeps the previous
      // token valid beside a new one, so clients holding it keep working until they re-read the secret.
      authTokenUpdateStrategy: 'ROTATE',
      autoMinorVersionUpgrade: 'true',
      snapshotRetentionLimit: plan.snapshotDays,
      snapshotWindow: plan.snapshotWindow,
      maintenanceWindow: plan.maintenanceWindow,
      finalSnapshotIdentifier: protectData ? finalSnapshotName(this, name, { name, kmsKeyArn: this.kmsKeyArn }) : undefined,
      applyImmediately: props.environment !== 'production',
      tags,
    });
  }
}

/** What the replication group is placed in and configured by, made before it. */
interface CacheParts {
  readonly subnetGroup: ElasticacheSubnetGroup;
  readonly securityGroupId: string;
  readonly parameterGroup: ElasticacheParameterGroup;
}

type CachePlan = ReturnType<typeof planCache>;

/** Checks every prop against what ElastiCache accepts and resolves the preset's defaults. */
function planCache(path: string, props: CacheProps) {
  const v: PropsValidator = new PropsValidator(path);
  validateEnvironment(v, props.environment);
  const preset = ENVIRONMENT_PRESETS[props.environment];
  validateTags(v, 'tags', props.tags);
  validateElastiCacheId(v, 'name', props.name);
  validateMinLength(v, 'subnetIds', props.subnetIds, 1, 'give the private subnets the cache nodes may use');
  validateEc2Ids(v, 'subnetIds', props.subnetIds, 'subnet');
  validateEc2Id(v, 'vpcId', props.vpcId, 'vpc');
  validateClientSecurityGroups(v, 'allowedSecurityGroupIds', props.allowedSecurityGroupIds);
  validateStoreKey(v, props);

  const engine = props.engine ?? 'redis';
  v.oneOf('engine', engine, CACHE_ENGINES);
  const engineVersion = props.engineVersion ?? DEFAULT_CACHE_ENGINE_VERSION[engine];
  v.oneOf('engineVersion', engineVersion, CACHE_ENGINE_VERSIONS[engine]);

  const nodeType = props.nodeType ?? preset.cache.nodeType;
  validateElastiCacheNodeType(v, 'nodeType', nodeType);
  const nodeCount = props.nodeCount ?? preset.cache.nodeCount;
  v.integerInRange('nodeCount', nodeCount, 1, MAX_NODES, `a replication group holds 1 to ${MAX_NODES} nodes (one primary, up to five replicas)`);
  if (props.environment === 'production') {
    v.that(nodeCount >= 2, 'nodeCount', nodeCount, 'leaves production without a replica to fail over to', 'use 2 or more nodes');
  }
  const automaticFailover = props.automaticFailover ?? nodeCount >= 2;
  v.that(
    !(automaticFailover && nodeCount < 2),
    'automaticFailover',
    automaticFailover,
    `needs a replica to promote, but nodeCount is ${nodeCount}`,
    'raise nodeCount to 2 or more, or turn automaticFailover off',
  );
  if (props.environment === 'production') {
    v.that(automaticFailover, 'automaticFailover', automaticFailover, 'is off, so a primary failure in production takes the cache down until it is replaced', 'leave automaticFailover on');
  }
  const multiAz = props.multiAz ?? automaticFailover;
  v.that(!(multiAz && !automaticFailover), 'multiAz', multiAz, 'needs automatic failover', 'turn automaticFailover on or multiAz off');

  const snapshotDays = props.snapshotRetentionDays ?? preset.cache.snapshotRetentionDays;
  v.integerInRange('snapshotRetentionDays', snapshotDays, 0, 35, 'ElastiCache keeps snapshots for 0 to 35 days');
  if (preset.protectData) {
    v.that(snapshotDays > 0, 'snapshotRetentionDays', snapshotDays, `turns off snapshots, which ${props.environment} keeps`, 'keep snapshots for at least 1 day');
  }
  const snapshotWindow = props.snapshotWindow ?? '03:00-04:00';
  const maintenanceWindow = props.maintenanceWindow ?? 'sun:05:00-sun:06:00';
  // ElastiCache: a maintenance window of at least 60 minutes, a snapshot window of at least 60
  // minutes that does not overlap it (CreateReplicationGroup, PreferredMaintenanceWindow).
  validateStoreWindows(
    v,
    { field: 'snapshotWindow', value: snapshotWindow, example: '03:00-04:00' },
    { field: 'maintenanceWindow', value: maintenanceWindow, example: 'sun:05:00-sun:06:00' },
    60,
    'ElastiCache',
  );
  const port = props.port ?? 6379;
  v.integerInRange('port', port, 1024, 65535);
  const authTokenVersion = props.authTokenVersion ?? 1;
  v.integerInRange('authTokenVersion', authTokenVersion, 1, 1_000_000, 'start at 1 and raise it by one to rotate the token');
  return {
    engine, engineVersion, nodeType, nodeCount, automaticFailover, multiAz, snapshotDays, snapshotWindow, maintenanceWindow, port, authTokenVersion,
  };
}
