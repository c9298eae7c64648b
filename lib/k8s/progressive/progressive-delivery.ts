import { ApiObject, Chart, JsonPatch, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DNS_LABEL, DNS_LABEL_RULE, PropsValidator } from '../../catalog';
import { checkPrometheusUrl } from '../prometheus-endpoint';
import type { VllmMetricNames } from '../vllm-engine';
import { analysisTemplateSpecs, CANARY_HASH_ARG, STABLE_HASH_ARG } from './analysis-templates';
import { CanaryStep, checkProgressiveNameLength, DEFAULT_CANARY_STEPS, DEFAULT_STEP_PAUSE_SECONDS, PROGRESSIVE_SUBSETS, ProgressiveOptions, validateProgressiveOptions } from './progressive-options';
import { checkConstructProps } from '../../catalog/props-check';

export const ROLLOUT_API_VERSION = 'argoproj.io/v1alpha1';
/** Label Argo Rollouts puts on each ReplicaSet's pods and adds to the subsets' selectors. */
export const ROLLOUT_HASH_LABEL = 'rollouts-pod-template-hash';

export interface ProgressiveDeliveryProps {
  /** Name of the Rollout and prefix of the AnalysisTemplates (`<name>-error-rate`, ...). */
  readonly name: string;
  /**
   * Namespace of the objects.
   * @default - the chart's namespace, else "default"
   */
  readonly namespace?: string;
  /** Name of the Kubernetes Service: Istio's `destination_service_name` in the analysis queries. */
  readonly serviceName: string;
  /**
   * The Deployment that holds the pod template (`workloadRef`). It is scaled to zero: the Rollout
   * runs the pods.
   */
  readonly deployment: kplus.Deployment;
  /** Labels the Rollout selects its pods by; the Deployment's pod template carries them. */
  readonly selector: Readonly<Record<string, string>>;
  /**
   * A fixed replica count. Leave it out when an HPA or KEDA scales the Rollout, so that a GitOps
   * sync does not reset what the autoscaler chose.
   * @default - no count: the autoscaler's
   */
  readonly replicas?: number;
  /** The VirtualService whose routes Argo Rollouts re-weights. */
  readonly virtualServiceName: string;
  /** Names of its HTTP routes that hold the stable and canary subsets. */
  readonly routes: readonly string[];
  /** The DestinationRule with the `stable` and `canary` subsets. */
  readonly destinationRuleName: string;
  /** @default - DEFAULT_CANARY_STEPS and DEFAULT_ROLLBACK_THRESHOLDS */
  readonly options?: ProgressiveOptions;
  /** Prometheus query endpoint of the analysis (`options.analysis.prometheusUrl` wins). */
  readonly prometheusUrl: string;
  /**
   * HTTP statuses with which the server says it has no model: the error-rate analysis counts
   * them with 5xx, so a version that lost its model is rolled back rather than promoted.
   * @default - none
   */
  readonly modelMissingStatusCodes?: readonly number[];
  /**
   * vLLM's metric names, when the service is a language model on vLLM: the analysis then judges
   * time to first token, inter-token latency and aborted requests against the stable version.
   * @default - judged on p99 latency
   */
  readonly vllmMetrics?: VllmMetricNames;
  /**
   * The fewest replicas the Rollout runs (the autoscaler's floor, or the fixed count): with
   * `minCanaryReplicas`, what the canary's scale is computed from.
   * @default - replicas, else 1
   */
  readonly minReplicas?: number;
  /**
   * The fewest pods the new version runs while it takes traffic: with 1, an eviction leaves the
   * canary's weighted route without a pod. Steps whose weight would give fewer scale the canary
   * by `setCanaryScale` instead of by their weight.
   * @default 1
   */
  readonly minCanaryReplicas?: number;
  /**
   * Seconds a step may wait for the new pods to become ready before the rollout is aborted (the
   * model failed to load). Pauses do not count. Count a node's launch, the image pull and the
   * model's load: a deadline shorter than that aborts healthy versions.
   * @default 1800
   */
  readonly progressDeadlineSeconds?: number;
  /**
   * Labels of every object created here.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Progressive delivery of one model service with Argo Rollouts: a `Rollout` whose canary moves
 * the service's requests to a new version in steps by re-weighting the Istio VirtualService
 * between the DestinationRule's `stable` and `canary` subsets, and three `AnalysisTemplate`s
 * that watch the new version from the first step and abort (all traffic back to stable, the new
 * pods scaled down) when it errs, slows down or fails its health checks.
 *
 * The Rollout takes its pod template from the Deployment by `workloadRef` and that Deployment is
 * scaled to zero, so the pod spec has one source (the Deployment, with its security context,
 * probes and placement) and a change to it, such as a new `model.version`, starts a rollout.
 *
 * GitOps: while a rollout runs, Argo Rollouts rewrites the VirtualService's route weights and adds
 * `rollouts-pod-template-hash` to the DestinationRule's subsets; Git keeps the resting state
 * (100/0, no hash). Tell the GitOps tool to leave those fields alone (Argo CD: `ignoreDifferences`
 * with `RespectIgnoreDifferences=true`), or its next sync undoes them until Argo puts them back.
 */
export class ProgressiveDelivery extends Construct implements kplus.IScalable {
  public readonly rollout: ApiObject;
  /**
   * Error rate, p99 latency, failed health checks, in that order; for vLLM, error rate, time to
   * first token, inter-token latency, aborted requests, failed health checks.
   */
  public readonly analysisTemplates: readonly ApiObject[];
  public readonly namespace: string;
  public hasAutoscaler = false;
  private readonly props: ProgressiveDeliveryProps;

