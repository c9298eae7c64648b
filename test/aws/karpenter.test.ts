import { App, S3Backend, TerraformStack, Testing } from 'cdktf';
import { Capacity, GpuSharing, NodePools, NodePoolSpec } from '../../lib/catalog';
import { PlatformAddons } from '../../lib/aws/addons/platform-addons';
import { PlatformAddonsProps } from '../../lib/aws/addons/platform-addons-props';
import { SpotInterruption } from '../../lib/aws/addons/spot-interruption';
import { Cluster } from '../../lib/aws/cluster';
import { ModelServePlatform, ModelServePlatformProps } from '../../lib/aws/model-serve-platform';
import { expectRejectedBeforeSynth, Json, policyOf } from '../support/aws-stack';

const POOLS: readonly NodePoolSpec[] = [
  NodePools.general(),
  NodePools.gpu({ gpu: 'A10G' }),
  NodePools.gpu({ gpu: 'T4', sharing: GpuSharing.timeSlicing({ replicasPerGpu: 4 }) }),
  NodePools.spot(),
];

function stacks(platformProps: Partial<ModelServePlatformProps> = {}, addonsProps: Partial<PlatformAddonsProps> = {}): { platform: Json; addons: Json } {
  const app = Testing.app();
  const platformStack = new TerraformStack(app, 'platform');
  new S3Backend(platformStack, { bucket: 'state', key: 'platform.tfstate', region: 'us-east-1' });
  const platform = new ModelServePlatform(platformStack, 'platform', {
    name: 'ml',
    environment: 'production',
    region: 'us-east-1',
    nodePools: POOLS,
    capacity: Capacity.karpenter(),
    cluster: { publicEndpointCidrs: ['198.51.100.0/24'] },
    database: false,
    cache: false,
    ...platformProps,
  });
  const addonsStack = new TerraformStack(app, 'addons');
  new S3Backend(addonsStack, { bucket: 'state', key: 'addons.tfstate', region: 'us-east-1' });
  new PlatformAddons(addonsStack, 'addons', { cluster: platform.cluster, logging: false, ...addonsProps });
  return { platform: JSON.parse(Testing.synth(platformStack)), addons: JSON.parse(Testing.synth(addonsStack)) };
}
const all = (out: Json, type: string): Json[] => Object.values(out.resource?.[type] ?? {});
const release = (out: Json, name: string): Json => all(out, 'helm_release').find((r) => r.name === name);
const values = (out: Json, name: string): Json => JSON.parse(release(out, name).values[0]);

