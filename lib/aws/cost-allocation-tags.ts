import { CeCostAllocationTag } from '@cdktf/provider-aws/lib/ce-cost-allocation-tag';
import { Construct } from 'constructs';
import { COST_ALLOCATION_TAG_KEYS, PropsValidator } from '../catalog';
import { validateTags, validateUnique } from './aws-names';
import { checkConstructProps } from '../catalog/props-check';

export interface CostAllocationTagsProps {
  /**
   * Tag keys to activate.
   * @default - the platform's: modelserve.io/environment, modelserve.io/service, modelserve.io/team
   */
  readonly tagKeys?: readonly string[];
}

/**
 * Activates tag keys as cost allocation tags, so that Cost Explorer, Cost and Usage Reports and
 * AWS Budgets can split and filter costs by them. AWS's rules
 * (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/custom-tags.html,
 * https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html):
 * - only the payer account (an organization's management account, or an account outside any
 *   organization) may activate them, and the activation holds for every member account;
 * - a key can be activated only once AWS has seen it on a resource, up to 24 hours after the first
 *   tagged resource exists: deploy this a day after the first platform, or the apply fails;
 * - costs are split by a tag from its activation on (older costs only through a backfill request).
 * Activation is account-wide: put this construct in one stack of the payer account, not in each
 * environment's (destroying a stack that holds it deactivates the tags for all).
 */
export class CostAllocationTags extends Construct {
  public readonly tagKeys: readonly string[];

  constructor(scope: Construct, id: string, props: CostAllocationTagsProps = {}) {
    checkConstructProps(CostAllocationTags, scope, id, props);
    super(scope, id);
    const tagKeys = props.tagKeys ?? COST_ALLOCATION_TAG_KEYS;
    const v = new PropsValidator(this.node.path);
    v.that(Array.isArray(tagKeys) && tagKeys.length > 0, 'tagKeys', tagKeys, 'lists no tag key, so nothing is activated', 'leave tagKeys out for the platform\'s keys, or list yours');
    validateTags(v, 'tagKeys', Object.fromEntries(tagKeys.map((key) => [key, ''])));
    validateUnique(v, 'tagKeys', tagKeys);
    this.tagKeys = [...tagKeys];
    for (const tagKey of tagKeys) {
      // Ids from the keys: removing one leaves the others' addresses alone; "/" separates construct ids.
      new CeCostAllocationTag(this, tagKey.replace(/\//g, '|'), { tagKey, status: 'Active' });
    }
  }
}
