import { IConstruct } from 'constructs';

/**
 * A KMS key as the constructs that encrypt with it see it, whether made here (`EncryptionKey`) or
 * brought (`EncryptionKey.fromKeyArn`, a customer key that already exists). Every prop that takes a
 * key takes this.
 */
export interface IEncryptionKey extends IConstruct {
  /** The key ARN, `arn:aws:kms:<region>:<account>:key/<key id>`: what resources and IAM policies name. */
  readonly keyArn: string;
  /** The key id, the last part of the ARN. */
  readonly keyId: string;
}
