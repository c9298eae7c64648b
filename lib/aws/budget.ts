import { BudgetsBudget } from '@cdktf/provider-aws/lib/budgets-budget';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { PropsValidator } from '../catalog';
import { isUnresolved, validateTags, validateTagValue } from './aws-names';
import { checkConstructProps } from '../catalog/props-check';

// AWS Budgets' rules, from its API reference
// (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Budget.html,
// API_budgets_Notification.html, API_budgets_Spend.html): a budget name of 1 to 100 characters
// without ":" or "\" (or "/action/"), a limit written as a plain decimal number, at most ten
// notifications, each threshold a percentage of at most 1,000,000.
const BUDGET_NAME = /^(?![^:\\]*\/action\/)[^:\\]{1,100}$/;
const BUDGET_AMOUNT = /^([0-9]*\.)?[0-9]+$/;
const MAX_ALERTS = 10;
const MAX_THRESHOLD_PERCENT = 1_000_000;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

type NotificationType = 'ACTUAL' | 'FORECASTED';

/** When a budget notifies: a percentage of its limit, spent so far this month or forecast for it. */
export class BudgetAlert {
  /** Spend so far this month has passed `percent` of the limit. */
  public static actual(percent: number): BudgetAlert {
    return new BudgetAlert('ACTUAL', percent);
  }

  /**
   * The month's forecast spend passes `percent` of the limit: the early warning. AWS forecasts
   * only after about five weeks of usage data, so a new account hears nothing from it at first.
   */
  public static forecasted(percent: number): BudgetAlert {
    return new BudgetAlert('FORECASTED', percent);
  }

  private constructor(
    /** `ACTUAL` or `FORECASTED`, as AWS Budgets names them. */
    public readonly notificationType: NotificationType,
    public readonly thresholdPercent: number,
  ) {}

  /** `actual 80 %`, for messages. */
  public toString(): string {
    return `${this.notificationType.toLowerCase()} ${this.thresholdPercent} %`;
  }
}

/** The default alerts: most of the month's money spent, all of it, and all of it forecast. */
export const DEFAULT_BUDGET_ALERTS: readonly BudgetAlert[] = [BudgetAlert.actual(80), BudgetAlert.actual(100), BudgetAlert.forecasted(100)];

/** What a platform user chooses of a budget; ModelServePlatform fills in the rest. */
export interface BudgetOptions {
  /** The month's cost limit, in US dollars; more than 0. */
  readonly monthlyLimitUsd: number;
  /**
   * When to notify, at most ten.
   * @default - actual 80 %, actual 100 %, forecasted 100 %
   */
  readonly alerts?: readonly BudgetAlert[];
}

/** A cost-allocation tag a budget counts by: only costs of resources carrying it. */
export interface BudgetCostTag {
  readonly key: string;
  readonly value: string;
}

export interface BudgetProps extends BudgetOptions {
  /** Budget name, unique in the account: 1 to 100 characters, no ":" or "\". */
  readonly name: string;
  /**
   * SNS topic that receives every alert: in the budget's account, with a policy that lets
   * `budgets.amazonaws.com` publish (and a key that lets it, if encrypted); `Observability` with
   * `acceptBudgetNotifications` is such a topic.
   */
  readonly topicArn: string;
  /**
   * Count only the costs of resources with this tag. The tag must be an active cost allocation tag
   * of the payer account (see `CostAllocationTags`); costs from before it was active are not counted.
   * @default - every cost of the account
   */
  readonly costTag?: BudgetCostTag;
  /**
   * What the budget must wait for: the topic's policy (`Observability.topicPolicy`), so that the
   * first alert finds Budgets admitted.
   * @default - nothing
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** @default - no tags beyond the provider's default tags */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A monthly AWS cost budget that notifies an SNS topic when spend, actual or forecast, passes each
 * alert's percentage of the limit. Budgets is a global service: one budget per account and name,
 * whatever the provider's region.
 */
export class Budget extends Construct {
  public readonly budgetName: string;
  public readonly budgetArn: string;

