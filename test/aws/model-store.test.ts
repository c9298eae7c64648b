import { ModelStore, ModelStoreProps } from '../../lib/aws/model-store';
import { ModelStoreGrant } from '../../lib/aws/model-store-access';
import { awsStack, expectRejectedBeforeSynth, Json, policyOf, synth } from '../support/aws-stack';

const base: ModelStoreProps = { environment: 'production', bucketName: 'modelserve-prod-models' };

function build(props: Partial<ModelStoreProps> = {}, grants: ModelStoreGrant[] = []) {
  const stack = awsStack();
  const store = new ModelStore(stack, 'models', { ...base, ...props });
  const access = grants.map((g) => store.grantServiceAccount(g));
  return { store, access, out: synth(stack) };
}

function expectRejected(props: Partial<ModelStoreProps>, message: string | RegExp): void {
  expectRejectedBeforeSynth((stack) => new ModelStore(stack, 'models', { ...base, ...props }), message, { stack: awsStack });
}

function expectGrantRejected(grants: ModelStoreGrant[], message: string | RegExp): void {
  expectRejectedBeforeSynth(
    (stack) => {
      const store = new ModelStore(stack, 'models', base);
      grants.forEach((g) => store.grantServiceAccount(g));
    },
    message,
    { stack: awsStack },
  );
}

function statement(policy: Json, sid: string): Json {
  const found = policy.Statement.find((s: Json) => s.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}`);
  return found;
}

describe('ModelStore', () => {
  const { out } = build();

  test('blocks all public access and disables ACLs', () => {
    expect(out.only('aws_s3_bucket_public_access_block')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(out.only('aws_s3_bucket_ownership_controls').rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
  });

  test('is versioned and SSE-KMS encrypted with a bucket key', () => {
    expect(out.only('aws_s3_bucket_versioning').versioning_configuration).toEqual({ status: 'Enabled' });
    const [rule] = out.only('aws_s3_bucket_server_side_encryption_configuration').rule;
    expect(rule.bucket_key_enabled).toBe(true);
    expect(rule.apply_server_side_encryption_by_default.sse_algorithm).toBe('aws:kms');
    expect(rule.apply_server_side_encryption_by_default.kms_master_key_id).toMatch(/^\$\{aws_kms_key\.models_key_\w+\.arn\}$/);
    expect(out.only('aws_s3_bucket')).toMatchObject({ bucket: 'modelserve-prod-models', force_destroy: false });
  });

  test('denies requests without TLS', () => {
    const policy = policyOf(out.only('aws_s3_bucket_policy').policy);
    const deny = statement(policy, 'DenyInsecureTransport');
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    expect(deny.Resource).toHaveLength(2);
    expect(deny.Resource[1]).toMatch(/\/\*$/);
  });

  test('expires old versions after 90 days and aborts stale uploads after 7', () => {
    const rules = out.only('aws_s3_bucket_lifecycle_configuration').rule as Json[];
    const noncurrent = rules.find((r) => r.id === 'expire-noncurrent-versions');
    expect(noncurrent).toMatchObject({ status: 'Enabled', noncurrent_version_expiration: [{ noncurrent_days: 90 }] });
    const uploads = rules.find((r) => r.id === 'abort-incomplete-multipart-uploads');
    expect(uploads).toMatchObject({ status: 'Enabled', abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] });
    // Models have no retention: the current version never expires (SecureBucket's expiration is off).
    expect(rules.map((r) => r.id)).toEqual(['expire-noncurrent-versions', 'abort-incomplete-multipart-uploads']);
  });

  test('has no replication or logging unless asked', () => {
    expect(out.resources('aws_s3_bucket_replication_configuration')).toEqual({});
    expect(out.resources('aws_s3_bucket_logging')).toEqual({});
  });
});

describe('ModelStore.grantServiceAccount', () => {
  const grants: ModelStoreGrant[] = [
    { clusterName: 'modelserve-prod', namespace: 'serving', serviceAccount: 'triton' },
    { clusterName: 'modelserve-prod', namespace: 'training', serviceAccount: 'trainer', access: 'read-write' },
  ];
  const { out, access } = build({}, grants);
  const roles = Object.values(out.resources('aws_iam_role'));
  const policies = Object.values(out.resources('aws_iam_role_policy')).map((p) => policyOf(p.policy));

  // Scoped with the session tags EKS Pod Identity documents:
  // https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html and pod-id-abac.html.
  test('trusts only EKS Pod Identity for the granted service account of this cluster', () => {
    expect(roles).toHaveLength(2);
    roles.forEach((role, i) => {
      const [trust] = policyOf(role.assume_role_policy).Statement;
      expect(trust.Principal).toEqual({ Service: 'pods.eks.amazonaws.com' });
      expect(trust.Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
      expect(trust.Condition).toEqual({
        StringEquals: {
          'aws:RequestTag/eks-cluster-arn': expect.stringMatching(/:eks:.*:cluster\/modelserve-prod$/),
          'aws:RequestTag/kubernetes-namespace': grants[i].namespace,
          'aws:RequestTag/kubernetes-service-account': grants[i].serviceAccount,
        },
      });
    });
  });

  test('gives read access: list, get and decrypt on this bucket and key only', () => {
    const read = policies[0];
    const bucketArn = `\${aws_s3_bucket.${Object.keys(out.resources('aws_s3_bucket'))[0]}.arn}`;
    expect(statement(read, 'ListModels')).toMatchObject({ Action: ['s3:ListBucket'], Resource: [bucketArn] });
    expect(statement(read, 'ReadModels')).toMatchObject({ Action: ['s3:GetObject'], Resource: [`${bucketArn}/*`] });
    const key = statement(read, 'UseBucketKeyThroughS3');
    expect(key.Action).toEqual(['kms:Decrypt']);
    expect(key.Resource).toEqual([expect.stringMatching(/^\$\{aws_kms_key\.models_key_\w+\.arn\}$/)]);
    expect(JSON.stringify(read)).not.toMatch(/"\*"|s3:\*|kms:\*/);
  });

  test('gives read-write access: put, delete and generate data keys as well', () => {
    const rw = policies[1];
    expect(statement(rw, 'ReadWriteModels').Action).toEqual(['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload']);
    expect(statement(rw, 'UseBucketKeyThroughS3').Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
  });

  test('associates each role with its service account', () => {
    const associations = Object.values(out.resources('aws_eks_pod_identity_association'));
    expect(associations.map((a) => [a.cluster_name, a.namespace, a.service_account])).toEqual([
      ['modelserve-prod', 'serving', 'triton'],
      ['modelserve-prod', 'training', 'trainer'],
    ]);
    expect(access.map((a) => a.access)).toEqual(['read', 'read-write']);
  });

  test('names roles per stack within the IAM limit', () => {
    for (const role of roles) expect(role.name.length).toBeLessThanOrEqual(64);
    expect(roles[0].name).toMatch(/^serving-triton-[0-9a-f]{8}$/);
  });
});

