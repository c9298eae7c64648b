import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { AwsContext } from './aws-context';
import { checkConstructProps } from '../catalog/props-check';
import { IEncryptionKey } from './encryption-key-attributes';
import { ImportedEncryptionKey } from './imported-encryption-key';

/** IAM principals that the key policy itself lets use the key, and for what. */
export interface EncryptionKeyUsers {
  /** ARNs of IAM roles (or users) of the account. */
  readonly principalArns: readonly string[];
  /** KMS actions, e.g. `kms:Encrypt`, `kms:Decrypt`. */
  readonly actions: readonly string[];
}

export interface EncryptionKeyProps {
  /** What the key protects, for the console and CloudTrail. */
  readonly description: string;
  /** Alias without the `alias/` prefix. */
  readonly alias: string;
  /**
   * AWS service principals (e.g. `logs.us-east-1.amazonaws.com`) that may use the key directly,
   * for services that encrypt on their own behalf rather than through a caller's grant.
   * @default - none: only IAM principals of the account that are granted the key
   */
  readonly servicePrincipals?: readonly string[];
  /**
   * Days before a deleted key is gone for good.
   * @default 30
   */
  readonly deletionWindowInDays?: number;
  /**
   * Principals the key policy names directly: for a role this stack cannot grant the key through
   * IAM, because the role was brought from elsewhere and its policies are not the stack's to change.
   * @default - none: only IAM principals of the account that are granted the key
   */
  readonly keyUsers?: EncryptionKeyUsers;
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * The AWS provider, for a key in another region (a KMS key serves its own region only).
   * @default - the stack's default AWS provider
   */
  readonly provider?: TerraformProvider;
}

/**
 * A customer-managed KMS key with yearly rotation on. Its policy delegates to IAM in the account
 * (so least-privilege IAM policies decide who uses it) and lets listed services use it.
 */
export class EncryptionKey extends Construct implements IEncryptionKey {
  /**
   * A customer key that exists already, by its key ARN (`arn:aws:kms:<region>:<account>:key/<id>`;
   * an alias is refused: IAM and CloudWatch Logs need the key ARN). Nothing is created: the key's
   * own policy must let whatever uses it do so.
   */
  public static fromKeyArn(scope: Construct, id: string, keyArn: string): IEncryptionKey {
    return ImportedEncryptionKey.fromKeyArn(scope, id, keyArn);
  }

  public readonly key: KmsKey;
  public readonly keyArn: string;
  public readonly keyId: string;
  public readonly aliasName: string;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    checkConstructProps(EncryptionKey, scope, id, props);
    super(scope, id);
    const aws = AwsContext.of(this);
    const statements: object[] = [
      {
        Sid: 'AccountAdministersThroughIam',
        Effect: 'Allow',
        Principal: { AWS: `arn:${aws.partition}:iam::${aws.accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ];
    const logs = (props.servicePrincipals ?? []).filter((p) => p.startsWith('logs.'));
    const others = (props.servicePrincipals ?? []).filter((p) => !p.startsWith('logs.'));
    if (logs.length) {
      // CloudWatch Logs names the log group in the encryption context: this is the condition AWS
      // documents for it, and it keeps the key to this account's log groups.
      statements.push({
        Sid: 'CloudWatchLogsEncryptThisAccountsLogGroups',
        Effect: 'Allow',
        Principal: { Service: logs },
        Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        Resource: '*',
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${aws.partition}:logs:${aws.region}:${aws.accountId}:*` } },
      });
    }
    if (others.length) {
      // Services that publish into an encrypted resource (e.g. CloudWatch alarms or Budgets into an
      // SNS topic) need only to make and read data keys; AWS documents no narrower condition for them
      // (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
      statements.push({
        Sid: 'ServicesPublishIntoEncryptedResources',
        Effect: 'Allow',
        Principal: { Service: others },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
      });
    }
    if (props.keyUsers) {
      // Named in the key policy, the principals need no IAM grant of their own (same account).
      statements.push({
        Sid: 'RolesBroughtFromElsewhereUseTheKey',
        Effect: 'Allow',
        Principal: { AWS: [...props.keyUsers.principalArns] },
        Action: [...props.keyUsers.actions],
        Resource: '*',
      });
    }
    this.key = new KmsKey(this, 'key', {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowInDays ?? 30,
      policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      tags: props.tags ? { ...props.tags } : undefined,
      provider: props.provider,
    });
    this.aliasName = `alias/${props.alias}`;
    new KmsAlias(this, 'alias', { name: this.aliasName, targetKeyId: this.key.keyId, provider: props.provider });
    this.keyArn = this.key.arn;
    this.keyId = this.key.keyId;
  }
}
