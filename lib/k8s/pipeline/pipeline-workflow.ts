import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PRIVATE_RANGES } from '../egress';
import { payerLabels } from '../labels';
import { priorityClassName } from '../priority-classes';
import { ServingChart } from '../serving-chart';
import { PIPELINE_LABEL, pipelineServiceAccounts, STEP_LABEL } from './pipeline-names';
import { PipelinePlan, PlannedStep } from './plan-model-pipeline';
import { createRemoteEgress, remoteServices } from './remote-egress';
import { PIPELINE_INPUT, STEP_EXIT, STEP_PATHS, stepScript } from './step-script';
import { checkConstructProps } from '../../catalog/props-check';

export const WORKFLOW_API_VERSION = 'argoproj.io/v1alpha1';
/** The DAG template every run enters by. */
export const ENTRYPOINT = 'pipeline';
// Where they have always been imported from.
export { PIPELINE_LABEL, STEP_LABEL } from './pipeline-names';

/** Requests and limits of a step pod's curl container: it only moves bytes. */
const STEP_CPU = '100m';
const STEP_MEMORY = '64Mi';
/** /tmp holds the request and the response; the root filesystem is read-only. */
const TMP_SIZE = '1Gi';

/**
 * The security context the restricted Pod Security profile asks of every container. Argo's own
 * `init` and `wait` containers get it through `podSpecPatch`, so that the template runs in a
 * restricted namespace whatever the controller's `executor` config says.
 */
const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

