import { KARPENTER_DISCOVERY_TAG } from '../catalog';

/** How many NAT gateways: one shared by the VPC, or one per AZ so that an AZ outage stays local. */
export type NatGatewayLayout = 'single' | 'one-per-az';

/** The Network's three tiers of subnets. */
export type SubnetTier = 'public' | 'private' | 'database';

/**
 * The tags that say what a subnet is for, to the tools that look subnets up by tag: the AWS Load
 * Balancer Controller (`kubernetes.io/role/elb` public, `internal-elb` private), EKS
 * (`kubernetes.io/cluster/<name>`) and Karpenter, which launches nodes into the private subnets only.
 * Database subnets carry none: nothing is placed there by discovery.
 */
export function subnetTags(tier: SubnetTier, clusterName: string | undefined): Record<string, string> {
  const clusterTag: Record<string, string> = clusterName ? { [`kubernetes.io/cluster/${clusterName}`]: 'shared' } : {};
  const karpenterTag: Record<string, string> = clusterName ? { [KARPENTER_DISCOVERY_TAG]: clusterName } : {};
  const byTier: Record<SubnetTier, Record<string, string>> = {
    public: { 'kubernetes.io/role/elb': '1', ...clusterTag },
    private: { 'kubernetes.io/role/internal-elb': '1', ...clusterTag, ...karpenterTag },
    database: {},
  };
  return { 'modelserve.io/subnet-tier': tier, ...byTier[tier] };
}

/** The NAT gateways and the routes to them. */
export interface NatGatewayPlan {
  /** NAT gateways, each in the public subnet of the zone of its index. */
  readonly count: number;
  /** The NAT gateway that each zone's private route table sends internet traffic to. */
  readonly ofZone: readonly number[];
}

/** One NAT gateway per zone, each zone routing to its own; or a single one in the first zone, which every zone routes to. */
export function planNatGateways(layout: NatGatewayLayout, azCount: number): NatGatewayPlan {
  const count = layout === 'one-per-az' ? azCount : 1;
  return { count, ofZone: Array.from({ length: azCount }, (_, zone) => zone % count) };
}
