import { PropsValidator } from './validation-error';

/**
 * The RDS for PostgreSQL DB instance classes and ElastiCache node types the platform accepts: the
 * current-generation families, each with the sizes AWS publishes for it. A class that does not
 * exist fails `terraform apply` minutes in (InvalidParameterCombination); here it fails at synth.
 * Sources: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Summary.html
 * and Concepts.DBInstanceClass.Support.html (PostgreSQL column);
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html
 */
const BURSTABLE = ['micro', 'small', 'medium', 'large', 'xlarge', '2xlarge'];
const GRAVITON = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'];
const GRAVITON4 = [...GRAVITON, '24xlarge', '48xlarge'];
const INTEL6 = [...GRAVITON, '24xlarge', '32xlarge'];
const INTEL7 = [...GRAVITON, '24xlarge', '48xlarge'];
const INTEL5 = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge'];

export const RDS_POSTGRES_INSTANCE_FAMILIES: Readonly<Record<string, readonly string[]>> = {
  'db.t3': BURSTABLE,
  'db.t4g': BURSTABLE,
  'db.m5': INTEL5,
  'db.m6g': GRAVITON,
  'db.m6i': INTEL6,
  'db.m7g': GRAVITON,
  'db.m7i': INTEL7,
  'db.m8g': GRAVITON4,
  'db.r5': INTEL5,
  'db.r6g': GRAVITON,
  'db.r6i': INTEL6,
  'db.r7g': GRAVITON,
  'db.r7i': INTEL7,
  'db.r8g': GRAVITON4,
};

const CACHE_BURSTABLE = ['micro', 'small', 'medium'];
const CACHE_INTEL5 = ['large', 'xlarge', '2xlarge', '4xlarge', '12xlarge', '24xlarge'];

export const ELASTICACHE_NODE_FAMILIES: Readonly<Record<string, readonly string[]>> = {
  'cache.t3': CACHE_BURSTABLE,
  'cache.t4g': CACHE_BURSTABLE,
  'cache.m5': CACHE_INTEL5,
  'cache.m6g': GRAVITON,
  'cache.m7g': GRAVITON,
  'cache.r5': CACHE_INTEL5,
  'cache.r6g': GRAVITON,
  'cache.r7g': GRAVITON,
};

/** `db.r6g.large` → `db.r6g`, `large`. */
function splitClass(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  return [name.slice(0, dot), name.slice(dot + 1)];
}

function validateClass(
  v: PropsValidator,
  field: string,
  value: unknown,
  families: Readonly<Record<string, readonly string[]>>,
  what: string,
  example: string,
): void {
  v.that(typeof value === 'string', field, value, `is not ${what}`, `use a class such as "${example}"`);
  const [family, size] = splitClass(value as string);
  const sizes = Object.prototype.hasOwnProperty.call(families, family) ? families[family] : undefined;
  if (!sizes) v.fail(field, value, `is not ${what} the catalog knows`, `use a family of ${Object.keys(families).join(', ')}, e.g. "${example}"`);
  v.that(sizes.includes(size), field, value, `is not a size AWS offers in ${family}`, `use one of ${sizes.map((s) => `${family}.${s}`).join(', ')}`);
}

export function validateRdsInstanceClass(v: PropsValidator, field: string, value: unknown): void {
  validateClass(v, field, value, RDS_POSTGRES_INSTANCE_FAMILIES, 'an RDS for PostgreSQL instance class', 'db.r6g.large');
}

export function validateElastiCacheNodeType(v: PropsValidator, field: string, value: unknown): void {
  validateClass(v, field, value, ELASTICACHE_NODE_FAMILIES, 'an ElastiCache node type', 'cache.r7g.large');
}
