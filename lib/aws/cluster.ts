import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { DataAwsIamSessionContext } from '@cdktf/provider-aws/lib/data-aws-iam-session-context';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { dependable, Fn, ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { Capacity, EnvironmentName, ENVIRONMENT_PRESETS, NodePoolSpec, PropsValidator, validateNodePoolSpec, warnRisk } from '../catalog';
import { DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSIONS, KubernetesSupportType, KubernetesVersion, validateKubernetesVersion } from '../catalog/eks-versions';
import { validateAccessEntryPrincipalArn, validateIamPolicyArn, validateIamRoleArn } from './aws-arns';
import { AwsContext } from './aws-context';
import { validateEc2Ids, validateEnvironment, validateTags } from './aws-names';
import { canonicalCidr, toCidr } from '../catalog/cidr';
import { ManagedAddon, MANAGED_ADDONS, planManagedAddons } from './cluster-addons';
import { grantClusterAdminAccess } from './cluster-admin-access';
import { ClusterAttributes, ClusterLookupProps, ICluster } from './cluster-attributes';
import { EncryptionKey } from './encryption-key';
import { IEncryptionKey } from './encryption-key-attributes';
import { validateEncryptionKeyProp } from './encryption-key-props';
import { ImportedCluster } from './imported-cluster';
import { KarpenterNodeAccess } from './karpenter-node-access';
import { validateLogRetention } from './log-retention';
import { ManagedNodeGroup } from './managed-node-group';
import { PermissionsBoundary } from './permissions-boundary';
import { podIdentityTrustPolicy } from './pod-identity-trust';
import { synthDay } from './synth-day';
import { checkConstructProps } from '../catalog/props-check';

/** Every version the platform has an EKS calendar and add-on pins for (see EKS_KUBERNETES_CALENDAR). */
export const SUPPORTED_KUBERNETES_VERSIONS: readonly KubernetesVersion[] = KUBERNETES_VERSIONS;

/** Every control-plane log type: audit is what an incident review needs, the rest explain failures. */
export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

export { ADDON_CONFIGURATION, MANAGED_ADDONS, type ManagedAddon } from './cluster-addons';

const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]*$/;
/** Leaves room in IAM role names (64) and node group names (63) for the suffixes derived from it. */
const MAX_CLUSTER_NAME = 40;

