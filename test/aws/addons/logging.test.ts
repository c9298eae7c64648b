import {
  ALLOY_CHART,
  alloyConfig,
  alloyValues,
  AlloyValuesOptions,
  LOGGING_NAMESPACE,
  LOKI_CHART,
  LOKI_GATEWAY_URL,
  LOKI_PUSH_URL,
  LOKI_SERVICE_ACCOUNT,
  LogStore,
  LogStoreProps,
  lokiStatements,
  lokiValues,
  LokiValuesOptions,
} from '../../../lib/aws/addons/logging';
import { awsStack, expectRejectedBeforeSynth, synth } from '../../support/aws-stack';
import { rejectionOf } from '../../support/validation';

const BUCKET_ARN = 'arn:aws:s3:::modelserve-prod-logs';
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';


describe('logging pins', () => {
  test('Loki from the community chart repository and Alloy from Grafana\'s, at exact versions', () => {
    expect(LOKI_CHART).toEqual({ repository: 'https://grafana-community.github.io/helm-charts', chart: 'loki', version: '18.13.7' });
    expect(ALLOY_CHART).toEqual({ repository: 'https://grafana.github.io/helm-charts', chart: 'alloy', version: '1.14.1' });
    for (const pin of [LOKI_CHART, ALLOY_CHART]) expect(pin.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('fixed names that Alloy, Grafana and the Pod Identity role rely on', () => {
    expect(LOGGING_NAMESPACE).toBe('logging');
    expect(LOKI_SERVICE_ACCOUNT).toEqual({ namespace: 'logging', name: 'loki' });
    expect(LOKI_GATEWAY_URL).toBe('http://loki-gateway.logging.svc.cluster.local');
    expect(LOKI_PUSH_URL).toBe('http://loki-gateway.logging.svc.cluster.local/loki/api/v1/push');
  });
});

describe('LogStore', () => {
  const base: LogStoreProps = { environment: 'production', bucketName: 'modelserve-prod-logs' };
  const build = (props: Partial<LogStoreProps> = {}) => {
    const stack = awsStack();
    const store = new LogStore(stack, 'logs', { ...base, ...props });
    return { store, out: synth(stack) };
  };

  test('is a private, versioned, SSE-KMS bucket with a new rotating key', () => {
    const { out } = build();
    expect(out.only('aws_s3_bucket')).toMatchObject({ bucket: 'modelserve-prod-logs', force_destroy: false });
    expect(out.only('aws_s3_bucket_public_access_block')).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(out.only('aws_s3_bucket_versioning').versioning_configuration).toEqual({ status: 'Enabled' });
    const [rule] = out.only('aws_s3_bucket_server_side_encryption_configuration').rule;
    expect(rule.apply_server_side_encryption_by_default.sse_algorithm).toBe('aws:kms');
    expect(rule.apply_server_side_encryption_by_default.kms_master_key_id).toMatch(/^\$\{aws_kms_key\.logs_key_\w+\.arn\}$/);
    expect(out.only('aws_kms_key').enable_key_rotation).toBe(true);
    expect(out.only('aws_kms_alias').name).toBe('alias/modelserve/s3/modelserve-prod-logs');
  });

  test('expires objects a day after the environment\'s retention, next to SecureBucket\'s rules in one configuration', () => {
    const expiry = (out: ReturnType<typeof synth>) => {
      const rules = out.only('aws_s3_bucket_lifecycle_configuration').rule;
      expect(rules.map((r: any) => r.id)).toEqual(['expire-noncurrent-versions', 'abort-incomplete-multipart-uploads', 'expire-logs-after-retention']);
      return rules[2];
    };
    const production = build();
    expect(expiry(production.out)).toEqual({ id: 'expire-logs-after-retention', status: 'Enabled', filter: [{ prefix: '' }], expiration: [{ days: 91 }] });
    expect(production.store.retentionDays).toBe(90);
    const rules = production.out.only('aws_s3_bucket_lifecycle_configuration').rule;
    expect(rules[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 7 }]);
    expect(rules[1].abort_incomplete_multipart_upload).toEqual([{ days_after_initiation: 1 }]);

    expect(expiry(build({ environment: 'development' }).out).expiration).toEqual([{ days: 8 }]);
    expect(expiry(build({ environment: 'staging' }).out).expiration).toEqual([{ days: 31 }]);
    expect(expiry(build({ retentionDays: 14 }).out).expiration).toEqual([{ days: 15 }]);
  });

  test('uses a given key instead of creating one', () => {
    const { store, out } = build({ kmsKeyArn: KEY_ARN });
    expect(Object.keys(out.resources('aws_kms_key'))).toHaveLength(0);
    expect(store.keyArn).toBe(KEY_ARN);
    expect(store.statements[2].Resource).toEqual([KEY_ARN]);
  });

  test('rejects bad props before anything is written', () => {
    const rejected = (props: Partial<LogStoreProps>, message: string | RegExp) =>
      expectRejectedBeforeSynth((stack) => new LogStore(stack, 'logs', { ...base, ...props }), message, { stack: awsStack });
    rejected({ environment: undefined }, 'test/logs: environment (not set) is required; use one of development, staging, production');
    rejected({ environment: 'qa' as never }, 'test/logs: environment ("qa") is not supported; use one of "development", "staging", "production"');
    rejected({ retentionDays: 0 }, 'test/logs: retentionDays (0) must be a whole number from 1 to 3650; keep logs 1 to 3650 days');
    rejected({ retentionDays: 4000 }, 'test/logs: retentionDays (4000) must be a whole number from 1 to 3650; keep logs 1 to 3650 days');
    rejected({ bucketName: 'Logs_Bucket' }, /^test\/logs: bucketName \("Logs_Bucket"\) is not a valid name: 3 to 63 lowercase letters/);
    rejected({ forceDestroy: true }, 'test/logs: forceDestroy (true) would let terraform destroy delete every log in production; leave forceDestroy off; empty the bucket by hand if it really must go');
    rejected({ kmsKeyArn: 'alias/logs' }, 'test/logs: kmsKeyArn ("alias/logs") is not a KMS key ARN; use "arn:aws:kms:<region>:<account>:key/<id>" (an alias ARN cannot be granted)');
    rejected({ noncurrentVersionExpirationDays: 0 }, 'test/logs: noncurrentVersionExpirationDays (0) must be a whole number from 1 to 365; set noncurrentVersionExpirationDays between 1 and 365');
  });
});

describe('lokiStatements', () => {
  test('list the bucket, read, write and delete its objects, and use the key only through S3 for this bucket', () => {
    expect(lokiStatements(BUCKET_ARN, KEY_ARN)).toEqual([
      { Sid: 'ListLogBucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [BUCKET_ARN] },
      { Sid: 'ReadWriteDeleteLogObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: [`${BUCKET_ARN}/*`] },
      {
        Sid: 'UseLogKeyThroughS3',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: [KEY_ARN],
        Condition: { StringLike: { 'kms:ViaService': 's3.*' }, StringEquals: { 'kms:EncryptionContext:aws:s3:arn': BUCKET_ARN } },
      },
    ]);
  });

  test('grant no wildcard action and no resource beyond the bucket and the key', () => {
    for (const s of lokiStatements(BUCKET_ARN, KEY_ARN)) {
      expect(s.Action.some((a) => a.includes('*'))).toBe(false);
      expect([s.Resource].flat().every((r) => r.startsWith(BUCKET_ARN) || r === KEY_ARN)).toBe(true);
    }
  });
});

describe('lokiValues', () => {
  const base: LokiValuesOptions = { environment: 'production', bucketName: 'modelserve-prod-logs', region: 'us-east-1', retentionDays: 90 };
  const values = (options: Partial<LokiValuesOptions> = {}): any => lokiValues({ ...base, ...options });

  test('stores chunks and the TSDB index in the S3 bucket with Pod Identity credentials (no keys, no endpoint)', () => {
    const loki = values().loki;
    expect(loki.storage).toEqual({
      type: 's3',
      bucketNames: { chunks: 'modelserve-prod-logs', ruler: 'modelserve-prod-logs', admin: 'modelserve-prod-logs' },
      s3: { region: 'us-east-1', s3ForcePathStyle: false, insecure: false },
    });
    expect(loki.schemaConfig.configs).toEqual([{ from: '2024-04-01', store: 'tsdb', object_store: 's3', schema: 'v13', index: { prefix: 'loki_index_', period: '24h' } }]);
    expect(JSON.stringify(values())).not.toMatch(/accessKeyId|secretAccessKey|access_key/);
    expect(values().serviceAccount).toEqual({ create: true, name: 'loki' });
    expect(values().fullnameOverride).toBe('loki');
  });

  test('applies the retention with the compactor', () => {
    const loki = values({ retentionDays: 30 }).loki;
    expect(loki.limits_config).toEqual({ retention_period: '720h' });
    expect(loki.compactor).toEqual({ retention_enabled: true, delete_request_store: 's3', working_directory: '/var/loki/compactor' });
  });

  test('development: one binary, replication 1, no caches', () => {
    const v = values({ environment: 'development', retentionDays: 7 });
    expect(v.deploymentMode).toBe('Monolithic');
    expect(v.loki.commonConfig).toEqual({ replication_factor: 1 });
    expect(v.singleBinary.replicas).toBe(1);
    expect(v.singleBinary.persistence).toEqual({ enabled: true, size: '10Gi', storageClass: 'gp3' });
    expect([v.read.replicas, v.write.replicas, v.backend.replicas]).toEqual([0, 0, 0]);
    expect(v.chunksCache).toEqual({ enabled: false });
    expect(v.resultsCache).toEqual({ enabled: false });
  });

  test('staging and production: simple scalable with three writers for replication 3', () => {
    const staging = values({ environment: 'staging', retentionDays: 30 });
    expect(staging.deploymentMode).toBe('SimpleScalable');
    expect(staging.loki.commonConfig).toEqual({ replication_factor: 3 });
    expect([staging.singleBinary.replicas, staging.read.replicas, staging.write.replicas, staging.backend.replicas]).toEqual([0, 2, 3, 2]);
    expect(staging.chunksCache).toEqual({ enabled: true, allocatedMemory: 1024 });

    const production = values();
    expect([production.singleBinary.replicas, production.read.replicas, production.write.replicas, production.backend.replicas]).toEqual([0, 3, 3, 3]);
    expect(production.write.persistence).toEqual({ enabled: true, size: '50Gi', storageClass: 'gp3' });
    expect(production.write.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '4Gi' } });
    expect(production.gateway).toEqual({ enabled: true, replicas: 2, service: { type: 'ClusterIP' } });
    expect(production.chunksCache).toEqual({ enabled: true, allocatedMemory: 4096 });
    expect(production.resultsCache).toEqual({ enabled: true, allocatedMemory: 1024 });
  });

  test('runs no canary, no test pod and no bundled MinIO', () => {
    const v = values();
    expect(v.lokiCanary).toEqual({ enabled: false });
    expect(v.test).toEqual({ enabled: false });
    expect(v.minio).toEqual({ enabled: false });
  });

  test('rejects bad options with exact messages', () => {
    expect(rejectionOf(() => lokiValues({ ...base, environment: 'dev' as never }))).toBe('lokiValues: environment ("dev") is not supported; use one of "development", "staging", "production"');
    expect(rejectionOf(() => values({ retentionDays: -1, path: 'platform/addons/loki' }))).toBe('platform/addons/loki: retentionDays (-1) must be a whole number from 1 to 3650; keep logs 1 to 3650 days');
    expect(rejectionOf(() => values({ retentionDays: undefined }))).toBe('lokiValues: retentionDays (not set) is not set; pass LogStore.retentionDays');
    expect(rejectionOf(() => values({ region: 'us-east' }))).toBe('lokiValues: region ("us-east") is not a valid name: an AWS region code such as "us-east-1" or "eu-central-2"; rename it so that it follows that rule');
    expect(rejectionOf(() => values({ bucketName: undefined }))).toBe('lokiValues: bucketName (not set) is not set; pass LogStore.bucketName');
  });
});

describe('alloyValues', () => {
  const values = (options: Partial<AlloyValuesOptions> = {}): any => alloyValues({ environment: 'production', lokiPushUrl: LOKI_PUSH_URL, ...options });

  test('a DaemonSet on every node, tainted ones included, that ships to Loki', () => {
    const v = values();
    expect(v.controller.type).toBe('daemonset');
    expect(v.controller.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(v.alloy.mounts.varlog).toBe(true);
    expect(v.alloy.enableReporting).toBe(false);
    expect(v.alloy.configMap).toEqual({ create: true, content: alloyConfig(LOKI_PUSH_URL) });
    expect(v.alloy.resources).toEqual({ requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '1Gi' } });
    expect(values({ environment: 'development' }).alloy.resources).toEqual({ requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } });
  });

  test('keeps its read positions on the node', () => {
    const v = values();
    expect(v.alloy.storagePath).toBe('/var/lib/alloy');
    expect(v.alloy.mounts.extra).toEqual([{ name: 'alloy-data', mountPath: '/var/lib/alloy' }]);
    expect(v.controller.volumes.extra).toEqual([{ name: 'alloy-data', hostPath: { path: '/var/lib/alloy', type: 'DirectoryOrCreate' } }]);
  });

  test('discovers this node\'s pods and labels each line with namespace, pod and container', () => {
    const config = alloyConfig('http://loki.example/loki/api/v1/push');
    expect(config).toContain('discovery.kubernetes "pods" {\n  role = "pod"');
    expect(config).toContain('field = "spec.nodeName=" + sys.env("HOSTNAME")');
    for (const [meta, label] of [['namespace', 'namespace'], ['pod_name', 'pod'], ['pod_container_name', 'container']]) {
      expect(config).toContain(`source_labels = ["__meta_kubernetes_${meta}"]\n    target_label  = "${label}"`);
    }
    expect(config).toContain('replacement   = "/var/log/pods/*$1/*.log"');
    expect(config).toContain('stage.cri {}');
    expect(config).toContain('url = "http://loki.example/loki/api/v1/push"');
    expect(values().alloy.configMap.content).toContain(`url = "${LOKI_PUSH_URL}"`);
  });

  test('pushes to LOKI_PUSH_URL when no URL is given', () => {
    expect(alloyValues({ environment: 'staging' }).alloy).toMatchObject({ configMap: { content: alloyConfig(LOKI_PUSH_URL) } });
  });

  test('rejects bad options with exact messages', () => {
    expect(rejectionOf(() => alloyValues({ environment: undefined as never }))).toBe('alloyValues: environment (not set) is required; use one of development, staging, production');
    expect(rejectionOf(() => values({ lokiPushUrl: 'http://loki-gateway.logging' }))).toBe(
      'alloyValues: lokiPushUrl ("http://loki-gateway.logging") is not a Loki push URL; use http(s)://<host>/loki/api/v1/push, e.g. http://loki-gateway.logging.svc.cluster.local/loki/api/v1/push',
    );
    expect(rejectionOf(() => values({ lokiPushUrl: 'http://x/"}\nevil {' }))).toMatch(/^alloyValues: lokiPushUrl .* is not a Loki push URL/);
  });
});
