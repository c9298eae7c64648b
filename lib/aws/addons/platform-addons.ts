import { Release } from '@cdktf/provider-helm/lib/release';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';
import { Fn, ITerraformDependable, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { PropsValidator, warnRisk } from '../../catalog';
import { AwsContext } from '../aws-context';
import { configurePlatformProvider, mirrorAwsProvider } from '../aws-provider';
import { ICluster } from '../cluster-attributes';
import { ImportedCluster } from '../imported-cluster';
import { ADDON_NAMESPACE_POD_SECURITY, podSecurityLabels } from './addon-namespaces';
import { ARGO_ROLLOUTS_CHART, ARGO_ROLLOUTS_NAMESPACE, argoRolloutsValues } from './argo-rollouts';
import { ARGO_WORKFLOWS_CHART, ARGO_WORKFLOWS_NAMESPACE, argoWorkflowsValues } from './argo-workflows';
import { CLUSTER_AUTOSCALER_CHART, CLUSTER_AUTOSCALER_NAMESPACE, CLUSTER_AUTOSCALER_SERVICE_ACCOUNT, clusterAutoscalerStatements, clusterAutoscalerValues } from './cluster-autoscaler';
import { ClusterProviders } from './cluster-providers';
import { GPU_OPERATOR_CHART, GPU_OPERATOR_NAMESPACE, gpuOperatorValues } from './gpu-operator';
import { HelmChartPin } from './helm-chart-pin';
import { IamStatement } from './iam-statement';
import {
  INGRESS_GATEWAY_RELEASE,
  ingressGatewayValues,
  ISTIO_BASE_CHART,
  ISTIO_CNI_CHART,
  ISTIO_CNI_NAMESPACE,
  ISTIO_GATEWAY_CHART,
  ISTIO_INGRESS_NAMESPACE,
  ISTIO_NAMESPACE,
  istioBaseValues,
  istioCniValues,
  ISTIOD_CHART,
  istiodValues,
} from './istio';
import { KARPENTER_CHART, KARPENTER_CRD_CHART, KARPENTER_INTERRUPTION_EVENTS, KARPENTER_SERVICE_ACCOUNT, karpenterControllerStatements, karpenterValues } from './karpenter';
import { KEDA_CHART, KEDA_NAMESPACE, kedaValues } from './keda';
import {
  LOAD_BALANCER_CONTROLLER_CHART,
  LOAD_BALANCER_CONTROLLER_NAMESPACE,
  LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
  loadBalancerControllerStatements,
  loadBalancerControllerValues,
} from './load-balancer-controller';
import { ALLOY_CHART, alloyValues, LOGGING_NAMESPACE, LOKI_CHART, LOKI_GATEWAY_URL, LOKI_SERVICE_ACCOUNT, LogStore, lokiValues } from './logging';
import { METRICS_SERVER_CHART, METRICS_SERVER_NAMESPACE, metricsServerValues } from './metrics-server';
import { VERTICAL_POD_AUTOSCALER_CHART, VERTICAL_POD_AUTOSCALER_NAMESPACE, verticalPodAutoscalerValues } from './vertical-pod-autoscaler';
import { PlatformAddonsProps } from './platform-addons-props';
import { PodIdentityRole } from './pod-identity-role';
import {
  GRAFANA_ADMIN_SECRET_KEYS,
  GRAFANA_ADMIN_SECRET_NAME,
  KUBE_PROMETHEUS_STACK_CHART,
  KUBE_PROMETHEUS_STACK_RELEASE,
  kubePrometheusStackValues,
  MONITORING_NAMESPACE,
  PERSISTENT_STORAGE_CLASS,
} from './prometheus-stack';
import { checkPlatformAddonsProps, resolvePlatformAddons, ResolvedAddons, ResolvedGateway } from './resolve-platform-addons';
import {
  NODE_TERMINATION_HANDLER_CHART,
  NODE_TERMINATION_HANDLER_SERVICE_ACCOUNT,
  nodeTerminationHandlerStatements,
  nodeTerminationHandlerValues,
  SpotInterruptionQueue,
} from './spot-interruption';
import { checkConstructProps } from '../../catalog/props-check';

/** The values PlatformAddons computes before it creates anything: each can refuse a prop. */
interface RefusableValues {
  readonly logBucketName: string;
  readonly prometheus?: Record<string, unknown>;
  readonly gpuOperator?: Record<string, unknown>;
  readonly alloy?: Record<string, unknown>;
}

/** Seconds Helm waits for a release's resources to be ready before it rolls the release back. */
const DEFAULT_TIMEOUT_SECONDS = 600;

interface ReleaseOptions {
  readonly name: string;
  readonly chart: HelmChartPin;
  readonly namespace: string;
  readonly values: Record<string, unknown>;
  readonly dependsOn?: readonly (ITerraformDependable | undefined)[];
  readonly timeoutSeconds?: number;
  /** Leave the chart's `crds/` alone: another release owns them. */
  readonly skipCrds?: boolean;
}

/**
 * The cluster add-ons that make an EKS cluster a serving platform, each a Helm release of a pinned
 * chart, installed from a stack of their own applied after the cluster's: the AWS Load Balancer Controller,
 * the Cluster Autoscaler, metrics-server, KEDA, Istio (base, istiod with the CNI plugin, the CNI
 * node agent, an ingress gateway behind an NLB), kube-prometheus-stack, Loki with Alloy, the NVIDIA
 * GPU Operator, Argo Rollouts and Argo Workflows. Everything that ModelService emits has its
 * controller installed by default. Each add-on that calls AWS gets its own role through EKS Pod
 * Identity.
 *
 * The cluster is read through the `aws_eks_cluster` data source at plan time (the Kubernetes
 * provider's documented way), never from a resource of the same apply, and the stack depends on
 * the cluster's, so `cdktf deploy` applies the cluster first and `cdktf destroy` removes the
 * add-ons (and the load balancers they made) first.
 *
 * Order inside the stack: Istio before Prometheus (whose pod carries an Istio sidecar for mTLS scrapes); the Prometheus
 * Operator's CRDs before any chart with a ServiceMonitor; the load balancer controller before the
 * ingress gateway's Service, so that its NLB is made by the controller.
 */
export class PlatformAddons extends Construct {
  public readonly providers: ClusterProviders;
  /** Helm releases by release name. */
  public readonly releases: Readonly<Record<string, Release>>;
  /** Pod Identity roles by add-on. */
  public readonly roles: Readonly<Record<string, PodIdentityRole>>;
  /** Namespaces created for the add-ons, with their Pod Security labels. */
  public readonly namespaces: Readonly<Record<string, NamespaceV1>>;
  public readonly logStore?: LogStore;
  public readonly spotInterruptionQueue?: SpotInterruptionQueue;
  /** The cluster as this stack sees it: read by name when it was made in another stack. */
  public readonly cluster: ICluster;
  /** The add-ons that are on, as resolved from the props. */
  public readonly config: ResolvedAddons;

  private readonly releaseMap: Record<string, Release> = {};
  private readonly roleMap: Record<string, PodIdentityRole> = {};
  private readonly namespaceMap: Record<string, NamespaceV1> = {};
  private readonly baseDependencies: ITerraformDependable[];
  private readonly tags?: Record<string, string>;
  /** The EKS resource's name attribute: associations then wait for the cluster. */
  private readonly clusterName: string;

  constructor(scope: Construct, id: string, props: PlatformAddonsProps) {
    checkConstructProps(PlatformAddons, scope, id, props);
    super(scope, id);
    checkPlatformAddonsProps(this.node.path, TerraformStack.of(this), props);
    const deployFromInsideVpc = props.deployFromInsideVpc ?? false;
    checkClusterPlacement(this, props.cluster, deployFromInsideVpc);
    const c = resolvePlatformAddons(this.node.path, props, props.cluster);
    this.config = c;
    const cluster = this.clusterOfThisStack(props, deployFromInsideVpc);
    this.cluster = cluster;
    // Role names, tag conditions and the autoscaler's discovery read best with the name as written.
    const clusterName = c.literalClusterName ?? cluster.clusterName;
    this.tags = props.tags ? { ...props.tags } : undefined;
    this.clusterName = cluster.clusterName;
    const values = this.valuesThatCanBeRefused(c, clusterName);

    this.providers = props.providers ?? ClusterProviders.of(this, cluster);
    // Nothing for a cluster of another stack: that stack was applied first.
    this.baseDependencies = [...cluster.ready];

    const storageClass = this.storageClass(c);
    // Istio first: Prometheus's pod is injected with a sidecar, which needs istiod and the CNI agent.
    const istio = c.istio ? this.istio() : undefined;
    // Charts that ship a ServiceMonitor or PodMonitor need the operator's CRDs.
    const crds = values.prometheus ? this.prometheus(values.prometheus, [storageClass, istio?.istiod, istio?.cni]) : undefined;
    const loadBalancerController = c.loadBalancerController ? this.loadBalancerController(clusterName, crds) : undefined;
    if (c.istio?.gateway) this.ingressGateway(c.istio.gateway, istio?.istiod, loadBalancerController);
    if (c.clusterAutoscaler) this.clusterAutoscaler(clusterName, crds);
    if (c.metricsServer) this.metricsServer(crds);
    if (c.verticalPodAutoscaler) this.verticalPodAutoscaler(crds);
    if (c.keda) this.keda(c.keda.operatorReplicas, crds);
    this.logStore = c.logging ? this.logging(values.logBucketName, values.alloy!, storageClass, crds) : undefined;
    if (values.gpuOperator) this.gpuOperator(values.gpuOperator, crds);
    this.spotInterruptionQueue = c.spotInterruption.installsTerminationHandler ? this.nodeTerminationHandler(clusterName) : undefined;
    if (c.argoRollouts) this.argoRollouts(c.argoRollouts, crds);
    if (c.karpenter) this.karpenter(c.karpenter.interruptionQueueName, clusterName, crds);
    if (c.argoWorkflows) this.argoWorkflows(c.argoWorkflows, crds);

    this.releases = this.releaseMap;
    this.roles = this.roleMap;
    this.namespaces = this.namespaceMap;
  }

  /** Charts ship their ServiceMonitors when the Prometheus Operator (and its CRDs) is installed. */
  private get serviceMonitor(): boolean {
    return this.config.prometheus !== undefined;
  }

  /** Every value that can be refused, computed before anything is created. */
  private valuesThatCanBeRefused(c: ResolvedAddons, clusterName: string): RefusableValues {
    const aws = AwsContext.of(this);
    const env = c.environment;
    return {
      logBucketName: c.logging?.bucketName ?? `${clusterName}-logs-${aws.accountId}-${aws.region}`,
      prometheus: c.prometheus
        ? kubePrometheusStackValues({ ...c.prometheus, environment: env, lokiUrl: c.logging ? LOKI_GATEWAY_URL : undefined, path: `${this.node.path}/prometheus` })
        : undefined,
      gpuOperator: c.gpuOperator ? gpuOperatorValues(c.nodePools, env, `${this.node.path}/gpuOperator`) : undefined,
      alloy: c.logging ? alloyValues({ environment: env, path: `${this.node.path}/logging` }) : undefined,
    };
  }

  /** Istio's CRDs (base), istiod, then the CNI node agent that sidecars under Pod Security "restricted" need. */
  private istio(): { istiod: Release; cni: Release } {
    const profile = this.config.profile;
    const base = this.release({ name: 'istio-base', chart: ISTIO_BASE_CHART, namespace: ISTIO_NAMESPACE, values: istioBaseValues() });
    const istiod = this.release({ name: 'istiod', chart: ISTIOD_CHART, namespace: ISTIO_NAMESPACE, values: istiodValues({ profile }), dependsOn: [base] });
    const cni = this.release({ name: 'istio-cni', chart: ISTIO_CNI_CHART, namespace: ISTIO_CNI_NAMESPACE, values: istioCniValues(), dependsOn: [istiod] });
    return { istiod, cni };
  }

  /** kube-prometheus-stack, with Grafana's admin Secret unless one is named; its CRDs are what later charts wait for. */
  private prometheus(values: Record<string, unknown>, dependsOn: readonly (ITerraformDependable | undefined)[]): Release {
    const adminSecret = this.config.prometheus?.grafanaAdminSecretName === undefined ? this.grafanaAdminSecret() : undefined;
    return this.release({
      name: KUBE_PROMETHEUS_STACK_RELEASE,
      chart: KUBE_PROMETHEUS_STACK_CHART,
      namespace: MONITORING_NAMESPACE,
      values,
      dependsOn: [adminSecret, ...dependsOn],
      timeoutSeconds: 900,
    });
  }

  private loadBalancerController(clusterName: string, crds: Release | undefined): Release {
    const c = this.config;
    const aws = AwsContext.of(this);
    const cluster = this.cluster;
    const vpcId = c.vpcId ?? cluster.vpcId;
    const account = { partition: aws.partition, region: aws.region, accountId: aws.accountId };
    const statements = loadBalancerControllerStatements({ ...account, clusterName, vpcId });
    const role = this.podIdentity('load-balancer-controller', 'lb-controller', LOAD_BALANCER_CONTROLLER_NAMESPACE, LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT, statements);
    const profile = { ...c.profile, replicas: c.loadBalancerController!.replicas };
    return this.release({
      name: 'aws-load-balancer-controller',
      chart: LOAD_BALANCER_CONTROLLER_CHART,
      namespace: LOAD_BALANCER_CONTROLLER_NAMESPACE,
      values: loadBalancerControllerValues({
        clusterName: cluster.clusterName,
        region: aws.region,
        vpcId,
        profile,
        serviceMonitor: this.serviceMonitor,
      }),
      dependsOn: [...role.dependables, crds],
    });
  }

  /** The ingress gateway behind an NLB: a public one is a deliberate risk, warned about by id. */
  private ingressGateway(gateway: ResolvedGateway, istiod: Release | undefined, loadBalancerController: Release | undefined): void {
    if (gateway.internetFacing) {
      const open = gateway.sourceCidrs.some((cidr) => cidr.endsWith('/0'));
      warnRisk(
        this,
        open ? 'modelserve:gateway-open-to-anywhere' : 'modelserve:internet-facing-gateway',
        open
          ? 'the ingress gateway\'s load balancer is public and admits the whole internet (0.0.0.0/0): every service with a gateway host answers scanners'
          : `the ingress gateway's load balancer is public (admitting ${gateway.sourceCidrs.join(', ')})`,
      );
    }
    this.release({
      name: INGRESS_GATEWAY_RELEASE,
      chart: ISTIO_GATEWAY_CHART,
      namespace: ISTIO_INGRESS_NAMESPACE,
      values: ingressGatewayValues({ profile: this.config.profile, ...gateway }),
      // The controller must be running when the Service appears, or the NLB is never made.
      dependsOn: [istiod, loadBalancerController],
    });
  }

  private clusterAutoscaler(clusterName: string, crds: Release | undefined): void {
    const c = this.config;
    const aws = AwsContext.of(this);
    const role = this.podIdentity(
      'cluster-autoscaler',
      'cluster-autoscaler',
      CLUSTER_AUTOSCALER_NAMESPACE,
      CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
      clusterAutoscalerStatements({ partition: aws.partition, region: aws.region, accountId: aws.accountId, clusterName: clusterName }),
    );
    this.release({
      name: 'cluster-autoscaler',
      chart: CLUSTER_AUTOSCALER_CHART,
      namespace: CLUSTER_AUTOSCALER_NAMESPACE,
      values: clusterAutoscalerValues({
        clusterName: clusterName,
        region: aws.region,
        kubernetesVersion: this.cluster.kubernetesVersion,
        // Karpenter's pools have no Auto Scaling group for the autoscaler to resize.
        nodePools: c.managedNodePools,
        profile: c.profile,
        serviceMonitor: this.serviceMonitor,
        ...c.clusterAutoscaler!,
      }),
      dependsOn: [...role.dependables, crds],
    });
  }

  private metricsServer(crds: Release | undefined): void {
    const values = metricsServerValues({ profile: this.config.profile, serviceMonitor: this.serviceMonitor });
    this.release({ name: 'metrics-server', chart: METRICS_SERVER_CHART, namespace: METRICS_SERVER_NAMESPACE, values, dependsOn: [crds] });
  }

  /** The VPA recommender only: ModelService's resourceRecommendations read it, nothing is resized. */
  private verticalPodAutoscaler(crds: Release | undefined): void {
    const values = verticalPodAutoscalerValues({ profile: this.config.profile, serviceMonitor: this.serviceMonitor });
    this.release({ name: 'vpa', chart: VERTICAL_POD_AUTOSCALER_CHART, namespace: VERTICAL_POD_AUTOSCALER_NAMESPACE, values, dependsOn: [crds] });
  }

  private keda(operatorReplicas: number, crds: Release | undefined): void {
    const values = kedaValues({ profile: this.config.profile, operatorReplicas, serviceMonitor: this.serviceMonitor });
    this.release({ name: 'keda', chart: KEDA_CHART, namespace: KEDA_NAMESPACE, values, dependsOn: [crds] });
  }

  /** Loki's S3 log store and its role, Loki, then Alloy shipping the pods' logs to it. */
  private logging(bucketName: string, alloy: Record<string, unknown>, storageClass: StorageClassV1 | undefined, crds: Release | undefined): LogStore {
    const c = this.config;
    const env = c.environment;
    const aws = AwsContext.of(this);
    const logStore = new LogStore(this, 'log-store', { environment: env, bucketName, retentionDays: c.logging!.retentionDays, tags: this.tags });
    new TerraformOutput(this, 'log-bucket-name', { value: logStore.bucketName, description: 'S3 bucket of the Loki log store' }).overrideLogicalId('log_bucket_name');
    const role = this.podIdentity('loki', 'loki', LOKI_SERVICE_ACCOUNT.namespace, LOKI_SERVICE_ACCOUNT.name, logStore.statements);
    const loki = this.release({
      name: 'loki',
      chart: LOKI_CHART,
      namespace: LOGGING_NAMESPACE,
      values: lokiValues({ environment: env, bucketName: logStore.bucketName, region: aws.region, retentionDays: logStore.retentionDays, path: `${this.node.path}/logging` }),
      dependsOn: [...role.dependables, storageClass, crds],
      timeoutSeconds: 900,
    });
    this.release({ name: 'alloy', chart: ALLOY_CHART, namespace: LOGGING_NAMESPACE, values: alloy, dependsOn: [loki] });
    return logStore;
  }

  /** The interruption queue, the handler's role, then the Node Termination Handler in queue mode. */
  private nodeTerminationHandler(clusterName: string): SpotInterruptionQueue {
    const c = this.config;
    const aws = AwsContext.of(this);
    const queue = new SpotInterruptionQueue(this, 'spot-interruption-queue', { name: c.spotInterruption.queueName ?? `${clusterName}-node-termination`, tags: this.tags });
    const role = this.podIdentity(
      'node-termination-handler',
      'node-termination',
      NODE_TERMINATION_HANDLER_SERVICE_ACCOUNT.namespace,
      NODE_TERMINATION_HANDLER_SERVICE_ACCOUNT.name,
      nodeTerminationHandlerStatements(queue.queueArn, { clusterName: clusterName }),
    );
    const path = `${this.node.path}/spotInterruption`;
    this.release({
      name: 'aws-node-termination-handler',
      chart: NODE_TERMINATION_HANDLER_CHART,
      namespace: NODE_TERMINATION_HANDLER_SERVICE_ACCOUNT.namespace,
      values: nodeTerminationHandlerValues({
        environment: c.environment,
        queueUrl: queue.queueUrl,
        region: aws.region,
        managedTag: c.spotInterruption.managedTag,
        path,
      }),
      dependsOn: [...role.dependables],
    });
    return queue;
  }

  private gpuOperator(values: Record<string, unknown>, crds: Release | undefined): void {
    this.release({ name: 'gpu-operator', chart: GPU_OPERATOR_CHART, namespace: GPU_OPERATOR_NAMESPACE, values, dependsOn: [crds], timeoutSeconds: 900 });
  }

  private argoRollouts(options: NonNullable<ResolvedAddons['argoRollouts']>, crds: Release | undefined): void {
    const values = argoRolloutsValues({ profile: this.config.profile, ...options, serviceMonitor: this.serviceMonitor });
    this.release({ name: 'argo-rollouts', chart: ARGO_ROLLOUTS_CHART, namespace: ARGO_ROLLOUTS_NAMESPACE, values, dependsOn: [crds] });
  }

  private argoWorkflows(options: NonNullable<ResolvedAddons['argoWorkflows']>, crds: Release | undefined): void {
    this.release({
      name: 'argo-workflows',
      chart: ARGO_WORKFLOWS_CHART,
      namespace: ARGO_WORKFLOWS_NAMESPACE,
      values: argoWorkflowsValues({
        profile: this.config.profile,
        auth: options.serverAuth,
        controllerReplicas: options.controllerReplicas,
        serviceMonitor: this.serviceMonitor,
      }),
      dependsOn: [crds],
    });
  }

  /**
   * The cluster as this stack must use it. A cluster of another stack is read by its name through
   * a data source here (a reference to its resources would make cdktf pass them through remote
   * state), this stack depends on that one, and its AWS provider follows that one's region.
   */
  private clusterOfThisStack(props: PlatformAddonsProps, deployFromInsideVpc: boolean): ICluster {
    const stack = TerraformStack.of(this);
    const source = props.cluster;
    if (props.region !== undefined) configurePlatformProvider(stack, props.region, this.config.environment, source.literalClusterName ? { 'modelserve.io/cluster': source.literalClusterName } : {});
    const sourceStack = TerraformStack.of(source);
    let cluster: ICluster = source;
    if (sourceStack !== stack) {
      stack.addDependency(sourceStack);
      mirrorAwsProvider(sourceStack, stack);
      cluster = ImportedCluster.lookup(this, 'cluster', {
        clusterName: source.literalClusterName as string,
        kubernetesVersion: source.kubernetesVersion,
        nodePools: source.nodePoolSpecs,
        environment: this.config.environment,
        capacity: source.capacity,
      });
    }
    // Unknown at synth for a cluster read by name: checked at plan, before any chart waits on it.
    if (!deployFromInsideVpc && source.publicEndpointCidrs === undefined && cluster instanceof ImportedCluster) {
      cluster.requireAtPlan(
        '${self.vpc_config[0].endpoint_public_access}',
        `modelserve: cluster ${cluster.literalClusterName} has no public API endpoint, so Helm and the Kubernetes provider cannot reach it from outside the VPC; open the public endpoint to the deployer's CIDRs (Cluster publicEndpointCidrs), or run cdktf deploy inside the VPC and set PlatformAddons deployFromInsideVpc: true`,
      );
    }
    return cluster;
  }

  /**
   * Karpenter: its interruption queue (the events its CloudFormation reference routes to it), its
   * Pod Identity role, the CRD chart, then the controller.
   */
  private karpenter(queueName: string, clusterName: string, crds: Release | undefined): void {
    const aws = AwsContext.of(this);
    const queue = new SpotInterruptionQueue(this, 'karpenter-interruption-queue', { name: queueName, events: KARPENTER_INTERRUPTION_EVENTS, consumer: 'Karpenter', tags: this.tags });
    const role = this.podIdentity(
      'karpenter',
      'karpenter',
      KARPENTER_SERVICE_ACCOUNT.namespace,
      KARPENTER_SERVICE_ACCOUNT.name,
      karpenterControllerStatements({
        partition: aws.partition,
        region: aws.region,
        accountId: aws.accountId,
        clusterName,
        interruptionQueueArn: queue.queueArn,
      }),
    );
    const definitions = this.release({ name: 'karpenter-crd', chart: KARPENTER_CRD_CHART, namespace: KARPENTER_SERVICE_ACCOUNT.namespace, values: {} });
    this.release({
      name: 'karpenter',
      chart: KARPENTER_CHART,
      namespace: KARPENTER_SERVICE_ACCOUNT.namespace,
      values: karpenterValues({ clusterName, interruptionQueueName: queueName, profile: this.config.profile, serviceMonitor: this.serviceMonitor }),
      skipCrds: true,
      dependsOn: [definitions, ...role.dependables, crds],
    });
  }

  /** A pinned chart, rolled back on failure, values as one JSON document, after the nodes. */
  private release(o: ReleaseOptions): Release {
    const namespace = this.namespace(o.namespace);
    const release = new Release(this, o.name, {
      provider: this.providers.helm,
      name: o.name,
      repository: o.chart.repository,
      chart: o.chart.chart,
      version: o.chart.version,
      namespace: o.namespace,
      // Namespaces are Terraform resources with Pod Security labels, not Helm's bare ones.
      createNamespace: false,
      atomic: true,
      cleanupOnFail: true,
      wait: true,
      timeout: o.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      maxHistory: 10,
      skipCrds: o.skipCrds,
      values: [JSON.stringify(o.values, null, 2)],
      dependsOn: [
        ...this.baseDependencies,
        ...(namespace ? [namespace] : []),
        ...(o.dependsOn ?? []).filter((d): d is ITerraformDependable => d !== undefined),
      ],
    });
    this.releaseMap[o.name] = release;
    return release;
  }

  /** The add-on namespace with its Pod Security labels, made once; none for kube-system. */
  private namespace(name: string): NamespaceV1 | undefined {
    const level = ADDON_NAMESPACE_POD_SECURITY[name];
    if (level === undefined) return undefined;
    this.namespaceMap[name] ??= new NamespaceV1(this, `namespace-${name}`, {
      provider: this.providers.kubernetes,
      metadata: { name, labels: { ...podSecurityLabels(level), 'app.kubernetes.io/managed-by': 'modelserve' } },
      dependsOn: this.baseDependencies,
    });
    return this.namespaceMap[name];
  }

  private podIdentity(key: string, roleSuffix: string, namespace: string, serviceAccount: string, statements: IamStatement[]): PodIdentityRole {
    const name = this.config.literalClusterName;
    const role = new PodIdentityRole(this, `${key}-pod-identity`, {
      clusterName: this.clusterName,
      namespace,
      serviceAccount,
      statements,
      roleName: name !== undefined ? `${name}-${roleSuffix}` : undefined,
      description: `${key} add-on (${namespace}/${serviceAccount}) through EKS Pod Identity`,
      tags: this.tags,
    });
    this.roleMap[key] = role;
    return role;
  }

  /**
   * The encrypted gp3 StorageClass that Prometheus, Alertmanager, Grafana and Loki claim volumes
   * of (EKS ships only an unencrypted gp2 class). Made when one of them uses it.
   */
  private storageClass(c: ResolvedAddons): StorageClassV1 | undefined {
    const prometheusUses = c.prometheus !== undefined && (c.prometheus.storageClassName ?? PERSISTENT_STORAGE_CLASS) === PERSISTENT_STORAGE_CLASS;
    if (!prometheusUses && !c.logging) return undefined;
    return new StorageClassV1(this, 'storage-class', {
      provider: this.providers.kubernetes,
      metadata: { name: PERSISTENT_STORAGE_CLASS, labels: { 'app.kubernetes.io/managed-by': 'modelserve' } },
      storageProvisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true', 'csi.storage.k8s.io/fstype': 'ext4' },
      // Bound in the zone of the pod that claims it, not in a zone the pod cannot reach.
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      reclaimPolicy: 'Delete',
      dependsOn: this.baseDependencies,
    });
  }

  /**
   * Grafana's admin Secret with a random password that Terraform writes but never stores: a
   * write-only attribute (Terraform 1.11 or newer) is neither in the plan nor in the state. Read it
   * with `kubectl -n monitoring get secret grafana-admin`.
   */
  private grafanaAdminSecret(): SecretV1 {
    const namespace = this.namespace(MONITORING_NAMESPACE);
    return new SecretV1(this, 'grafana-admin-secret', {
      provider: this.providers.kubernetes,
      metadata: { name: GRAFANA_ADMIN_SECRET_NAME, namespace: MONITORING_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'modelserve' } },
      type: 'Opaque',
      dataWo: { [GRAFANA_ADMIN_SECRET_KEYS.user]: 'admin', [GRAFANA_ADMIN_SECRET_KEYS.password]: Fn.uuid() },
      // Raise it to set a new random password.
      dataWoRevision: 1,
      dependsOn: namespace ? [namespace] : undefined,
    });
  }
}

