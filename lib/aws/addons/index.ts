/**
 * Cluster add-ons installed through Helm (`PlatformAddons`), from a Terraform stack of their own:
 * needs @cdktf/provider-helm and @cdktf/provider-kubernetes on top of what `modelserve/aws` needs.
 *
 * @module modelserve/addons
 */
// The peer check must stay the first import: a missing provider is reported in one line.
import './require-peers';
export * from './helm-chart-pin';
export * from './cluster-providers';
export * from './addon-namespaces';
export { addonProfile, SERVICE_MONITOR_LABELS } from './addon-profile';
export type { AddonProfile } from './addon-profile';
export * from './load-balancer-controller';
export * from './cluster-autoscaler';
export * from './metrics-server';
export * from './keda';
export * from './vertical-pod-autoscaler';
export * from './istio';
export * from './argo-rollouts';
export * from './argo-workflows';
export * from './prometheus-stack';
export * from './logging';
export * from './gpu-operator';
export * from './spot-interruption';
export { ADDONS } from './resolve-platform-addons';
export type { AddonName, ResolvedAddons } from './resolve-platform-addons';
export * from './platform-addons-props';
export * from './platform-addons';
export * from './karpenter';
