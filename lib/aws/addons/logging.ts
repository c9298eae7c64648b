import { Construct } from 'constructs';
import { ENVIRONMENT_PRESETS, EnvironmentName, PropsValidator } from '../../catalog';
import { isUnresolved, validateEnvironment, validateRegion, validateS3BucketName } from '../aws-names';
import { EncryptionKey } from '../encryption-key';
import { IEncryptionKey } from '../encryption-key-attributes';
import { givenKeyArn, validateStoreKey } from '../encryption-key-props';
import { SecureBucket, validateForceDestroy } from '../secure-bucket';
import { NODE_AGENT_PRIORITY_CLASS } from './addon-priority';
import { HelmChartPin } from './helm-chart-pin';
import { IamStatement } from './iam-statement';
import { ALERTMANAGER_URL, PERSISTENT_STORAGE_CLASS } from './prometheus-stack';
import { valuesValidator } from './values-validator';
import { checkConstructProps } from '../../catalog/props-check';

/**
 * Grafana Loki. The open-source chart left the Loki repository in March 2026 (chart 6.55.0 was
 * its last release there; grafana.github.io's `loki` is now the Enterprise Logs chart) and is
 * maintained in grafana-community/helm-charts. 18.13.7 (appVersion 3.7.8) is the newest release
 * found on 2026-11-22 (grafana-community/helm-charts tags, as recorded on 2026-10-01).
 */
export const LOKI_CHART: HelmChartPin = {
  repository: 'https://grafana-community.github.io/helm-charts',
  chart: 'loki',
  version: '18.13.7',
};

/**
 * Grafana Alloy ships the pod logs: Promtail reached end of life on 2026-03-02 and its code left
 * Loki in 3.7. Chart 1.14.1 is the newest release found on 2026-11-22 (grafana/alloy tag
 * helm-chart/1.14.1, Alloy v1.21.x).
 */
export const ALLOY_CHART: HelmChartPin = {
  repository: 'https://grafana.github.io/helm-charts',
  chart: 'alloy',
  version: '1.14.1',
};

export const LOGGING_NAMESPACE = 'logging';

/** Loki's pods run as this service account; its Pod Identity role gets `lokiStatements`. */
export const LOKI_SERVICE_ACCOUNT = { namespace: LOGGING_NAMESPACE, name: 'loki' } as const;

/**
 * Loki's gateway. lokiValues pins the chart's fullname to `loki`, so the address does not depend
 * on the Helm release name. Grafana queries it; Alloy pushes to LOKI_PUSH_URL.
 */
export const LOKI_GATEWAY_URL = `http://loki-gateway.${LOGGING_NAMESPACE}.svc.cluster.local`;
export const LOKI_PUSH_URL = `${LOKI_GATEWAY_URL}/loki/api/v1/push`;

/**
 * Loki's ruler alerts on log patterns (the Kubernetes side's ModelMonitoring writes one rule group
 * per service): the chart's rules sidecar loads every ConfigMap labelled LOKI_RULE_LABEL_KEY, in
 * any namespace, into this folder, the ruler reads it (local rule storage, a folder per tenant:
 * `fake` without multi-tenancy) and sends what fires to Alertmanager.
 */
export const LOKI_RULES_DIR = '/rules';
export const LOKI_RULE_LABEL_KEY = 'loki_rule';

const MIN_RETENTION_DAYS = 1;
const MAX_RETENTION_DAYS = 3650;

function validateRetention(v: PropsValidator, days: number | undefined): void {
  v.integerInRange('retentionDays', days, MIN_RETENTION_DAYS, MAX_RETENTION_DAYS, `keep logs ${MIN_RETENTION_DAYS} to ${MAX_RETENTION_DAYS} days`);
}

// ---------------------------------------------------------------------------------------------
// The bucket

export interface LogStoreProps {
  readonly environment: EnvironmentName;
  /** Globally unique S3 bucket name for Loki's chunks and index. */
  readonly bucketName: string;
  /**
   * Days logs are kept. Loki's compactor deletes older logs; the bucket expires objects one day
   * later as a backstop if the compactor stops (an expired object then stays recoverable as an
   * old version for noncurrentVersionExpirationDays).
   * @default - the environment preset's `logRetentionDays` (7, 30 or 90)
   */
  readonly retentionDays?: number;
  /**
   * Days a deleted or overwritten object (the compactor rewrites index files) is kept.
   * @default 7
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Customer KMS key for the objects (`EncryptionKey.fromKeyArn` for a key that exists).
   * @default - a new key with rotation on
   */
  readonly encryptionKey?: IEncryptionKey;
  /**
   * Customer KMS key (ARN) for the objects.
   * @default - a new key with rotation on
   * @deprecated Use `encryptionKey` (`EncryptionKey.fromKeyArn(scope, id, arn)` for a key that exists); goes in 0.3.0.
   */
  readonly kmsKeyArn?: string;
  /**
   * Let `terraform destroy` delete the bucket while it still holds logs. Refused where the
   * environment preset protects data.
   * @default false
   */
  readonly forceDestroy?: boolean;
  /** @default - no tags beyond the provider's default tags */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Loki's object store: the SecureBucket baseline (private, versioned, SSE-KMS with a bucket key,
 * TLS only) with a customer key, and objects that expire after the retention.
 * `statements` is what Loki's Pod Identity role needs, and no more.
 */
