import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { configureStateBackend, CostAllocationTags } from '../../lib/aws';
import { STATE_BUCKET } from './deployer';

/**
 * Activates the platform's cost-allocation tags (environment, service, team), so that the budgets
 * count each environment's costs and Cost Explorer splits by them. In the payer account (the
 * organization's management account, or a standalone account), once for all environments, and
 * only after AWS has seen the tags: deploy it a day after the first platform stack, or the apply
 * fails (see README, "Budgets and cost allocation").
 */
export function billingStack(app: App): TerraformStack {
  const stack = new TerraformStack(app, 'modelserve-billing');
  configureStateBackend(stack, { bucket: STATE_BUCKET, key: 'billing/cost-allocation-tags.tfstate', region: 'us-east-1' });
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new CostAllocationTags(stack, 'cost-allocation-tags');
  return stack;
}
