import { DNS_SUBDOMAIN_RULE, EnvironmentName, ENVIRONMENTS, isDnsSubdomain, PropsValidator } from '../catalog';

// Naming rules of the AWS services that the stateful constructs create. Checked at synth time so
// that a name AWS would reject fails in milliseconds with a fix, not minutes into `terraform apply`.
// A value that is a cdktf token (not known until apply) is let through: only literals are checked.

/** True if `value` holds a cdktf token (`${TfToken[...]}`) and so cannot be checked here. */
export function isUnresolved(value: string): boolean {
  return value.includes('${');
}

function check(v: PropsValidator, field: string, value: string, ok: boolean, rule: string): void {
  if (isUnresolved(value)) return;
  v.that(ok, field, value, `is not a valid name: ${rule}`, 'rename it so that it follows that rule');
}

export const S3_BUCKET_RULE =
  '3 to 63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit, no "..", not an IP address, no "xn--"/"sthree-"/"amzn-s3-demo-" prefix and no "-s3alias"/"--ol-s3"/"--x-s3"/"--table-s3"/".mrap" suffix';

export function validateS3BucketName(v: PropsValidator, field: string, value: string): void {
  const ok =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) &&
    !value.includes('..') &&
    !/^\d{1,3}(\.\d{1,3}){3}$/.test(value) &&
    !/^(xn--|sthree-|amzn-s3-demo-)/.test(value) &&
    !/(-s3alias|--ol-s3|--x-s3|--table-s3|\.mrap)$/.test(value);
  check(v, field, value, ok, S3_BUCKET_RULE);
}

export const RDS_IDENTIFIER_RULE =
  '1 to 63 letters, digits and "-", starting with a letter, not ending with "-" and without "--"';

export function validateRdsIdentifier(v: PropsValidator, field: string, value: string): void {
  const ok = /^[a-zA-Z][a-zA-Z0-9-]{0,62}$/.test(value) && !value.endsWith('-') && !value.includes('--');
  check(v, field, value, ok, RDS_IDENTIFIER_RULE);
}

export const ELASTICACHE_ID_RULE =
  '1 to 40 lowercase letters, digits and "-", starting with a letter, not ending with "-" and without "--"';

export function validateElastiCacheId(v: PropsValidator, field: string, value: string): void {
  const ok = /^[a-z][a-z0-9-]{0,39}$/.test(value) && !value.endsWith('-') && !value.includes('--');
  check(v, field, value, ok, ELASTICACHE_ID_RULE);
}

export const ECR_REPOSITORY_RULE =
  '2 to 256 lowercase letters and digits, optionally separated by ".", "_", "-" or "/" (one separator at a time, none at either end)';

export function validateEcrRepositoryName(v: PropsValidator, field: string, value: string): void {
  const ok =
    value.length >= 2 &&
    value.length <= 256 &&
    /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(value);
  check(v, field, value, ok, ECR_REPOSITORY_RULE);
}

export const DYNAMODB_TABLE_RULE = '3 to 255 letters, digits, "_", "-" and "."';

export function validateDynamoDbTableName(v: PropsValidator, field: string, value: string): void {
  check(v, field, value, /^[a-zA-Z0-9_.-]{3,255}$/.test(value), DYNAMODB_TABLE_RULE);
}

export const AWS_REGION_RULE = 'an AWS region code such as "us-east-1" or "eu-central-2"';

export function validateRegion(v: PropsValidator, field: string, value: string): void {
  check(v, field, value, /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/.test(value), AWS_REGION_RULE);
}

// Maintenance, backup and snapshot windows of RDS and ElastiCache, in UTC. Unlike the names above,
// a window is checked as given: a token is not let through.
const WEEKLY_WINDOW = /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/;
const DAILY_WINDOW = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;

/** `hh:mm-hh:mm`; `example` goes into the fix (the construct's default reads best). */
export function validateDailyWindow(v: PropsValidator, field: string, value: string, example: string): void {
  v.that(DAILY_WINDOW.test(value), field, value, 'is not a daily window', `write it as "hh:mm-hh:mm" in UTC, e.g. "${example}"`);
}

/** `ddd:hh:mm-ddd:hh:mm`; `example` goes into the fix (the construct's default reads best). */
export function validateWeeklyWindow(v: PropsValidator, field: string, value: string, example: string): void {
  v.that(WEEKLY_WINDOW.test(value), field, value, 'is not a weekly window', `write it as "ddd:hh:mm-ddd:hh:mm" in UTC, e.g. "${example}"`);
}

/** Kubernetes DNS-1123 subdomain: what a ServiceAccount name may be. */
export function validateDnsSubdomain(v: PropsValidator, field: string, value: string): void {
  check(v, field, value, isDnsSubdomain(value), DNS_SUBDOMAIN_RULE);
}