export class LogStore extends Construct {
  public readonly bucketName: string;
  public readonly bucketArn: string;
  public readonly keyArn: string;
  public readonly retentionDays: number;
  public readonly secureBucket: SecureBucket;

  constructor(scope: Construct, id: string, props: LogStoreProps) {
    checkConstructProps(LogStore, scope, id, props);
    super(scope, id);
    const v = new PropsValidator(this.node.path);
    validateEnvironment(v, props.environment);
    const preset = ENVIRONMENT_PRESETS[props.environment];
    validateS3BucketName(v, 'bucketName', props.bucketName);
    const retentionDays = props.retentionDays ?? preset.logRetentionDays;
    validateRetention(v, retentionDays);
    const noncurrentDays = props.noncurrentVersionExpirationDays ?? 7;
    v.integerInRange('noncurrentVersionExpirationDays', noncurrentDays, 1, 365);
    const forceDestroy = props.forceDestroy ?? false;
    validateForceDestroy(v, forceDestroy, props.environment, 'log');
    validateStoreKey(v, props);
    if (props.kmsKeyArn !== undefined && !isUnresolved(props.kmsKeyArn)) {
      v.that(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/.test(props.kmsKeyArn), 'kmsKeyArn', props.kmsKeyArn, 'is not a KMS key ARN', 'use "arn:aws:kms:<region>:<account>:key/<id>" (an alias ARN cannot be granted)');
    }

    const tags = props.tags ? { ...props.tags } : undefined;
    this.retentionDays = retentionDays;
    this.keyArn =
      givenKeyArn(props) ??
      new EncryptionKey(this, 'key', {
        description: `Logs in s3://${props.bucketName}`,
        alias: `modelserve/s3/${props.bucketName}`,
        tags,
      }).keyArn;
    this.secureBucket = new SecureBucket(this, 'bucket', {
      bucketName: props.bucketName,
      kmsKeyArn: this.keyArn,
      noncurrentVersionExpirationDays: noncurrentDays,
      abortIncompleteMultipartUploadDays: 1,
      forceDestroy,
      preventDestroy: false,
      // A day after the compactor's deadline: a backstop if the compactor stops.
      expiration: { days: retentionDays + 1, ruleId: 'expire-logs-after-retention' },
      tags,
    });
    this.bucketName = this.secureBucket.bucketName;
    this.bucketArn = this.secureBucket.bucketArn;
  }

  /** The statements Loki's Pod Identity role needs on this store. */
  public get statements(): IamStatement[] {
    return lokiStatements(this.bucketArn, this.keyArn);
  }
}

/**
 * Least privilege for Loki on its bucket: list the bucket, read, write and delete (the compactor
 * applies the retention) its objects, and use the key only through S3 for this bucket (with an S3
 * bucket key, the encryption context is the bucket's ARN).
 */
export function lokiStatements(bucketArn: string, kmsKeyArn: string): IamStatement[] {
  return [
    { Sid: 'ListLogBucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucketArn] },
    { Sid: 'ReadWriteDeleteLogObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: [`${bucketArn}/*`] },
    {
      Sid: 'UseLogKeyThroughS3',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: [kmsKeyArn],
      Condition: {
        StringLike: { 'kms:ViaService': 's3.*' },
        StringEquals: { 'kms:EncryptionContext:aws:s3:arn': bucketArn },
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Loki

export interface LokiValuesOptions {
  readonly environment: EnvironmentName;
  /** LogStore.bucketName. */
  readonly bucketName: string;
  /** Region of the bucket. */
  readonly region: string;
  /** LogStore.retentionDays: Loki's compactor deletes older logs. */
  readonly retentionDays: number;
  /** @default PERSISTENT_STORAGE_CLASS ('gp3') */
  readonly storageClassName?: string;
  /**
   * Construct path that error messages start with (the caller's `node.path`).
   * @default 'lokiValues'
   */
  readonly path?: string;
}

interface LokiSizing {
  readonly mode: 'Monolithic' | 'SimpleScalable';
  readonly singleBinary: number;
  readonly read: number;
  readonly write: number;
  readonly backend: number;
  readonly gateway: number;
  /** Memcached in front of S3, MB; 0 turns the caches off. */
  readonly chunksCacheMB: number;
  readonly resultsCacheMB: number;
  readonly volumeGiB: number;
  readonly resources: { readonly requests: { readonly cpu: string; readonly memory: string }; readonly limits: { readonly memory: string } };
}

export const LOKI_SIZING: Readonly<Record<EnvironmentName, LokiSizing>> = {
  // One pod holds every Loki component: no quorum, so a restart pauses ingestion (Alloy retries).
  development: { mode: 'Monolithic', singleBinary: 1, read: 0, write: 0, backend: 0, gateway: 1, chunksCacheMB: 0, resultsCacheMB: 0, volumeGiB: 10, resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } } },
  // Three writers: each stream is written to three ingesters (replication factor 3).
  staging: { mode: 'SimpleScalable', singleBinary: 0, read: 2, write: 3, backend: 2, gateway: 2, chunksCacheMB: 1024, resultsCacheMB: 256, volumeGiB: 10, resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '2Gi' } } },
  production: { mode: 'SimpleScalable', singleBinary: 0, read: 3, write: 3, backend: 3, gateway: 2, chunksCacheMB: 4096, resultsCacheMB: 1024, volumeGiB: 50, resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '4Gi' } } },
};