describe('ModelStore options', () => {
  test('replicates KMS-encrypted models to another bucket with its own role', () => {
    const { out, store } = build({
      replication: { destinationBucketArn: 'arn:aws:s3:::modelserve-dr-models', destinationKmsKeyArn: 'arn:aws:kms:us-west-2:111122223333:key/abc' },
    });
    const config = out.only('aws_s3_bucket_replication_configuration');
    expect(config.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_versioning\./)]);
    expect(config.rule[0]).toMatchObject({
      status: 'Enabled',
      source_selection_criteria: { sse_kms_encrypted_objects: { status: 'Enabled' } },
      destination: { bucket: 'arn:aws:s3:::modelserve-dr-models', encryption_configuration: { replica_kms_key_id: 'arn:aws:kms:us-west-2:111122223333:key/abc' } },
    });
    const [trust] = policyOf(out.only('aws_iam_role').assume_role_policy).Statement;
    expect(trust.Principal).toEqual({ Service: 's3.amazonaws.com' });
    expect(out.only('aws_iam_role').name_prefix).toBe('model-store-replication-');
    expect(store.replicationRoleArn).toMatch(/TfToken/);
    // The destination's region is read from its key: the replica key is used only through S3 there.
    const encrypt = statement(policyOf(out.only('aws_iam_role_policy').policy), 'EncryptReplicas');
    expect(encrypt.Resource).toEqual(['arn:aws:kms:us-west-2:111122223333:key/abc']);
    expect(encrypt.Condition.StringEquals['kms:ViaService']).toMatch(/^s3\.us-west-2\./);
    expect(encrypt.Condition.StringLike['kms:EncryptionContext:aws:s3:arn']).toEqual(['arn:aws:s3:::modelserve-dr-models', 'arn:aws:s3:::modelserve-dr-models/*']);
    // Replication Time Control only when asked.
    expect(config.rule[0].destination.replication_time).toBeUndefined();
  });

  test('replicates once, through the prop or addReplication', () => {
    const replication = { destinationBucketArn: 'arn:aws:s3:::modelserve-dr-models', destinationKmsKeyArn: 'arn:aws:kms:us-west-2:111122223333:key/abc' };
    expectRejectedBeforeSynth(
      (stack) => new ModelStore(stack, 'models', { ...base, replication }).addReplication(replication),
      'test/models: replication ("arn:aws:s3:::modelserve-dr-models") is a second replication of the model bucket, which has one replication configuration; replicate once (the replication prop or one addReplication call)',
      { stack: awsStack },
    );
  });

  test('logs access to a separate bucket', () => {
    const { out } = build({ accessLogging: { targetBucketName: 'modelserve-access-logs' } });
    expect(out.only('aws_s3_bucket_logging')).toMatchObject({ target_bucket: 'modelserve-access-logs', target_prefix: 'modelserve-prod-models/' });
  });

  test('takes another noncurrent-version expiry', () => {
    const { out } = build({ noncurrentVersionExpirationDays: 30 });
    const rules = out.only('aws_s3_bucket_lifecycle_configuration').rule as Json[];
    expect(rules[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 30 }]);
  });

  test('allows forceDestroy in development when asked for by name', () => {
    const { out } = build({ environment: 'development', forceDestroy: true });
    expect(out.only('aws_s3_bucket').force_destroy).toBe(true);
  });
});

