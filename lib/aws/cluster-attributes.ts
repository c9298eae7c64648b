import type { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { ITerraformDependable } from 'cdktf';
import { IConstruct } from 'constructs';
import { Capacity, EnvironmentName, NodePoolSpec } from '../catalog';
import { KubernetesVersion } from '../catalog/eks-versions';

/**
 * An EKS cluster as its consumers see it: what the add-ons, the Helm and Kubernetes providers and
 * Pod Identity roles need, whether the cluster is made in this stack (`Cluster`) or read from one
 * applied earlier (`Cluster.fromClusterName`, `Cluster.fromClusterAttributes`).
 */
export interface ICluster extends IConstruct {
  /** EKS cluster name. For an imported cluster, the literal name; for a `Cluster`, its resource's attribute. */
  readonly clusterName: string;
  readonly clusterEndpoint: string;
  /** Base64, as EKS returns it. */
  readonly clusterCertificateAuthorityData: string;
  /** The version the add-ons are configured for (the autoscaler's image follows it). */
  readonly kubernetesVersion: KubernetesVersion;
  readonly vpcId: string;
  /** The node pools as plain data: where the add-ons may run, which need GPU drivers. */
  readonly nodePoolSpecs: readonly NodePoolSpec[];
  /** The environment preset the cluster was made for, when known. */
  readonly environment?: EnvironmentName;
  /** How the cluster gets nodes; unset means managed node groups. */
  readonly capacity?: Capacity;
  /** The cluster name as a literal, when known at synth (IAM role names and buckets read it). */
  readonly literalClusterName?: string;
  /**
   * CIDRs the public API endpoint admits, when known at synth: `[]` means the endpoint is private
   * only. `undefined` (an imported cluster) means unknown until plan.
   */
  readonly publicEndpointCidrs?: readonly string[];
  /**
   * True when the cluster grants cluster-admin to whoever runs `cdktf deploy` or to listed admins;
   * `undefined` when that is not known at synth.
   */
  readonly grantsApiAccess?: boolean;
  /** What a resource that calls the cluster's API must wait for (empty for an imported cluster). */
  readonly ready: readonly ITerraformDependable[];
  /**
   * Grants `principalArn` (an IAM role or user, not a session) cluster-admin through an EKS access
   * entry and the AmazonEKSClusterAdminPolicy association, made under this construct (`<id>-access`,
   * `<id>-cluster-admin`); returns the association, which waits for the entry. EKS allows one entry
   * per principal and cluster.
   */
  grantClusterAdmin(id: string, principalArn: string): EksAccessPolicyAssociation;
}

/** A cluster applied elsewhere, described by literals: nothing is looked up. */
export interface ClusterAttributes {
  readonly clusterName: string;
  readonly clusterEndpoint: string;
  /** Base64, as EKS returns it. */
  readonly clusterCertificateAuthorityData: string;
  /** The cluster's Kubernetes version. */
  readonly kubernetesVersion: KubernetesVersion;
  readonly vpcId: string;
  /** The cluster's node pools, as given to the platform that made them. */
  readonly nodePools: readonly NodePoolSpec[];
  /** @default - unknown: PlatformAddons then needs its own `environment` */
  readonly environment?: EnvironmentName;
  /**
   * How the cluster gets nodes: with `Capacity.karpenter()` the add-ons install Karpenter.
   * @default Capacity.managedNodeGroups()
   */
  readonly capacity?: Capacity;
}

/** A cluster applied elsewhere, read by name through the `aws_eks_cluster` data source at plan time. */
export interface ClusterLookupProps {
  /** The EKS cluster name, a literal. */
  readonly clusterName: string;
  /**
   * The Kubernetes version the cluster runs. Plan fails with a clear message if the cluster runs
   * another, so that version-bound add-ons (the autoscaler's image) never drift from it.
   */
  readonly kubernetesVersion: KubernetesVersion;
  /** The cluster's node pools, as given to the platform that made them. */
  readonly nodePools: readonly NodePoolSpec[];
  /** @default - unknown: PlatformAddons then needs its own `environment` */
  readonly environment?: EnvironmentName;
  /**
   * How the cluster gets nodes: with `Capacity.karpenter()` the add-ons install Karpenter.
   * @default Capacity.managedNodeGroups()
   */
  readonly capacity?: Capacity;
}