describe('Capacity.karpenter() on the platform', () => {
  const { platform, addons } = stacks();

  test('managed node groups only for the controllers\' pool and the GPU-sharing pool', () => {
    expect(all(platform, 'aws_eks_node_group').map((g) => g.node_group_name).sort()).toEqual(['ml-prod-general', 'ml-prod-gpu-t4-shared']);
  });

  test('the node role Karpenter\'s EC2NodeClasses name, joined to the cluster by an EC2_LINUX access entry', () => {
    const role = all(platform, 'aws_iam_role').find((r) => r.name === 'ml-prod-karpenter-node');
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([{ Effect: 'Allow', Principal: { Service: expect.stringMatching(/^ec2\./) }, Action: ['sts:AssumeRole'] }]);
    const attached = all(platform, 'aws_iam_role_policy_attachment').filter((a) => a.role.includes('karpenter_node-role')).map((a) => a.policy_arn.split('/').pop()).sort();
    expect(attached).toEqual(['AmazonEC2ContainerRegistryPullOnly', 'AmazonEKSWorkerNodePolicy', 'AmazonSSMManagedInstanceCore']);
    // EKS: nodes' roles need an access entry of type EC2_LINUX, with no access policy
    // (https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html).
    const entry = all(platform, 'aws_eks_access_entry').find((e) => e.type === 'EC2_LINUX');
    expect(entry.principal_arn).toMatch(/karpenter_node-role_\w+\.arn\}$/);
    expect(all(platform, 'aws_eks_access_policy_association').filter((a) => a.principal_arn === entry.principal_arn)).toEqual([]);
  });

  test('Karpenter finds the private subnets and the cluster security group by its discovery tag', () => {
    const subnets = all(platform, 'aws_subnet');
    expect(subnets.filter((s) => s.tags['karpenter.sh/discovery'] === 'ml-prod').map((s) => s.tags['modelserve.io/subnet-tier'])).toEqual(['private', 'private', 'private']);
    expect(all(platform, 'aws_ec2_tag')).toEqual([expect.objectContaining({ key: 'karpenter.sh/discovery', value: 'ml-prod', resource_id: expect.stringMatching(/cluster_security_group_id/) })]);
  });

  test('the add-ons install the CRD chart, then the controller on the controllers\' nodes, with the cluster and its queue', () => {
    expect(release(addons, 'karpenter-crd')).toMatchObject({ repository: 'oci://public.ecr.aws/karpenter', chart: 'karpenter-crd', version: '1.14.1', namespace: 'kube-system' });
    const controller = release(addons, 'karpenter');
    expect(controller).toMatchObject({ chart: 'karpenter', version: '1.14.1', skip_crds: true });
    expect(controller.depends_on).toContainEqual(expect.stringMatching(/^helm_release\.addons_karpenter-crd_/));
    expect(values(addons, 'karpenter')).toMatchObject({
      replicas: 2,
      settings: { clusterName: 'ml-prod', interruptionQueue: 'ml-prod-karpenter' },
      nodeSelector: { 'kubernetes.io/os': 'linux', 'modelserve.io/capacity-type': 'on-demand' },
      serviceAccount: { create: true, name: 'karpenter' },
    });
  });

  test('the interruption queue gets spot, rebalance, state-change and scheduled-change events, not Auto Scaling\'s', () => {
    expect(all(addons, 'aws_sqs_queue').map((q) => q.name)).toEqual(['ml-prod-karpenter']);
    expect(all(addons, 'aws_cloudwatch_event_rule').map((r) => r.name).sort()).toEqual(['ml-prod-karpenter-rebalance', 'ml-prod-karpenter-scheduled-change', 'ml-prod-karpenter-spot-interruption', 'ml-prod-karpenter-state-change']);
  });

  test('the controller\'s role: no write action without a resource scope or a condition, the node role passed to EC2 only', () => {
    const role = all(addons, 'aws_iam_role').find((r) => r.name === 'ml-prod-karpenter');
    expect(role).toBeDefined();
    const policy = policyOf(all(addons, 'aws_iam_role_policy').find((p) => p.name === 'karpenter').policy);
    const reads = /^(ec2:Describe|iam:Get|pricing:Get|ssm:Get)/;
    for (const s of policy.Statement) {
      const onEverything = s.Resource === '*';
      if (onEverything && !s.Action.every((a: string) => reads.test(a))) expect({ sid: s.Sid, condition: s.Condition }).toEqual({ sid: s.Sid, condition: expect.any(Object) });
    }
    const pass = policy.Statement.find((s: Json) => s.Sid === 'AllowPassingInstanceRole');
    expect(pass.Resource).toEqual([expect.stringMatching(/:role\/ml-prod-karpenter-node$/)]);
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } });
    const terminate = policy.Statement.find((s: Json) => s.Sid === 'AllowScopedDeletion');
    expect(terminate.Condition.StringEquals).toEqual({ 'aws:ResourceTag/kubernetes.io/cluster/ml-prod': 'owned' });
  });

  test('the Cluster Autoscaler scales the managed node groups only; the GPU Operator serves every GPU pool', () => {
    const priorities = JSON.stringify(values(addons, 'cluster-autoscaler').expanderPriorities);
    expect(priorities).toContain('gpu-t4-shared');
    expect(priorities).not.toContain('gpu-a10g');
    expect(priorities).not.toContain('ml-prod-spot');
    expect(release(addons, 'gpu-operator')).toBeDefined();
  });

  test('managed node groups: no Karpenter anywhere', () => {
    const mng = stacks({ capacity: undefined });
    expect(all(mng.platform, 'aws_eks_node_group')).toHaveLength(4);
    expect(all(mng.platform, 'aws_ec2_tag')).toEqual([]);
    expect(release(mng.addons, 'karpenter')).toBeUndefined();
  });
});

describe('Karpenter capacity refuses what would leave pools without nodes, before writing anything', () => {
  const platformStack = (name = 'platform') => (app: App) => new TerraformStack(app, name);

  test('no pool for the controllers (Karpenter must not run on nodes it manages)', () => {
    expectRejectedBeforeSynth(
      (stack) => new ModelServePlatform(stack, 'platform', { name: 'ml', environment: 'production', nodePools: [NodePools.spot({ taint: false, minSize: 1, desiredSize: 1 }), NodePools.gpu({ gpu: 'T4' })], capacity: Capacity.karpenter() }),
      'platform/platform: nodePools (["spot","gpu-t4"]) has no on-demand, untainted pool labelled for the controllers, so Karpenter would have no node to run on (it must not run on nodes it manages); add NodePools.general(): it stays a managed node group',
      { stack: platformStack() },
    );
  });

  test('a Karpenter pool on a cluster of managed node groups', () => {
    expectRejectedBeforeSynth(
      (stack) => new Cluster(stack, 'cluster', { name: 'ml', environment: 'production', subnetIds: ['subnet-0a0a0a0a', 'subnet-0b0b0b0b'] }).addKarpenterPool(NodePools.spot()),
      'platform/cluster: capacity ("managed-node-groups") does not provision pools with Karpenter, so pool "spot" would never get a node; set capacity: Capacity.karpenter(), or add the pool with addManagedNodeGroup',
      { stack: platformStack() },
    );
  });

  test('the add-on turned off on Karpenter capacity, or the Node Termination Handler next to it', () => {
    expect(() => stacks({}, { karpenter: false })).toThrow('addons/addons: karpenter (false) is off, but the cluster\'s capacity is Karpenter, so its Karpenter pools would never get a node; leave karpenter on, or give the platform Capacity.managedNodeGroups()');
    expect(() => stacks({}, { spotInterruption: SpotInterruption.terminationHandlerQueue() })).toThrow('addons/addons: spotInterruption ("terminationHandlerQueue") would drain the nodes Karpenter already drains on the same interruption events; use SpotInterruption.capacityRebalance() with Karpenter');
    expect(() => stacks({ capacity: undefined }, { karpenter: true })).toThrow('addons/addons: karpenter (true) is asked for, but the cluster\'s capacity is managed node groups, so Karpenter would provision nothing; give the platform capacity: Capacity.karpenter(), or drop karpenter');
  });
});