describe('ModelStore refuses', () => {
  test.each([
    ['Models', 'upper case'],
    ['ab', 'too short'],
    ['models..prod', 'two dots'],
    ['-models', 'leading hyphen'],
    ['192.168.1.10', 'an IP address'],
    ['xn--models', 'a reserved prefix'],
    ['models-s3alias', 'a reserved suffix'],
    ['models_prod', 'an underscore'],
  ])('a bucket name S3 rejects: %s (%s)', (bucketName) => {
    expectRejected({ bucketName }, new RegExp(`^test/models: bucketName \\(${JSON.stringify(bucketName).replace(/\./g, '\\.')}\\) is not a valid name: 3 to 63 lowercase`));
  });

  test('forceDestroy in production', () => {
    expectRejected(
      { forceDestroy: true },
      'test/models: forceDestroy (true) would let terraform destroy delete every model in production; leave forceDestroy off; empty the bucket by hand if it really must go',
    );
  });

  test('replication to something that is not a bucket ARN', () => {
    expectRejected(
      { replication: { destinationBucketArn: 'modelserve-dr', destinationKmsKeyArn: 'arn:aws:kms:us-west-2:111122223333:key/abc' } },
      /replication\.destinationBucketArn \("modelserve-dr"\) is not an S3 bucket ARN/,
    );
  });

  // KMS authorizes a request on the key's ARN, so an IAM statement naming an alias ARN grants
  // nothing (https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html),
  // and S3 encrypts replicas only with a key of the destination's region
  // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html).
  test('a replica key given by alias, or in another region than the destination', () => {
    expectRejected(
      { replication: { destinationBucketArn: 'arn:aws:s3:::modelserve-dr', destinationKmsKeyArn: 'arn:aws:kms:us-west-2:111122223333:alias/models' } },
      'test/models: replication.destinationKmsKeyArn ("arn:aws:kms:us-west-2:111122223333:alias/models") is an alias ARN, which IAM policies cannot grant (KMS authorizes the key ARN); use "arn:aws:kms:<region>:<account>:key/<id>"',
    );
    expectRejected(
      { replication: { destinationBucketArn: 'arn:aws:s3:::modelserve-dr', destinationKmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/abc', destinationRegion: 'us-west-2' } },
      'test/models: replication.destinationKmsKeyArn ("arn:aws:kms:us-east-1:111122223333:key/abc") is a key in us-east-1, not in the destination\'s region (us-west-2); S3 encrypts replicas only with a key of the destination\'s region; create a key in us-west-2',
    );
  });

  test('a namespace that is not a DNS label', () => {
    expectGrantRejected(
      [{ clusterName: 'c', namespace: 'Serving', serviceAccount: 'triton' }],
      /^test\/models\/access-Serving-triton: namespace \("Serving"\) is not a valid name: lowercase letters/,
    );
  });

  test('a service account that is not a DNS subdomain', () => {
    expectGrantRejected([{ clusterName: 'c', namespace: 'serving', serviceAccount: 'triton_server' }], /serviceAccount \("triton_server"\) is not a valid name/);
  });

  test('no service account (JavaScript callers), named rather than a TypeError', () => {
    expectGrantRejected(
      [{ clusterName: 'c', namespace: 'serving', serviceAccount: undefined as never }],
      'test/models/access-serving-undefined: serviceAccount (not set) is required; give the service account the pods run as',
    );
  });

  test('the same service account granted twice', () => {
    const grant: ModelStoreGrant = { clusterName: 'c', namespace: 'serving', serviceAccount: 'triton' };
    expectGrantRejected([grant, { ...grant, access: 'read-write' }], /grantServiceAccount \("serving\/triton"\) is granted twice/);
  });
});

describe('ModelStore.grantRead and grantReadWrite', () => {
  const serving = { clusterName: 'modelserve-prod', namespace: 'serving', serviceAccount: 'triton' };
  const training = { clusterName: 'modelserve-prod', namespace: 'training', serviceAccount: 'trainer' };
  const stack = awsStack();
  const store = new ModelStore(stack, 'models', base);
  const reader = store.grantRead(serving);
  const writer = store.grantReadWrite(training);
  const out = synth(stack);

  test('each returns the access it made: its role is the one the association binds', () => {
    expect([reader.access, writer.access]).toEqual(['read', 'read-write']);
    const associations = Object.values(out.resources('aws_eks_pod_identity_association'));
    expect(associations.map((a) => [a.namespace, a.service_account, a.role_arn])).toEqual([
      ['serving', 'triton', expect.stringMatching(/^\$\{aws_iam_role\.models_access-serving-triton_role_\w+\.arn\}$/)],
      ['training', 'trainer', expect.stringMatching(/^\$\{aws_iam_role\.models_access-training-trainer_role_\w+\.arn\}$/)],
    ]);
    expect(associations[0].role_arn).toBe(`\${aws_iam_role.${reader.role.friendlyUniqueId}.arn}`);
    expect(associations[1].role_arn).toBe(`\${aws_iam_role.${writer.role.friendlyUniqueId}.arn}`);
  });

  // https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html: the session tags name the service account.
  test('the returned role trusts only that service account of that cluster', () => {
    const trust = policyOf(out.resources('aws_iam_role')[reader.role.friendlyUniqueId].assume_role_policy).Statement;
    expect(trust).toEqual([expect.objectContaining({
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Condition: {
        StringEquals: {
          'aws:RequestTag/eks-cluster-arn': expect.stringMatching(/:cluster\/modelserve-prod$/),
          'aws:RequestTag/kubernetes-namespace': 'serving',
          'aws:RequestTag/kubernetes-service-account': 'triton',
        },
      },
    })]);
  });

  test('grantRead allows reading only; grantReadWrite also writing', () => {
    const [read, readWrite] = Object.values(out.resources('aws_iam_role_policy')).map((p) => policyOf(p.policy));
    expect(statement(read, 'ReadModels').Action).toEqual(['s3:GetObject']);
    expect(statement(read, 'UseBucketKeyThroughS3').Action).toEqual(['kms:Decrypt']);
    expect(statement(readWrite, 'ReadWriteModels').Action).toEqual(['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload']);
  });

  test('grantRead ignores an access level carried in by a JavaScript caller', () => {
    const other = awsStack();
    const granted = new ModelStore(other, 'models', base).grantRead({ ...serving, access: 'read-write' } as never);
    expect(granted.access).toBe('read');
  });

  test('the deprecated grantServiceAccount makes the same resources at the same addresses', () => {
    const viaAlias = awsStack();
    const aliased = new ModelStore(viaAlias, 'models', base);
    aliased.grantServiceAccount(serving);
    aliased.grantServiceAccount({ ...training, access: 'read-write' });
    expect(synth(viaAlias).json).toEqual(out.json);
  });

  test('a service account granted twice, across the two methods', () => {
    expectRejectedBeforeSynth(
      (s) => {
        const twice = new ModelStore(s, 'models', base);
        twice.grantRead(serving);
        twice.grantReadWrite(serving);
      },
      'test/models: grantReadWrite ("serving/triton") is granted twice; grant each service account once, with the widest access it needs',
      { stack: awsStack },
    );
  });

  test('no target (JavaScript callers), named rather than a TypeError', () => {
    expectRejectedBeforeSynth(
      (s) => new ModelStore(s, 'models', base).grantRead(undefined as never),
      'test/models: grantRead (not set) is not a service account to grant; pass { clusterName, namespace, serviceAccount }',
      { stack: awsStack },
    );
  });
});
