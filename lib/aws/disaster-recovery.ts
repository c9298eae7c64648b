import { DbInstanceAutomatedBackupsReplication } from '@cdktf/provider-aws/lib/db-instance-automated-backups-replication';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { EnvironmentName, isKnownRegion, PropsValidator } from '../catalog';
import { AwsContext, configuredRegion } from './aws-context';
import { validateEnvironment, validateTags } from './aws-names';
import { AWS_REGION_NAME, hasPlatformProvider, platformProviderIn } from './aws-provider';
import { Database } from './database';
import { EncryptionKey } from './encryption-key';
import { ModelStore } from './model-store';
import { SecureBucket } from './secure-bucket';
import { checkConstructProps } from '../catalog/props-check';

/** RDS keeps replicated automated backups for 1 to 35 days, set apart from the source's retention. */
const REPLICATED_BACKUP_DAYS = { min: 1, max: 35 };

/** What a platform user chooses of disaster recovery; ModelServePlatform fills in the rest. */
export interface DisasterRecoveryOptions {
  /**
   * The second region, where the copies live: not the platform's own, and one of the regions of
   * the catalog's region table (`REGION_ZONE_IDS`). RDS replicates backups between the region
   * pairs it lists (`aws rds describe-source-regions --region <this region>`).
   */
  readonly region: string;
  /**
   * Replicate the database's automated backups (snapshots and transaction logs) to the region,
   * for a point-in-time restore there, encrypted with a key of that region.
   * @default true when there is a database
   */
  readonly databaseBackups?: boolean;
  /**
   * Days the replicated backups are kept (1 to 35), independent of the database's own retention.
   * @default - the database's backup retention
   */
  readonly databaseBackupRetentionDays?: number;
  /**
   * Replicate every model to a bucket in the region: versioned, private, TLS-only, encrypted with
   * a key of that region.
   * @default true when there is a model store
   */
  readonly models?: boolean;
  /**
   * S3 Replication Time Control on the model replication: designed to replicate 99.99 % of objects
   * within 15 minutes (service credits below 99.9 % a month), with replication metrics; billed per
   * GB replicated. Off, most objects replicate within 15 minutes but some take hours.
   * @default true
   */
  readonly replicationTimeControl?: boolean;
  /**
   * An AWS provider for the region, with an alias. Required when the stack's default provider is
   * yours (the platform got no `region`): only you know how it authenticates.
   * @default - a provider like the platform's (its default tags), for the region
   */
  readonly provider?: AwsProvider;
}

export interface DisasterRecoveryProps extends DisasterRecoveryOptions {
  readonly environment: EnvironmentName;
  /** Prefix of names, per environment (`modelserve-prod`). */
  readonly name: string;
  /**
   * The region the platform runs in.
   * @default - the region written in the stack's default AWS provider
   */
  readonly primaryRegion?: string;
  /** The database whose backups to replicate. @default - none */
  readonly database?: Database;
  /** The model store to replicate. @default - none */
  readonly modelStore?: ModelStore;
  /** @default - no tags beyond the provider's default tags */
  readonly tags?: Readonly<Record<string, string>>;
}

/** What the checks need to know of the platform around the options. */
export interface DisasterRecoveryContext {
  /** The platform's region, when written out; undefined when it comes from the environment or a token. */
  readonly primaryRegion?: string;
  readonly hasDatabase: boolean;
  /** The database's own backup retention, in days. */
  readonly databaseBackupRetentionDays?: number;
  readonly hasModelStore: boolean;
  /** The stack's default provider is the platform's, so a copy for the region is safe to make. */
  readonly platformProvider: boolean;
}

/**
 * Copies of the platform's data in a second region: the database's automated backups (RDS
 * cross-Region automated backups, encrypted with a key there) and every model (S3 replication to a
 * bucket there). The platform itself is not running there: recovery restores the database and
 * deploys the platform in the region (see README, "Disaster recovery").
 */
export class DisasterRecovery extends Construct {
  public readonly region: string;
  /** ARN of the replicated automated backups, to restore from in the region. */
  public readonly databaseBackupsArn?: string;
  public readonly modelReplicaBucketName?: string;
  public readonly modelReplicaBucketArn?: string;

  constructor(scope: Construct, id: string, props: DisasterRecoveryProps) {
    checkConstructProps(DisasterRecovery, scope, id, props);
    super(scope, id);
    const stack = TerraformStack.of(this);
    const v = new PropsValidator(this.node.path);
    validateEnvironment(v, props.environment);
    validateTags(v, 'tags', props.tags);
    const primaryRegion = props.primaryRegion ?? configuredRegion(this);
    validateDisasterRecoveryOptions(v, '', props, {
      primaryRegion,
      hasDatabase: props.database !== undefined,
      databaseBackupRetentionDays: props.database?.backupRetentionDays,
      hasModelStore: props.modelStore !== undefined,
      platformProvider: hasPlatformProvider(stack),
    });
    this.region = props.region;
    const provider = props.provider ?? (platformProviderIn(stack, props.region) as AwsProvider);
    const tags = props.tags ? { ...props.tags } : undefined;

    if (props.database && props.databaseBackups !== false) {
      const key = new EncryptionKey(this, 'database-backup-key', {
        description: `${props.name}: database backups replicated from ${primaryRegion}`,
        alias: `modelserve/dr/${props.name}/database-backups`,
        provider,
        tags,
      });
      // Made in the destination region: RDS starts the replication from there
      // (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/AutomatedBackups.Replicating.Enable.html).
      const replication = new DbInstanceAutomatedBackupsReplication(this, 'database-backups', {
        sourceDbInstanceArn: props.database.instanceArn,
        kmsKeyId: key.keyArn,
        retentionPeriod: props.databaseBackupRetentionDays ?? props.database.backupRetentionDays,
        provider,
      });
      this.databaseBackupsArn = replication.id;
    }
    if (props.modelStore && props.models !== false) {
      const replica = this.replicateModels(props.modelStore, { ...props, primaryRegion }, provider, tags);
      this.modelReplicaBucketName = replica.bucketName;
      this.modelReplicaBucketArn = replica.bucketArn;
    }
  }

