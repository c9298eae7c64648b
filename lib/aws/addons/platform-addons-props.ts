import { EnvironmentName, NodePoolSpec } from '../../catalog';
import { ICluster } from '../cluster-attributes';
import { ArgoServerAuth } from './argo-workflows';
import { ClusterAutoscalerExpander } from './cluster-autoscaler';
import { ClusterProviders } from './cluster-providers';
import { KubePrometheusStackOptions } from './prometheus-stack';
import { SpotInterruption } from './spot-interruption';

export interface LoadBalancerControllerOptions {
  /**
   * Controller replicas.
   * @default - 2 in staging and production, 1 in development
   */
  readonly replicas?: number;
}

export interface ClusterAutoscalerOptions {
  /**
   * Expanders in the order the autoscaler applies them; `priority` prefers spot pools (priority
   * 50) over on-demand pools (10), the next one breaks ties.
   * @default ['priority', 'least-waste']
   */
  readonly expanders?: readonly ClusterAutoscalerExpander[];
  /**
   * A node whose pods request less than this share of it is a candidate for removal (0.1 to 0.9).
   * @default 0.5
   */
  readonly scaleDownUtilizationThreshold?: number;
  /**
   * Minutes a node must stay unneeded before it is removed (1 to 1440).
   * @default 10
   */
  readonly scaleDownUnneededMinutes?: number;
}

export interface KedaOptions {
  /**
   * Operator replicas (1 to 5): one is active, the others stand by to take over.
   * @default - 2 in staging and production, 1 in development
   */
  readonly operatorReplicas?: number;
}

export interface IstioOptions {
  /**
   * The ingress gateway in namespace istio-ingress (pods labelled `istio: ingressgateway`) behind an
   * NLB made by the AWS Load Balancer Controller.
   * @default true
   */
  readonly gateway?: boolean;
  /**
   * Put the gateway's NLB on the public subnets with a public address. Off, the NLB is internal:
   * reachable from the VPC and what is peered or connected to it.
   * @default false
   */
  readonly internetFacing?: boolean;
  /**
   * CIDRs the NLB's security group admits. Required for an internet-facing gateway.
   * @default - the controller's default for an internal NLB (the VPC's CIDRs)
   */
  readonly sourceCidrs?: readonly string[];
  /**
   * Allow `0.0.0.0/0` in sourceCidrs.
   * @default false
   */
  readonly allowFromAnywhere?: boolean;
  /**
   * Fewest gateway pods (1 to 50); the HPA scales up to gatewayMaxReplicas on CPU.
   * @default - 2 in staging and production, 1 in development
   */
  readonly gatewayMinReplicas?: number;
  /**
   * Most gateway pods (up to 100).
   * @default 10
   */
  readonly gatewayMaxReplicas?: number;
}

export type PrometheusOptions = Omit<KubePrometheusStackOptions, 'environment' | 'path' | 'lokiUrl'>;

export interface LoggingOptions {
  /**
   * Loki's bucket (globally unique).
   * @default - `<cluster name>-logs-<account>-<region>`
   */
  readonly bucketName?: string;
  /**
   * Days logs are kept.
   * @default - the environment preset's log retention (7, 30 or 90)
   */
  readonly retentionDays?: number;
}

export interface ArgoRolloutsOptions {
  /**
   * Controller replicas (1 to 3): one acts, the others stand by (leader election).
   * @default - 2 in staging and production, 1 in development
   */
  readonly controllerReplicas?: number;
  /**
   * Deploy the read-only Rollouts dashboard (ClusterIP; it has no login of its own).
   * @default false
   */
  readonly dashboard?: boolean;
}

export interface ArgoWorkflowsOptions {
  /**
   * How the Argo Server authenticates callers.
   * @default ArgoServerAuth.client()
   */
  readonly serverAuth?: ArgoServerAuth;
  /**
   * Controller replicas (1 to 3).
   * @default - 2 in staging and production, 1 in development
   */
  readonly controllerReplicas?: number;
}

