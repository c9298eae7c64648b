import { PropsValidator } from '../catalog';
import { IEncryptionKey } from './encryption-key-attributes';

/** What a store takes for its key: `encryptionKey`, or the ARN it replaces. */
export interface StoreKeyProps {
  readonly encryptionKey?: IEncryptionKey;
  readonly kmsKeyArn?: string;
}

/**
 * A prop that takes a key holds an `IEncryptionKey` (checked, not trusted to the type: JavaScript
 * callers, and a string ARN where a key is expected). `undefined` passes.
 */
export function validateEncryptionKeyProp(v: PropsValidator, field: string, key: unknown): void {
  if (key === undefined) return;
  const isKey = typeof key === 'object' && key !== null && typeof (key as IEncryptionKey).keyArn === 'string';
  v.that(
    isKey,
    field,
    typeof key === 'string' ? key : typeof key,
    'is not an encryption key',
    typeof key === 'string'
      ? `pass EncryptionKey.fromKeyArn(scope, '${field}', '${key}') for a key that exists`
      : 'pass an EncryptionKey, or EncryptionKey.fromKeyArn(scope, id, keyArn) for a key that exists',
  );
}

/** `encryptionKey` is a key, and is not given beside the deprecated `kmsKeyArn`. */
export function validateStoreKey(v: PropsValidator, props: StoreKeyProps): void {
  validateEncryptionKeyProp(v, 'encryptionKey', props.encryptionKey);
  if (props.encryptionKey === undefined) return;
  v.that(
    props.kmsKeyArn === undefined,
    'kmsKeyArn',
    props.kmsKeyArn,
    'is given beside encryptionKey, which replaces it',
    'drop kmsKeyArn (deprecated)',
  );
}

/** The ARN of the key the store was given, if it was given one. */
export function givenKeyArn(props: StoreKeyProps): string | undefined {
  return props.encryptionKey?.keyArn ?? props.kmsKeyArn;
}