/**
 * Values for LOKI_CHART, released in LOGGING_NAMESPACE: chunks and TSDB index in S3, reached with
 * the Pod Identity credentials of LOKI_SERVICE_ACCOUNT (no access keys anywhere), the retention
 * applied by the compactor, one binary in development and the read/write/backend split with
 * replicas elsewhere. Single tenant: the gateway is a ClusterIP Service, only reachable in the
 * cluster (the namespace's NetworkPolicies decide from where). The ruler evaluates the log alerts
 * of every namespace (LOKI_RULES_DIR) and sends them to the platform's Alertmanager.
 */
export function lokiValues(options: LokiValuesOptions): Record<string, unknown> {
  const v = valuesValidator('lokiValues', options, '{ environment, bucketName, region, retentionDays }');
  v.that(typeof options.bucketName === 'string', 'bucketName', options.bucketName, 'is not set', 'pass LogStore.bucketName');
  validateS3BucketName(v, 'bucketName', options.bucketName);
  v.that(typeof options.region === 'string', 'region', options.region, 'is not set', 'pass the region of the bucket, e.g. "us-east-1"');
  validateRegion(v, 'region', options.region);
  v.that(options.retentionDays !== undefined, 'retentionDays', options.retentionDays, 'is not set', 'pass LogStore.retentionDays');
  validateRetention(v, options.retentionDays);
  const storageClass = options.storageClassName ?? PERSISTENT_STORAGE_CLASS;

  const s = LOKI_SIZING[options.environment];
  const monolithic = s.mode === 'Monolithic';
  const persistence = { enabled: true, size: `${s.volumeGiB}Gi`, storageClass };
  const bucket = options.bucketName;
  return {
    // Fixed names: LOKI_GATEWAY_URL and the service account must not depend on the release name.
    fullnameOverride: 'loki',
    deploymentMode: s.mode,
    serviceAccount: { create: true, name: LOKI_SERVICE_ACCOUNT.name },
    loki: {
      auth_enabled: false,
      commonConfig: { replication_factor: monolithic ? 1 : 3 },
      schemaConfig: {
        configs: [{ from: '2024-04-01', store: 'tsdb', object_store: 's3', schema: 'v13', index: { prefix: 'loki_index_', period: '24h' } }],
      },
      // No endpoint and no keys: the AWS SDK finds the Pod Identity agent's credentials itself.
      // The ruler keeps its files under rules/, so one bucket holds everything.
      storage: {
        type: 's3',
        bucketNames: { chunks: bucket, ruler: bucket, admin: bucket },
        s3: { region: options.region, s3ForcePathStyle: false, insecure: false },
      },
      limits_config: { retention_period: `${options.retentionDays * 24}h` },
      // The rules come from the sidecar's folder (the bucket's rules/ prefix stays unused); the
      // ruler keeps its working copies on the data volume.
      rulerConfig: {
        storage: { type: 'local', local: { directory: LOKI_RULES_DIR } },
        rule_path: '/var/loki/rules-temp',
        alertmanager_url: ALERTMANAGER_URL,
        enable_api: true,
      },
      compactor: { retention_enabled: true, delete_request_store: 's3', working_directory: '/var/loki/compactor' },
    },
    singleBinary: { replicas: s.singleBinary, persistence, resources: s.resources },
    read: { replicas: s.read, resources: s.resources },
    write: { replicas: s.write, persistence, resources: s.resources },
    backend: { replicas: s.backend, persistence, resources: s.resources },
    gateway: { enabled: true, replicas: s.gateway, service: { type: 'ClusterIP' } },
    chunksCache: s.chunksCacheMB > 0 ? { enabled: true, allocatedMemory: s.chunksCacheMB } : { enabled: false },
    resultsCache: s.resultsCacheMB > 0 ? { enabled: true, allocatedMemory: s.resultsCacheMB } : { enabled: false },
    sidecar: { rules: { enabled: true, label: LOKI_RULE_LABEL_KEY, folder: LOKI_RULES_DIR, searchNamespace: 'ALL' } },
    // The canary and the Helm test push synthetic logs; the chart refuses the test without it.
    lokiCanary: { enabled: false },
    test: { enabled: false },
    minio: { enabled: false },
  };
}

