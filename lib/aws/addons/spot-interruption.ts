import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { Construct } from 'constructs';
import { CAPACITY_TYPE_LABEL, EnvironmentName, PropsValidator } from '../../catalog';
import { isUnresolved, validateRegion } from '../aws-names';
import { HelmChartPin } from './helm-chart-pin';
import { IamStatement } from './iam-statement';
import { valuesValidator } from './values-validator';
import { checkConstructProps } from '../../catalog/props-check';

/**
 * AWS Node Termination Handler. Since chart 0.22.0 (NTH v1.20.0) the chart is published only to
 * Amazon ECR Public; eks-charts stopped at 0.21.0. 0.27.6 is the newest release found on
 * 2026-11-22 (a manifest generated from `oci://public.ecr.aws/aws-ec2/helm/aws-node-termination-handler`
 * with "the current manifest is aligned with chart 0.27.6"; NTH v1.25.x).
 */
export const NODE_TERMINATION_HANDLER_CHART: HelmChartPin = {
  repository: 'oci://public.ecr.aws/aws-ec2/helm',
  chart: 'aws-node-termination-handler',
  version: '0.27.6',
};

/** The handler's service account; its Pod Identity role gets `nodeTerminationHandlerStatements`. */
export const NODE_TERMINATION_HANDLER_SERVICE_ACCOUNT = { namespace: 'kube-system', name: 'aws-node-termination-handler' } as const;

export interface TerminationHandlerQueueOptions {
  /**
   * Name of the SQS queue, and prefix of the EventBridge rules (at most 46 characters so that the
   * longest rule name fits EventBridge's 64).
   * @default - chosen by the caller, e.g. `<cluster name>-node-termination`
   */
  readonly queueName?: string;
  /**
   * Drain only instances that carry this tag key. EKS managed node groups do not tag their
   * instances with the handler's default tag (`aws-node-termination-handler/managed`), so the
   * check is off unless a tag is named here.
   * @default - no tag check: every instance of the cluster whose event reaches the queue
   */
  readonly managedTag?: string;
}

/**
 * How nodes leave gracefully when EC2 takes capacity back.
 *
 * With EKS managed node groups (the platform's NodePool), choose `capacityRebalance()`, the
 * default: EKS turns on Capacity Rebalancing for spot node groups and itself cordons and drains a
 * node on a rebalance recommendation or a two-minute interruption notice, and drains nodes that
 * the Auto Scaling group scales in through its own lifecycle hook. Nothing else is installed.
 *
 * Choose `terminationHandlerQueue()` for self-managed Auto Scaling groups (or nodes EKS does not
 * manage). Next to managed node groups it double-handles: the handler receives the same
 * interruption and rebalance events and drains the node EKS is already draining, and it answers
 * the termination lifecycle hooks of EKS's own groups (completing them with CONTINUE), racing
 * EKS's drain. Evictions still honour PodDisruptionBudgets, but the two drains compete, and
 * either may give up first.
 */
export class SpotInterruption {
  /** Managed node groups' own handling: emits nothing. */
  public static capacityRebalance(): SpotInterruption {
    return new SpotInterruption('capacity-rebalance');
  }

  /** The AWS Node Termination Handler in queue mode, fed by SpotInterruptionQueue. */
  public static terminationHandlerQueue(options: TerminationHandlerQueueOptions = {}): SpotInterruption {
    const v = new PropsValidator('SpotInterruption.terminationHandlerQueue');
    if (options.queueName !== undefined) validateQueueName(v, 'queueName', options.queueName);
    if (options.managedTag !== undefined) validateManagedTag(v, options.managedTag);
    return new SpotInterruption('termination-handler-queue', options.queueName, options.managedTag);
  }

  private constructor(
    public readonly kind: 'capacity-rebalance' | 'termination-handler-queue',
    public readonly queueName?: string,
    public readonly managedTag?: string,
  ) {}

  /** Whether this choice creates AWS resources and a Helm release. */
  public get installsTerminationHandler(): boolean {
    return this.kind === 'termination-handler-queue';
  }
}

const MAX_QUEUE_PREFIX = 46;

function validateQueueName(v: PropsValidator, field: string, name: string): void {
  if (isUnresolved(name)) return;
  v.that(
    typeof name === 'string' && new RegExp(`^[A-Za-z0-9_-]{1,${MAX_QUEUE_PREFIX}}$`).test(name),
    field,
    name,
    `is not a valid queue name: 1 to ${MAX_QUEUE_PREFIX} letters, digits, "-" and "_" (it also prefixes the EventBridge rule names)`,
    'rename it so that it follows that rule',
  );
}

function validateManagedTag(v: PropsValidator, tag: string): void {
  v.that(typeof tag === 'string' && tag.length > 0 && tag.length <= 128 && !tag.startsWith('aws:'), 'managedTag', tag, 'is not a valid EC2 tag key', 'use 1 to 128 characters, not starting with "aws:"');
}

