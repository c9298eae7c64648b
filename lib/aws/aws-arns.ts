import { PropsValidator } from '../catalog';
import { isUnresolved } from './aws-names';

// ARNs of what a user brings (a KMS key, an IAM role, a permissions boundary), checked at synth in
// the forms AWS documents, so that a wrong kind of ARN fails with its fix instead of at apply. A
// token (known only at apply) is let through.

/** `arn:<partition>:kms:<region>:<account>:key/<key id>`, the id a UUID or a multi-Region `mrk-` id. */
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
/** IAM names and paths: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns */
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const IAM_POLICY_ARN = /^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,128}$/;

/**
 * A KMS key ARN, the form every consumer of a key takes: CloudWatch Logs, EKS envelope encryption
 * and IAM policies all name the key by its ARN (an alias ARN cannot be granted in IAM:
 * https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html).
 */
export function validateKmsKeyArn(v: PropsValidator, field: string, value: unknown): void {
  if (typeof value === 'string' && isUnresolved(value)) return;
  const text = typeof value === 'string' ? value : '';
  const problem = /^arn:[^:]+:kms:.*:alias\//.test(text) || text.startsWith('alias/')
    ? 'is an alias, which IAM policies and CloudWatch Logs do not accept in place of the key'
    : /^([0-9a-f-]{36}|mrk-[0-9a-f]{32})$/.test(text)
      ? 'is a key id, not a key ARN'
      : 'is not a KMS key ARN';
  v.that(
    KMS_KEY_ARN.test(text),
    field,
    value,
    problem,
    'use the key ARN, arn:aws:kms:<region>:<account>:key/<key id> (aws kms describe-key --key-id <alias or id> --query KeyMetadata.Arn)',
  );
}

/** An IAM role ARN (`arn:aws:iam::<account>:role/<optional path/><name>`), as EKS takes for a cluster or node role. */
export function validateIamRoleArn(v: PropsValidator, field: string, value: unknown): void {
  if (typeof value === 'string' && isUnresolved(value)) return;
  const text = typeof value === 'string' ? value : '';
  let problem = 'is not an IAM role ARN';
  if (text.includes(':assumed-role/')) problem = 'is the ARN of a session of a role (STS), not of the role';
  else if (text.includes(':instance-profile/')) problem = 'is the ARN of an instance profile, not of a role';
  else if (text.includes(':user/')) problem = 'is the ARN of an IAM user, not of a role';
  else if (text.includes(':policy/')) problem = 'is the ARN of a policy, not of a role';
  v.that(
    IAM_ROLE_ARN.test(text),
    field,
    value,
    problem,
    'use the role\'s ARN, arn:aws:iam::<account>:role/<name> (aws iam get-role --role-name <name> --query Role.Arn)',
  );
}

/**
 * A managed policy ARN, customer (`arn:aws:iam::<account>:policy/<name>`) or AWS managed
 * (`arn:aws:iam::aws:policy/<name>`): the only kind of policy a permissions boundary can be
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
 */
export function validateIamPolicyArn(v: PropsValidator, field: string, value: unknown): void {
  if (typeof value === 'string' && isUnresolved(value)) return;
  const text = typeof value === 'string' ? value : '';
  const problem = text.includes(':role/')
    ? 'is the ARN of a role, but a permissions boundary is a managed policy'
    : 'is not an IAM managed policy ARN';
  v.that(
    IAM_POLICY_ARN.test(text),
    field,
    value,
    problem,
    'use the boundary policy\'s ARN, arn:aws:iam::<account>:policy/<name> (aws iam list-policies --scope Local)',
  );
}

const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

/**
 * A principal an EKS access entry accepts: an IAM role or user, never a session of a role
 * (https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html).
 */
export function validateAccessEntryPrincipalArn(v: PropsValidator, field: string, arn: unknown): void {
  if (typeof arn === 'string' && isUnresolved(arn)) return;
  const text = typeof arn === 'string' ? arn : '';
  v.that(
    !text.includes(':assumed-role/'),
    field,
    arn,
    'is a session of a role, which access entries do not accept',
    `use the role's ARN: arn:aws:iam::<account>:role/<name>`,
  );
  v.that(
    IAM_PRINCIPAL_ARN.test(text),
    field,
    arn,
    'is not an IAM role or user ARN',
    'use arn:aws:iam::<account>:role/<name> or arn:aws:iam::<account>:user/<name>',
  );
}