/** The environment prop, where it is required (checked, not trusted to the type: JavaScript callers). */
export function validateEnvironment(v: PropsValidator, value: EnvironmentName | undefined): void {
  v.that(value !== undefined, 'environment', value, 'is required', `use one of ${ENVIRONMENTS.join(', ')}`);
  v.oneOf('environment', value, ENVIRONMENTS);
}

/** A list prop that needs at least `min` entries (subnets, security groups). */
export function validateMinLength(v: PropsValidator, field: string, value: readonly unknown[] | undefined, min: number, fix: string): void {
  v.that(Array.isArray(value) && value.length >= min, field, value, `needs at least ${min} entr${min === 1 ? 'y' : 'ies'}`, fix);
}

/** Literal (non-token) entries must be unique: a duplicate would declare the same rule twice. */
export function validateUnique(v: PropsValidator, field: string, value: readonly string[]): void {
  const seen = new Set<string>();
  for (const item of value) {
    v.that(!seen.has(item), field, value, `lists ${JSON.stringify(item)} twice`, 'list each entry once');
    seen.add(item);
  }
}

// Ids of resources a user brings (an existing VPC, its subnets, client security groups): the
// prefix of their kind and 8 or 17 hexadecimal digits
// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html). A token is let through.
const EC2_ID_KINDS = { vpc: 'a VPC', subnet: 'a subnet', sg: 'a security group' } as const;
export type Ec2IdKind = keyof typeof EC2_ID_KINDS;

export function validateEc2Id(v: PropsValidator, field: string, value: unknown, kind: Ec2IdKind): void {
  if (typeof value === 'string' && isUnresolved(value)) return;
  const text = typeof value === 'string' ? value : '';
  const other = (Object.keys(EC2_ID_KINDS) as Ec2IdKind[]).find((k) => k !== kind && text.startsWith(`${k}-`));
  v.that(
    new RegExp(`^${kind}-([0-9a-f]{8}|[0-9a-f]{17})$`).test(text),
    field,
    value,
    other ? `is the id of ${EC2_ID_KINDS[other]}, not of ${EC2_ID_KINDS[kind]}` : `is not the id of ${EC2_ID_KINDS[kind]} ("${kind}-" and 8 or 17 hexadecimal digits)`,
    `pass the id of an existing ${EC2_ID_KINDS[kind].slice(2)}, e.g. ${kind}-0123456789abcdef0`,
  );
}

/** Each entry an id of `kind`, none twice. */
export function validateEc2Ids(v: PropsValidator, field: string, values: readonly string[], kind: Ec2IdKind): void {
  if (!Array.isArray(values)) return;
  values.forEach((value, i) => validateEc2Id(v, `${field}[${i}]`, value, kind));
  validateUnique(v, field, values);
}

// Tags (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions):
// keys of 1 to 128 characters, values of up to 256, letters, digits, spaces and _ . : / = + - @,
// and no key starting with "aws:" in any case (reserved for AWS). At most 50 tags on a resource:
// the platform adds Name, its platform and managed-by tags and the three cost-allocation tags
// (environment, service, team).
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const MAX_USER_TAGS = 44;

export function validateTags(v: PropsValidator, field: string, tags: Readonly<Record<string, string>> | undefined): void {
  if (tags === undefined) return;
  v.that(typeof tags === 'object' && tags !== null && !Array.isArray(tags), field, tags, 'is not a map of tag keys to values', 'pass an object such as { team: "ml-platform" }');
  const entries = Object.entries(tags);
  v.that(entries.length <= MAX_USER_TAGS, field, entries.length, `has more tags than the ${MAX_USER_TAGS} AWS leaves room for (50 per resource, less Name and the platform's own tags)`, 'drop some tags');
  for (const [key, value] of entries) {
    const at = `${field}["${key}"]`;
    if (isUnresolved(key) || (typeof value === 'string' && isUnresolved(value))) continue;
    v.that(key.length >= 1 && [...key].length <= 128, at, key, 'is not a tag key AWS accepts: 1 to 128 characters', 'shorten the key');
    v.that(!/^aws:/i.test(key), at, key, 'starts with "aws:", which AWS reserves for its own tags', 'use your own prefix, e.g. "acme:"');
    v.that(TAG_TEXT.test(key), at, key, 'has a character AWS refuses in tag keys (letters, digits, spaces and _ . : / = + - @ only)', 'rename the key');
    validateTagValue(v, at, value);
  }
}

/** One tag value: a string of at most 256 characters AWS accepts. A token is let through. */
export function validateTagValue(v: PropsValidator, field: string, value: unknown): void {
  if (typeof value === 'string' && isUnresolved(value)) return;
  v.that(typeof value === 'string' && [...value].length <= 256, field, value, 'is not a tag value AWS accepts: a string of at most 256 characters', 'shorten the value');
  v.that(TAG_TEXT.test(value as string), field, value, 'has a character AWS refuses in tag values (letters, digits, spaces and _ . : / = + - @ only)', 'remove the character');
}