  constructor(scope: Construct, id: string, props: ProgressiveDeliveryProps) {
    checkConstructProps(ProgressiveDelivery, scope, id, props);
    const namespace = props?.namespace ?? Chart.of(scope).namespace ?? 'default';
    // Checked before the construct joins the tree, so a bad prop leaves nothing behind.
    validateProgressiveDeliveryProps(new PropsValidator(scope.node.path ? `${scope.node.path}/${id}` : id), props, namespace);
    super(scope, id);
    this.props = props;
    this.namespace = namespace;
    const options = props.options ?? {};
    const metadata = (name: string) => ({ name, namespace, ...(props.labels ? { labels: { ...props.labels } } : {}) });

    const specs = analysisTemplateSpecs({
      serviceName: props.serviceName,
      namespace,
      rolloutName: props.name,
      containerName: props.deployment.containers[0].name,
      prometheusUrl: options.analysis?.prometheusUrl ?? props.prometheusUrl,
      thresholds: options.analysis,
      modelMissingStatusCodes: props.modelMissingStatusCodes,
      vllm: props.vllmMetrics,
    });
    this.analysisTemplates = specs.map((t) => new ApiObject(this, `analysis-${t.suffix}`, {
      apiVersion: ROLLOUT_API_VERSION,
      kind: 'AnalysisTemplate',
      metadata: metadata(`${props.name}-${t.suffix}`),
      spec: t.spec,
    }));

    const deploymentName = props.deployment.name;
    this.rollout = new ApiObject(this, 'rollout', {
      apiVersion: ROLLOUT_API_VERSION,
      kind: 'Rollout',
      metadata: metadata(props.name),
      spec: {
        // Read at synth time: an autoscaler created after this construct still removes the count.
        replicas: Lazy.any({ produce: () => (this.hasAutoscaler ? undefined : props.replicas) }),
        selector: { matchLabels: { ...props.selector } },
        // Argo scales the Deployment down as the Rollout's pods become available, so switching a
        // live service to progressive never drops below the running capacity.
        workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName, scaleDown: 'progressively' },
        progressDeadlineSeconds: props.progressDeadlineSeconds ?? 1800,
        // A new version whose pods never become ready is rolled back rather than left half-way.
        progressDeadlineAbort: true,
        strategy: {
          canary: {
            // The stable ReplicaSet keeps its full size during the rollout (no dynamicStableScale),
            // so an abort moves the traffic back at once, onto pods that are already warm.
            abortScaleDownDelaySeconds: 30,
            analysis: {
              templates: this.analysisTemplates.map((t) => ({ templateName: t.name })),
              args: [
                { name: CANARY_HASH_ARG, valueFrom: { podTemplateHashValue: 'Latest' } },
                ...(props.vllmMetrics ? [{ name: STABLE_HASH_ARG, valueFrom: { podTemplateHashValue: 'Stable' } }] : []),
              ],
            },
            trafficRouting: {
              istio: {
                virtualService: { name: props.virtualServiceName, routes: [...props.routes] },
                destinationRule: {
                  name: props.destinationRuleName,
                  canarySubsetName: PROGRESSIVE_SUBSETS.canary,
                  stableSubsetName: PROGRESSIVE_SUBSETS.stable,
                },
              },
            },
            steps: canarySteps(options.steps ?? DEFAULT_CANARY_STEPS, minCanaryShare(props)),
          },
        },
      },
    });

