import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { PropsValidator } from '../catalog';
import { validateKmsKeyArn } from './aws-arns';
import { isUnresolved } from './aws-names';
import { IEncryptionKey } from './encryption-key-attributes';

/**
 * A KMS key that exists already, seen through `IEncryptionKey` (made by `EncryptionKey.fromKeyArn`):
 * nothing is created and its policy is left as it is, so the key's own policy must admit whatever
 * uses it (CloudWatch Logs for a log group, the cluster role for EKS Secrets).
 */
export class ImportedEncryptionKey extends Construct implements IEncryptionKey {
  public static fromKeyArn(scope: Construct, id: string, keyArn: string): ImportedEncryptionKey {
    validateKmsKeyArn(new PropsValidator(scope.node.path ? `${scope.node.path}/${id}` : id), 'keyArn', keyArn);
    return new ImportedEncryptionKey(scope, id, keyArn);
  }

  public readonly keyArn: string;
  public readonly keyId: string;

  private constructor(scope: Construct, id: string, keyArn: string) {
    super(scope, id);
    this.keyArn = keyArn;
    this.keyId = isUnresolved(keyArn) ? Fn.element(Fn.split('/', keyArn), 1) : keyArn.slice(keyArn.lastIndexOf('/') + 1);
  }
}