export interface ClusterProps {
  /** EKS cluster name; also the prefix of its IAM roles, node groups and log group. */
  readonly name: string;
  /** Environment preset the defaults come from. */
  readonly environment: EnvironmentName;
  /** Private subnets for the control plane's network interfaces and the nodes, in two or more AZs. */
  readonly subnetIds: readonly string[];
  /**
   * Kubernetes version: one of SUPPORTED_KUBERNETES_VERSIONS still in EKS standard support on the
   * day of the synth, or past it with `supportType: 'EXTENDED'` (EKS_KUBERNETES_CALENDAR has the dates).
   * @default '1.35' (standard support to 2027-03-27)
   */
  readonly kubernetesVersion?: KubernetesVersion;
  /**
   * The cluster's EKS upgrade policy. `STANDARD`: EKS upgrades the control plane when standard
   * support ends, and a version past it is refused at synth. `EXTENDED`: the cluster may stay on
   * the version for 12 more months, billed at the extended-support price per cluster hour.
   * @default 'STANDARD'
   */
  readonly supportType?: KubernetesSupportType;
  /**
   * Open the public API endpoint to these CIDRs (the private endpoint stays on).
   * @default - no public endpoint: the API is reachable from inside the VPC only
   */
  readonly publicEndpointCidrs?: readonly string[];
  /**
   * Allow `0.0.0.0/0` in publicEndpointCidrs, or open the public endpoint to the internet when no
   * CIDRs are given. Authentication still applies, but the API server's attack surface is public.
   * @default false
   */
  readonly allowPublicEndpointFromAnywhere?: boolean;
  /**
   * CIDRs (VPN, bastion, CI runners) that may reach the private endpoint on 443, added to the
   * EKS-created cluster security group.
   * @default - only members of the cluster security group (nodes and control plane)
   */
  readonly privateEndpointCidrs?: readonly string[];
  /**
   * IAM roles or users granted cluster-admin through EKS access entries, beside the deployer (see
   * grantDeployerClusterAdmin). Roles, not sessions: `arn:aws:iam::<account>:role/<name>`.
   * @default - none
   */
  readonly adminPrincipalArns?: readonly string[];
  /**
   * Give whoever runs `cdktf deploy` cluster-admin through an access entry: the IAM role behind the
   * deployer's session (`aws_iam_session_context`), as terraform-aws-modules'
   * `enable_cluster_creator_admin_permissions` does. The add-ons stack installs its charts as that
   * identity. Skipped at apply when the role is already in adminPrincipalArns. Turn it off when
   * deployers are short-lived CI roles that must not keep admin, and list the admins instead.
   * @default true
   */
  readonly grantDeployerClusterAdmin?: boolean;
  /**
   * Pin add-on versions (`{ 'vpc-cni': 'v1.20.4-eksbuild.1' }`).
   * @default - the version EKS makes default for the cluster's Kubernetes version
   */
  readonly addonVersions?: Partial<Record<ManagedAddon, string>>;
  /**
   * Retention of the control-plane log group, days.
   * @default - from the environment preset
   */
  readonly logRetentionDays?: number;
  /**
   * KMS key for the control-plane log group (`EncryptionKey.fromKeyArn` for a key that exists); its
   * policy must let `logs.<region>.amazonaws.com` use it.
   * @default - a new key with rotation on
   */
  readonly logEncryptionKey?: IEncryptionKey;
  /**
   * KMS key for envelope encryption of Kubernetes Secrets (`EncryptionKey.fromKeyArn` for a key
   * that exists). The cluster role must be able to use it: a role made here gets an IAM grant; a
   * role brought with `clusterRoleArn` needs the key's policy or its own to allow `kms:Encrypt`,
   * `kms:Decrypt`, `kms:ListGrants` and `kms:DescribeKey`.
   * @default - a new key with rotation on
   */
  readonly secretsEncryptionKey?: IEncryptionKey;
  /**
   * An existing IAM role for the EKS control plane, as terraform-aws-modules' `create_iam_role =
   * false` with `iam_role_arn`: no cluster role is made and this one is not changed. It must trust
   * `eks.amazonaws.com` (`sts:AssumeRole`, `sts:TagSession`) and carry AmazonEKSClusterPolicy; a
   * Secrets key made here names it in its key policy.
   * @default - a role `<name>-eks-cluster` with AmazonEKSClusterPolicy and use of the Secrets key
   */
  readonly clusterRoleArn?: string;
  /**
   * An existing IAM role for the managed node groups' instances: no node role is made and this one
   * is not changed. It must trust `ec2.amazonaws.com` and carry AmazonEKSWorkerNodePolicy and
   * AmazonEC2ContainerRegistryPullOnly (AmazonSSMManagedInstanceCore for Session Manager); the CNI's
   * policy is not needed (vpc-cni has its own Pod Identity role). EKS makes the nodes' access entry
   * itself. Karpenter's nodes keep their own role.
   * @default - a role `<name>-eks-node` with those three policies
   */
  readonly nodeRoleArn?: string;
  /**
   * A managed policy (`arn:aws:iam::<account>:policy/<name>`) set as the permissions boundary of
   * every IAM role this cluster makes: the cluster and node roles, the managed add-ons' Pod
   * Identity roles and Karpenter's node role (PermissionsBoundary).
   * @default - no permissions boundary
   */
  readonly permissionsBoundaryArn?: string;
  /**
   * Refuse `DeleteCluster` until turned off.
   * @default - the preset's protectData: on in staging and production
   */
  readonly deletionProtection?: boolean;
  /**
   * How the cluster gets nodes. `Capacity.karpenter()` adds what Karpenter's nodes need here (their
   * IAM role, an EC2_LINUX access entry, the discovery tag on the cluster security group); pools
   * then go to `addKarpenterPool`, except those `capacity.managedPools` keeps as node groups.
   * @default Capacity.managedNodeGroups()
   */
  readonly capacity?: Capacity;
  /** @default - none beyond `Name` */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * An EKS cluster with a private API endpoint, every control-plane log type to an encrypted log
 * group, envelope-encrypted Secrets, access entries for admins, an OIDC provider for IRSA, and the
 * core managed add-ons with their IAM through EKS Pod Identity. Add nodes with `addManagedNodeGroup`
 * (or `addKarpenterPool` with Karpenter capacity).
 *
 * coredns and the EBS CSI controller are Deployments: they wait for the node pools added here. With
 * no node pool they stay DEGRADED, which Terraform reports as a failed apply; add one.
 */
export class Cluster extends Construct implements ICluster {
  /**
   * A cluster applied earlier (another stack, or other tooling), read by name through the
   * `aws_eks_cluster` data source at plan time. What an add-ons stack uses.
   */
  public static fromClusterName(scope: Construct, id: string, props: ClusterLookupProps): ICluster {
    return ImportedCluster.lookup(scope, id, props);
  }

