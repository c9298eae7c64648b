import { IConstruct } from 'constructs';

/**
 * A VPC as the platform's other pieces see it, whether made here (`Network`) or brought
 * (`Network.fromNetworkAttributes`): the cluster and its nodes go into the private subnets, the
 * database and the cache into the database subnets.
 */
export interface INetwork extends IConstruct {
  /** The VPC the cluster, database and cache security groups belong to. */
  readonly vpcId: string;
  /** Subnets for the cluster and its nodes, in two or more availability zones. */
  readonly privateSubnetIds: readonly string[];
  /** Subnets for the database and the cache. */
  readonly databaseSubnetIds: readonly string[];
}

/** A VPC made elsewhere (another stack, other tooling), described by its ids: nothing is looked up or changed. */
export interface NetworkAttributes {
  /** `vpc-` and 8 or 17 hexadecimal digits. */
  readonly vpcId: string;
  /**
   * Subnets for the cluster and its nodes, in two or more availability zones. Tag them for EKS
   * load balancers yourself (`kubernetes.io/role/internal-elb=1`), and with Karpenter for its
   * discovery (`karpenter.sh/discovery=<cluster name>`).
   */
  readonly privateSubnetIds: readonly string[];
  /** Subnets for the database and the cache, in two or more availability zones. */
  readonly databaseSubnetIds: readonly string[];
}
