import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack } from 'cdktf';
import { COST_ALLOCATION_TAGS, EnvironmentName, PropsValidator } from '../catalog';

/** What an AWS region name looks like (`us-east-1`, `ap-southeast-2`, `us-gov-west-1`). */
export const AWS_REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** The stack's AWS provider without an alias, if it has one. */
export function defaultAwsProvider(stack: TerraformStack): AwsProvider | undefined {
  return stack.node.findAll().find((c): c is AwsProvider => c instanceof AwsProvider && c.alias === undefined);
}

/** Checks a `region` prop: a region name, on a stack that has no default AWS provider yet. */
export function validateRegionProp(v: PropsValidator, stack: TerraformStack, region: string | undefined): void {
  if (region === undefined) return;
  v.that(typeof region === 'string' && AWS_REGION_NAME.test(region), 'region', region, 'is not an AWS region name', 'use a name such as us-east-1');
  v.that(defaultAwsProvider(stack) === undefined, 'region', region, 'is given but the stack already has a default AWS provider', 'drop region, or drop your AwsProvider and let the platform configure it');
}

/** Providers the platform configured: only their settings are known to be region and tags alone. */
const PLATFORM_PROVIDERS = new WeakSet<AwsProvider>();

/** The stack's default AWS provider for `region`, tagging every resource with `tags`, the environment and the tool. */
export function configurePlatformProvider(
  stack: TerraformStack,
  region: string,
  environment: EnvironmentName,
  tags: Readonly<Record<string, string>>,
): AwsProvider {
  const provider = new AwsProvider(stack, 'aws', {
    region,
    defaultTags: [{ tags: { ...tags, [COST_ALLOCATION_TAGS.environment]: environment, 'managed-by': 'cdktf' } }],
  });
  PLATFORM_PROVIDERS.add(provider);
  return provider;
}

/** True when the stack's default provider is the platform's (configured by `configurePlatformProvider`). */
export function hasPlatformProvider(stack: TerraformStack): boolean {
  const provider = defaultAwsProvider(stack);
  return provider !== undefined && PLATFORM_PROVIDERS.has(provider);
}

/**
 * An aliased AWS provider for `region` with the platform provider's default tags (one per region
 * and stack), or undefined when the stack's provider is the user's: its credentials, role and
 * profile are not known here, and a copy without them would deploy with other credentials.
 */
export function platformProviderIn(stack: TerraformStack, region: string): AwsProvider | undefined {
  if (!hasPlatformProvider(stack)) return undefined;
  const id = `aws-${region}`;
  const existing = stack.node.tryFindChild(id);
  if (existing instanceof AwsProvider) return existing;
  return new AwsProvider(stack, id, { alias: region, region, defaultTags: defaultAwsProvider(stack)?.defaultTags });
}

/**
 * Gives `to` a default AWS provider like `from`'s (region and default tags), when `to` has none and
 * `from`'s region is a literal: a stack applied after the platform's works in the same region
 * without the user repeating it. Returns false when there was nothing to copy.
 */
export function mirrorAwsProvider(from: TerraformStack, to: TerraformStack): boolean {
  if (defaultAwsProvider(to)) return true;
  const source = defaultAwsProvider(from);
  const region = source?.region;
  if (!source || region === undefined || region.includes('${')) return false;
  new AwsProvider(to, 'aws', { region, defaultTags: source.defaultTags });
  return true;
}