  /** A cluster applied elsewhere, from literal attributes: nothing is looked up. */
  public static fromClusterAttributes(scope: Construct, id: string, attributes: ClusterAttributes): ICluster {
    return ImportedCluster.fromAttributes(scope, id, attributes);
  }

  public readonly clusterName: string;
  public readonly clusterArn: string;
  public readonly clusterEndpoint: string;
  public readonly clusterCertificateAuthorityData: string;
  /** Security group that EKS creates and puts on the control plane and on managed nodes. */
  public readonly clusterSecurityGroupId: string;
  /** The control plane's role: made here, or the one given as `clusterRoleArn`. */
  public readonly clusterRoleArn: string;
  /** The managed node groups' role: made here, or the one given as `nodeRoleArn`. */
  public readonly nodeRoleArn: string;
  public readonly oidcProviderArn: string;
  public readonly oidcIssuerUrl: string;
  public readonly kubernetesVersion: KubernetesVersion;
  /** VPC of the cluster's subnets (an attribute of the EKS resource). */
  public readonly vpcId: string;
  public readonly environment: EnvironmentName;
  /** The name as given (always a literal for a Cluster: it is checked against EKS's rule). */
  public readonly literalClusterName: string;
  /** CIDRs the public endpoint admits; empty when the endpoint is private only. */
  public readonly publicEndpointCidrs: readonly string[];
  /** True when the deployer or a listed admin gets cluster-admin. */
  public readonly grantsApiAccess: boolean;
  /** `aws eks update-kubeconfig --region <region> --name <name>` */
  public readonly updateKubeconfigCommand: string;
  /** The EKS managed node groups, in the order they were added. */
  public readonly managedNodeGroups: ManagedNodeGroup[] = [];
  public readonly eksCluster: EksCluster;
  public readonly capacity: Capacity;
  /** Karpenter's node role and access, with `Capacity.karpenter()`. */
  public readonly karpenter?: KarpenterNodeAccess;

  private readonly name: string;
  private readonly subnetIds: readonly string[];
  private readonly tags: Readonly<Record<string, string>>;
  private readonly nodeDependencies: ITerraformDependable[];
  private readonly addonsAfterNodes: EksAddon[] = [];
  private readonly accessGrants: ITerraformDependable[] = [];
  private readonly karpenterPools: NodePoolSpec[] = [];

