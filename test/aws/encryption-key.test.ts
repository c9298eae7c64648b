import { Token } from 'cdktf';
import { EncryptionKey } from '../../lib/aws/encryption-key';
import { awsStack, expectRejectedBeforeSynth, policyOf, synth } from '../support/aws-stack';

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

describe('EncryptionKey.fromKeyArn', () => {
  const arn = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

  test('makes nothing and gives the key ARN and id', () => {
    const stack = awsStack();
    const key = EncryptionKey.fromKeyArn(stack, 'customer-key', arn);
    expect(key.keyArn).toBe(arn);
    expect(key.keyId).toBe('1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(key.node.path).toBe('test/customer-key');
    const out = synth(stack);
    expect(out.resources('aws_kms_key')).toEqual({});
    expect(out.resources('aws_kms_alias')).toEqual({});
  });

  test('an ARN known at apply only gets its id from the ARN at apply', () => {
    const stack = awsStack();
    const key = EncryptionKey.fromKeyArn(stack, 'customer-key', Token.asString({ Ref: 'arn' }));
    expect(Token.isUnresolved(key.keyId)).toBe(true);
  });

  test('an alias is refused with the command that gives the key ARN', () => {
    expectRejectedBeforeSynth(
      (stack) => EncryptionKey.fromKeyArn(stack, 'customer-key', 'arn:aws:kms:us-east-1:111122223333:alias/logs'),
      'test/customer-key: keyArn ("arn:aws:kms:us-east-1:111122223333:alias/logs") is an alias, which IAM policies and CloudWatch Logs do not accept in place of the key; use the key ARN, arn:aws:kms:<region>:<account>:key/<key id> (aws kms describe-key --key-id <alias or id> --query KeyMetadata.Arn)',
    );
  });
});

describe('EncryptionKey keyUsers', () => {
  test('a role named in the key policy may use the key for the listed actions only', () => {
    const stack = awsStack();
    new EncryptionKey(stack, 'key', {
      description: 'secrets',
      alias: 'test/secrets',
      keyUsers: { principalArns: ['arn:aws:iam::111122223333:role/eks-cluster'], actions: ['kms:Encrypt', 'kms:Decrypt'] },
    });
    const statements = policyOf(synth(stack).only('aws_kms_key').policy).Statement;
    expect(statements.map((s: any) => s.Sid)).toEqual(['AccountAdministersThroughIam', 'RolesBroughtFromElsewhereUseTheKey']);
    expect(statements[1]).toEqual({
      Sid: 'RolesBroughtFromElsewhereUseTheKey',
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::111122223333:role/eks-cluster'] },
      Action: ['kms:Encrypt', 'kms:Decrypt'],
      Resource: '*',
    });
  });
});
