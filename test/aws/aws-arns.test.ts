import { Token } from 'cdktf';
import { PropsValidator } from '../../lib/catalog';
import { validateAccessEntryPrincipalArn, validateIamPolicyArn, validateIamRoleArn, validateKmsKeyArn } from '../../lib/aws/aws-arns';

type Check = (v: PropsValidator, field: string, value: unknown) => void;
const messageOf = (check: Check, value: unknown): string | undefined => {
  try {
    check(new PropsValidator('test/x'), 'arn', value);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
};

// Key ARNs: https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-ARN
// (a UUID, or "mrk-" and 32 hex digits for a multi-Region key); IAM and CloudWatch Logs take the
// key ARN, not an alias (https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html,
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
describe('validateKmsKeyArn', () => {
  const fix = 'use the key ARN, arn:aws:kms:<region>:<account>:key/<key id> (aws kms describe-key --key-id <alias or id> --query KeyMetadata.Arn)';

  test.each([
    'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab',
    'arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    Token.asString({ Ref: 'key' }),
  ])('accepts %s', (arn) => {
    expect(messageOf(validateKmsKeyArn, arn)).toBeUndefined();
  });

  test.each([
    ['arn:aws:kms:us-east-1:111122223333:alias/models', 'is an alias, which IAM policies and CloudWatch Logs do not accept in place of the key'],
    ['alias/models', 'is an alias, which IAM policies and CloudWatch Logs do not accept in place of the key'],
    ['1234abcd-12ab-34cd-56ef-1234567890ab', 'is a key id, not a key ARN'],
    ['arn:aws:kms:us-east-1:111122223333:key/not-a-key', 'is not a KMS key ARN'],
    ['arn:aws:s3:::models', 'is not a KMS key ARN'],
  ])('refuses %s', (arn, problem) => {
    expect(messageOf(validateKmsKeyArn, arn)).toBe(`test/x: arn (${JSON.stringify(arn)}) ${problem}; ${fix}`);
  });

  test('refuses a value that is not a string (JavaScript callers)', () => {
    expect(messageOf(validateKmsKeyArn, 42)).toBe(`test/x: arn (42) is not a KMS key ARN; ${fix}`);
  });
});

// Role ARNs: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
// (a path may sit between "role/" and the name).
describe('validateIamRoleArn', () => {
  const fix = 'use the role\'s ARN, arn:aws:iam::<account>:role/<name> (aws iam get-role --role-name <name> --query Role.Arn)';

  test.each([
    'arn:aws:iam::111122223333:role/eks-cluster',
    'arn:aws:iam::111122223333:role/platform/eks/eks-node',
    'arn:aws-cn:iam::111122223333:role/eks+cluster=1,x.y@z_w-v',
  ])('accepts %s', (arn) => {
    expect(messageOf(validateIamRoleArn, arn)).toBeUndefined();
  });

  test.each([
    ['arn:aws:sts::111122223333:assumed-role/eks-cluster/session', 'is the ARN of a session of a role (STS), not of the role'],
    ['arn:aws:iam::111122223333:instance-profile/eks-node', 'is the ARN of an instance profile, not of a role'],
    ['arn:aws:iam::111122223333:user/alice', 'is the ARN of an IAM user, not of a role'],
    ['arn:aws:iam::111122223333:policy/boundary', 'is the ARN of a policy, not of a role'],
    ['eks-cluster', 'is not an IAM role ARN'],
    ['arn:aws:iam::1111:role/eks-cluster', 'is not an IAM role ARN'],
  ])('refuses %s', (arn, problem) => {
    expect(messageOf(validateIamRoleArn, arn)).toBe(`test/x: arn (${JSON.stringify(arn)}) ${problem}; ${fix}`);
  });
});

// A permissions boundary is a managed policy, AWS or customer managed:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
describe('validateIamPolicyArn', () => {
  const fix = 'use the boundary policy\'s ARN, arn:aws:iam::<account>:policy/<name> (aws iam list-policies --scope Local)';

  test.each([
    'arn:aws:iam::111122223333:policy/platform-boundary',
    'arn:aws:iam::111122223333:policy/boundaries/platform',
    'arn:aws:iam::aws:policy/PowerUserAccess',
  ])('accepts %s', (arn) => {
    expect(messageOf(validateIamPolicyArn, arn)).toBeUndefined();
  });

  test.each([
    ['arn:aws:iam::111122223333:role/boundary', 'is the ARN of a role, but a permissions boundary is a managed policy'],
    ['platform-boundary', 'is not an IAM managed policy ARN'],
  ])('refuses %s', (arn, problem) => {
    expect(messageOf(validateIamPolicyArn, arn)).toBe(`test/x: arn (${JSON.stringify(arn)}) ${problem}; ${fix}`);
  });
});

// Access entries take IAM roles and users, not STS sessions:
// https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html
describe('validateAccessEntryPrincipalArn', () => {
  test('accepts roles and users, refuses sessions and other ARNs', () => {
    expect(messageOf(validateAccessEntryPrincipalArn, 'arn:aws:iam::111122223333:role/ci')).toBeUndefined();
    expect(messageOf(validateAccessEntryPrincipalArn, 'arn:aws:iam::111122223333:user/alice')).toBeUndefined();
    expect(messageOf(validateAccessEntryPrincipalArn, 'arn:aws:sts::111122223333:assumed-role/ci/session')).toBe(
      'test/x: arn ("arn:aws:sts::111122223333:assumed-role/ci/session") is a session of a role, which access entries do not accept; use the role\'s ARN: arn:aws:iam::<account>:role/<name>',
    );
    expect(messageOf(validateAccessEntryPrincipalArn, 7)).toBe(
      'test/x: arn (7) is not an IAM role or user ARN; use arn:aws:iam::<account>:role/<name> or arn:aws:iam::<account>:user/<name>',
    );
  });
});