  constructor(scope: Construct, id: string, props: ClusterProps) {
    checkConstructProps(Cluster, scope, id, props);
    super(scope, id);
    validateClusterProps(this.node.path, props, synthDay(this));
    const aws = AwsContext.of(this);
    const name = props.name;
    this.name = name;
    this.literalClusterName = name;
    this.environment = props.environment;
    this.subnetIds = [...props.subnetIds];
    this.tags = { ...props.tags };
    this.kubernetesVersion = props.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    const publicCidrs = props.publicEndpointCidrs ?? (props.allowPublicEndpointFromAnywhere ? ['0.0.0.0/0'] : []);
    this.publicEndpointCidrs = [...publicCidrs];

    const clusterRole = this.clusterRole(props);
    this.clusterRoleArn = clusterRole.arn;
    const secretsEncryption = this.secretsEncryption(props, clusterRole);
    const logGroup = this.controlPlaneLogGroup(props);
    this.eksCluster = this.controlPlane(props, publicCidrs, {
      roleArn: clusterRole.arn,
      secretsKeyArn: secretsEncryption.keyArn,
      dependsOn: [...clusterRole.dependables, ...secretsEncryption.dependables, logGroup],
    });
    const cluster = this.eksCluster;
    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;
    this.clusterEndpoint = cluster.endpoint;
    this.clusterCertificateAuthorityData = cluster.certificateAuthority.get(0).data;
    this.clusterSecurityGroupId = cluster.vpcConfig.clusterSecurityGroupId;
    this.vpcId = cluster.vpcConfig.vpcId;
    this.oidcIssuerUrl = cluster.identity.get(0).oidc.get(0).issuer;
    this.updateKubeconfigCommand = `aws eks update-kubeconfig --region ${aws.region} --name ${name}`;

    this.allowPrivateEndpointFrom(props.privateEndpointCidrs ?? []);
    this.oidcProviderArn = this.oidcProvider().arn;
    this.grantsApiAccess = this.grantAdmins(props);
    const nodeRole = this.nodeRole(props);
    this.nodeRoleArn = nodeRole.arn;
    this.nodeDependencies = [cluster, ...nodeRole.dependables, ...this.managedAddons(props)];

    this.warnAboutRisks(props, publicCidrs);
    // A cluster nobody added nodes to synthesizes an apply that fails: coredns stays DEGRADED.
    this.node.addValidation({
      validate: () => (this.nodePoolSpecs.length === 0 ? ['has no node pools, so coredns and the EBS CSI controller never schedule and the apply fails; add one with addManagedNodeGroup (e.g. NodePools.general())'] : []),
    });

    this.capacity = props.capacity ?? Capacity.managedNodeGroups();
    if (this.capacity.kind === 'karpenter') {
      this.karpenter = new KarpenterNodeAccess(this, 'karpenter', {
        clusterName: name,
        clusterNameAttribute: cluster.name,
        clusterSecurityGroupId: this.clusterSecurityGroupId,
        tags: this.tags,
      });
    }
    if (props.permissionsBoundaryArn !== undefined) PermissionsBoundary.of(this).apply(props.permissionsBoundaryArn);
  }

  private tagged(resourceName: string): Record<string, string> {
    return { ...this.tags, Name: resourceName };
  }

  private managedPolicyArn(policy: string): string {
    return `arn:${AwsContext.of(this).partition}:iam::aws:policy/${policy}`;
  }

  /** The control plane's role: brought (`clusterRoleArn`, left as it is), or made here with its policy. */
  private clusterRole(props: ClusterProps): OwnedRole {
    if (props.clusterRoleArn !== undefined) return { arn: props.clusterRoleArn, dependables: [] };
    const role = new IamRole(this, 'cluster-role', {
      name: `${this.name}-eks-cluster`,
      assumeRolePolicy: trustPolicy('eks.amazonaws.com', ['sts:AssumeRole', 'sts:TagSession']),
      tags: this.tagged(`${this.name}-eks-cluster`),
    });
    const policy = new IamRolePolicyAttachment(this, 'cluster-policy', { role: role.name, policyArn: this.managedPolicyArn('AmazonEKSClusterPolicy') });
    return { arn: role.arn, role, dependables: [policy] };
  }

