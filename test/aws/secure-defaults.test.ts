// The secure defaults, checked over the whole synthesized production example rather than construct
// by construct: every resource of each type, so that a new resource that forgets one is caught.
import { Testing } from 'cdktf';
import { productionStacks } from '../../examples/platform/production';
import { PRODUCTION_CAPACITY, PRODUCTION_NODE_POOLS } from '../../examples/node-pools';
import { DEPLOYER_CIDRS } from '../../examples/platform/deployer';

type Json = any;
// Both stacks of the environment: the platform and its add-ons.
const [platformStack, addonsStack] = productionStacks(Testing.app());
const stacks: Json[] = [platformStack, addonsStack].map((stack) => JSON.parse(Testing.synth(stack)));
const [out, addonsOut] = stacks;
const MANAGED_POOLS = PRODUCTION_CAPACITY.managedPools(PRODUCTION_NODE_POOLS);
const all = (type: string): Json[] => stacks.flatMap((out) => Object.values(out.resource?.[type] ?? {}));
const policies = (): Json[] => [
  ...all('aws_iam_role_policy').map((p) => JSON.parse(p.policy)),
  ...all('aws_iam_policy').map((p) => JSON.parse(p.policy)),
];

describe('production example: encryption at rest', () => {
  test('the database is encrypted with a customer key and not public', () => {
    for (const db of all('aws_db_instance')) {
      expect(db).toMatchObject({ storage_encrypted: true, publicly_accessible: false, multi_az: true, deletion_protection: true, iam_database_authentication_enabled: true, manage_master_user_password: true });
      expect(db.kms_key_id).toMatch(/aws_kms_key/);
      expect(db.password).toBeUndefined();
    }
  });

  test('the cache encrypts at rest and in transit and fails over', () => {
    for (const cache of all('aws_elasticache_replication_group')) {
      // provider-aws 21 types at_rest_encryption_enabled as a string.
      expect(String(cache.at_rest_encryption_enabled)).toBe('true');
      expect(cache).toMatchObject({ transit_encryption_enabled: true, automatic_failover_enabled: true });
      expect(cache.kms_key_id).toMatch(/aws_kms_key/);
    }
  });

  test('every bucket blocks public access and encrypts with KMS', () => {
    expect(all('aws_s3_bucket_public_access_block').length).toBe(all('aws_s3_bucket').length);
    for (const block of all('aws_s3_bucket_public_access_block')) {
      expect(block).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    }
    for (const sse of all('aws_s3_bucket_server_side_encryption_configuration')) {
      expect(sse.rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe('aws:kms');
    }
    for (const policy of all('aws_s3_bucket_policy').map((p) => JSON.parse(p.policy))) {
      expect(policy.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    }
  });

  test('every log group has a retention and a KMS key; every KMS key rotates', () => {
    expect(all('aws_cloudwatch_log_group').length).toBeGreaterThan(0);
    for (const group of all('aws_cloudwatch_log_group')) {
      expect(group.retention_in_days).toBe(90);
      expect(group.kms_key_id).toMatch(/aws_kms_key/);
    }
    for (const key of all('aws_kms_key')) expect(key.enable_key_rotation).toBe(true);
  });

  test('secrets, topics and images are encrypted with customer keys', () => {
    for (const secret of all('aws_secretsmanager_secret')) expect(secret.kms_key_id).toMatch(/aws_kms_key/);
    for (const topic of all('aws_sns_topic')) expect(topic.kms_master_key_id).toMatch(/aws_kms_key/);
    for (const repo of all('aws_ecr_repository')) {
      expect(repo).toMatchObject({ image_tag_mutability: 'IMMUTABLE', image_scanning_configuration: { scan_on_push: true }, encryption_configuration: [{ encryption_type: 'KMS' }] });
    }
    for (const cluster of all('aws_eks_cluster')) expect(cluster.encryption_config.resources).toEqual(['secrets']);
  });
});

describe('production example: nothing public that need not be', () => {
  test('the cluster endpoint is private, public only to the deployers\' CIDRs, and every control-plane log is on', () => {
    const [cluster] = all('aws_eks_cluster');
    expect(cluster.vpc_config).toMatchObject({ endpoint_private_access: true, endpoint_public_access: true, public_access_cidrs: DEPLOYER_CIDRS });
    expect(cluster.vpc_config.public_access_cidrs).not.toContain('0.0.0.0/0');
    expect([...cluster.enabled_cluster_log_types].sort()).toEqual(['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']);
    expect(cluster.access_config.authentication_mode).toBe('API');
  });

  test('no security group admits the internet', () => {
    for (const rule of all('aws_vpc_security_group_ingress_rule')) {
      expect(rule.cidr_ipv4).not.toBe('0.0.0.0/0');
      expect(rule.cidr_ipv6).toBeUndefined();
    }
    for (const group of all('aws_security_group')) {
      for (const rule of group.ingress ?? []) expect(rule.cidr_blocks ?? []).not.toContain('0.0.0.0/0');
    }
    const [defaultGroup] = all('aws_default_security_group');
    expect(defaultGroup.ingress ?? []).toEqual([]);
    expect(defaultGroup.egress ?? []).toEqual([]);
  });

  test('no subnet gives instances public addresses; flow logs record the VPC', () => {
    for (const subnet of all('aws_subnet')) expect(subnet.map_public_ip_on_launch ?? false).toBe(false);
    expect(all('aws_flow_log')).toHaveLength(1);
    expect(all('aws_flow_log')[0].traffic_type).toBe('ALL');
  });

  test('every managed node requires IMDSv2 and an encrypted gp3 root volume (Karpenter\'s EC2NodeClasses: test/k8s/karpenter-node-pools)', () => {
    const templates = all('aws_launch_template');
    expect(templates).toHaveLength(MANAGED_POOLS.length);
    for (const template of templates) {
      expect(template.metadata_options).toMatchObject({ http_tokens: 'required', http_endpoint: 'enabled' });
      for (const device of template.block_device_mappings) expect(device.ebs).toMatchObject({ encrypted: 'true', volume_type: 'gp3' });
    }
  });
});

describe('production example: least privilege', () => {
  test('no inline IAM policy grants every action or every action of a service on every resource', () => {
    for (const policy of policies()) {
      for (const statement of [policy.Statement].flat()) {
        const actions = [statement.Action].flat();
        expect(actions).not.toContain('*');
        if (statement.Resource === '*' || (Array.isArray(statement.Resource) && statement.Resource.includes('*'))) {
          for (const action of actions) expect(action).not.toMatch(/:\*$/);
        }
      }
    }
  });

  test('pod identities are trusted by EKS Pod Identity only, and managed policies are AWS\'s narrow ones', () => {
    const trusts = all('aws_iam_role').map((r) => JSON.parse(r.assume_role_policy));
    for (const trust of trusts) {
      for (const statement of trust.Statement) {
        expect(statement.Principal.AWS).toBeUndefined();
      }
    }
    const attached = all('aws_iam_role_policy_attachment').map((a) => a.policy_arn as string);
    for (const arn of attached) expect(arn).not.toMatch(/AdministratorAccess|PowerUserAccess|FullAccess/);
  });

  test('managed node groups are the shared specs Karpenter does not provision: the controllers\' pool and the time-sliced T4s on the NVIDIA AMI', () => {
    const groups = all('aws_eks_node_group');
    expect(groups.map((g) => g.labels['modelserve.io/node-pool'])).toEqual(MANAGED_POOLS.map((p) => p.name));
    expect(MANAGED_POOLS.map((p) => p.name)).toEqual(['general', 'gpu-t4-shared']);
    const gpu = groups.filter((g) => g.ami_type === 'AL2023_x86_64_NVIDIA');
    expect(gpu.map((g) => g.labels['modelserve.io/gpu-model'])).toEqual(['T4']);
    for (const g of gpu) expect(g.taint).toContainEqual({ key: 'nvidia.com/gpu', value: 'true', effect: 'NO_SCHEDULE' });
    // Karpenter's nodes join through the EC2_LINUX access entry of its node role.
    expect(all('aws_eks_access_entry').filter((e) => e.type === 'EC2_LINUX')).toHaveLength(1);
  });
});

describe('production example: cluster add-ons', () => {
  const releases = all('helm_release');
  const addonRoles = Object.entries(addonsOut.resource.aws_iam_role as Record<string, Json>).filter(([key]) => key.startsWith('addons_')).map(([, role]) => role);

  // Every Pod Identity role, the cluster's own (vpc-cni, EBS CSI) and the add-ons', trusts exactly
  // the service account its association binds it to, through the session tags EKS documents
  // (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html, pod-id-abac.html).
  test('every Pod Identity role is assumable only for the service account and namespace its association names', () => {
    expect(addonRoles.map((r) => r.name).sort()).toEqual(['modelserve-prod-cluster-autoscaler', 'modelserve-prod-karpenter', 'modelserve-prod-lb-controller', 'modelserve-prod-loki']);
    const roles: Record<string, Json> = { ...out.resource.aws_iam_role, ...addonsOut.resource.aws_iam_role };
    const associations = all('aws_eks_pod_identity_association');
    expect(associations.length).toBeGreaterThanOrEqual(addonRoles.length + 2);
    for (const association of associations) {
      const roleKey = /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(association.role_arn)?.[1] as string;
      const [statement] = JSON.parse(roles[roleKey].assume_role_policy).Statement;
      expect(statement.Principal).toEqual({ Service: 'pods.eks.amazonaws.com' });
      expect(statement.Condition).toEqual({
        StringEquals: {
          // The add-ons' stack names the cluster it reads by name.
          'aws:RequestTag/eks-cluster-arn': expect.stringMatching(/^(\$\{aws_eks_cluster\.platform_cluster_\w+\.arn\}|arn:.*:eks:.*:cluster\/(\$\{aws_eks_cluster\.platform_cluster_\w+\.name\}|modelserve-prod))$/),
          'aws:RequestTag/kubernetes-namespace': association.namespace,
          'aws:RequestTag/kubernetes-service-account': association.service_account,
        },
      });
    }
  });

  test('every Helm chart is pinned to an exact version and rolled back on failure', () => {
    expect(releases.length).toBeGreaterThanOrEqual(14);
    for (const release of releases) {
      expect(release.version).toMatch(/^v?\d+\.\d+\.\d+$/);
      expect(release).toMatchObject({ atomic: true, cleanup_on_fail: true, create_namespace: false });
    }
  });

  test('the add-ons are in a stack of their own, applied after the platform, reading the cluster at plan time', () => {
    // Kubernetes provider docs: configuring it from a cluster created in the same apply gives
    // intermittent errors (https://registry.terraform.io/providers/hashicorp/kubernetes/latest/docs#stacking-with-managed-kubernetes-cluster-resources).
    expect(out.resource.helm_release).toBeUndefined();
    expect(Object.keys(addonsOut.resource.helm_release).length).toBe(releases.length);
    expect(addonsStack.dependencies).toEqual([platformStack]);
    expect(Object.values(addonsOut.data.aws_eks_cluster)).toEqual([expect.objectContaining({ name: 'modelserve-prod' })]);
    // No cross-stack reference: cdktf would pass one through terraform_remote_state.
    expect(addonsOut.data.terraform_remote_state).toBeUndefined();
    expect(addonsOut.provider.helm[0].kubernetes.host).toMatch(/^\$\{data\.aws_eks_cluster\./);
  });

  test('add-on namespaces enforce Pod Security; privileged only where a node agent needs the host', () => {
    const levels = Object.fromEntries(all('kubernetes_namespace_v1').map((ns) => [ns.metadata.name, ns.metadata.labels['pod-security.kubernetes.io/enforce']]));
    expect(levels).toEqual({
      'argo': 'baseline', 'argo-rollouts': 'baseline', 'gpu-operator': 'privileged', 'istio-ingress': 'baseline', 'istio-system': 'baseline',
      'keda': 'baseline', 'logging': 'privileged', 'monitoring': 'privileged', 'vpa': 'baseline',
    });
    for (const ns of all('kubernetes_namespace_v1')) expect(ns.metadata.labels['pod-security.kubernetes.io/warn']).toBe('restricted');
  });

  test('nothing public: the ingress NLB is internal, the Argo server uses the caller\'s token, the Rollouts dashboard is off', () => {
    const values = (name: string) => JSON.parse(releases.find((r) => r.name === name).values[0]);
    expect(values('istio-ingressgateway').service.annotations['service.beta.kubernetes.io/aws-load-balancer-scheme']).toBe('internal');
    expect(values('argo-workflows').server).toMatchObject({ authModes: ['client'], serviceType: 'ClusterIP' });
    expect(values('argo-rollouts').dashboard.enabled).toBe(false);
  });

  test('the Grafana admin password is write-only: neither in the plan nor in the state', () => {
    const [secret] = all('kubernetes_secret_v1');
    expect(secret.data).toBeUndefined();
    expect(secret.data_wo['admin-password']).toBe('${uuid()}');
  });
});
