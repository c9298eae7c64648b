import { createHash } from 'crypto';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { DNS_LABEL, DNS_LABEL_RULE, EKS_CLUSTER_NAME, PropsValidator } from '../../catalog';
import { AwsContext } from '../aws-context';
import { isUnresolved, validateDnsSubdomain } from '../aws-names';
import { eksClusterArn, podIdentityTrustPolicy } from '../pod-identity-trust';
import { IamStatement } from './iam-statement';
import { checkConstructProps } from '../../catalog/props-check';

export { podIdentityTrustPolicy } from '../pod-identity-trust';

const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const SID = /^[A-Za-z0-9]+$/;

export interface PodIdentityRoleProps extends PodIdentityTarget {
  /** EKS cluster the pods run in. */
  readonly clusterName: string;
  /** Kubernetes namespace of the service account. */
  readonly namespace: string;
  /** Kubernetes service account the pods run as. */
  readonly serviceAccount: string;
  /** What the pods may do: one inline policy made of these statements. At least one. */
  readonly statements: readonly IamStatement[];
  /**
   * Name of the inline policy.
   * @default the service account name
   */
  readonly policyName?: string;
  /**
   * IAM role name.
   * @default - `<namespace>-<serviceAccount>-` and a hash of the construct path, at most 64 characters
   */
  readonly roleName?: string;
  /** @default - `Pod Identity role of <namespace>/<serviceAccount>` */
  readonly description?: string;
  /** @default - no tags beyond the provider's default tags */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Who a Pod Identity role is for: the cluster, namespace and service account, and the role's name. */
export interface PodIdentityTarget {
  readonly clusterName: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly roleName?: string;
}

/**
 * The names a Pod Identity role and association are made of, checked as EKS, Kubernetes and IAM
 * would (a token, known only at apply, is let through). Shared with ModelStoreAccess.
 */
export function validatePodIdentityTarget(v: PropsValidator, target: PodIdentityTarget): void {
  v.that(typeof target.clusterName === 'string' && target.clusterName.length > 0, 'clusterName', target.clusterName, 'is empty', 'give the EKS cluster name');
  if (!isUnresolved(target.clusterName)) {
    v.that(EKS_CLUSTER_NAME.test(target.clusterName), 'clusterName', target.clusterName, 'is not a valid EKS cluster name', 'use 1 to 100 letters, digits, "-" and "_", starting with a letter or digit');
  }
  if (!isUnresolved(target.namespace ?? '')) v.matches('namespace', target.namespace, DNS_LABEL, DNS_LABEL_RULE);
  v.that(typeof target.serviceAccount === 'string', 'serviceAccount', target.serviceAccount, 'is required', 'give the service account the pods run as');
  validateDnsSubdomain(v, 'serviceAccount', target.serviceAccount);
  if (target.roleName !== undefined) {
    v.that(IAM_ROLE_NAME.test(target.roleName), 'roleName', target.roleName, 'is not a valid IAM role name', 'use 1 to 64 letters, digits and +=,.@_-');
  }
}

/**
 * IAM role names are account-wide: `<namespace>-<serviceAccount>-` and a hash of the construct path
 * keep two stacks apart, within IAM's 64 characters. `fallbackStem` replaces the names while they
 * are tokens.
 */
export function podIdentityRoleName(target: PodIdentityTarget, path: string, fallbackStem: string): string {
  const hash = createHash('sha256').update(path).digest('hex').slice(0, 8);
  const stem = isUnresolved(target.namespace) || isUnresolved(target.serviceAccount) ? fallbackStem : `${target.namespace}-${target.serviceAccount}`;
  return `${stem.slice(0, 64 - hash.length - 1)}-${hash}`;
}

/**
 * An IAM role for one Kubernetes service account through EKS Pod Identity: trusted only for that
 * service account of that namespace of this cluster (podIdentityTrustPolicy), an inline policy from plain `IamStatement`s, and the
 * association that binds it to `namespace/serviceAccount`. Pods started before the association
 * exists get no credentials, so make the workload depend on `association`.
 */
export class PodIdentityRole extends Construct {
  public readonly role: IamRole;
  public readonly roleArn: string;
  public readonly roleName: string;
  public readonly association: EksPodIdentityAssociation;
  /** The association and the policy: what a Helm release of the workload must wait for. */
  public readonly dependables: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    checkConstructProps(PodIdentityRole, scope, id, props);
    super(scope, id);
    validatePodIdentityRoleProps(new PropsValidator(this.node.path), props);
    const aws = AwsContext.of(this);
    const tags = props.tags ? { ...props.tags } : undefined;

    this.role = new IamRole(this, 'role', {
      name: props.roleName ?? podIdentityRoleName(props, this.node.path, 'pod-identity'),
      description: props.description ?? `Pod Identity role of ${props.namespace}/${props.serviceAccount}`,
      assumeRolePolicy: podIdentityTrustPolicy({
        clusterArn: eksClusterArn(aws, props.clusterName),
        namespace: props.namespace,
        serviceAccount: props.serviceAccount,
      }),
      tags,
    });
    const policy = new IamRolePolicy(this, 'policy', {
      name: props.policyName ?? props.serviceAccount,
      role: this.role.id,
      policy: JSON.stringify({ Version: '2012-10-17', Statement: props.statements }),
    });
    this.association = new EksPodIdentityAssociation(this, 'association', {
      clusterName: props.clusterName,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      roleArn: this.role.arn,
      tags,
    });
    this.roleArn = this.role.arn;
    this.roleName = this.role.name;
    this.dependables = [this.association, policy];
  }
}

function validatePodIdentityRoleProps(v: PropsValidator, props: PodIdentityRoleProps): void {
  validatePodIdentityTarget(v, props);
  v.that(Array.isArray(props.statements) && props.statements.length > 0, 'statements', props.statements, 'is empty, so the role could do nothing', 'give the statements the workload needs');
  const sids = new Set<string>();
  props.statements.forEach((s, i) => {
    v.that(typeof s.Sid === 'string' && SID.test(s.Sid), `statements[${i}].Sid`, s.Sid, 'is not a valid statement id', 'use letters and digits only');
    v.that(!sids.has(s.Sid), `statements[${i}].Sid`, s.Sid, 'is used twice', 'give each statement its own Sid');
    sids.add(s.Sid);
    v.that(Array.isArray(s.Action) && s.Action.length > 0, `statements[${i}].Action`, s.Action, 'is empty', 'list the actions the workload calls');
    // `*` or `service:*` on every resource is what least privilege rules out; name the actions.
    const everyResource = s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*'));
    for (const action of s.Action) {
      v.that(action !== '*' && !(everyResource && action.endsWith(':*') && s.Effect === 'Allow'), `statements[${i}].Action`, action, 'allows every action on every resource', 'list the actions one by one or scope Resource');
    }
  });
  if (props.policyName !== undefined) {
    v.that(/^[\w+=,.@-]{1,128}$/.test(props.policyName), 'policyName', props.policyName, 'is not a valid IAM policy name', 'use 1 to 128 letters, digits and +=,.@_-');
  }
}