  /**
   * The key Kubernetes Secrets are envelope-encrypted with, and the cluster role's right to use it:
   * an IAM grant on a role made here; for a role brought from elsewhere, whose policies are not
   * ours to change, a statement in the policy of a key made here (a key given is left as it is).
   */
  private secretsEncryption(props: ClusterProps, clusterRole: OwnedRole): { keyArn: string; dependables: ITerraformDependable[] } {
    const secretsKey = props.secretsEncryptionKey ?? new EncryptionKey(this, 'secrets-key', {
      description: `${this.name} EKS Secrets envelope encryption`,
      alias: `${this.name}-eks-secrets`,
      keyUsers: clusterRole.role ? undefined : { principalArns: [clusterRole.arn], actions: SECRETS_KEY_ACTIONS },
      tags: this.tags,
    });
    if (!clusterRole.role) return { keyArn: secretsKey.keyArn, dependables: [] };
    // The key policy delegates to IAM, so the cluster role needs its own grant to wrap Secrets.
    const access = new IamRolePolicy(this, 'cluster-secrets-key-access', {
      role: clusterRole.role.name,
      name: 'encrypt-secrets',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: [...SECRETS_KEY_ACTIONS], Resource: secretsKey.keyArn }],
      }),
    });
    return { keyArn: secretsKey.keyArn, dependables: [access] };
  }

  /** Created first with retention and KMS; otherwise EKS creates it, unencrypted and kept forever. */
  private controlPlaneLogGroup(props: ClusterProps): CloudwatchLogGroup {
    const aws = AwsContext.of(this);
    const logKey = props.logEncryptionKey ?? new EncryptionKey(this, 'log-key', {
      description: `${this.name} EKS control-plane logs`,
      alias: `${this.name}-eks-logs`,
      servicePrincipals: [`logs.${aws.region}.${aws.dnsSuffix}`],
      tags: this.tags,
    });
    return new CloudwatchLogGroup(this, 'log-group', {
      name: `/aws/eks/${this.name}/cluster`,
      retentionInDays: props.logRetentionDays ?? ENVIRONMENT_PRESETS[props.environment].logRetentionDays,
      kmsKeyId: logKey.keyArn,
      tags: this.tagged(`${this.name}-eks-control-plane`),
    });
  }

  private controlPlane(props: ClusterProps, publicCidrs: readonly string[], parts: ControlPlaneParts): EksCluster {
    return new EksCluster(this, 'cluster', {
      name: this.name,
      version: this.kubernetesVersion,
      roleArn: parts.roleArn,
      enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
      vpcConfig: {
        subnetIds: [...props.subnetIds],
        endpointPrivateAccess: true,
        endpointPublicAccess: publicCidrs.length > 0,
        publicAccessCidrs: publicCidrs.length > 0 ? [...publicCidrs] : undefined,
      },
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
      encryptionConfig: { resources: ['secrets'], provider: { keyArn: parts.secretsKeyArn } },
      // The managed add-ons replace the unmanaged copies EKS would otherwise install.
      bootstrapSelfManagedAddons: false,
      deletionProtection: props.deletionProtection ?? ENVIRONMENT_PRESETS[props.environment].protectData,
      // Left unset, EKS enrols every cluster in extended support and bills it when standard ends.
      upgradePolicy: { supportType: props.supportType ?? 'STANDARD' },
      tags: this.tagged(this.name),
      dependsOn: parts.dependsOn,
    });
  }

  /** Ids from the CIDR, not its position: dropping one range must not replace the others' rules. */
  private allowPrivateEndpointFrom(cidrs: readonly string[]): void {
    cidrs.forEach((cidr, i) => new VpcSecurityGroupIngressRule(this, `private-endpoint-access-${cidrId(cidr, i)}`, {
      securityGroupId: this.clusterSecurityGroupId,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: cidr,
      description: 'Kubernetes API (private endpoint)',
    }));
  }

  /** AWS no longer checks the thumbprint of EKS's issuer (its CA is trusted), so none is given. */
  private oidcProvider(): IamOpenidConnectProvider {
    return new IamOpenidConnectProvider(this, 'oidc-provider', {
      url: this.oidcIssuerUrl,
      clientIdList: ['sts.amazonaws.com'],
      tags: this.tagged(`${this.name}-irsa`),
    });
  }

  /** Cluster-admin for the listed principals and, unless turned off, the deployer; true when anyone gets it. */
  private grantAdmins(props: ClusterProps): boolean {
    const admins = props.adminPrincipalArns ?? [];
    admins.forEach((principalArn, i) => {
      const id = Token.isUnresolved(principalArn) ? `admin-${i}` : `admin-${principalArn.replace(/^arn:[^:]+:iam::/, '').replace(/[^A-Za-z0-9-]/g, '-')}`;
      this.grantClusterAdmin(id, principalArn);
    });
    const grantDeployer = props.grantDeployerClusterAdmin ?? true;
    if (grantDeployer) {
      // The role behind the deployer's session: access entries refuse assumed-role session ARNs.
      const deployer = new DataAwsIamSessionContext(this, 'deployer-session', { arn: AwsContext.of(this).callerArn });
      // An access entry per principal: a second one for a listed admin would fail the apply.
      const count = Token.asNumber(Fn.conditional(Fn.contains([...admins], deployer.issuerArn), 0, 1));
      this.grantClusterAdmin('deployer', deployer.issuerArn, count);
    }
    return admins.length > 0 || grantDeployer;
  }

  /** The managed node groups' role: brought (`nodeRoleArn`, left as it is), or made here with its policies. */
  private nodeRole(props: ClusterProps): OwnedRole {
    if (props.nodeRoleArn !== undefined) return { arn: props.nodeRoleArn, dependables: [] };
    const role = new IamRole(this, 'node-role', {
      name: `${this.name}-eks-node`,
      assumeRolePolicy: trustPolicy('ec2.amazonaws.com', ['sts:AssumeRole']),
      tags: this.tagged(`${this.name}-eks-node`),
    });
    // The CNI policy is not here: vpc-cni gets it through Pod Identity, so other pods cannot borrow it.
    // Pull-only is the narrower successor of AmazonEC2ContainerRegistryReadOnly (no describe/list).
    const policies = ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryPullOnly', 'AmazonSSMManagedInstanceCore'].map(
      (policy) => new IamRolePolicyAttachment(this, `node-${policy}`, { role: role.name, policyArn: this.managedPolicyArn(policy) }),
    );
    return { arn: role.arn, role, dependables: policies };
  }

  /**
   * The managed add-ons (planManagedAddons); returns those that node groups wait for. The others
   * wait for the node groups that can run them (addManagedNodeGroup).
   */
  private managedAddons(props: ClusterProps): EksAddon[] {
    const addons = new Map<ManagedAddon, EksAddon>();
    const beforeNodes: EksAddon[] = [];
    for (const plan of planManagedAddons(props.addonVersions)) {
      const dependsOn: ITerraformDependable[] = [];
      const iam = plan.podIdentity;
      if (iam) dependsOn.push(this.podIdentity(plan.name, iam.serviceAccount, this.managedPolicyArn(iam.policy)));
      for (const first of plan.after) dependsOn.push(addons.get(first) as EksAddon);
      const addon = new EksAddon(this, `addon-${plan.name}`, {
        clusterName: this.eksCluster.name,
        addonName: plan.name,
        addonVersion: plan.version,
        configurationValues: plan.configurationValues,
        // EKS owns these add-ons' configuration; a kubectl edit must not block an upgrade.
        resolveConflictsOnCreate: 'OVERWRITE',
        resolveConflictsOnUpdate: 'OVERWRITE',
        tags: this.tags,
        dependsOn: dependsOn.length ? dependsOn : undefined,
      });
      addons.set(plan.name, addon);
      if (plan.beforeNodes) beforeNodes.push(addon);
      else this.addonsAfterNodes.push(addon);
    }
    return beforeNodes;
  }

  /** Risky but legal choices, each a warning with a stable id (risk-warnings.ts). */
  private warnAboutRisks(props: ClusterProps, publicCidrs: readonly string[]): void {
    if (publicCidrs.some((cidr) => toCidr(cidr)?.prefix === 0)) {
      warnRisk(this, 'modelserve:public-endpoint-anywhere', 'the Kubernetes API endpoint is open to the whole internet (0.0.0.0/0): only authentication stands between it and every scanner');
    }
    if (props.supportType === 'EXTENDED') {
      warnRisk(this, 'modelserve:extended-support', 'upgrade_policy is EXTENDED: past standard support the cluster stays on its version at six times the hourly price of standard support');
    }
  }

  /** The node pools as plain data: the managed node groups', then Karpenter's. */
  public get nodePoolSpecs(): readonly NodePoolSpec[] {
    return [...this.managedNodeGroups.map((p) => p.spec), ...this.karpenterPools];
  }

  /**
   * Records a pool that Karpenter provisions (its NodePool and EC2NodeClass are Kubernetes objects,
   * written by the serving side's KarpenterNodePools): the add-ons read it (GPU drivers, limits).
   * Needs `capacity: Capacity.karpenter()`.
   */
  public addKarpenterPool(spec: NodePoolSpec): void {
    const check = new PropsValidator(this.node.path);
    check.that(this.capacity.kind === 'karpenter', 'capacity', this.capacity.kind, `does not provision pools with Karpenter, so pool "${spec?.name}" would never get a node`, 'set capacity: Capacity.karpenter(), or add the pool with addManagedNodeGroup');
    validateNodePoolSpec(spec, `${this.node.path}/karpenter-pool-${spec?.name}`);
    check.that(!this.nodePoolSpecs.some((p) => p.name === spec.name), 'nodePools', spec.name, 'names a node pool twice', 'give each pool its own name (NodePools.*({ name }))');
    this.karpenterPools.push(spec);
  }

  /**
   * What a resource that calls the cluster's API from this stack must wait for: the cluster, its
   * access entries and its managed add-ons (which wait for the node pools that can run them).
   */
  public get ready(): readonly ITerraformDependable[] {
    return [this.eksCluster, ...this.accessGrants, ...this.addonsAfterNodes];
  }

  /**
   * Grants `principalArn` (an IAM role or user, not a session) cluster-admin through an EKS access
   * entry; returns the policy association, which depends on the entry. What calls the cluster's
   * API from this stack waits for it (`ready`).
   */
  public grantClusterAdmin(id: string, principalArn: string, count?: number): EksAccessPolicyAssociation {
    const association = grantClusterAdminAccess(this, id, { clusterName: this.eksCluster.name, principalArn, count, tags: this.tags });
    this.accessGrants.push(association);
    return association;
  }

  /**
   * Adds an EKS managed node group for `spec`. coredns and the EBS CSI controller wait for it when
   * they can run on it (untainted, with nodes from the start): a GPU or spot pool that fails to
   * launch must not hold up the add-ons every workload needs.
   */
  public addManagedNodeGroup(spec: NodePoolSpec): ManagedNodeGroup {
    const check = new PropsValidator(this.node.path);
    check.that(!this.nodePoolSpecs.some((p) => p.name === spec?.name), 'nodePools', spec?.name, 'names a node pool twice', 'give each pool its own name (NodePools.*({ name }))');
    // The id keeps its old name: changing it would replace every node group of a deployed cluster.
    const pool = new ManagedNodeGroup(this, `node-pool-${spec?.name}`, {
      spec,
      clusterName: this.name,
      nodeRoleArn: this.nodeRoleArn,
      subnetIds: this.subnetIds,
      kubernetesVersion: this.kubernetesVersion,
      dependsOn: this.nodeDependencies,
      tags: this.tags,
    });
    if (spec.taints.length === 0 && spec.desiredSize >= 1) {
      for (const addon of this.addonsAfterNodes) addon.dependsOn = [...(addon.dependsOn ?? []), dependable(pool.nodeGroup)];
    }
    this.managedNodeGroups.push(pool);
    return pool;
  }

  /** @deprecated Renamed `addManagedNodeGroup` in 0.2.0; this alias goes in 0.3.0. */
  public addNodePool(spec: NodePoolSpec): ManagedNodeGroup {
    return this.addManagedNodeGroup(spec);
  }

  /** @deprecated Renamed `managedNodeGroups` in 0.2.0; this alias goes in 0.3.0. */
  public get nodePools(): ManagedNodeGroup[] {
    return this.managedNodeGroups;
  }

  /** A role for one add-on's service account in kube-system, assumed through EKS Pod Identity. */
  private podIdentity(addonName: string, serviceAccount: string, policyArn: string): EksPodIdentityAssociation {
    const role = new IamRole(this, `${addonName}-role`, {
      name: `${this.name}-${addonName}`,
      assumeRolePolicy: podIdentityTrustPolicy({ clusterArn: this.eksCluster.arn, namespace: 'kube-system', serviceAccount }),
      tags: { ...this.tags, Name: `${this.name}-${addonName}` },
    });
    const attachment = new IamRolePolicyAttachment(this, `${addonName}-policy`, { role: role.name, policyArn });
    return new EksPodIdentityAssociation(this, `${addonName}-pod-identity`, {
      clusterName: this.eksCluster.name,
      namespace: 'kube-system',
      serviceAccount,
      roleArn: role.arn,
      tags: this.tags,
      dependsOn: [attachment],
    });
  }
}

