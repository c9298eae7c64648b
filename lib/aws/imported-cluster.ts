import { DataAwsEksCluster } from '@cdktf/provider-aws/lib/data-aws-eks-cluster';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { ITerraformDependable, Postcondition, Token } from 'cdktf';
import { Construct } from 'constructs';
import { Capacity, EKS_CLUSTER_NAME, ENVIRONMENTS, EnvironmentName, NodePoolSpec, PropsValidator, validateNodePoolSpec } from '../catalog';
import { grantClusterAdminAccess } from './cluster-admin-access';
import { ClusterAttributes, ClusterLookupProps, ICluster } from './cluster-attributes';
import { KUBERNETES_VERSIONS as SUPPORTED_KUBERNETES_VERSIONS, KubernetesVersion } from '../catalog/eks-versions';
import { checkConstructProps } from '../catalog/props-check';


/**
 * A cluster applied in another stack (or by other tooling), seen through `ICluster`. Made by
 * `Cluster.fromClusterName` (the `aws_eks_cluster` data source, read at plan time, so the
 * providers never depend on a resource of the same apply) or `Cluster.fromClusterAttributes`
 * (literals). Whatever cannot be known at synth is checked at plan with postconditions on the data
 * source, so a wrong assumption fails in seconds with its fix instead of hanging an apply.
 */
export class ImportedCluster extends Construct implements ICluster {
  public static lookup(scope: Construct, id: string, props: ClusterLookupProps): ImportedCluster {
    validateImport(scope.node.path ? `${scope.node.path}/${id}` : id, props, true);
    return new ImportedCluster(scope, id, props);
  }

  public static fromAttributes(scope: Construct, id: string, attributes: ClusterAttributes): ImportedCluster {
    validateImport(scope.node.path ? `${scope.node.path}/${id}` : id, attributes, false);
    return new ImportedCluster(scope, id, attributes);
  }

  public readonly clusterName: string;
  public readonly clusterEndpoint: string;
  public readonly clusterCertificateAuthorityData: string;
  public readonly kubernetesVersion: KubernetesVersion;
  public readonly vpcId: string;
  public readonly nodePoolSpecs: readonly NodePoolSpec[];
  public readonly environment?: EnvironmentName;
  public readonly capacity: Capacity;
  public readonly literalClusterName: string;
  public readonly ready: readonly ITerraformDependable[] = [];
  /** The data source the attributes come from; undefined for `fromClusterAttributes`. */
  public readonly dataSource?: DataAwsEksCluster;

  private readonly postconditions: Postcondition[] = [];

  private constructor(scope: Construct, id: string, props: ClusterLookupProps | ClusterAttributes) {
    checkConstructProps(ImportedCluster, scope, id, props);
    super(scope, id);
    this.clusterName = props.clusterName;
    this.literalClusterName = props.clusterName;
    this.kubernetesVersion = props.kubernetesVersion;
    this.nodePoolSpecs = [...props.nodePools];
    this.environment = props.environment;
    this.capacity = props.capacity ?? Capacity.managedNodeGroups();
    if ('clusterEndpoint' in props) {
      this.clusterEndpoint = props.clusterEndpoint;
      this.clusterCertificateAuthorityData = props.clusterCertificateAuthorityData;
      this.vpcId = props.vpcId;
      return;
    }
    const data = new DataAwsEksCluster(this, 'cluster', { name: props.clusterName, lifecycle: { postcondition: this.postconditions } });
    this.dataSource = data;
    this.clusterEndpoint = data.endpoint;
    this.clusterCertificateAuthorityData = data.certificateAuthority.get(0).data;
    this.vpcId = data.vpcConfig.get(0).vpcId;
    this.requireAtPlan(
      `\${self.version == "${props.kubernetesVersion}"}`,
      `modelserve: cluster ${props.clusterName} runs another Kubernetes version than the ${props.kubernetesVersion} its add-ons are configured for; set kubernetesVersion to the cluster's version (aws eks describe-cluster --name ${props.clusterName} --query cluster.version)`,
    );
  }

  /**
   * Cluster-admin for `principalArn` through an access entry made in this stack (the caller needs
   * `eks:CreateAccessEntry` on the cluster). Not part of `ready`: the add-ons' own identity must
   * already have access to an imported cluster, so nothing of theirs waits for it.
   */
  public grantClusterAdmin(id: string, principalArn: string): EksAccessPolicyAssociation {
    return grantClusterAdminAccess(this, id, { clusterName: this.dataSource?.name ?? this.clusterName, principalArn });
  }

  /**
   * Adds a check of the looked-up cluster that Terraform runs at plan time (`self` is the
   * `aws_eks_cluster` data source). Returns false when there is nothing to check against
   * (a cluster given by attributes).
   */
  public requireAtPlan(condition: string, errorMessage: string): boolean {
    if (!this.dataSource) return false;
    this.postconditions.push({ condition, errorMessage });
    return true;
  }
}

function validateImport(path: string, props: ClusterLookupProps | ClusterAttributes, lookup: boolean): void {
  const v: PropsValidator = new PropsValidator(path);
  v.that(typeof props === 'object' && props !== null, 'props', props, 'are not set', 'pass { clusterName, kubernetesVersion, nodePools }');
  v.that(typeof props.clusterName === 'string' && props.clusterName.length > 0, 'clusterName', props.clusterName, 'is required', 'give the EKS cluster name');
  if (lookup || !Token.isUnresolved(props.clusterName)) {
    v.that(
      EKS_CLUSTER_NAME.test(props.clusterName),
      'clusterName',
      props.clusterName,
      lookup ? 'is not a literal EKS cluster name (a lookup needs the name at synth)' : 'is not a valid EKS cluster name',
      'use the name the cluster was created with: 1 to 100 letters, digits, "-" and "_"',
    );
  }
  v.that(
    (SUPPORTED_KUBERNETES_VERSIONS as readonly string[]).includes(props.kubernetesVersion as string),
    'kubernetesVersion',
    props.kubernetesVersion,
    'is not a version the add-ons are pinned for',
    `use the cluster's version, one of ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')}`,
  );
  v.that(Array.isArray(props.nodePools) && props.nodePools.length > 0, 'nodePools', props.nodePools, 'is empty', 'pass the node pool specs the cluster was made with');
  props.nodePools.forEach((spec, i) => validateNodePoolSpec(spec, `${path}/nodePools[${i}]`));
  if (props.environment !== undefined) v.oneOf('environment', props.environment, ENVIRONMENTS);
  v.that(props.capacity === undefined || props.capacity instanceof Capacity, 'capacity', typeof props.capacity, 'is not a Capacity', 'use Capacity.managedNodeGroups() or Capacity.karpenter()');
}
