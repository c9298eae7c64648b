import {
  NODE_TERMINATION_HANDLER_CHART,
  NODE_TERMINATION_HANDLER_SERVICE_ACCOUNT,
  nodeTerminationHandlerStatements,
  nodeTerminationHandlerValues,
  NodeTerminationHandlerValuesOptions,
  SPOT_INTERRUPTION_EVENT_PATTERNS,
  SpotInterruption,
  SpotInterruptionQueue,
} from '../../../lib/aws/addons/spot-interruption';
import { awsStack, expectRejectedBeforeSynth, Json, policyOf, synth } from '../../support/aws-stack';
import { rejectionOf } from '../../support/validation';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:111122223333:modelserve-prod-node-termination';
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/111122223333/modelserve-prod-node-termination';


describe('Node Termination Handler pin', () => {
  test('is an exact version of the chart in Amazon ECR Public (eks-charts stopped at 0.21.0)', () => {
    expect(NODE_TERMINATION_HANDLER_CHART).toEqual({ repository: 'oci://public.ecr.aws/aws-ec2/helm', chart: 'aws-node-termination-handler', version: '0.27.6' });
    expect(NODE_TERMINATION_HANDLER_CHART.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(NODE_TERMINATION_HANDLER_SERVICE_ACCOUNT).toEqual({ namespace: 'kube-system', name: 'aws-node-termination-handler' });
  });
});

describe('SpotInterruption', () => {
  test('capacityRebalance installs nothing', () => {
    const choice = SpotInterruption.capacityRebalance();
    expect(choice.kind).toBe('capacity-rebalance');
    expect(choice.installsTerminationHandler).toBe(false);
    expect(choice.queueName).toBeUndefined();
  });

  test('terminationHandlerQueue carries its options', () => {
    const choice = SpotInterruption.terminationHandlerQueue({ queueName: 'prod-nth', managedTag: 'example.com/nth' });
    expect(choice).toMatchObject({ kind: 'termination-handler-queue', queueName: 'prod-nth', managedTag: 'example.com/nth' });
    expect(choice.installsTerminationHandler).toBe(true);
    expect(SpotInterruption.terminationHandlerQueue().queueName).toBeUndefined();
  });

  test('rejects a queue name that would not fit the rule names, and an AWS-reserved tag', () => {
    expect(rejectionOf(() => SpotInterruption.terminationHandlerQueue({ queueName: 'x'.repeat(47) }))).toBe(
      `SpotInterruption.terminationHandlerQueue: queueName ("${'x'.repeat(47)}") is not a valid queue name: 1 to 46 letters, digits, "-" and "_" (it also prefixes the EventBridge rule names); rename it so that it follows that rule`,
    );
    expect(rejectionOf(() => SpotInterruption.terminationHandlerQueue({ queueName: 'prod.nth' }))).toMatch(/queueName \("prod\.nth"\) is not a valid queue name/);
    expect(rejectionOf(() => SpotInterruption.terminationHandlerQueue({ managedTag: 'aws:managed' }))).toBe(
      'SpotInterruption.terminationHandlerQueue: managedTag ("aws:managed") is not a valid EC2 tag key; use 1 to 128 characters, not starting with "aws:"',
    );
  });
});

describe('SpotInterruptionQueue', () => {
  const stack = awsStack();
  const queue = new SpotInterruptionQueue(stack, 'spot', { name: 'modelserve-prod-node-termination', tags: { team: 'ml' } });
  const out = synth(stack);
  const rules = Object.values(out.resources('aws_cloudwatch_event_rule')) as Json[];

  test('an SQS queue with server-side encryption that keeps messages 300 s', () => {
    expect(out.only('aws_sqs_queue')).toMatchObject({
      name: 'modelserve-prod-node-termination',
      message_retention_seconds: 300,
      sqs_managed_sse_enabled: true,
      tags: { team: 'ml' },
    });
  });

  test('one rule per event the handler acts on, with the documented patterns', () => {
    const byName = Object.fromEntries(rules.map((r) => [r.name, JSON.parse(r.event_pattern)]));
    expect(byName).toEqual({
      'modelserve-prod-node-termination-asg-termination': { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance-terminate Lifecycle Action'] },
      'modelserve-prod-node-termination-spot-interruption': { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
      'modelserve-prod-node-termination-rebalance': { source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
      'modelserve-prod-node-termination-state-change': { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
      'modelserve-prod-node-termination-scheduled-change': {
        source: ['aws.health'],
        'detail-type': ['AWS Health Event'],
        detail: { service: ['EC2'], eventTypeCategory: ['scheduledChange'] },
      },
    });
    expect(Object.keys(SPOT_INTERRUPTION_EVENT_PATTERNS)).toHaveLength(5);
    for (const r of rules) expect(r.name.length).toBeLessThanOrEqual(64);
  });

  test('every rule targets the queue', () => {
    const targets = Object.values(out.resources('aws_cloudwatch_event_target')) as Json[];
    expect(targets).toHaveLength(5);
    for (const t of targets) expect(t.arn).toMatch(/^\$\{aws_sqs_queue\.spot_queue_\w+\.arn\}$/);
    expect(new Set(targets.map((t) => t.rule)).size).toBe(5);
  });

  test('the queue policy admits SendMessage only from EventBridge and SQS for these rules, and only over TLS', () => {
    const policy = policyOf(out.only('aws_sqs_queue_policy').policy);
    const [allow, deny] = policy.Statement;
    expect(allow).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: ['events.amazonaws.com', 'sqs.amazonaws.com'] },
      Action: 'sqs:SendMessage',
    });
    expect(allow.Resource).toMatch(/aws_sqs_queue\.spot_queue_\w+\.arn/);
    const sources: string[] = allow.Condition.ArnEquals['aws:SourceArn'];
    expect(sources).toHaveLength(5);
    for (const s of sources) expect(s).toMatch(/^\$\{aws_cloudwatch_event_rule\.spot_rule-[a-z-]+_\w+\.arn\}$/);
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    expect(Object.keys(queue.ruleArns).sort()).toEqual(['asg-termination', 'rebalance', 'scheduled-change', 'spot-interruption', 'state-change']);
  });

  test('rejects a bad name before anything is written', () => {
    expectRejectedBeforeSynth(
      (s) => new SpotInterruptionQueue(s, 'spot', { name: 'bad name' }),
      'test/spot: name ("bad name") is not a valid queue name: 1 to 46 letters, digits, "-" and "_" (it also prefixes the EventBridge rule names); rename it so that it follows that rule',
      { stack: awsStack },
    );
    expectRejectedBeforeSynth(
      (s) => new SpotInterruptionQueue(s, 'spot', {} as never),
      'test/spot: name (not set) is not set; name the queue, e.g. "modelserve-prod-node-termination"',
      { stack: awsStack },
    );
  });
});

describe('nodeTerminationHandlerValues', () => {
  const base: NodeTerminationHandlerValuesOptions = { environment: 'production', queueUrl: QUEUE_URL, region: 'us-east-1' };
  const values = (options: Partial<NodeTerminationHandlerValuesOptions> = {}): any => nodeTerminationHandlerValues({ ...base, ...options });

  test('queue mode reading the queue, draining on rebalance recommendations, no tag check by default', () => {
    expect(values()).toMatchObject({
      enableSqsTerminationDraining: true,
      queueURL: QUEUE_URL,
      awsRegion: 'us-east-1',
      checkTagBeforeDraining: false,
      serviceAccount: { create: true, name: 'aws-node-termination-handler' },
    });
    expect(values().managedTag).toBeUndefined();
    // IMDS-mode keys, which the chart's queue-mode Deployment ignores.
    expect(values().enableRebalanceDraining).toBeUndefined();
    expect(values().enableRebalanceMonitoring).toBeUndefined();
    expect(values({ managedTag: 'example.com/nth' })).toMatchObject({ checkTagBeforeDraining: true, managedTag: 'example.com/nth' });
  });

  test('replicas by environment, with a PDB when there is more than one', () => {
    expect(values({ environment: 'development' })).toMatchObject({ replicas: 1, podDisruptionBudget: {} });
    expect(values({ environment: 'staging' })).toMatchObject({ replicas: 2, podDisruptionBudget: { maxUnavailable: 1 } });
    expect(values()).toMatchObject({ replicas: 2, podDisruptionBudget: { maxUnavailable: 1 } });
  });

  test('runs on on-demand nodes only, never on the spot node being reclaimed', () => {
    expect(values().nodeSelector).toEqual({ 'modelserve.io/capacity-type': 'on-demand' });
  });

  test('has no credentials in the values (Pod Identity)', () => {
    expect(JSON.stringify(values())).not.toMatch(/awsAccessKeyID|awsSecretAccessKey/);
  });

  test('accepts a queue URL that is still a token', () => {
    expect(values({ queueUrl: '${TfToken[TOKEN.1]}' }).queueURL).toBe('${TfToken[TOKEN.1]}');
  });

  test('rejects bad options with exact messages', () => {
    expect(rejectionOf(() => values({ environment: 'live' as never }))).toBe('nodeTerminationHandlerValues: environment ("live") is not supported; use one of "development", "staging", "production"');
    expect(rejectionOf(() => values({ queueUrl: 'https://example.com/queue' }))).toBe(
      'nodeTerminationHandlerValues: queueUrl ("https://example.com/queue") is not an SQS queue URL; pass SpotInterruptionQueue.queueUrl (https://sqs.<region>.amazonaws.com/<account>/<name>)',
    );
    expect(rejectionOf(() => values({ region: 'virginia', path: 'platform/addons' }))).toBe(
      'platform/addons: region ("virginia") is not a valid name: an AWS region code such as "us-east-1" or "eu-central-2"; rename it so that it follows that rule',
    );
    expect(rejectionOf(() => values({ queueUrl: undefined }))).toBe('nodeTerminationHandlerValues: queueUrl (not set) is not set; pass SpotInterruptionQueue.queueUrl');
  });
});

describe('nodeTerminationHandlerStatements', () => {
  test('exact actions: the queue only, describes everywhere, lifecycle completion', () => {
    expect(nodeTerminationHandlerStatements(QUEUE_ARN)).toEqual([
      { Sid: 'ConsumeInterruptionQueue', Effect: 'Allow', Action: ['sqs:DeleteMessage', 'sqs:ReceiveMessage'], Resource: [QUEUE_ARN] },
      { Sid: 'DescribeInstancesAndGroups', Effect: 'Allow', Action: ['autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeTags', 'ec2:DescribeInstances'], Resource: '*' },
      { Sid: 'CompleteLifecycleActions', Effect: 'Allow', Action: ['autoscaling:CompleteLifecycleAction'], Resource: '*' },
    ]);
  });

  test('limits lifecycle completion to the cluster\'s groups when the cluster is named', () => {
    const [, , complete] = nodeTerminationHandlerStatements(QUEUE_ARN, { clusterName: 'modelserve-prod' });
    expect(complete.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/eks:cluster-name': 'modelserve-prod' } });
  });

  test('grants no write action beyond the queue messages and lifecycle completion', () => {
    const actions = nodeTerminationHandlerStatements(QUEUE_ARN).flatMap((s) => s.Action);
    expect(actions.filter((a) => !/:(Describe|Receive)/.test(a)).sort()).toEqual(['autoscaling:CompleteLifecycleAction', 'sqs:DeleteMessage']);
  });

  test('rejects an ARN that is not a queue', () => {
    expect(rejectionOf(() => nodeTerminationHandlerStatements('arn:aws:sns:us-east-1:111122223333:topic'))).toBe(
      'nodeTerminationHandlerStatements: queueArn ("arn:aws:sns:us-east-1:111122223333:topic") is not an SQS queue ARN; pass SpotInterruptionQueue.queueArn',
    );
  });
});