/** Kubernetes Secrets' envelope encryption, as the EKS user guide lists it for the cluster role. */
const SECRETS_KEY_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'];

/** A role the cluster uses: `role` when made here; a brought one is known by its ARN only. */
interface OwnedRole {
  readonly arn: string;
  readonly role?: IamRole;
  /** What must exist before the role is used (its policies), when made here. */
  readonly dependables: ITerraformDependable[];
}

/** What the EKS cluster is made with: its role, the key of its Secrets, and what must exist first. */
interface ControlPlaneParts {
  readonly roleArn: string;
  readonly secretsKeyArn: string;
  readonly dependsOn: ITerraformDependable[];
}

function trustPolicy(service: string, actions: string[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: actions }] });
}

function validateClusterProps(path: string, props: ClusterProps, day: string): void {
  const check: PropsValidator = new PropsValidator(path);
  validateEnvironment(check, props.environment);
  validateTags(check, 'tags', props.tags);
  check.that(
    typeof props.name === 'string' && CLUSTER_NAME.test(props.name) && props.name.length <= MAX_CLUSTER_NAME,
    'name',
    props.name,
    `is not a valid cluster name: letters, digits, "-" and "_", starting with a letter or digit, at most ${MAX_CLUSTER_NAME} characters (the IAM role and node group names add suffixes)`,
    'rename it, e.g. "modelserve-prod"',
  );
  // A token list (Fn.*, a data source) has an unknown length until apply.
  check.that(Array.isArray(props.subnetIds) && (props.subnetIds.length >= 2 || Token.isUnresolved(props.subnetIds)), 'subnetIds', props.subnetIds, 'must list subnets in at least two availability zones', 'pass the private subnets of the Network (privateSubnetIds)');
  if (!Token.isUnresolved(props.subnetIds)) validateEc2Ids(check, 'subnetIds', props.subnetIds, 'subnet');

  validateKubernetesVersion(check, props.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION, props.supportType ?? 'STANDARD', day);

  const publicCidrs = props.publicEndpointCidrs ?? [];
  check.that(publicCidrs.length <= 40, 'publicEndpointCidrs', publicCidrs.length, 'exceeds the 40 CIDRs EKS allows', 'merge ranges');
  publicCidrs.forEach((cidr, i) => {
    checkCidr(check, `publicEndpointCidrs[${i}]`, cidr);
    check.that(
      toCidr(cidr)?.prefix !== 0 || props.allowPublicEndpointFromAnywhere === true,
      `publicEndpointCidrs[${i}]`,
      cidr,
      'opens the Kubernetes API to the whole internet',
      'list your office, VPN or CI egress ranges, or set allowPublicEndpointFromAnywhere: true if that is really meant',
    );
  });
  (props.privateEndpointCidrs ?? []).forEach((cidr, i) => checkCidr(check, `privateEndpointCidrs[${i}]`, cidr));

  (props.adminPrincipalArns ?? []).forEach((arn, i) => validateAccessEntryPrincipalArn(check, `adminPrincipalArns[${i}]`, arn));
  const admins = props.adminPrincipalArns ?? [];
  check.that(new Set(admins).size === admins.length, 'adminPrincipalArns', admins, 'lists a principal twice', 'list each principal once');

  for (const addon of Object.keys(props.addonVersions ?? {})) check.oneOf('addonVersions', addon, MANAGED_ADDONS);
  validateLogRetention(check, 'logRetentionDays', props.logRetentionDays);
  validateBroughtIam(check, props);
}