export interface PipelineWorkflowProps {
  readonly plan: PipelinePlan;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The batch form of a pipeline: an Argo Workflows WorkflowTemplate whose DAG follows the steps'
 * dependencies, each task a small pod that POSTs its input to the step's service through the
 * mesh, plus the ServiceAccount and Role its pods run with.
 *
 * Run it with `argo submit -n <namespace> --from workflowtemplate/<name> -p input='{"...": ...}'`
 * (or `-p input-key=<s3 key>` with artifact payloads).
 */
export class PipelineWorkflow extends Construct {
  public readonly workflowTemplate: ApiObject;
  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly role: kplus.Role;
  public readonly roleBinding: kplus.RoleBinding;
  /** The ServiceAccount token Secret Argo mounts into the executor containers only. */
  public readonly executorToken: k8s.KubeSecret;
  /** Egress of the step pods to the Kubernetes API, which Argo's wait container reports to. */
  public readonly apiEgressPolicy: k8s.KubeNetworkPolicy;
  /** Egress of the step pods to the services of steps in other namespaces, when there are any. */
  public readonly remoteEgressPolicy?: k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: PipelineWorkflowProps) {
    checkConstructProps(PipelineWorkflow, scope, id, props);
    super(scope, id);
    const { plan, labels } = props;
    const saName = pipelineServiceAccounts(plan.name).workflow;

    // Argo's wait container reports each step's outputs through the API as this account, and the
    // Role lets it do that and nothing else. The step's own container (curl, fed the run's input)
    // gets no token: the pods mount none (automountServiceAccountToken: false), and Argo mounts
    // the executor's token, from the Secret it looks up as `<account>.service-account-token`, into
    // its init and wait containers only (executor.serviceAccountName).
    this.serviceAccount = new kplus.ServiceAccount(this, 'service-account', { metadata: { name: saName, labels }, automountToken: false });
    this.executorToken = new k8s.KubeSecret(this, 'executor-token', {
      metadata: { name: `${saName}.service-account-token`, labels, annotations: { 'kubernetes.io/service-account.name': saName } },
      type: 'kubernetes.io/service-account-token',
    });
    // The wait container reaches the API server's private endpoint (EKS's network interfaces in
    // the cluster's subnets) or the `kubernetes` Service's address: both in private ranges.
    this.apiEgressPolicy = new k8s.KubeNetworkPolicy(this, 'api-egress', {
      metadata: { name: `${plan.name}-steps-api`, labels },
      spec: {
        podSelector: { matchLabels: { [PIPELINE_LABEL]: plan.name }, matchExpressions: [{ key: STEP_LABEL, operator: 'Exists' }] },
        policyTypes: ['Egress'],
        egress: [{ to: PRIVATE_RANGES.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(443) }] }],
      },
    });
    this.remoteEgressPolicy = createRemoteEgress(this, 'remote-egress', {
      name: `${plan.name}-steps-to-services`,
      podSelector: { matchLabels: { [PIPELINE_LABEL]: plan.name }, matchExpressions: [{ key: STEP_LABEL, operator: 'Exists' }] },
      services: remoteServices(plan),
      labels,
    });
    this.role = new kplus.Role(this, 'role', { metadata: { name: saName, labels } });
    this.role.allow(['create', 'patch'], kplus.ApiResource.custom({ apiGroup: 'argoproj.io', resourceType: 'workflowtaskresults' }));
    this.roleBinding = new kplus.RoleBinding(this, 'role-binding', { metadata: { name: saName, labels }, role: this.role });
    this.roleBinding.addSubjects(this.serviceAccount);

    this.workflowTemplate = new ApiObject(this, 'workflow-template', {
      apiVersion: WORKFLOW_API_VERSION,
      kind: 'WorkflowTemplate',
      metadata: {
        name: plan.name,
        labels,
        annotations: {
          'workflows.argoproj.io/title': `Pipeline ${plan.name}`,
          'workflows.argoproj.io/description': plan.description ?? `Runs ${plan.steps.map((s) => s.name).join(', ')} on one input`,
        },
      },
      spec: this.spec(plan, saName, labels),
    });
  }

  private spec(plan: PipelinePlan, serviceAccountName: string, labels: Readonly<Record<string, string>>): Record<string, unknown> {
    const b = plan.batch;
    const artifacts = b.payloads.kind === 'artifacts';
    const user = b.runAsUser;
    const chart = ServingChart.of(this);
    return {
      entrypoint: ENTRYPOINT,
      arguments: {
        parameters: [artifacts
          ? { name: 'input-key', description: 'Key, in the artifact repository\'s bucket, of the JSON the first steps receive' }
          : { name: 'input', description: 'JSON the first steps receive as their request body' }],
      },
      serviceAccountName,
      automountServiceAccountToken: false,
      executor: { serviceAccountName },
      activeDeadlineSeconds: b.activeDeadlineSeconds,
      ttlStrategy: { secondsAfterSuccess: b.secondsAfterSuccess, secondsAfterFailure: b.secondsAfterFailure },
      // Succeeded pods go at once; failed ones stay for their logs until the workflow's TTL.
      podGC: { strategy: 'OnPodSuccess' },
      ...(b.parallelism !== undefined ? { parallelism: b.parallelism } : {}),
      ...(b.payloads.kind === 'artifacts' && b.payloads.artifactRepositoryRef
        ? { artifactRepositoryRef: { configMap: b.payloads.artifactRepositoryRef.configMap ?? 'artifact-repositories', key: b.payloads.artifactRepositoryRef.key } }
        : {}),
      workflowMetadata: { labels: { ...labels } },
      // Queued behind serving, never preempting it (preemptionPolicy: Never).
      ...(chart.priorityClasses ? { podPriorityClassName: priorityClassName(chart.environment, 'batch') } : {}),
      podMetadata: {
        labels: { [PIPELINE_LABEL]: plan.name, ...payerLabels({ environment: chart.environment, team: chart.team }) },
        // The namespace injects Istio's sidecar, needed for mTLS to the services. As a native
        // sidecar (an init container that restarts) it starts before the step and stops when the
        // step's containers end, so the pod completes; Istio 1.27+ does this by default.
        annotations: { 'sidecar.istio.io/nativeSidecar': 'true' },
      },
      securityContext: { runAsNonRoot: true, runAsUser: user, runAsGroup: user, fsGroup: user, seccompProfile: { type: 'RuntimeDefault' } },
      podSpecPatch: JSON.stringify({
        initContainers: [{ name: 'init', securityContext: RESTRICTED_CONTAINER }],
        containers: [{ name: 'wait', securityContext: RESTRICTED_CONTAINER }],
      }),
      volumes: [{ name: 'tmp', emptyDir: { sizeLimit: TMP_SIZE } }],
      templates: [this.dagTemplate(plan), ...plan.steps.map((s) => this.stepTemplate(plan, s))],
    };
  }

  private dagTemplate(plan: PipelinePlan): Record<string, unknown> {
    const artifacts = plan.batch.payloads.kind === 'artifacts';
    const tasks = plan.steps.map((s) => {
      const inputs = s.dependsOn.length === 0
        ? [artifacts
          ? { name: PIPELINE_INPUT, s3: { key: '{{workflow.parameters.input-key}}' } }
          : { name: PIPELINE_INPUT, raw: { data: '{{workflow.parameters.input}}' } }]
        : s.dependsOn.map((d) => (artifacts
          ? { name: d, from: `{{tasks.${d}.outputs.artifacts.response}}` }
          : { name: d, raw: { data: `{{tasks.${d}.outputs.parameters.response}}` } }));
      return {
        name: s.name,
        template: templateName(s),
        ...(s.dependsOn.length ? { dependencies: [...s.dependsOn] } : {}),
        arguments: { artifacts: inputs },
      };
    });
    // The result: each last step's response, on the run's entry node (`argo get` shows it).
    const outputs = artifacts
      ? { artifacts: plan.outputs.map((o) => ({ name: o, from: `{{tasks.${o}.outputs.artifacts.response}}` })) }
      : { parameters: plan.outputs.map((o) => ({ name: o, valueFrom: { parameter: `{{tasks.${o}.outputs.parameters.response}}` } })) };
    return { name: ENTRYPOINT, dag: { tasks }, outputs };
  }

  private stepTemplate(plan: PipelinePlan, step: PlannedStep): Record<string, unknown> {
    const b = plan.batch;
    const artifacts = b.payloads.kind === 'artifacts';
    const inputs = (step.dependsOn.length ? step.dependsOn : [PIPELINE_INPUT]).map((name) => ({ name, path: `${STEP_PATHS.inputDir}/${name}.json` }));
    return {
      name: templateName(step),
      metadata: { labels: { [STEP_LABEL]: step.name } },
      inputs: { artifacts: inputs },
      outputs: artifacts
        ? { artifacts: [{ name: 'response', path: STEP_PATHS.response, archive: { none: {} } }] }
        : { parameters: [{ name: 'response', valueFrom: { path: STEP_PATHS.response } }] },
      // One attempt: the call's own timeout plus the pod's start; curl gives up first.
      activeDeadlineSeconds: step.podDeadlineSeconds,
      retryStrategy: {
        limit: step.retries,
        retryPolicy: 'Always',
        // Retry what may pass next time (the script's exit code says which), and a pod lost with
        // its node; never a request the model rejected.
        expression: `lastRetry.status == "Error" || asInt(lastRetry.exitCode) == ${STEP_EXIT.retryable}`,
        backoff: { duration: '10s', factor: 2, cap: '2m' },
      },
      container: {
        name: 'main',
        image: b.image,
        imagePullPolicy: 'IfNotPresent',
        command: ['/bin/sh', '-c'],
        args: [stepScript(step.dependsOn)],
        env: [
          { name: 'STEP_URL', value: step.url },
          { name: 'STEP_TIMEOUT_SECONDS', value: String(step.timeoutSeconds) },
        ],
        resources: {
          requests: { cpu: STEP_CPU, memory: STEP_MEMORY },
          limits: { cpu: STEP_CPU, memory: STEP_MEMORY },
        },
        securityContext: { ...RESTRICTED_CONTAINER, readOnlyRootFilesystem: true },
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
      },
    };
  }
}

function templateName(step: PlannedStep): string {
  return `call-${step.name}`;
}
