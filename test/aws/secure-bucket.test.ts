import { secureBucketLifecycleRules, secureBucketPolicy } from '../../lib/aws/secure-bucket';

const ARN = 'arn:aws:s3:::models';

describe('secureBucketPolicy', () => {
  const statements = (requireKmsUploads: boolean) => (secureBucketPolicy(ARN, requireKmsUploads) as { Statement: any[] }).Statement;

  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html (aws:SecureTransport)
  // https://repost.aws/knowledge-center/s3-enforce-modern-tls (s3:TlsVersion)
  test('denies everyone plain HTTP and TLS older than 1.2, on the bucket and every object', () => {
    expect(statements(false)).toEqual([
      { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [ARN, `${ARN}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      { Sid: 'DenyOutdatedTls', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [ARN, `${ARN}/*`], Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } } },
    ]);
  });

  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms
  test('asked to, also refuses uploads that name an encryption other than SSE-KMS (IfExists: no header gets the default)', () => {
    expect(statements(true)[2]).toEqual({
      Sid: 'DenyUploadsNotUnderKms',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: `${ARN}/*`,
      Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
    });
    expect(statements(true)).toHaveLength(3);
  });

  test('grants nothing: every statement denies', () => {
    expect(statements(true).every((s) => s.Effect === 'Deny')).toBe(true);
  });
});

describe('secureBucketLifecycleRules', () => {
  const base = { noncurrentVersionExpirationDays: 30, abortIncompleteMultipartUploadDays: 7 };

  test('old versions and their delete markers go after their days, failed uploads after theirs, for the whole bucket', () => {
    expect(secureBucketLifecycleRules(base)).toEqual([
      {
        id: 'expire-noncurrent-versions',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        noncurrentVersionExpiration: [{ noncurrentDays: 30 }],
        expiration: [{ expiredObjectDeleteMarker: true }],
      },
      { id: 'abort-incomplete-multipart-uploads', status: 'Enabled', filter: [{ prefix: '' }], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] },
    ]);
  });

  test('a retention adds a third rule, named by its owner, that expires current objects', () => {
    const rules = secureBucketLifecycleRules({ ...base, expiration: { days: 31, ruleId: 'expire-logs-after-retention' } });
    expect(rules.map((r) => r.id)).toEqual(['expire-noncurrent-versions', 'abort-incomplete-multipart-uploads', 'expire-logs-after-retention']);
    expect(rules[2]).toEqual({ id: 'expire-logs-after-retention', status: 'Enabled', filter: [{ prefix: '' }], expiration: [{ days: 31 }] });
  });
});