/** Keys and roles brought from elsewhere: the right kind of object and ARN, checked before anything is made. */
function validateBroughtIam(check: PropsValidator, props: ClusterProps): void {
  validateEncryptionKeyProp(check, 'logEncryptionKey', props.logEncryptionKey);
  validateEncryptionKeyProp(check, 'secretsEncryptionKey', props.secretsEncryptionKey);
  if (props.clusterRoleArn !== undefined) validateIamRoleArn(check, 'clusterRoleArn', props.clusterRoleArn);
  if (props.nodeRoleArn !== undefined) validateIamRoleArn(check, 'nodeRoleArn', props.nodeRoleArn);
  if (props.permissionsBoundaryArn !== undefined) validateIamPolicyArn(check, 'permissionsBoundaryArn', props.permissionsBoundaryArn);
}

/** `10-0-0-0-8` for `10.0.0.0/8`; the position only for a token, whose value is unknown here. */
function cidrId(cidr: string, index: number): string {
  return Token.isUnresolved(cidr) ? String(index) : (canonicalCidr(cidr) ?? cidr).replace(/[./]/g, '-');
}

function checkCidr(check: PropsValidator, field: string, cidr: string): void {
  if (toCidr(cidr)) return;
  const canonical = canonicalCidr(cidr);
  check.fail(field, cidr, canonical ? 'has host bits set' : 'is not a valid IPv4 CIDR', canonical ? `use ${canonical}` : 'write it as a.b.c.d/prefix, e.g. 203.0.113.0/24');
}
