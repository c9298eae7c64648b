import { App, TerraformStack, Testing } from 'cdktf';
import { COST_ALLOCATION_TAGS, NodePools } from '../../lib/catalog';
import { CostAllocationTags } from '../../lib/aws/cost-allocation-tags';
import { ModelServePlatform, ModelServePlatformProps } from '../../lib/aws/model-serve-platform';
import { productionStacks } from '../../examples/platform/production';
import { PLATFORM_TEAM } from '../../examples/platform/deployer';
import { awsStack, expectRejectedBeforeSynth, Json, synth } from '../support/aws-stack';

const { environment: ENVIRONMENT, service: SERVICE, team: TEAM } = COST_ALLOCATION_TAGS;

/**
 * Whether a resource type takes tags, read from the provider's own schema (the generated binding
 * of the type has `tags`), not from a list kept here: a new resource type is checked as it comes.
 */
function taggable(type: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(`@cdktf/provider-aws/lib/${type.replace(/^aws_/, '').replace(/_/g, '-')}`);
  const resource = Object.values(module).find((c: Json) => typeof c === 'function' && c.tfResourceType === type) as Json;
  if (!resource) throw new Error(`no binding for ${type}`);
  return typeof resource.prototype.resetTags === 'function';
}

describe('cost allocation on the production example', () => {
  const [platformStack, addonsStack] = productionStacks(Testing.app());
  const out = JSON.parse(Testing.synth(platformStack));
  const addonsOut = JSON.parse(Testing.synth(addonsStack));
  const resources = Object.entries(out.resource as Record<string, Record<string, Json>>).flatMap(([type, byName]) => Object.entries(byName).map(([name, r]) => ({ type, name, r })));
  const serviceOf = (type: string): string[] => resources.filter((x) => x.type === type).map((x) => x.r.tags[SERVICE]);

  test('every resource that takes tags carries environment, service and team itself', () => {
    // terraform_data and the like are no AWS resources.
    const tagged = resources.filter((x) => x.type.startsWith('aws_') && taggable(x.type));
    expect(tagged.length).toBeGreaterThan(50);
    const missing = tagged.filter((x) => !(x.r.tags?.[ENVIRONMENT] === 'production' && x.r.tags?.[TEAM] === PLATFORM_TEAM && typeof x.r.tags?.[SERVICE] === 'string'));
    expect(missing.map((x) => `${x.type}.${x.name}`)).toEqual([]);
  });

  // A launch template passes only its tag specifications to the instances, volumes and network
  // interfaces it launches: the provider's default tags do not reach them
  // (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/resource-tagging).
  test('the nodes\' instances, volumes and network interfaces are tagged for cost too', () => {
    const templates = resources.filter((x) => x.type === 'aws_launch_template');
    expect(templates.length).toBeGreaterThan(0);
    for (const { r } of templates) {
      expect(r.tag_specifications.map((t: Json) => t.resource_type)).toEqual(['instance', 'volume', 'network-interface']);
      for (const spec of r.tag_specifications) expect(spec.tags).toMatchObject({ [ENVIRONMENT]: 'production', [SERVICE]: 'cluster', [TEAM]: PLATFORM_TEAM });
    }
  });

  test('the service is the platform component each resource belongs to', () => {
    expect(serviceOf('aws_vpc')).toEqual(['network']);
    expect(serviceOf('aws_eks_cluster')).toEqual(['cluster']);
    expect(serviceOf('aws_db_instance')).toEqual(['database']);
    expect(serviceOf('aws_elasticache_replication_group')).toEqual(['cache']);
    expect(serviceOf('aws_ecr_repository')).toEqual(['image-registry']);
    expect(serviceOf('aws_sns_topic')).toEqual(['observability']);
    expect(serviceOf('aws_budgets_budget')).toEqual(['budget']);
    expect(serviceOf('aws_s3_bucket').sort()).toEqual(['disaster-recovery', 'model-store']);
  });

  test('the provider\'s default tags carry the environment and the team, in both stacks and both regions', () => {
    for (const provider of [...out.provider.aws, ...addonsOut.provider.aws]) {
      expect(provider.default_tags[0].tags).toMatchObject({ [ENVIRONMENT]: 'production', [TEAM]: PLATFORM_TEAM });
    }
    expect(out.provider.aws.map((p: Json) => p.region)).toEqual(['us-east-1', 'us-west-2']);
  });
});

