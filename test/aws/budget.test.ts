import { Budget, BudgetAlert, BudgetProps } from '../../lib/aws/budget';
import { awsStack, expectRejectedBeforeSynth, synth } from '../support/aws-stack';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:modelserve-prod-alarms';
const base: BudgetProps = { name: 'modelserve-prod-monthly', monthlyLimitUsd: 25000, topicArn: TOPIC };

function build(props: Partial<BudgetProps> = {}) {
  const stack = awsStack();
  const budget = new Budget(stack, 'budget', { ...base, ...props });
  return { budget, out: synth(stack) };
}

function expectRejected(props: Partial<BudgetProps>, message: string | RegExp): void {
  expectRejectedBeforeSynth((stack) => new Budget(stack, 'budget', { ...base, ...props }), message, { stack: awsStack });
}

describe('Budget', () => {
  const { out } = build({ costTag: { key: 'modelserve.io/environment', value: 'production' } });
  const budget = out.only('aws_budgets_budget');

  test('a monthly cost budget in US dollars', () => {
    expect(budget).toMatchObject({ name: 'modelserve-prod-monthly', budget_type: 'COST', limit_amount: '25000', limit_unit: 'USD', time_unit: 'MONTHLY' });
    // No start date: AWS starts a monthly budget at the current month, and the synth stays the same every day.
    expect(budget.time_period_start).toBeUndefined();
  });

  test('by default: actual spend past 80 % and 100 %, and the forecast past 100 %, each to the topic', () => {
    expect(budget.notification).toEqual([
      { notification_type: 'ACTUAL', comparison_operator: 'GREATER_THAN', threshold: 80, threshold_type: 'PERCENTAGE', subscriber_sns_topic_arns: [TOPIC] },
      { notification_type: 'ACTUAL', comparison_operator: 'GREATER_THAN', threshold: 100, threshold_type: 'PERCENTAGE', subscriber_sns_topic_arns: [TOPIC] },
      { notification_type: 'FORECASTED', comparison_operator: 'GREATER_THAN', threshold: 100, threshold_type: 'PERCENTAGE', subscriber_sns_topic_arns: [TOPIC] },
    ]);
  });

  // Budgets names a user-defined cost allocation tag `user:<key>$<value>` in a TagKeyValue filter
  // (the provider's example, "Create a cost filter using resource tags":
  // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/budgets_budget).
  test('counts only the costs carrying its tag', () => {
    expect(budget.cost_filter).toEqual([{ name: 'TagKeyValue', values: ['user:modelserve.io/environment$production'] }]);
  });

  test('without a tag, the whole account', () => {
    expect(build().out.only('aws_budgets_budget').cost_filter).toBeUndefined();
  });

  test('takes its own alerts, and cents', () => {
    const { out } = build({ monthlyLimitUsd: 1234.5, alerts: [BudgetAlert.forecasted(120), BudgetAlert.actual(50)] });
    const own = out.only('aws_budgets_budget');
    expect(own.limit_amount).toBe('1234.5');
    expect(own.notification.map((n: any) => [n.notification_type, n.threshold])).toEqual([['FORECASTED', 120], ['ACTUAL', 50]]);
  });
});

// AWS Budgets' API reference: API_budgets_Budget.html (name), API_budgets_Spend.html (amount),
// API_budgets_Notification.html (ten notifications, thresholds to 1,000,000 %).
describe('Budget refuses', () => {
  test('a budget of 0, or below', () => {
    expectRejected(
      { monthlyLimitUsd: 0 },
      'test/budget: monthlyLimitUsd (0) is not a limit AWS Budgets accepts: an amount of US dollars above 0, written without an exponent; set the most the environment may cost in a month, e.g. 25000',
    );
    expectRejected({ monthlyLimitUsd: -100 }, /^test\/budget: monthlyLimitUsd \(-100\) is not a limit AWS Budgets accepts/);
  });

  test('an amount AWS cannot read (an exponent, NaN, a string from JavaScript)', () => {
    expectRejected({ monthlyLimitUsd: 1e21 }, /^test\/budget: monthlyLimitUsd \(1e\+21\) is not a limit/);
    expectRejected({ monthlyLimitUsd: NaN }, /^test\/budget: monthlyLimitUsd \(NaN\) is not a limit/);
    expectRejected({ monthlyLimitUsd: '500' as unknown as number }, /^test\/budget: monthlyLimitUsd \("500"\) is not a limit/);
  });

  test('a threshold out of range', () => {
    expectRejected(
      { alerts: [BudgetAlert.actual(0)] },
      'test/budget: alerts[0].thresholdPercent (0) is out of range: a threshold is a percentage of the limit above 0 and at most 1,000,000 (AWS Budgets\' limit); use a percentage such as 80 or 100',
    );
    expectRejected({ alerts: [BudgetAlert.actual(80), BudgetAlert.forecasted(2_000_000)] }, /^test\/budget: alerts\[1\]\.thresholdPercent \(2000000\) is out of range/);
  });

  test('no alert, more than ten, or one twice', () => {
    expectRejected({ alerts: [] }, 'test/budget: alerts (0) must list 1 to 10 alerts (AWS Budgets\' limit per budget); keep the alerts that matter, e.g. [BudgetAlert.actual(80), BudgetAlert.forecasted(100)]');
    expectRejected({ alerts: Array.from({ length: 11 }, (_, i) => BudgetAlert.actual(10 + i)) }, /^test\/budget: alerts \(11\) must list 1 to 10 alerts/);
    expectRejected(
      { alerts: [BudgetAlert.actual(80), BudgetAlert.actual(80)] },
      'test/budget: alerts[1] ("actual 80 %") repeats an alert, which AWS Budgets refuses (DuplicateRecordException); list each alert once',
    );
  });

  test('an alert that is not a BudgetAlert (JavaScript callers)', () => {
    expectRejected({ alerts: [{ notificationType: 'ACTUAL', thresholdPercent: 80 } as unknown as BudgetAlert] }, /^test\/budget: alerts\[0\] \(.*\) is not a BudgetAlert; use BudgetAlert\.actual\(percent\) or BudgetAlert\.forecasted\(percent\)$/);
  });

  test('a name AWS Budgets refuses', () => {
    expectRejected({ name: 'prod:monthly' }, /^test\/budget: name \("prod:monthly"\) is not a budget name AWS accepts/);
    expectRejected({ name: 'x'.repeat(101) }, /^test\/budget: name \("x{101}"\) is not a budget name/);
  });

  test('a subscriber that is not an SNS topic ARN', () => {
    expectRejected({ topicArn: 'oncall@example.com' }, 'test/budget: topicArn ("oncall@example.com") is not an SNS topic ARN; pass the ARN of a topic in this account, e.g. Observability.topicArn');
  });
});
