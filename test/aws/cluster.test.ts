import { TerraformStack, Testing, Token } from 'cdktf';
import { EnvironmentName, NodePools } from '../../lib/catalog';
import { Cluster, ClusterProps } from '../../lib/aws/cluster';
import { SYNTH_DAY_CONTEXT } from '../../lib/aws/synth-day';
import { KubernetesVersion } from '../../lib/catalog/eks-versions';
import { expectRejectedBeforeSynth } from '../support/aws-stack';

type Json = any;
const base: ClusterProps = { name: 'modelserve', environment: 'production', subnetIds: ['subnet-0a0a0a0a', 'subnet-0b0b0b0b', 'subnet-0c0c0c0c'] };

function build(props: Partial<ClusterProps> = {}, pools = [NodePools.general()]): Json {
  const stack = new TerraformStack(Testing.app(), 'test');
  const cluster = new Cluster(stack, 'eks', { ...base, ...props });
  pools.forEach((p) => cluster.addManagedNodeGroup(p));
  return JSON.parse(Testing.synth(stack));
}
const all = (out: Json, type: string): Json[] => Object.values(out.resource[type] ?? {});
const only = (out: Json, type: string): Json => {
  const found = all(out, type);
  expect(found).toHaveLength(1);
  return found[0];
};
const keyOf = (out: Json, ref: string): Json => out.resource.aws_kms_key[ref.match(/aws_kms_key\.([^.]+)\./)?.[1] as string];

const expectRejected = (props: Partial<ClusterProps>, message: string): void => expectRejectedBeforeSynth((stack) => new Cluster(stack, 'eks', { ...base, ...props }), message);
/** As expectRejected, with the calendar checks made on `day`. */
const expectRejectedOn = (day: string, props: Partial<ClusterProps>, message: string | RegExp): void =>
  expectRejectedBeforeSynth((stack) => new Cluster(stack, 'eks', { ...base, ...props }), message, { stack: (app) => {
    app.node.setContext(SYNTH_DAY_CONTEXT, day);
    return new TerraformStack(app, 'test');
  } });
function clusterOn(day: string, props: Partial<ClusterProps>): Json {
  const app = Testing.app();
  app.node.setContext(SYNTH_DAY_CONTEXT, day);
  const stack = new TerraformStack(app, 'test');
  new Cluster(stack, 'eks', { ...base, ...props }).addNodePool(NodePools.general());
  return only(JSON.parse(Testing.synth(stack)), 'aws_eks_cluster');
}

