/**
 * Cluster add-ons installed through Helm (`PlatformAddons`), from a Terraform stack of their own:
 * needs @cdktf/provider-helm and @cdktf/provider-kubernetes on top of what `modelserve/aws` needs.
 *
 * @module modelserve/addons
 */
// The peer check must stay the first import: a missing provider is reported in one line.
import './require-peers';
export type { HelmChartPin } from './helm-chart-pin';
export { ClusterProviders } from './cluster-providers';
export type { ClusterConnection, ClusterProvidersProps } from './cluster-providers';
export type { PodSecurityLevel } from './addon-namespaces';
export { addonProfile, SERVICE_MONITOR_LABELS } from './addon-profile';
export type { AddonProfile } from './addon-profile';
export type { LoadBalancerControllerScope, LoadBalancerControllerValuesOptions } from './load-balancer-controller';
export { CLUSTER_AUTOSCALER_EXPANDERS } from './cluster-autoscaler';
export type { ClusterAutoscalerExpander, ClusterAutoscalerValuesOptions } from './cluster-autoscaler';

export type { KedaValuesOptions } from './keda';

export type { IngressGatewayValuesOptions } from './istio';

export { ArgoServerAuth } from './argo-workflows';
export type { ArgoSsoOptions, ArgoWorkflowsValuesOptions } from './argo-workflows';
export { ALERT_SEVERITIES, AlertReceiver } from './prometheus-stack';
export type { AlertRoutingOptions, AlertSeverity, EmailReceiverOptions, KubePrometheusStackOptions, PagerDutyReceiverOptions, SecretKeyRef, ServiceAlertRoute, SeverityRoutes, SlackReceiverOptions, WebhookReceiverOptions } from './prometheus-stack';
export { LogStore } from './logging';
export type { AlloyValuesOptions, LogStoreProps, LokiValuesOptions } from './logging';

export { SpotInterruption, SpotInterruptionQueue } from './spot-interruption';
export type { InterruptionEvent, NodeTerminationHandlerStatementsOptions, NodeTerminationHandlerValuesOptions, SpotInterruptionQueueProps, TerminationHandlerQueueOptions } from './spot-interruption';
export { ADDONS } from './resolve-platform-addons';
export type { AddonName, ResolvedAddons } from './resolve-platform-addons';
export type { ArgoRolloutsOptions, ArgoWorkflowsOptions, ClusterAutoscalerOptions, IstioOptions, KarpenterAddonOptions, KedaOptions, LoadBalancerControllerOptions, LoggingOptions, PlatformAddonsProps, PrometheusOptions } from './platform-addons-props';
export { PlatformAddons } from './platform-addons';
export type { KarpenterStatementsOptions, KarpenterValuesOptions } from './karpenter';
