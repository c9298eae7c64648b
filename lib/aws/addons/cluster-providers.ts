import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Fn, TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { PropsValidator } from '../../catalog';
import { AwsContext } from '../aws-context';
import { checkConstructProps } from '../../catalog/props-check';

/** What a provider needs to reach a cluster's API: the `Cluster` construct has all three. */
export interface ClusterConnection {
  readonly clusterName: string;
  readonly clusterEndpoint: string;
  /** Base64, as EKS returns it. */
  readonly clusterCertificateAuthorityData: string;
}

export interface ClusterProvidersProps {
  readonly cluster: ClusterConnection;
  /**
   * Provider alias, for a second cluster in the same stack; resources then name the providers.
   * @default - the stack's default `helm` and `kubernetes` providers
   */
  readonly alias?: string;
}

/** The exec plugin API version that `aws eks get-token` prints. */
export const EKS_EXEC_API_VERSION = 'client.authentication.k8s.io/v1beta1';

const ALIAS = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * The Helm and Kubernetes providers of a stack, pointed at an EKS cluster by its attributes (read
 * by a data source when the cluster comes from another stack). Authentication is a short token
 * from `aws eks get-token` (run by Terraform on each plan and apply, with the caller's AWS
 * credentials): no kubeconfig, no long-lived secret in the state. The caller needs an EKS access
 * entry on the cluster (the deployer's, or one of `adminPrincipalArns`).
 */
export class ClusterProviders extends Construct {
  /**
   * The default (unaliased) providers of the stack that `scope` is in, made on first use.
   * A second call with another cluster is an error: give that one an alias.
   */
  public static of(scope: IConstruct, cluster: ClusterConnection): ClusterProviders {
    const stack = TerraformStack.of(scope);
    const id = 'modelserve-cluster-providers';
    const existing = stack.node.tryFindChild(id) as ClusterProviders | undefined;
    if (existing) {
      new PropsValidator(scope.node.path).that(
        existing.cluster === cluster,
        'cluster',
        describe(cluster),
        `is not the cluster the stack's Helm and Kubernetes providers already point at (${describe(existing.cluster)})`,
        'create a ClusterProviders with an alias for the second cluster and pass it as providers',
      );
      return existing;
    }
    return new ClusterProviders(stack, id, { cluster });
  }

  public readonly helm: HelmProvider;
  public readonly kubernetes: KubernetesProvider;
  public readonly cluster: ClusterConnection;

  constructor(scope: Construct, id: string, props: ClusterProvidersProps) {
    checkConstructProps(ClusterProviders, scope, id, props);
    super(scope, id);
    const check = new PropsValidator(this.node.path);
    check.that(props.cluster !== undefined && props.cluster !== null, 'cluster', props.cluster, 'is required', 'pass the Cluster construct');
    if (props.alias !== undefined) check.matches('alias', props.alias, ALIAS, 'a lowercase letter, then up to 62 lowercase letters, digits, "_" or "-"');
    const stack = TerraformStack.of(this);
    const clash = stack.node.findAll().some(
      (c) => c !== this && (c instanceof HelmProvider || c instanceof KubernetesProvider) && c.alias === props.alias,
    );
    check.that(
      !clash,
      'alias',
      props.alias,
      `names ${props.alias === undefined ? 'the default' : 'a'} Helm or Kubernetes provider that the stack already has`,
      props.alias === undefined ? 'give this one an alias, or reuse the existing providers' : 'choose another alias',
    );

    this.cluster = props.cluster;
    const aws = AwsContext.of(this);
    const host = props.cluster.clusterEndpoint;
    const clusterCaCertificate = Fn.base64decode(props.cluster.clusterCertificateAuthorityData);
    // The cluster name comes from the EKS resource, so the token is fetched after the cluster exists.
    const exec = {
      apiVersion: EKS_EXEC_API_VERSION,
      command: 'aws',
      args: ['eks', 'get-token', '--cluster-name', props.cluster.clusterName, '--region', aws.region, '--output', 'json'],
    };
    this.helm = new HelmProvider(this, 'helm', { alias: props.alias, kubernetes: { host, clusterCaCertificate, exec } });
    this.kubernetes = new KubernetesProvider(this, 'kubernetes', { alias: props.alias, host, clusterCaCertificate, exec: [exec] });
  }
}

/** The construct path of a Cluster (its name is a token until apply), or the name given. */
function describe(cluster: ClusterConnection): string {
  return Construct.isConstruct(cluster) ? cluster.node.path : cluster.clusterName;
}