  constructor(scope: Construct, id: string, props: BudgetProps) {
    checkConstructProps(Budget, scope, id, props);
    super(scope, id);
    const v = new PropsValidator(this.node.path);
    validateBudgetProps(v, props);
    const alerts = props.alerts ?? DEFAULT_BUDGET_ALERTS;
    const budget = new BudgetsBudget(this, 'budget', {
      name: props.name,
      budgetType: 'COST',
      limitAmount: String(props.monthlyLimitUsd),
      limitUnit: 'USD',
      timeUnit: 'MONTHLY',
      // Budgets writes a tag filter as `user:<key>$<value>` for user-defined cost allocation tags.
      costFilter: props.costTag ? [{ name: 'TagKeyValue', values: [`user:${props.costTag.key}$${props.costTag.value}`] }] : undefined,
      notification: alerts.map((alert) => ({
        notificationType: alert.notificationType,
        comparisonOperator: 'GREATER_THAN',
        threshold: alert.thresholdPercent,
        thresholdType: 'PERCENTAGE',
        subscriberSnsTopicArns: [props.topicArn],
      })),
      tags: props.tags ? { ...props.tags } : undefined,
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
    });
    this.budgetName = budget.name;
    this.budgetArn = budget.arn;
  }
}

function validateBudgetProps(v: PropsValidator, props: BudgetProps): void {
  validateBudgetOptions(v, '', props);
  v.that(typeof props.name === 'string' && BUDGET_NAME.test(props.name), 'name', props.name, 'is not a budget name AWS accepts: 1 to 100 characters, no ":" or "\\" and no "/action/"', 'rename it, e.g. "modelserve-prod-monthly"');
  if (typeof props.topicArn !== 'string' || !isUnresolved(props.topicArn)) {
    v.that(typeof props.topicArn === 'string' && SNS_TOPIC_ARN.test(props.topicArn), 'topicArn', props.topicArn, 'is not an SNS topic ARN', 'pass the ARN of a topic in this account, e.g. Observability.topicArn');
  }
  if (props.costTag) {
    validateTags(v, 'costTag', { [props.costTag.key]: props.costTag.value });
    validateTagValue(v, 'costTag.value', props.costTag.value);
  }
  validateTags(v, 'tags', props.tags);
}

/**
 * Checks the choices of a budget; `prefix` is where they sit in the caller's props (`budget.`),
 * so that ModelServePlatform refuses them before it builds anything.
 */
export function validateBudgetOptions(v: PropsValidator, prefix: string, options: BudgetOptions): void {
  const limit = options.monthlyLimitUsd;
  v.that(
    typeof limit === 'number' && Number.isFinite(limit) && limit > 0 && BUDGET_AMOUNT.test(String(limit)),
    `${prefix}monthlyLimitUsd`,
    limit,
    'is not a limit AWS Budgets accepts: an amount of US dollars above 0, written without an exponent',
    'set the most the environment may cost in a month, e.g. 25000',
  );
  const alerts = options.alerts;
  if (alerts === undefined) return;
  v.that(
    Array.isArray(alerts) && alerts.length >= 1 && alerts.length <= MAX_ALERTS,
    `${prefix}alerts`,
    Array.isArray(alerts) ? alerts.length : alerts,
    `must list 1 to ${MAX_ALERTS} alerts (AWS Budgets' limit per budget)`,
    'keep the alerts that matter, e.g. [BudgetAlert.actual(80), BudgetAlert.forecasted(100)]',
  );
  const seen = new Set<string>();
  alerts.forEach((alert, i) => {
    const field = `${prefix}alerts[${i}]`;
    v.that(alert instanceof BudgetAlert, field, alert, 'is not a BudgetAlert', 'use BudgetAlert.actual(percent) or BudgetAlert.forecasted(percent)');
    const percent = alert.thresholdPercent;
    v.that(
      typeof percent === 'number' && Number.isFinite(percent) && percent > 0 && percent <= MAX_THRESHOLD_PERCENT,
      `${field}.thresholdPercent`,
      percent,
      `is out of range: a threshold is a percentage of the limit above 0 and at most ${MAX_THRESHOLD_PERCENT.toLocaleString('en-US')} (AWS Budgets' limit)`,
      'use a percentage such as 80 or 100',
    );
    v.that(!seen.has(String(alert)), field, String(alert), 'repeats an alert, which AWS Budgets refuses (DuplicateRecordException)', 'list each alert once');
    seen.add(String(alert));
  });
}