/**
 * The add-ons call the cluster's API from wherever `cdktf deploy` runs, so the cluster must be
 * reachable from there and must not be created in the same apply: checked before anything is made.
 */
function checkClusterPlacement(addons: Construct, cluster: ICluster, deployFromInsideVpc: boolean): void {
  const v: PropsValidator = new PropsValidator(addons.node.path);
  const sameStack = TerraformStack.of(cluster) === TerraformStack.of(addons);
  v.that(
    !(sameStack && cluster.ready.length > 0),
    'cluster',
    cluster.node.path,
    'is created in the same stack as the add-ons, so the Helm and Kubernetes providers would be configured from a cluster that does not exist yet at plan time (intermittent failures, and a cluster replacement breaks planning)',
    'put PlatformAddons in a stack of its own (new TerraformStack(app, "<platform>-addons")) and pass platform.cluster: it is read by name there and applied after',
  );
  v.that(
    sameStack || cluster.literalClusterName !== undefined,
    'cluster',
    cluster.node.path,
    'has no literal name, so the add-ons stack cannot read it by name',
    'give the cluster a literal name, or pass Cluster.fromClusterName(stack, id, { clusterName, ... })',
  );
  const cidrs = cluster.publicEndpointCidrs;
  v.that(
    deployFromInsideVpc || cidrs === undefined || cidrs.length > 0,
    'cluster',
    cluster.node.path,
    'has a private API endpoint only, so Helm and the Kubernetes provider, which call it from wherever cdktf deploy runs, would hang until they time out outside the VPC',
    'open the public endpoint to the deployer\'s egress CIDRs (ModelServePlatform cluster: { publicEndpointCidrs: [...] }), or run cdktf deploy from inside the VPC and set deployFromInsideVpc: true',
  );
}
