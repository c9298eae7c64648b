import { EncryptionKey } from '../../lib/aws/encryption-key';
import { awsStack, policyOf, synth } from '../support/aws-stack';

describe('EncryptionKey', () => {
  const stack = awsStack();
  new EncryptionKey(stack, 'logs-key', { description: 'logs', alias: 'test/logs', servicePrincipals: ['logs.us-east-1.amazonaws.com', 'cloudwatch.amazonaws.com'] });
  new EncryptionKey(stack, 'plain-key', { description: 'plain', alias: 'test/plain' });
  const out = synth(stack);
  const keys = Object.values(out.resources('aws_kms_key'));
  const policyOfKey = (description: string) => policyOf(keys.find((k) => k.description === description).policy);

  test('rotation is on and the key has an alias', () => {
    for (const key of keys) {
      expect(key.enable_key_rotation).toBe(true);
      expect(key.deletion_window_in_days).toBe(30);
    }
    expect(Object.values(out.resources('aws_kms_alias')).map((a) => a.name).sort()).toEqual(['alias/test/logs', 'alias/test/plain']);
  });

  test('without service principals only IAM in the account decides', () => {
    const statements = policyOfKey('plain').Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Principal.AWS).toMatch(/^arn:\$\{.*\}:iam::\$\{.*\}:root$/);
  });

  test('CloudWatch Logs may use the key only for this account\'s log groups', () => {
    const logs = policyOfKey('logs').Statement.find((s: any) => s.Sid === 'CloudWatchLogsEncryptThisAccountsLogGroups');
    expect(logs.Principal.Service).toEqual(['logs.us-east-1.amazonaws.com']);
    expect(Object.keys(logs.Condition.ArnLike)).toEqual(['kms:EncryptionContext:aws:logs:arn']);
  });

  test('publishing services get data keys only', () => {
    const publish = policyOfKey('logs').Statement.find((s: any) => s.Sid === 'ServicesPublishIntoEncryptedResources');
    expect(publish.Principal.Service).toEqual(['cloudwatch.amazonaws.com']);
    expect(publish.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
  });
});
