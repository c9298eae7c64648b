import { TerraformStack, Testing } from 'cdktf';
import { billingStack } from '../../examples/platform/billing';
import { developmentStacks } from '../../examples/platform/development';
import { productionStacks } from '../../examples/platform/production';
import { stagingStacks } from '../../examples/platform/staging';
import { stateStack } from '../../examples/platform/state';
import { Json } from '../support/aws-stack';

/**
 * Names AWS keeps unique per account and region (or per account, or globally): a second stack that
 * creates the same one fails its apply (RepositoryAlreadyExistsException, EntityAlreadyExists,
 * BucketAlreadyExists, ResourceAlreadyExistsException, AlreadyExistsException ...). Security group
 * names are unique per VPC only, and node group names per cluster, so they are not here.
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 * Budget names are unique per account, and a cost allocation tag's status is the payer account's:
 * two stacks managing one would undo each other (destroying one deactivates the tag for all).
 * https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Budget.html
 */
const ACCOUNT_SCOPED: Readonly<Record<string, readonly string[]>> = {
  aws_ecr_repository: ['name'],
  aws_iam_role: ['name', 'name_prefix'],
  aws_iam_policy: ['name', 'name_prefix'],
  aws_s3_bucket: ['bucket', 'bucket_prefix'],
  aws_cloudwatch_log_group: ['name', 'name_prefix'],
  aws_kms_alias: ['name', 'name_prefix'],
  aws_secretsmanager_secret: ['name', 'name_prefix'],
  aws_sns_topic: ['name', 'name_prefix'],
  aws_sqs_queue: ['name', 'name_prefix'],
  aws_cloudwatch_event_rule: ['name', 'name_prefix'],
  aws_cloudwatch_metric_alarm: ['alarm_name'],
  aws_db_instance: ['identifier', 'identifier_prefix'],
  aws_db_subnet_group: ['name', 'name_prefix'],
  aws_db_parameter_group: ['name', 'name_prefix'],
  aws_elasticache_replication_group: ['replication_group_id'],
  aws_elasticache_subnet_group: ['name'],
  aws_elasticache_parameter_group: ['name'],
  aws_eks_cluster: ['name'],
  aws_launch_template: ['name', 'name_prefix'],
  aws_dynamodb_table: ['name'],
  aws_budgets_budget: ['name', 'name_prefix'],
  aws_ce_cost_allocation_tag: ['tag_key'],
};

/**
 * The names of every account-scoped resource of a stack. A name built from another resource of the
 * same stack (`${aws_...}`) cannot be compared across stacks and is left out; one built from the
 * account and region data sources reads the same in every stack of the account, so it is kept.
 */
function accountScopedNames(stack: TerraformStack): string[] {
  const json = JSON.parse(Testing.synth(stack));
  const names: string[] = [];
  for (const [type, attributes] of Object.entries(ACCOUNT_SCOPED)) {
    for (const resource of Object.values((json.resource?.[type] ?? {}) as Record<string, Json>)) {
      for (const attribute of attributes) {
        const value = resource[attribute];
        if (typeof value === 'string' && !value.includes('${aws_')) names.push(`${type}.${attribute}=${value}`);
      }
    }
  }
  return names;
}

describe('the example environments can share one account and region', () => {
  const app = Testing.app();
  // The app of examples/platform/main.ts: the state bucket, each environment's platform and add-ons, the billing stack.
  stateStack(app);
  productionStacks(app);
  stagingStacks(app);
  developmentStacks(app);
  billingStack(app);
  const stacks = app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
  const byStack = new Map(stacks.map((s) => [s.node.id, accountScopedNames(s)]));

  test('every stack of the examples is checked, and each names its account-scoped resources', () => {
    expect(stacks.length).toBe(8);
    const fewNames = (stack: string) => stack.endsWith('-addons') || stack === 'modelserve-state' || stack === 'modelserve-billing';
    for (const [stack, names] of byStack) expect({ stack, some: names.length > (fewNames(stack) ? 1 : 10) }).toEqual({ stack, some: true });
  });

  test('no account-scoped name repeats, within a stack or across stacks', () => {
    const owners = new Map<string, string[]>();
    for (const [stack, names] of byStack) for (const name of names) owners.set(name, [...(owners.get(name) ?? []), stack]);
    expect([...owners].filter(([, where]) => where.length > 1)).toEqual([]);
  });

  test('each environment has its own budget, and one stack activates the cost-allocation tags', () => {
    const names = [...byStack.values()].flat();
    expect(names.filter((n) => n.startsWith('aws_budgets_budget.')).sort()).toEqual([
      'aws_budgets_budget.name=modelserve-dev-monthly',
      'aws_budgets_budget.name=modelserve-prod-monthly',
      'aws_budgets_budget.name=modelserve-staging-monthly',
    ]);
    expect(byStack.get('modelserve-billing')).toEqual([
      'aws_ce_cost_allocation_tag.tag_key=modelserve.io/environment',
      'aws_ce_cost_allocation_tag.tag_key=modelserve.io/service',
      'aws_ce_cost_allocation_tag.tag_key=modelserve.io/team',
    ]);
  });

  test('each environment has its own image repository', () => {
    const repositories = [...byStack.values()].flat().filter((n) => n.startsWith('aws_ecr_repository.')).sort();
    expect(repositories).toEqual([
      'aws_ecr_repository.name=modelserve-dev/model-server',
      'aws_ecr_repository.name=modelserve-prod/model-server',
      'aws_ecr_repository.name=modelserve-staging/model-server',
    ]);
  });
});