// ---------------------------------------------------------------------------------------------
// Alloy

export interface AlloyValuesOptions {
  readonly environment: EnvironmentName;
  /** Loki's push endpoint. @default LOKI_PUSH_URL */
  readonly lokiPushUrl?: string;
  /**
   * Construct path that error messages start with (the caller's `node.path`).
   * @default 'alloyValues'
   */
  readonly path?: string;
}

const ALLOY_RESOURCES: Readonly<Record<EnvironmentName, Record<string, unknown>>> = {
  development: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  staging: { requests: { cpu: '100m', memory: '192Mi' }, limits: { memory: '512Mi' } },
  production: { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '1Gi' } },
};

/** Where Alloy keeps its read positions: on the node, so a restarted pod neither skips nor resends logs. */
export const ALLOY_DATA_DIR = '/var/lib/alloy';

/**
 * The Alloy pipeline: discover the pods on this node through the Kubernetes API, tail their
 * container log files under /var/log/pods, parse the CRI format, and push to Loki with the
 * namespace, pod, container, app and node as labels.
 */
export function alloyConfig(lokiPushUrl: string): string {
  return `discovery.kubernetes "pods" {
  role = "pod"
  selectors {
    role  = "pod"
    field = "spec.nodeName=" + sys.env("HOSTNAME")
  }
}

discovery.relabel "pod_logs" {
  targets = discovery.kubernetes.pods.targets
  rule {
    source_labels = ["__meta_kubernetes_namespace"]
    target_label  = "namespace"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_name"]
    target_label  = "pod"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_container_name"]
    target_label  = "container"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]
    target_label  = "app"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_node_name"]
    target_label  = "node"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_uid", "__meta_kubernetes_pod_container_name"]
    separator     = "/"
    target_label  = "__path__"
    replacement   = "/var/log/pods/*$1/*.log"
  }
}

local.file_match "pod_logs" {
  path_targets = discovery.relabel.pod_logs.output
}

loki.source.file "pod_logs" {
  targets    = local.file_match.pod_logs.targets
  forward_to = [loki.process.pod_logs.receiver]
}

loki.process "pod_logs" {
  stage.cri {}
  forward_to = [loki.write.default.receiver]
}

loki.write "default" {
  endpoint {
    url = ${JSON.stringify(lokiPushUrl)}
  }
}
`;
}

/**
 * Values for ALLOY_CHART, released in LOGGING_NAMESPACE: a DaemonSet on every node (GPU and spot
 * nodes included: it tolerates every taint) that ships pod logs to Loki. It reads host paths, so
 * the namespace needs the `privileged` Pod Security level, like every node agent.
 */
export function alloyValues(options: AlloyValuesOptions): Record<string, unknown> {
  const v = valuesValidator('alloyValues', options, '{ environment, lokiPushUrl }');
  const url = options.lokiPushUrl ?? LOKI_PUSH_URL;
  v.that(/^https?:\/\/[^\s/"]+\/[^\s"]*$/.test(url) && url.endsWith('/loki/api/v1/push'), 'lokiPushUrl', url, 'is not a Loki push URL', `use http(s)://<host>/loki/api/v1/push, e.g. ${LOKI_PUSH_URL}`);

  return {
    fullnameOverride: 'alloy',
    // The CRDs are for Alloy's own PodLogs objects, which this pipeline does not use.
    crds: { create: false },
    alloy: {
      configMap: { create: true, content: alloyConfig(url) },
      enableReporting: false,
      storagePath: ALLOY_DATA_DIR,
      mounts: { varlog: true, extra: [{ name: 'alloy-data', mountPath: ALLOY_DATA_DIR }] },
      resources: ALLOY_RESOURCES[options.environment],
    },
    controller: {
      type: 'daemonset',
      tolerations: [{ operator: 'Exists' }],
      priorityClassName: NODE_AGENT_PRIORITY_CLASS,
      volumes: { extra: [{ name: 'alloy-data', hostPath: { path: ALLOY_DATA_DIR, type: 'DirectoryOrCreate' } }] },
    },
    service: { enabled: true, type: 'ClusterIP' },
    ingress: { enabled: false },
  };
}
