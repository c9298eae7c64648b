/** EKS managed add-ons the cluster installs. */
export const MANAGED_ADDONS = ['eks-pod-identity-agent', 'vpc-cni', 'kube-proxy', 'coredns', 'aws-ebs-csi-driver'] as const;
export type ManagedAddon = (typeof MANAGED_ADDONS)[number];
/** DaemonSets that nodes need to become Ready: installed before any node group. */
const ADDONS_BEFORE_NODES: readonly ManagedAddon[] = ['eks-pod-identity-agent', 'vpc-cni', 'kube-proxy'];

/** Add-ons whose service account gets an IAM role through EKS Pod Identity. */
const ADDON_IAM: Partial<Record<ManagedAddon, AddonPodIdentity>> = {
  'vpc-cni': { serviceAccount: 'aws-node', policy: 'AmazonEKS_CNI_Policy' },
  'aws-ebs-csi-driver': { serviceAccount: 'ebs-csi-controller-sa', policy: 'AmazonEBSCSIDriverPolicy' },
};

/**
 * Add-on configuration values. vpc-cni enforces NetworkPolicy only when asked (opt-in: without it
 * every policy the serving side emits is inert): https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html
 * Standard enforcing mode: a new pod is open until its policies are programmed, a few seconds;
 * the strict mode closes that window but also denies every pod no policy selects, cluster-wide.
 */
export const ADDON_CONFIGURATION: Partial<Record<ManagedAddon, Readonly<Record<string, unknown>>>> = {
  'vpc-cni': { enableNetworkPolicy: 'true' },
};

/** The role an add-on's service account in kube-system gets: the AWS managed policy of that name. */
export interface AddonPodIdentity {
  readonly serviceAccount: string;
  readonly policy: string;
}

/** How the cluster installs one managed add-on. */
export interface ManagedAddonPlan {
  readonly name: ManagedAddon;
  /** @default - the version EKS makes default for the cluster's Kubernetes version */
  readonly version?: string;
  /** JSON configuration values (ADDON_CONFIGURATION), when the add-on has any. */
  readonly configurationValues?: string;
  readonly podIdentity?: AddonPodIdentity;
  /** Add-ons that must be running first. */
  readonly after: readonly ManagedAddon[];
  /** A DaemonSet nodes need to become Ready, installed before any node group; the others wait for a node group that can run them. */
  readonly beforeNodes: boolean;
}

/** The managed add-ons in install order, with the versions the user pinned. */
export function planManagedAddons(versions: Partial<Record<ManagedAddon, string>> | undefined): ManagedAddonPlan[] {
  return MANAGED_ADDONS.map((name) => ({
    name,
    version: versions?.[name],
    configurationValues: ADDON_CONFIGURATION[name] ? JSON.stringify(ADDON_CONFIGURATION[name]) : undefined,
    podIdentity: ADDON_IAM[name],
    // vpc-cni asks the agent for its credentials.
    after: name === 'vpc-cni' ? ['eks-pod-identity-agent'] : [],
    beforeNodes: ADDONS_BEFORE_NODES.includes(name),
  }));
}