/** The events the handler acts on, as EventBridge patterns (the handler's documented set). */
export const SPOT_INTERRUPTION_EVENT_PATTERNS = {
  'asg-termination': { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance-terminate Lifecycle Action'] },
  'spot-interruption': { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
  rebalance: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
  'state-change': { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
  'scheduled-change': { source: ['aws.health'], 'detail-type': ['AWS Health Event'], detail: { service: ['EC2'], eventTypeCategory: ['scheduledChange'] } },
} as const satisfies Readonly<Record<string, Readonly<Record<string, unknown>>>>;

const EVENT_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'asg-termination': 'Auto Scaling termination lifecycle actions',
  'spot-interruption': 'EC2 Spot two-minute interruption warnings',
  rebalance: 'EC2 instance rebalance recommendations',
  'state-change': 'EC2 instance state changes',
  'scheduled-change': 'AWS Health scheduled changes to EC2 instances',
};

export type InterruptionEvent = keyof typeof SPOT_INTERRUPTION_EVENT_PATTERNS;

export interface SpotInterruptionQueueProps {
  /** Queue name and prefix of the rule names (TerminationHandlerQueueOptions.queueName). */
  readonly name: string;
  /**
   * The event kinds that reach the queue.
   * @default - every kind of SPOT_INTERRUPTION_EVENT_PATTERNS (the Node Termination Handler's set)
   */
  readonly events?: readonly InterruptionEvent[];
  /**
   * Who reads the queue, for the rules' descriptions.
   * @default 'the Node Termination Handler'
   */
  readonly consumer?: string;
  /** @default - no tags beyond the provider's default tags */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The queue the Node Termination Handler reads in queue mode: SQS with server-side encryption
 * (SQS-managed keys, which EventBridge can write to without a key policy), messages kept 300 s
 * (an interruption notice is stale after its two minutes), and a policy that admits
 * SendMessage only from this construct's EventBridge rules, over TLS. One rule per event kind in
 * SPOT_INTERRUPTION_EVENT_PATTERNS targets the queue.
 */
export class SpotInterruptionQueue extends Construct {
  public readonly queueName: string;
  public readonly queueArn: string;
  public readonly queueUrl: string;
  /** Event kind (a key of SPOT_INTERRUPTION_EVENT_PATTERNS) → rule ARN. */
  public readonly ruleArns: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: SpotInterruptionQueueProps) {
    checkConstructProps(SpotInterruptionQueue, scope, id, props);
    super(scope, id);
    const v = new PropsValidator(this.node.path);
    v.that(typeof props?.name === 'string', 'name', props?.name, 'is not set', 'name the queue, e.g. "modelserve-prod-node-termination"');
    validateQueueName(v, 'name', props.name);

    const tags = props.tags ? { ...props.tags } : undefined;
    const queue = new SqsQueue(this, 'queue', {
      name: props.name,
      messageRetentionSeconds: 300,
      sqsManagedSseEnabled: true,
      tags,
    });
    this.queueName = queue.name;
    this.queueArn = queue.arn;
    this.queueUrl = queue.url;

    const ruleArns: Record<string, string> = {};
    const events = props.events ?? (Object.keys(SPOT_INTERRUPTION_EVENT_PATTERNS) as InterruptionEvent[]);
    v.that(Array.isArray(events) && events.length > 0 && events.every((e) => e in SPOT_INTERRUPTION_EVENT_PATTERNS), 'events', events, 'is not a non-empty list of event kinds', `use some of ${Object.keys(SPOT_INTERRUPTION_EVENT_PATTERNS).join(', ')}`);
    for (const kind of events) {
      const pattern = SPOT_INTERRUPTION_EVENT_PATTERNS[kind];
      const rule = new CloudwatchEventRule(this, `rule-${kind}`, {
        name: `${props.name}-${kind}`,
        description: `${EVENT_DESCRIPTIONS[kind]}, for ${props.consumer ?? 'the Node Termination Handler'}`,
        eventPattern: JSON.stringify(pattern),
        tags,
      });
      new CloudwatchEventTarget(this, `target-${kind}`, { rule: rule.name, targetId: 'node-termination-queue', arn: queue.arn });
      ruleArns[kind] = rule.arn;
    }
    this.ruleArns = ruleArns;

    new SqsQueuePolicy(this, 'policy', {
      queueUrl: queue.url,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'EventBridgeRulesSendInterruptions',
            Effect: 'Allow',
            Principal: { Service: ['events.amazonaws.com', 'sqs.amazonaws.com'] },
            Action: 'sqs:SendMessage',
            Resource: queue.arn,
            Condition: { ArnEquals: { 'aws:SourceArn': Object.values(ruleArns) } },
          },
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sqs:*',
            Resource: queue.arn,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
    });
  }
}

export interface NodeTerminationHandlerValuesOptions {
  readonly environment: EnvironmentName;
  /** SpotInterruptionQueue.queueUrl. */
  readonly queueUrl: string;
  /** Region of the queue and the nodes. */
  readonly region: string;
  /** @default - no tag check (TerminationHandlerQueueOptions.managedTag) */
  readonly managedTag?: string;
  /**
   * Construct path that error messages start with (the caller's `node.path`).
   * @default 'nodeTerminationHandlerValues'
   */
  readonly path?: string;
}

export const NODE_TERMINATION_HANDLER_REPLICAS: Readonly<Record<EnvironmentName, number>> = { development: 1, staging: 2, production: 2 };

const SQS_QUEUE_URL = /^https:\/\/sqs\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/\d{12}\/[A-Za-z0-9_-]{1,80}$/;

/**
 * Values for NODE_TERMINATION_HANDLER_CHART in queue mode: a Deployment (not the IMDS DaemonSet)
 * that reads the queue with its Pod Identity credentials and cordons and drains the node an
 * event names, on on-demand nodes only (a handler on the spot node being reclaimed would go with
 * it). Two replicas outside development, with a PDB.
 */
export function nodeTerminationHandlerValues(options: NodeTerminationHandlerValuesOptions): Record<string, unknown> {
  const v = valuesValidator('nodeTerminationHandlerValues', options, '{ environment, queueUrl, region }');
  v.that(typeof options.queueUrl === 'string', 'queueUrl', options.queueUrl, 'is not set', 'pass SpotInterruptionQueue.queueUrl');
  if (!isUnresolved(options.queueUrl)) {
    v.that(SQS_QUEUE_URL.test(options.queueUrl), 'queueUrl', options.queueUrl, 'is not an SQS queue URL', 'pass SpotInterruptionQueue.queueUrl (https://sqs.<region>.amazonaws.com/<account>/<name>)');
  }
  v.that(typeof options.region === 'string', 'region', options.region, 'is not set', 'pass the region of the cluster, e.g. "us-east-1"');
  validateRegion(v, 'region', options.region);
  if (options.managedTag !== undefined) validateManagedTag(v, options.managedTag);

  const replicas = NODE_TERMINATION_HANDLER_REPLICAS[options.environment];
  return {
    enableSqsTerminationDraining: true,
    queueURL: options.queueUrl,
    awsRegion: options.region,
    // No enableRebalance* keys: they configure IMDS mode only. In queue mode the handler drains on
    // the rebalance rule's events, which arrive before the interruption notice and so give pods
    // minutes rather than two to move.
    checkTagBeforeDraining: options.managedTag !== undefined,
    ...(options.managedTag !== undefined ? { managedTag: options.managedTag } : {}),
    emitKubernetesEvents: true,
    jsonLogging: true,
    replicas,
    podDisruptionBudget: replicas > 1 ? { maxUnavailable: 1 } : {},
    serviceAccount: { create: true, name: NODE_TERMINATION_HANDLER_SERVICE_ACCOUNT.name },
    nodeSelector: { [CAPACITY_TYPE_LABEL]: 'on-demand' },
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
  };
}

export interface NodeTerminationHandlerStatementsOptions {
  /**
   * Complete lifecycle actions only on Auto Scaling groups tagged `eks:cluster-name` with this
   * value (EKS tags its managed node groups' groups so).
   * @default - on any Auto Scaling group of the account
   */
  readonly clusterName?: string;
}

/**
 * Least privilege for the handler: receive and delete messages on its queue only; describe
 * instances and Auto Scaling groups (these actions have no resource-level permissions); complete
 * lifecycle actions, on the cluster's groups when `clusterName` is given.
 */
export function nodeTerminationHandlerStatements(queueArn: string, options: NodeTerminationHandlerStatementsOptions = {}): IamStatement[] {
  const v = new PropsValidator('nodeTerminationHandlerStatements');
  v.that(typeof queueArn === 'string' && (isUnresolved(queueArn) || /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$/.test(queueArn)), 'queueArn', queueArn, 'is not an SQS queue ARN', 'pass SpotInterruptionQueue.queueArn');
  return [
    { Sid: 'ConsumeInterruptionQueue', Effect: 'Allow', Action: ['sqs:DeleteMessage', 'sqs:ReceiveMessage'], Resource: [queueArn] },
    {
      Sid: 'DescribeInstancesAndGroups',
      Effect: 'Allow',
      Action: ['autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeTags', 'ec2:DescribeInstances'],
      Resource: '*',
    },
    {
      Sid: 'CompleteLifecycleActions',
      Effect: 'Allow',
      Action: ['autoscaling:CompleteLifecycleAction'],
      Resource: '*',
      ...(options.clusterName !== undefined ? { Condition: { StringEquals: { 'aws:ResourceTag/eks:cluster-name': options.clusterName } } } : {}),
    },
  ];
}