describe('ModelServePlatform cost-allocation props', () => {
  const base: ModelServePlatformProps = { name: 'modelserve', environment: 'staging', region: 'us-east-1', nodePools: [NodePools.general()] };
  const stackFor = (app: App): TerraformStack => new TerraformStack(app, 'platform');

  test('without a team, environment and service only, and no team default tag', () => {
    const stack = stackFor(Testing.app());
    new ModelServePlatform(stack, 'platform', base);
    const out = JSON.parse(Testing.synth(stack));
    const [db] = Object.values(out.resource.aws_db_instance as Record<string, Json>);
    expect(db.tags).toEqual({ [ENVIRONMENT]: 'staging', [SERVICE]: 'database' });
    expect(out.provider.aws[0].default_tags[0].tags[TEAM]).toBeUndefined();
  });

  test('the user\'s tags come on top', () => {
    const stack = stackFor(Testing.app());
    new ModelServePlatform(stack, 'platform', { ...base, costAllocation: { team: 'search' }, tags: { 'cost-center': 'cc-42' } });
    const [db] = Object.values(JSON.parse(Testing.synth(stack)).resource.aws_db_instance as Record<string, Json>);
    expect(db.tags).toEqual({ [ENVIRONMENT]: 'staging', [SERVICE]: 'database', [TEAM]: 'search', 'cost-center': 'cc-42' });
  });

  test('a component\'s own tags add to the platform\'s, never replace them', () => {
    const stack = stackFor(Testing.app());
    new ModelServePlatform(stack, 'platform', { ...base, costAllocation: { team: 'search' }, tags: { 'cost-center': 'cc-42' }, database: { tags: { backup: 'daily' } } });
    const [db] = Object.values(JSON.parse(Testing.synth(stack)).resource.aws_db_instance as Record<string, Json>);
    expect(db.tags).toEqual({ [ENVIRONMENT]: 'staging', [SERVICE]: 'database', [TEAM]: 'search', 'cost-center': 'cc-42', backup: 'daily' });
  });

  test('refuses a cost-allocation key among the user\'s tags, and a team AWS cannot tag', () => {
    const reject = (props: Partial<ModelServePlatformProps>, message: string) =>
      expectRejectedBeforeSynth((stack) => new ModelServePlatform(stack, 'platform', { ...base, ...props }), message, { stack: stackFor });
    reject(
      { tags: { [TEAM]: 'search' } },
      'platform/platform: tags["modelserve.io/team"] ("search") is a cost-allocation tag the platform sets itself (the environment, each component\'s service, the team); drop it; give the team as costAllocation.team',
    );
    reject(
      { database: { tags: { [SERVICE]: 'postgres' } } },
      'platform/platform: database.tags["modelserve.io/service"] ("postgres") is a cost-allocation tag the platform sets itself (the environment, each component\'s service, the team); drop it; give the team as costAllocation.team',
    );
    reject({ costAllocation: { team: '' } }, 'platform/platform: costAllocation.team ("") is empty; name the team that pays, e.g. "ml-platform"');
    reject({ costAllocation: { team: 'ml<platform>' } }, 'platform/platform: costAllocation.team ("ml<platform>") has a character AWS refuses in tag values (letters, digits, spaces and _ . : / = + - @ only); remove the character');
  });

  test('a budget needs the alarm topic', () => {
    expectRejectedBeforeSynth(
      (stack) => new ModelServePlatform(stack, 'platform', { ...base, observability: false, budget: { monthlyLimitUsd: 1000 } }),
      'platform/platform: budget ({"monthlyLimitUsd":1000}) needs the alarm topic to send its alerts to, but observability is false; leave observability on, or drop budget',
      { stack: stackFor },
    );
  });

  test('a budget of 0 is refused at the platform, before anything is built', () => {
    expectRejectedBeforeSynth(
      (stack) => new ModelServePlatform(stack, 'platform', { ...base, budget: { monthlyLimitUsd: 0 } }),
      /^platform\/platform: budget\.monthlyLimitUsd \(0\) is not a limit AWS Budgets accepts/,
      { stack: stackFor },
    );
  });
});

describe('CostAllocationTags', () => {
  test('activates the platform\'s three keys by default, one resource per key', () => {
    const stack = awsStack();
    new CostAllocationTags(stack, 'tags');
    const tags = Object.values(synth(stack).resources('aws_ce_cost_allocation_tag'));
    expect(tags).toEqual([
      { tag_key: 'modelserve.io/environment', status: 'Active' },
      { tag_key: 'modelserve.io/service', status: 'Active' },
      { tag_key: 'modelserve.io/team', status: 'Active' },
    ]);
  });

  test('or the keys given', () => {
    const stack = awsStack();
    new CostAllocationTags(stack, 'tags', { tagKeys: ['cost-center'] });
    expect(Object.values(synth(stack).resources('aws_ce_cost_allocation_tag'))).toEqual([{ tag_key: 'cost-center', status: 'Active' }]);
  });

  test('refuses no key, a key twice, or a key AWS reserves', () => {
    const reject = (tagKeys: string[], message: string) => expectRejectedBeforeSynth((stack) => new CostAllocationTags(stack, 'tags', { tagKeys }), message, { stack: awsStack });
    reject([], 'test/tags: tagKeys ([]) lists no tag key, so nothing is activated; leave tagKeys out for the platform\'s keys, or list yours');
    reject(['team', 'team'], 'test/tags: tagKeys (["team","team"]) lists "team" twice; list each entry once');
    reject(['aws:createdBy'], 'test/tags: tagKeys["aws:createdBy"] ("aws:createdBy") starts with "aws:", which AWS reserves for its own tags; use your own prefix, e.g. "acme:"');
  });
});
