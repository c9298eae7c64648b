/**
 * The PriorityClass of the add-ons that serving keeps working with: the mesh (istiod, the ingress
 * gateway), scaling (KEDA), the metrics that scaling, alerts and rollbacks read (Prometheus, its
 * operator, kube-state-metrics, Alertmanager) and the rollout controller. A pod without a class is
 * at 0, and the serving PriorityClasses (up to 100,000) may preempt lower pods: a burst of
 * critical serving pods on the shared on-demand nodes could evict the very pods their scaling
 * and routing depend on. Kubernetes' built-in class, which the load balancer controller, cluster
 * autoscaler, metrics-server, node termination handler and Karpenter charts set by default.
 * https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/#priorityclass
 */
export const ADDON_PRIORITY_CLASS = 'system-cluster-critical';
/** Node agents (one pod per node: log shipping, node metrics): Kubernetes' class for them. */
export const NODE_AGENT_PRIORITY_CLASS = 'system-node-critical';
