import { ManagedNodeGroup, ManagedNodeGroupProps } from './managed-node-group';

// The old names, kept for one release. Karpenter's `NodePool` (karpenter.sh/v1) is another thing,
// which the platform now also makes; the EKS managed node group construct is `ManagedNodeGroup`.

/** @deprecated Renamed `ManagedNodeGroup` in 0.2.0; this alias goes in 0.3.0. */
export const NodePool = ManagedNodeGroup;
/** @deprecated Renamed `ManagedNodeGroup` in 0.2.0; this alias goes in 0.3.0. */
export type NodePool = ManagedNodeGroup;
/** @deprecated Renamed `ManagedNodeGroupProps` in 0.2.0; this alias goes in 0.3.0. */
export type NodePoolProps = ManagedNodeGroupProps;