export interface PlatformAddonsProps {
  /**
   * The cluster the add-ons go into. Usually the platform's (`platform.cluster`), made in the
   * platform's stack: the add-ons then read it by name through a data source in their own stack,
   * which depends on the platform's, so the Helm and Kubernetes providers never point at a cluster
   * created in the same apply. A cluster made in the add-ons' own stack is refused for that reason.
   * `Cluster.fromClusterName()` reads one made by other tooling.
   */
  readonly cluster: ICluster;
  /**
   * Environment preset: replicas, PDBs, retention.
   * @default - the cluster's environment
   */
  readonly environment?: EnvironmentName;
  /**
   * VPC of the cluster, for the load balancer controller (pods cannot read it from IMDS).
   * @default - the cluster's VPC
   */
  readonly vpcId?: string;
  /**
   * The machine that runs `cdktf deploy` for this stack reaches the cluster's private endpoint (a
   * runner inside the VPC, or a VPN or Direct Connect range listed in the cluster's
   * privateEndpointCidrs). Off, the cluster must have a public endpoint limited to the deployer's
   * CIDRs (the cluster's publicEndpointCidrs): a private-only endpoint is refused at synth, or at
   * plan for a cluster read by name, instead of an apply that hangs until Helm times out.
   * @default false
   */
  readonly deployFromInsideVpc?: boolean;
  /**
   * AWS region; given, PlatformAddons configures its stack's AWS provider for it.
   * @default - the stack's own AWS provider; without one, the region of the cluster's stack's provider
   */
  readonly region?: string;
  /**
   * The node pools, as plain data: GPU pools turn the GPU Operator on, spot pools get the
   * autoscaler's higher priority. Every pool must be one of the cluster's.
   * @default - the cluster's node pools
   */
  readonly nodePools?: readonly NodePoolSpec[];
  /**
   * The Helm and Kubernetes providers to install with.
   * @default - the stack's default providers, configured from the cluster (ClusterProviders.of)
   */
  readonly providers?: ClusterProviders;
  /**
   * AWS Load Balancer Controller. The ingress gateway's NLB needs it.
   * @default true
   */
  readonly loadBalancerController?: boolean | LoadBalancerControllerOptions;
  /**
   * Cluster Autoscaler, discovering the cluster's node groups by their tags.
   * @default true
   */
  readonly clusterAutoscaler?: boolean | ClusterAutoscalerOptions;
  /**
   * metrics-server: CPU and memory for the HPA and `kubectl top`.
   * @default true
   */
  readonly metricsServer?: boolean;
  /**
   * The Vertical Pod Autoscaler's recommender (Fairwinds' vpa chart, recommender only: no updater,
   * no admission webhook), which fills in the VerticalPodAutoscalers of ModelServices with
   * `resourceRecommendations`. Needs metricsServer.
   * @default false
   */
  readonly verticalPodAutoscaler?: boolean;
  /**
   * KEDA: ModelService's ScaledObjects.
   * @default true
   */
  readonly keda?: boolean | KedaOptions;
  /**
   * Istio (base, istiod with the CNI plugin, the CNI node agent, an ingress gateway): ModelService's
   * VirtualServices, DestinationRules and mTLS.
   * @default true
   */
  readonly istio?: boolean | IstioOptions;
  /**
   * kube-prometheus-stack: Prometheus, Alertmanager and Grafana, and the CRDs of every
   * ServiceMonitor and PrometheusRule (charts with monitors are installed after it).
   * @default true
   */
  readonly prometheus?: boolean | PrometheusOptions;
  /**
   * Loki on an encrypted S3 bucket, with Alloy shipping every pod's logs.
   * @default true
   */
  readonly logging?: boolean | LoggingOptions;
  /**
   * NVIDIA GPU Operator (device plugin with each pool's sharing, DCGM exporter).
   * @default - on when a node pool has GPUs
   */
  readonly gpuOperator?: boolean;
  /**
   * How nodes leave when EC2 reclaims spot capacity.
   * @default SpotInterruption.capacityRebalance() (managed node groups handle it; nothing installed)
   */
  readonly spotInterruption?: SpotInterruption;
  /**
   * Argo Rollouts: ModelService's progressive delivery.
   * @default true
   */
  readonly argoRollouts?: boolean | ArgoRolloutsOptions;
  /**
   * Argo Workflows: ModelPipeline's WorkflowTemplates.
   * @default true
   */
  readonly argoWorkflows?: boolean | ArgoWorkflowsOptions;
  /**
   * Karpenter: its CRDs, the controller on the controllers' managed node group, its Pod Identity
   * role and its interruption queue. On exactly when the cluster's capacity is
   * `Capacity.karpenter()`; its NodePools and EC2NodeClasses come from the serving side
   * (`KarpenterNodePools`).
   * @default - on with Karpenter capacity, off otherwise
   */
  readonly karpenter?: boolean | KarpenterAddonOptions;
  /** @default - no tags beyond the provider's default tags */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface KarpenterAddonOptions {
  /**
   * The SQS queue of interruption events (and prefix of its EventBridge rules), at most 46 characters.
   * @default `<cluster name>-karpenter`
   */
  readonly interruptionQueueName?: string;
}
