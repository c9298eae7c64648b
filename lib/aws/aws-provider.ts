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

/** The stack's default AWS provider for `region`, tagging every resource with `tags`, the environment and the tool. */
export function configurePlatformProvider(stack: TerraformStack, region: string, environment: EnvironmentName, tags: Readonly<Record<string, string>>): AwsProvider {
  return new AwsProvider(stack, 'aws', {
    region,
    defaultTags: [{ tags: { ...tags, [COST_ALLOCATION_TAGS.environment]: environment, 'managed-by': 'cdktf' } }],
  });
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
