import { S3Backend, TerraformStack } from 'cdktf';
import { NodePools } from '../../lib/catalog';
import { ModelServePlatform, ModelServePlatformProps } from '../../lib/aws/model-serve-platform';
import { expectRejectedBeforeSynth } from '../support/aws-stack';

const base: ModelServePlatformProps = { name: 'modelserve', environment: 'production', region: 'us-east-1', nodePools: [NodePools.general()], adminPrincipalArns: ['arn:aws:iam::123456789012:role/PlatformAdmin'] };

/** The props as a JavaScript or JSON caller may give them: `build` must refuse them and write no file. */
function expectRejected(props: Record<string, unknown>, message: string): void {
  const expected = message.startsWith('^') ? new RegExp(message) : message;
  expectRejectedBeforeSynth((stack: TerraformStack) => {
    new S3Backend(stack, { bucket: 'state', key: 'platform.tfstate', region: 'us-east-1', encrypt: true });
    new ModelServePlatform(stack, 'platform', { ...base, ...props } as unknown as ModelServePlatformProps);
  }, expected);
}

describe('ModelServePlatform props from untyped callers', () => {
  test('the string "false" no longer opens the EKS endpoint to 0.0.0.0/0', () => {
    expectRejected({ cluster: { allowPublicEndpointFromAnywhere: 'false' } }, 'test/platform: cluster.allowPublicEndpointFromAnywhere ("false") is a string, not true or false; use false without quotes');
  });

  test('a misspelt prop no longer creates a billed RDS instance', () => {
    expectRejected({ databse: false }, 'test/platform: databse (false) is not a ModelServePlatform prop; did you mean database?');
  });

  test('a string where a list belongs is named, not a TypeError', () => {
    expectRejected({ adminPrincipalArns: 'arn:aws:iam::123456789012:role/PlatformAdmin' }, 'test/platform: adminPrincipalArns ("arn:aws:iam::123456789012:role/PlatformAdmin") is a string, not a list; give a list, e.g. ["arn:aws:iam::123456789012:role/PlatformAdmin"]');
  });

  test('a misspelt option of a part', () => {
    expectRejected({ database: { instanceClas: 'db.r6g.large' } }, 'test/platform: database.instanceClas ("db.r6g.large") is not a field of database; did you mean instanceClass?');
  });

  test('a removed prop keeps the construct\'s own message, which says where it went', () => {
    expectRejected({ addons: false }, /^test\/platform: addons \(false\) is no longer a ModelServePlatform prop: the cluster add-ons install from a stack of their own/.source);
  });
});