    // The Deployment only holds the template, with no replica count of its own (Argo scales it
    // down, see workloadRef), and its topology spread keys on the hash label Argo puts on the
    // Rollout's pods, which carry no `pod-template-hash`, so that stable and new ReplicaSets spread
    // each on their own as a Deployment's do.
    const deployment = ApiObject.of(props.deployment);
    // A Rollout stopped at 0 keeps the Deployment at 0 too: nothing would scale it down.
    if (deployment.toJson().spec?.replicas !== undefined && props.replicas !== 0) deployment.addJsonPatch(JsonPatch.remove('/spec/replicas'));
    const spread = deployment.toJson().spec?.template?.spec?.topologySpreadConstraints as Array<Record<string, unknown>> | undefined;
    if (spread) {
      deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/topologySpreadConstraints', spread.map((c) => ({ ...c, matchLabelKeys: [ROLLOUT_HASH_LABEL] }))));
    }
  }

  /** The HPA (or KEDA) target: the Rollout, through its `/scale` subresource. */
  public get scaleTargetRef(): { apiVersion: string; kind: string; name: string } {
    return { apiVersion: ROLLOUT_API_VERSION, kind: 'Rollout', name: this.props.name };
  }

  public markHasAutoscaler(): void {
    this.hasAutoscaler = true;
  }

  public toScalingTarget(): kplus.ScalingTarget {
    return { ...this.scaleTargetRef, containers: this.props.deployment.containers, replicas: this.hasAutoscaler ? undefined : this.props.replicas };
  }
}

/**
 * The share of the Rollout's replicas (percent) that gives the canary its minimum pod count:
 * 2 of 10 replicas is 20 %. 0 when one pod is enough.
 */
export function minCanaryShare(props: Pick<ProgressiveDeliveryProps, 'minCanaryReplicas' | 'minReplicas' | 'replicas'>): number {
  const min = props.minCanaryReplicas ?? 1;
  if (min <= 1) return 0;
  const floor = Math.max(1, props.minReplicas ?? props.replicas ?? 1);
  return Math.min(100, Math.ceil((100 * min) / floor));
}

/**
 * Argo canary steps: each weight, then its pause; after the last pause Argo promotes to 100 %.
 * While a step's weight is below `minShare`, the canary is scaled to `minShare` of the replicas
 * (`setCanaryScale`) rather than to its weight, and follows the weight again once it is above.
 */
function canarySteps(steps: readonly CanaryStep[], minShare: number): Record<string, unknown>[] {
  return steps.flatMap((s) => {
    const seconds = s.pause ? s.pause.seconds : DEFAULT_STEP_PAUSE_SECONDS;
    const scale = minShare === 0 ? [] : [{ setCanaryScale: s.weight >= minShare ? { matchTrafficWeight: true } : { weight: minShare } }];
    return [...scale, { setWeight: s.weight }, { pause: seconds === undefined ? {} : { duration: `${seconds}s` } }];
  });
}

function validateProgressiveDeliveryProps(check: PropsValidator, props: ProgressiveDeliveryProps, namespace: string): void {
  check.that(typeof props === 'object' && props !== null, 'props', props, 'are not set', 'pass { name, serviceName, deployment, selector, virtualServiceName, routes, destinationRuleName, prometheusUrl }');
  // The names end up in the Rollout, the analysis queries and the templates' names: a missing one
  // would be written as "undefined" rather than refused.
  const { name, serviceName, virtualServiceName, destinationRuleName } = props;
  const names = { name, serviceName, virtualServiceName, destinationRuleName };
  for (const [field, value] of Object.entries(names)) {
    check.that(typeof value === 'string', field, value, 'is not set', 'give the Kubernetes name of that object');
    check.matches(field, value, DNS_LABEL, DNS_LABEL_RULE);
  }
  checkProgressiveNameLength(check, 'name', props.name);
  check.matches('namespace', namespace, DNS_LABEL, DNS_LABEL_RULE);
  check.that(props.deployment instanceof kplus.Deployment && props.deployment.containers.length > 0, 'deployment', props.deployment?.name, 'is not a Deployment with a container', 'pass the Deployment that holds the pod template');
  check.that(typeof props.selector === 'object' && props.selector !== null && Object.keys(props.selector).length > 0, 'selector', props.selector, 'is empty', 'give the labels of the pod template, e.g. { "modelserve.io/service": "resnet" }');
  check.integerInRange('replicas', props.replicas, 0, 1000);
  check.that(Array.isArray(props.routes) && props.routes.length > 0, 'routes', props.routes, 'is empty', 'name the VirtualService routes that hold the stable and canary subsets, e.g. ["primary"]');
  checkPrometheusUrl(check, 'prometheusUrl', props.prometheusUrl);
  check.integerInRange('progressDeadlineSeconds', props.progressDeadlineSeconds, 60, 86_400);
  check.integerInRange('minReplicas', props.minReplicas, 0, 1000);
  check.integerInRange('minCanaryReplicas', props.minCanaryReplicas, 1, 1000);
  validateProgressiveOptions(check, props.options ?? {}, 'options');
}