describe('Cluster defaults', () => {
  const out = build({ adminPrincipalArns: ['arn:aws:iam::123456789012:role/PlatformAdmin'] });
  const cluster = only(out, 'aws_eks_cluster');

  test('Kubernetes 1.35 with a private endpoint only', () => {
    expect(cluster.version).toBe('1.35');
    expect(cluster.vpc_config).toMatchObject({ endpoint_private_access: true, endpoint_public_access: false });
    expect(cluster.vpc_config.public_access_cidrs).toBeUndefined();
  });

  test('all control-plane log types into /aws/eks/<name>/cluster, encrypted, with the preset retention, created first', () => {
    expect(cluster.enabled_cluster_log_types).toEqual(['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']);
    const group = only(out, 'aws_cloudwatch_log_group');
    expect(group).toMatchObject({ name: '/aws/eks/modelserve/cluster', retention_in_days: 90 });
    expect(keyOf(out, group.kms_key_id).enable_key_rotation).toBe(true);
    expect(cluster.depends_on).toContainEqual(expect.stringMatching(/^aws_cloudwatch_log_group\./));
  });

  test('Secrets are envelope-encrypted with a rotating key the cluster role may use', () => {
    expect(cluster.encryption_config.resources).toEqual(['secrets']);
    const keyRef = cluster.encryption_config.provider.key_arn;
    expect(keyOf(out, keyRef).enable_key_rotation).toBe(true);
    const grant = JSON.parse(only(out, 'aws_iam_role_policy').policy).Statement[0];
    expect(grant.Resource).toBe(keyRef);
  });

  test('API authentication, no implicit creator admin, an access entry per admin with cluster-admin', () => {
    expect(cluster.access_config).toEqual({ authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: false });
    const admin = (type: string) => all(out, type).find((r) => r.principal_arn === 'arn:aws:iam::123456789012:role/PlatformAdmin');
    expect(admin('aws_eks_access_entry')).toMatchObject({ type: 'STANDARD' });
    expect(admin('aws_eks_access_policy_association')).toMatchObject({
      policy_arn: expect.stringMatching(/:eks::aws:cluster-access-policy\/AmazonEKSClusterAdminPolicy$/),
      access_scope: { type: 'cluster' },
    });
  });

  test('whoever runs cdktf deploy gets cluster-admin, once, as the role behind the session', () => {
    // Access entries take an IAM role ARN, not an sts assumed-role session ARN
    // (https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html); the session
    // context data source maps one to the other, as terraform-aws-modules/eks does for
    // enable_cluster_creator_admin_permissions.
    const [session] = Object.entries(out.data.aws_iam_session_context as Record<string, Json>);
    expect(session[1].arn).toMatch(/^\$\{data\.aws_caller_identity\.[\w-]+\.arn\}$/);
    const issuer = `data.aws_iam_session_context.${session[0]}.issuer_arn`;
    // A second entry for a principal that is already listed would fail the apply.
    const count = `\${contains(["arn:aws:iam::123456789012:role/PlatformAdmin"], ${issuer}) ? 0 : 1}`;
    const deployer = (type: string) => all(out, type).find((r) => r.principal_arn === `\${${issuer}}`);
    expect(deployer('aws_eks_access_entry')).toMatchObject({ count, type: 'STANDARD' });
    expect(deployer('aws_eks_access_policy_association')).toMatchObject({ count, policy_arn: expect.stringMatching(/AmazonEKSClusterAdminPolicy$/) });
    const none = build({ adminPrincipalArns: ['arn:aws:iam::123456789012:role/PlatformAdmin'], grantDeployerClusterAdmin: false });
    expect(none.data?.aws_iam_session_context).toBeUndefined();
    expect(all(none, 'aws_eks_access_entry')).toHaveLength(1);
  });

  test('deletion protection from the production preset', () => {
    expect(cluster.deletion_protection).toBe(true);
    expect(only(build({ environment: 'development' }), 'aws_eks_cluster').deletion_protection).toBe(false);
  });

  test('an OIDC provider on the cluster issuer for IRSA', () => {
    expect(only(out, 'aws_iam_openid_connect_provider')).toMatchObject({
      client_id_list: ['sts.amazonaws.com'],
      url: expect.stringContaining('.identity[0].oidc[0].issuer'),
    });
  });

  test('the five managed add-ons, EKS-default versions, OVERWRITE on conflict', () => {
    const addons = all(out, 'aws_eks_addon');
    expect(addons.map((a) => a.addon_name).sort()).toEqual(['aws-ebs-csi-driver', 'coredns', 'eks-pod-identity-agent', 'kube-proxy', 'vpc-cni']);
    for (const a of addons) {
      expect(a).toMatchObject({ resolve_conflicts_on_create: 'OVERWRITE', resolve_conflicts_on_update: 'OVERWRITE' });
      expect(a.addon_version).toBeUndefined();
    }
  });

  test('vpc-cni enforces NetworkPolicy: enforcement is opt-in, and without it every policy of the serving namespaces is inert', () => {
    // https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html
    const addons = all(build(), 'aws_eks_addon');
    const cni = addons.find((a) => a.addon_name === 'vpc-cni');
    expect(JSON.parse(cni.configuration_values)).toEqual({ enableNetworkPolicy: 'true' });
    expect(addons.filter((a) => a.addon_name !== 'vpc-cni').every((a) => a.configuration_values === undefined)).toBe(true);
  });

  test('vpc-cni and the EBS CSI driver get their IAM through Pod Identity', () => {
    const associations = all(out, 'aws_eks_pod_identity_association');
    expect(associations.map((a) => [a.namespace, a.service_account]).sort()).toEqual([['kube-system', 'aws-node'], ['kube-system', 'ebs-csi-controller-sa']]);
    const roles = all(out, 'aws_iam_role').filter((r) => r.assume_role_policy.includes('pods.eks.amazonaws.com'));
    expect(roles).toHaveLength(2);
    for (const r of roles) expect(JSON.parse(r.assume_role_policy).Statement[0].Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
  });

  // EKS Pod Identity tags each session with the cluster ARN, namespace and service account, and a
  // trust policy scopes a role with conditions on those request tags; without them any association
  // in the account that names the role could assume it.
  // https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
  // https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html
  test('the vpc-cni and EBS CSI roles trust only their own service account in this cluster', () => {
    const conditions = all(out, 'aws_iam_role')
      .filter((r) => r.assume_role_policy.includes('pods.eks.amazonaws.com'))
      .map((r) => JSON.parse(r.assume_role_policy).Statement[0].Condition);
    const clusterArn = expect.stringMatching(/^\$\{aws_eks_cluster\.eks_cluster_\w+\.arn\}$/);
    expect(conditions).toEqual(expect.arrayContaining([
      { StringEquals: { 'aws:RequestTag/eks-cluster-arn': clusterArn, 'aws:RequestTag/kubernetes-namespace': 'kube-system', 'aws:RequestTag/kubernetes-service-account': 'aws-node' } },
      { StringEquals: { 'aws:RequestTag/eks-cluster-arn': clusterArn, 'aws:RequestTag/kubernetes-namespace': 'kube-system', 'aws:RequestTag/kubernetes-service-account': 'ebs-csi-controller-sa' } },
    ]));
    expect(JSON.stringify(conditions)).not.toContain('aws:SourceArn');
    const policies = all(out, 'aws_iam_role_policy_attachment').map((a) => a.policy_arn.split('/').pop());
    expect(policies).toEqual(expect.arrayContaining(['AmazonEKS_CNI_Policy', 'AmazonEBSCSIDriverPolicy', 'AmazonEKSClusterPolicy']));
  });

  test('the node role has worker, image pull and SSM policies, and not the CNI policy', () => {
    const nodeRole = Object.entries(out.resource.aws_iam_role as Record<string, Json>).find(([, r]) => r.assume_role_policy.includes('ec2.amazonaws.com'))?.[0];
    const policies = all(out, 'aws_iam_role_policy_attachment').filter((a) => a.role.includes(`${nodeRole}.name`)).map((a) => a.policy_arn.split('/').pop()).sort();
    expect(policies).toEqual(['AmazonEC2ContainerRegistryPullOnly', 'AmazonEKSWorkerNodePolicy', 'AmazonSSMManagedInstanceCore']);
  });

  test('node groups wait for the CNI; coredns and the EBS CSI controller wait for node groups', () => {
    const nodeGroup = only(out, 'aws_eks_node_group');
    const addonRef = (name: string) => `aws_eks_addon.${Object.entries(out.resource.aws_eks_addon as Record<string, Json>).find(([, a]) => a.addon_name === name)?.[0]}`;
    expect(nodeGroup.depends_on).toEqual(expect.arrayContaining([addonRef('vpc-cni'), addonRef('kube-proxy'), addonRef('eks-pod-identity-agent')]));
    const byName = (name: string) => all(out, 'aws_eks_addon').find((a) => a.addon_name === name);
    expect(byName('coredns').depends_on).toContainEqual(expect.stringMatching(/^aws_eks_node_group\./));
    expect(byName('aws-ebs-csi-driver').depends_on).toContainEqual(expect.stringMatching(/^aws_eks_node_group\./));
    expect(nodeGroup.node_group_name).toBe('modelserve-general');
    expect(nodeGroup.version).toBe('1.35');
  });

  test('coredns and the EBS CSI controller wait only for pools they can run on: a GPU pool that fails to launch holds up nothing', () => {
    const withGpu = build({}, [NodePools.general(), NodePools.gpu({ gpu: 'T4' }), NodePools.spot()]);
    const groupRef = (suffix: string) => `aws_eks_node_group.${Object.entries(withGpu.resource.aws_eks_node_group as Record<string, Json>).find(([, g]) => g.node_group_name === `modelserve-${suffix}`)?.[0]}`;
    for (const name of ['coredns', 'aws-ebs-csi-driver']) {
      const addon = all(withGpu, 'aws_eks_addon').find((a) => a.addon_name === name);
      expect(addon.depends_on).toContain(groupRef('general'));
      expect(addon.depends_on).not.toContain(groupRef('gpu-t4'));
      expect(addon.depends_on).not.toContain(groupRef('spot'));
    }
  });

  test('attributes for the next layer', () => {
    const stack = new TerraformStack(Testing.app(), 'attrs');
    const c = new Cluster(stack, 'eks', base);
    expect(c.kubernetesVersion).toBe('1.35');
    expect(c.updateKubeconfigCommand).toMatch(/^aws eks update-kubeconfig --region \$\{TfToken\[.*\]\} --name modelserve$/);
    for (const attr of [c.clusterName, c.clusterEndpoint, c.clusterCertificateAuthorityData, c.clusterSecurityGroupId, c.nodeRoleArn, c.oidcProviderArn, c.oidcIssuerUrl]) {
      expect(attr).toMatch(/TfToken/);
    }
  });
});

describe('Cluster options', () => {
  test('public endpoint restricted to given CIDRs', () => {
    const cluster = only(build({ publicEndpointCidrs: ['203.0.113.0/24'] }), 'aws_eks_cluster');
    expect(cluster.vpc_config).toMatchObject({ endpoint_private_access: true, endpoint_public_access: true, public_access_cidrs: ['203.0.113.0/24'] });
  });

  test('public endpoint from anywhere only when asked by name', () => {
    const cluster = only(build({ allowPublicEndpointFromAnywhere: true }), 'aws_eks_cluster');
    expect(cluster.vpc_config.public_access_cidrs).toEqual(['0.0.0.0/0']);
  });

  test('private endpoint CIDRs become 443 rules on the EKS cluster security group', () => {
    expect(only(build({ privateEndpointCidrs: ['10.100.0.0/16'] }), 'aws_vpc_security_group_ingress_rule')).toMatchObject({
      cidr_ipv4: '10.100.0.0/16',
      from_port: 443,
      to_port: 443,
      security_group_id: expect.stringContaining('.vpc_config[0].cluster_security_group_id'),
    });
  });

  // Construct ids are Terraform addresses: an id from the list position renames (destroys and
  // re-creates) every rule after a removed entry. An id from the CIDR touches only its own rule.
  test('removing the first of three private endpoint CIDRs changes only that rule\'s address', () => {
    const ids = (cidrs: string[]) => Object.keys(build({ privateEndpointCidrs: cidrs }).resource.aws_vpc_security_group_ingress_rule).sort();
    const before = ids(['10.100.0.0/16', '10.101.0.0/16', '192.168.0.0/24']);
    const after = ids(['10.101.0.0/16', '192.168.0.0/24']);
    expect(before.filter((id) => !after.includes(id))).toEqual([expect.stringMatching(/^eks_private-endpoint-access-10-100-0-0-16_/)]);
    expect(after.every((id) => before.includes(id))).toBe(true);
  });

  test('pinned add-on version and another Kubernetes version', () => {
    const out = build({ kubernetesVersion: '1.36', addonVersions: { 'vpc-cni': 'v1.20.4-eksbuild.1' } });
    expect(only(out, 'aws_eks_cluster').version).toBe('1.36');
    expect(all(out, 'aws_eks_addon').find((a) => a.addon_name === 'vpc-cni').addon_version).toBe('v1.20.4-eksbuild.1');
  });
});

// EKS's release calendar: 14 months of standard support, then 12 of extended support billed per
// cluster hour; an upgrade policy of STANDARD has EKS upgrade the control plane instead of billing.
// https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
// https://docs.aws.amazon.com/eks/latest/userguide/view-upgrade-policy.html
describe('Cluster versions against the EKS support calendar', () => {
  test('the upgrade policy is STANDARD unless extended support is asked for by name', () => {
    expect(clusterOn('2026-12-01', {}).upgrade_policy).toEqual({ support_type: 'STANDARD' });
    expect(clusterOn('2026-12-01', { supportType: 'EXTENDED' }).upgrade_policy).toEqual({ support_type: 'EXTENDED' });
  });

  test('1.34 is accepted on its last day of standard support, and refused the next day unless EXTENDED', () => {
    expect(clusterOn('2026-12-01', { kubernetesVersion: '1.34' }).version).toBe('1.34');
    expectRejectedOn(
      '2026-12-02',
      { kubernetesVersion: '1.34' },
      "test/eks: kubernetesVersion (\"1.34\") left EKS standard support on 2026-12-02, so the cluster would be billed for extended support (or upgraded by EKS under supportType STANDARD); upgrade to 1.35, 1.36, or set supportType: 'EXTENDED' to pay for extended support until 2027-12-02",
    );
    expect(clusterOn('2026-12-02', { kubernetesVersion: '1.34', supportType: 'EXTENDED' })).toMatchObject({ version: '1.34', upgrade_policy: { support_type: 'EXTENDED' } });
  });

  test('a version past extended support is refused even when EXTENDED is asked for', () => {
    expectRejectedOn(
      '2027-12-02',
      { kubernetesVersion: '1.34', supportType: 'EXTENDED' },
      'test/eks: kubernetesVersion ("1.34") reached the end of EKS extended support on 2027-12-02: EKS no longer creates it and upgrades existing control planes; upgrade to 1.35 (extended support), 1.36 (extended support)',
    );
  });

  test('the default leaves standard support on 2027-03-27: the synth says so from that day', () => {
    expect(clusterOn('2027-03-26', {}).version).toBe('1.35');
    expectRejectedOn('2027-03-27', {}, /^test\/eks: kubernetesVersion \("1.35"\) left EKS standard support on 2027-03-27/);
  });

  test('a support type EKS does not have, and a context day that is not a day', () => {
    expectRejectedOn('2026-12-01', { supportType: 'LONG' as 'STANDARD' }, 'test/eks: supportType ("LONG") is not supported; use one of "STANDARD", "EXTENDED"');
    expectRejectedOn('1 December', {}, 'test/eks: context["modelserve:today"] ("1 December") is not a day; write it as YYYY-MM-DD, or remove it to check against today');
  });
});

describe('Cluster rejects bad input before writing anything', () => {
  test('no environment, or one that is not a preset', () => {
    expectRejected({ environment: undefined as unknown as EnvironmentName }, 'test/eks: environment (not set) is required; use one of development, staging, production');
    expectRejected({ environment: 'prod' as EnvironmentName }, 'test/eks: environment ("prod") is not supported; use one of "development", "staging", "production"');
  });

  test('an unsupported Kubernetes version', () => {
    // A JavaScript caller, or a cast, gets past the type; the check still stops it.
    expectRejectedOn('2026-12-01', { kubernetesVersion: '1.29' as KubernetesVersion }, 'test/eks: kubernetesVersion ("1.29") is not a Kubernetes version the platform has an EKS calendar and add-on pins for; use one of 1.34, 1.35, 1.36');
  });

  test('a public endpoint open to 0.0.0.0/0', () => {
    expectRejected({ publicEndpointCidrs: ['0.0.0.0/0'] }, 'test/eks: publicEndpointCidrs[0] ("0.0.0.0/0") opens the Kubernetes API to the whole internet; list your office, VPN or CI egress ranges, or set allowPublicEndpointFromAnywhere: true if that is really meant');
  });

  test('an invalid public CIDR', () => {
    expectRejected({ publicEndpointCidrs: ['203.0.113.7/24'] }, 'test/eks: publicEndpointCidrs[0] ("203.0.113.7/24") has host bits set; use 203.0.113.0/24');
  });

  test('a cluster name EKS or the derived names would reject', () => {
    expectRejected({ name: 'model serve' }, 'test/eks: name ("model serve") is not a valid cluster name: letters, digits, "-" and "_", starting with a letter or digit, at most 40 characters (the IAM role and node group names add suffixes); rename it, e.g. "modelserve-prod"');
    expectRejected({ name: 'x'.repeat(41) }, `test/eks: name ("${'x'.repeat(41)}") is not a valid cluster name: letters, digits, "-" and "_", starting with a letter or digit, at most 40 characters (the IAM role and node group names add suffixes); rename it, e.g. "modelserve-prod"`);
  });

  test('an assumed-role session as admin', () => {
    expectRejected({ adminPrincipalArns: ['arn:aws:sts::123456789012:assumed-role/Admin/jane'] }, 'test/eks: adminPrincipalArns[0] ("arn:aws:sts::123456789012:assumed-role/Admin/jane") is a session of a role, which access entries do not accept; use the role\'s ARN: arn:aws:iam::<account>:role/<name>');
  });

  test('a token list of subnets passes: its length is unknown until apply', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    expect(() => new Cluster(stack, 'eks', { ...base, subnetIds: Token.asList('${var.subnets}') })).not.toThrow();
  });

  test('subnets in one AZ only', () => {
    expectRejected({ subnetIds: ['subnet-0a0a0a0a'] }, 'test/eks: subnetIds (["subnet-0a0a0a0a"]) must list subnets in at least two availability zones; pass the private subnets of the Network (privateSubnetIds)');
  });

  test('a node pool name given twice', () => {
    expectRejectedBeforeSynth((stack) => {
      const cluster = new Cluster(stack, 'eks', base);
      cluster.addNodePool(NodePools.general());
      cluster.addNodePool(NodePools.general());
    }, 'test/eks: nodePools ("general") names a node pool twice; give each pool its own name (NodePools.*({ name }))');
  });
});
