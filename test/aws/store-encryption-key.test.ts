import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { LogStore } from '../../lib/aws/addons/logging';
import { Cache } from '../../lib/aws/cache';
import { Database } from '../../lib/aws/database';
import { EncryptionKey } from '../../lib/aws/encryption-key';
import { IEncryptionKey } from '../../lib/aws/encryption-key-attributes';
import { ImageRegistry } from '../../lib/aws/image-registry';
import { ModelStore } from '../../lib/aws/model-store';
import { Observability } from '../../lib/aws/observability';
import { StateBackendBootstrap } from '../../lib/aws/state-backend';
import { awsStack, expectRejectedBeforeSynth, synth } from '../support/aws-stack';

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const network = { vpcId: 'vpc-00000123', subnetIds: ['subnet-0a0a0a0a', 'subnet-0b0b0b0b'], allowedSecurityGroupIds: ['sg-0000000a'] };

interface KeyProps {
  readonly encryptionKey?: IEncryptionKey;
  readonly kmsKeyArn?: string;
}

/** Every construct that encrypts with a customer key it makes unless given one, with minimal props. */
const STORES: Record<string, (scope: Construct, key: KeyProps) => Construct> = {
  Database: (s, key) => new Database(s, 'store', { environment: 'production', identifier: 'models', ...network, ...key }),
  Cache: (s, key) => new Cache(s, 'store', { environment: 'production', name: 'models', ...network, ...key }),
  ModelStore: (s, key) => new ModelStore(s, 'store', { environment: 'production', bucketName: 'modelserve-prod-models', ...key }),
  ImageRegistry: (s, key) => new ImageRegistry(s, 'store', { environment: 'production', repositoryNames: ['triton'], ...key }),
  Observability: (s, key) => new Observability(s, 'store', { environment: 'production', name: 'models', logGroupNames: ['/models/serving'], ...key }),
  StateBackendBootstrap: (s, key) => new StateBackendBootstrap(s, 'store', { environment: 'production', bucketName: 'acme-modelserve-state', ...key }),
  LogStore: (s, key) => new LogStore(s, 'store', { environment: 'production', bucketName: 'modelserve-prod-logs', ...key }),
};

function synthWith(build: (scope: Construct, key: KeyProps) => Construct, key: (stack: TerraformStack) => KeyProps) {
  const stack = awsStack();
  build(stack, key(stack));
  return synth(stack);
}

describe.each(Object.entries(STORES))('%s encryptionKey', (_name, build) => {
  const out = synthWith(build, (stack) => ({ encryptionKey: EncryptionKey.fromKeyArn(stack, 'customer-key', KEY) }));

  test('an existing key: no key is made, and the given ARN is what the store encrypts with', () => {
    expect(out.resources('aws_kms_key')).toEqual({});
    expect(out.text).toContain(KEY);
  });

  test('the same Terraform as the deprecated kmsKeyArn', () => {
    expect(synthWith(build, () => ({ kmsKeyArn: KEY })).json).toEqual(out.json);
  });

  test('an EncryptionKey made in the stack is used by reference', () => {
    const own = synthWith(build, (stack) => ({ encryptionKey: new EncryptionKey(stack, 'own-key', { description: 'own', alias: 'own' }) }));
    expect(Object.keys(own.resources('aws_kms_key'))).toEqual([expect.stringMatching(/^own-key_/)]);
    expect(own.text).toMatch(/\$\{aws_kms_key\.own-key_\w+\.arn\}/);
  });

  test('both given is refused', () => {
    expectRejectedBeforeSynth(
      (stack) => build(stack, { encryptionKey: EncryptionKey.fromKeyArn(stack, 'customer-key', KEY), kmsKeyArn: KEY }),
      `test/store: kmsKeyArn ("${KEY}") is given beside encryptionKey, which replaces it; drop kmsKeyArn (deprecated)`,
      { stack: awsStack },
    );
  });

  test('an ARN where the key goes is refused with the import that makes the key (JavaScript callers)', () => {
    expectRejectedBeforeSynth(
      (stack) => build(stack, { encryptionKey: KEY as never }),
      `test/store: encryptionKey ("${KEY}") is not an encryption key; pass EncryptionKey.fromKeyArn(scope, 'encryptionKey', '${KEY}') for a key that exists`,
      { stack: awsStack },
    );
  });
});
