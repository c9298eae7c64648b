import { ARGO_ROLLOUTS_NAMESPACE } from './argo-rollouts';
import { ARGO_WORKFLOWS_NAMESPACE } from './argo-workflows';
import { GPU_OPERATOR_NAMESPACE } from './gpu-operator';
import { ISTIO_INGRESS_NAMESPACE, ISTIO_NAMESPACE } from './istio';
import { KEDA_NAMESPACE } from './keda';
import { LOGGING_NAMESPACE } from './logging';
import { MONITORING_NAMESPACE } from './prometheus-stack';
import { VERTICAL_POD_AUTOSCALER_NAMESPACE } from './vertical-pod-autoscaler';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/**
 * The Pod Security level each add-on namespace enforces. `privileged` only where a node agent
 * needs the host (node exporter, the log shipper, the GPU Operator's DaemonSets). The controllers'
 * namespaces enforce `baseline` (no host access, no privileged containers) and warn and audit at
 * `restricted`: their charts are not all proven against restricted, and a rejected controller pod
 * would fail the whole apply. kube-system is EKS's and is left as it is.
 */
export const ADDON_NAMESPACE_POD_SECURITY: Readonly<Record<string, PodSecurityLevel>> = {
  [ISTIO_NAMESPACE]: 'baseline',
  [ISTIO_INGRESS_NAMESPACE]: 'baseline',
  [KEDA_NAMESPACE]: 'baseline',
  [VERTICAL_POD_AUTOSCALER_NAMESPACE]: 'baseline',
  [ARGO_ROLLOUTS_NAMESPACE]: 'baseline',
  [ARGO_WORKFLOWS_NAMESPACE]: 'baseline',
  [MONITORING_NAMESPACE]: 'privileged',
  [LOGGING_NAMESPACE]: 'privileged',
  [GPU_OPERATOR_NAMESPACE]: 'privileged',
};

/** Pod Security admission labels: enforce `level`, and warn and audit at restricted. */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
  return {
    'pod-security.kubernetes.io/enforce': level,
    'pod-security.kubernetes.io/enforce-version': 'latest',
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/warn-version': 'latest',
    'pod-security.kubernetes.io/audit': 'restricted',
    'pod-security.kubernetes.io/audit-version': 'latest',
  };
}