  private replicateModels(
    modelStore: ModelStore,
    props: DisasterRecoveryProps,
    provider: AwsProvider,
    tags: Record<string, string> | undefined,
  ): SecureBucket {
    const aws = AwsContext.of(this);
    const key = new EncryptionKey(this, 'model-replica-key', {
      description: `${props.name}: model replicas from ${props.primaryRegion}`,
      alias: `modelserve/dr/${props.name}/models`,
      provider,
      tags,
    });
    const bucket = new SecureBucket(this, 'model-replica', {
      // Not `<name>-models-...`: a platform deployed in this region later gets that name.
      bucketName: `${props.name}-dr-${aws.accountId}-${props.region}`,
      kmsKeyArn: key.keyArn,
      noncurrentVersionExpirationDays: 90,
      abortIncompleteMultipartUploadDays: 7,
      forceDestroy: false,
      preventDestroy: false,
      // Replicas arrive under the replica key; anyone uploading by hand gets it too.
      requireKmsUploads: true,
      provider,
      tags,
    });
    modelStore.addReplication({
      destinationBucketArn: bucket.bucketArn,
      destinationKmsKeyArn: key.keyArn,
      destinationRegion: props.region,
      replicationTimeControl: props.replicationTimeControl ?? true,
      roleName: `${props.name}-model-replication`,
      dependsOn: [bucket.versioning],
    });
    return bucket;
  }
}

/**
 * Checks the choices of disaster recovery against the platform around them; `prefix` is where they
 * sit in the caller's props (`disasterRecovery.`), so that ModelServePlatform refuses them before
 * it builds anything.
 */
export function validateDisasterRecoveryOptions(
  v: PropsValidator,
  prefix: string,
  options: DisasterRecoveryOptions,
  context: DisasterRecoveryContext,
): void {
  const region = options.region;
  v.that(typeof region === 'string' && AWS_REGION_NAME.test(region), `${prefix}region`, region, 'is not an AWS region name', 'use a name such as us-west-2');
  v.that(isKnownRegion(region), `${prefix}region`, region, 'is not a region of the catalog\'s region table (lib/catalog/regions.ts), so nothing about it can be checked', 'use a commercial region the table lists, e.g. us-west-2');
  v.that(
    context.primaryRegion !== undefined,
    `${prefix}region`,
    region,
    'cannot be told apart from the platform\'s region, which is not known at synth (it comes from the environment or a token)',
    'give the platform its region, or write the region in your AwsProvider',
  );
  v.that(
    region !== context.primaryRegion,
    `${prefix}region`,
    region,
    'is the platform\'s own region, so an outage of the region takes the copies with the originals',
    `choose another region, e.g. ${region === 'us-west-2' ? 'us-east-2' : 'us-west-2'}`,
  );
  validateProvider(v, prefix, options, context);
  validateWhatIsReplicated(v, prefix, options, context);
}

function validateProvider(v: PropsValidator, prefix: string, options: DisasterRecoveryOptions, context: DisasterRecoveryContext): void {
  const provider = options.provider;
  if (provider === undefined) {
    v.that(
      context.platformProvider,
      `${prefix}provider`,
      provider,
      'is needed: the stack\'s AWS provider is yours, and a copy for the second region without its credentials, role or profile would deploy as someone else',
      `pass new AwsProvider(stack, "aws-dr", { alias: "dr", region: "${options.region}", ... }) with your provider's settings`,
    );
    return;
  }
  v.that(provider instanceof AwsProvider && provider.alias !== undefined, `${prefix}provider`, provider?.alias, 'is not an AWS provider with an alias, so resources would land in the default provider\'s region', 'give the provider an alias');
  const providerRegion = provider.regionInput;
  v.that(
    typeof providerRegion !== 'string' || Token.isUnresolved(providerRegion) || providerRegion === options.region,
    `${prefix}provider`,
    providerRegion,
    `is for another region than ${prefix}region (${options.region})`,
    'give the provider the same region',
  );
}

function validateWhatIsReplicated(v: PropsValidator, prefix: string, options: DisasterRecoveryOptions, context: DisasterRecoveryContext): void {
  v.that(options.databaseBackups !== true || context.hasDatabase, `${prefix}databaseBackups`, true, 'is on but the platform has no database', 'drop databaseBackups, or give the platform its database');
  v.that(options.models !== true || context.hasModelStore, `${prefix}models`, true, 'is on but the platform has no model store', 'drop models, or give the platform its model store');
  const backups = context.hasDatabase && options.databaseBackups !== false;
  const models = context.hasModelStore && options.models !== false;
  v.that(backups || models, prefix ? prefix.replace(/\.$/, '') : 'databaseBackups', { databaseBackups: backups, models }, 'replicates nothing', 'leave databaseBackups or models on (each needs its store), or drop disaster recovery');
  v.integerInRange(`${prefix}databaseBackupRetentionDays`, options.databaseBackupRetentionDays, REPLICATED_BACKUP_DAYS.min, REPLICATED_BACKUP_DAYS.max, 'RDS keeps replicated backups for 1 to 35 days');
  if (backups) {
    v.that(
      context.databaseBackupRetentionDays !== 0,
      `${prefix}databaseBackups`,
      true,
      'is on but the database keeps no automated backups (backupRetentionDays 0), so there is nothing to replicate',
      'give the database a backup retention of 1 day or more, or set databaseBackups: false',
    );
  }
}
