import { TerraformStack, Testing } from 'cdktf';
import { GpuSharing, NodePools, NodePoolSpec } from '../../lib/catalog';
import { ManagedNodeGroup, ManagedNodeGroupProps } from '../../lib/aws/managed-node-group';
import { NodePool } from '../../lib/aws/node-pool';
import { expectRejectedBeforeSynth } from '../support/aws-stack';

type Json = any;
const cluster = { clusterName: 'modelserve', nodeRoleArn: 'arn:aws:iam::123456789012:role/node', subnetIds: ['subnet-0a0a0a0a', 'subnet-0b0b0b0b'] };

function build(spec: NodePoolSpec, props: Partial<ManagedNodeGroupProps> = {}): { nodeGroup: Json; launchTemplate: Json; pool: ManagedNodeGroup } {
  const stack = new TerraformStack(Testing.app(), 'test');
  const pool = new ManagedNodeGroup(stack, 'pool', { ...cluster, spec, ...props });
  const out = JSON.parse(Testing.synth(stack));
  const one = (type: string) => Object.values(out.resource[type] as Record<string, Json>)[0];
  return { nodeGroup: one('aws_eks_node_group'), launchTemplate: one('aws_launch_template'), pool };
}

function expectRejected(spec: NodePoolSpec, message: string, props: Partial<ManagedNodeGroupProps> = {}): void {
  expectRejectedBeforeSynth((stack) => new ManagedNodeGroup(stack, 'pool', { ...cluster, spec, ...props }), message);
}

describe('ManagedNodeGroup from a spec', () => {
  test('general: on-demand, named <cluster>-<pool>, labels, scaling, 33 % rolling updates', () => {
    const { nodeGroup, pool } = build(NodePools.general());
    expect(pool.nodeGroupName).toBe('modelserve-general');
    expect(nodeGroup).toMatchObject({
      node_group_name: 'modelserve-general',
      cluster_name: 'modelserve',
      capacity_type: 'ON_DEMAND',
      ami_type: 'AL2023_x86_64_STANDARD',
      instance_types: ['m7i.2xlarge'],
      scaling_config: { min_size: 2, desired_size: 3, max_size: 10 },
      labels: { 'modelserve.io/node-pool': 'general' },
      update_config: { max_unavailable_percentage: 33 },
    });
  });

  test('the autoscaler owns the desired size', () => {
    expect(build(NodePools.general()).nodeGroup.lifecycle).toEqual({ ignore_changes: ['scaling_config[0].desired_size'] });
  });

  test('a time-sliced GPU pool labels its nodes for the GPU Operator and tells the cluster autoscaler its slots', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    new NodePool(stack, 'pool', { ...cluster, spec: NodePools.gpu({ gpu: 'T4', instanceTypes: ['g4dn.12xlarge'], sharing: GpuSharing.timeSlicing({ replicasPerGpu: 4 }) }) });
    const out = JSON.parse(Testing.synth(stack));
    const nodeGroup = Object.values(out.resource.aws_eks_node_group as Record<string, Json>)[0];
    expect(nodeGroup.labels).toMatchObject({ 'nvidia.com/device-plugin.config': 'gpu-t4-shared', 'modelserve.io/gpu-sharing': 'time-slicing' });
    const tags = Object.values(out.resource.aws_autoscaling_group_tag as Record<string, Json>);
    expect(tags.map((t) => t.tag)).toEqual([
      { key: 'k8s.io/cluster-autoscaler/node-template/resources/ephemeral-storage', value: '179Gi', propagate_at_launch: false },
      { key: 'k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu.shared', value: '16', propagate_at_launch: false },
      // The instance type says 4 whole GPUs; renamed slots leave none, so no whole-GPU pod is placed here.
      { key: 'k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu', value: '0', propagate_at_launch: false },
    ]);
    for (const t of tags) expect(t.autoscaling_group_name).toBe('${aws_eks_node_group.pool_node-group_43AA2677.resources[0].autoscaling_groups[0].name}');
    // Shared pools never advertise whole GPUs: the autoscaler's GPU label would have it wait on them for ever.
    expect(nodeGroup.labels['k8s.amazonaws.com/accelerator']).toBeUndefined();
  });

  test('spot: SPOT capacity over several instance types, tainted', () => {
    const { nodeGroup } = build(NodePools.spot());
    expect(nodeGroup.capacity_type).toBe('SPOT');
    expect(nodeGroup.instance_types).toEqual(['m7i.2xlarge', 'm6i.2xlarge', 'm7a.2xlarge', 'm6a.2xlarge']);
    expect(nodeGroup.taint).toEqual([{ key: 'modelserve.io/spot', value: 'true', effect: 'NO_SCHEDULE' }]);
  });

  test('gpu: NVIDIA AMI, GPU instance, GPU taint in EKS spelling and GPU model label', () => {
    const { nodeGroup } = build(NodePools.gpu({ gpu: 'A100' }));
    expect(nodeGroup).toMatchObject({ ami_type: 'AL2023_x86_64_NVIDIA', instance_types: ['p4d.24xlarge'], labels: { 'modelserve.io/gpu-model': 'A100' } });
    expect(nodeGroup.taint).toEqual([{ key: 'nvidia.com/gpu', value: 'true', effect: 'NO_SCHEDULE' }]);
  });

  test('launch template: IMDSv2 required with hop limit 1, encrypted gp3 root volume of diskGiB', () => {
    const { nodeGroup, launchTemplate } = build(NodePools.gpu({ gpu: 'T4' }));
    expect(launchTemplate.metadata_options).toEqual({ http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 });
    expect(launchTemplate.block_device_mappings).toEqual([
      { device_name: '/dev/xvda', ebs: { volume_size: 200, volume_type: 'gp3', encrypted: 'true', delete_on_termination: 'true' } },
    ]);
    expect(launchTemplate.tag_specifications.map((t: Json) => t.resource_type)).toEqual(['instance', 'volume', 'network-interface']);
    expect(nodeGroup.launch_template).toEqual({ id: expect.stringContaining('aws_launch_template.'), version: expect.stringContaining('.latest_version') });
    expect(nodeGroup.disk_size).toBeUndefined();
  });

  test('Bottlerocket puts the disk on its data volume /dev/xvdb', () => {
    const { launchTemplate } = build(NodePools.general({ amiType: 'BOTTLEROCKET_x86_64' }));
    expect(launchTemplate.block_device_mappings[0].device_name).toBe('/dev/xvdb');
  });

  test('effects other than NoSchedule map to EKS names', () => {
    const { nodeGroup } = build(NodePools.general({ taints: [{ key: 'example.com/drain', value: 'yes', effect: 'NoExecute' }, { key: 'example.com/soft', value: 'yes', effect: 'PreferNoSchedule' }] }));
    expect(nodeGroup.taint.map((t: Json) => t.effect)).toEqual(['NO_EXECUTE', 'PREFER_NO_SCHEDULE']);
  });

  test('hop limit 2 and another update budget when asked', () => {
    const { nodeGroup, launchTemplate } = build(NodePools.general(), { metadataHopLimit: 2, maxUnavailablePercentage: 10 });
    expect(launchTemplate.metadata_options.http_put_response_hop_limit).toBe(2);
    expect(nodeGroup.update_config.max_unavailable_percentage).toBe(10);
  });
});

describe('ManagedNodeGroup rejects bad specs before writing anything', () => {
  const general = NodePools.general();

  test('minSize greater than maxSize', () => {
    expectRejected({ ...general, minSize: 5, desiredSize: 5, maxSize: 3 }, 'test/pool: minSize (5) is greater than maxSize (3); lower minSize or raise maxSize');
  });

  test('desiredSize outside min..max', () => {
    expectRejected({ ...general, desiredSize: 20 }, 'test/pool: desiredSize (20) is outside minSize..maxSize (2..10); set desiredSize between 2 and 10');
  });

  test('a GPU pool without an instance of its GPU model', () => {
    expectRejected({ ...NodePools.gpu({ gpu: 'A100' }), instanceTypes: ['g5.xlarge'] }, 'test/pool: instanceTypes[0] ("g5.xlarge") has A10G GPUs, not A100; use an instance type with A100 GPUs: p4d.24xlarge, p4de.24xlarge');
  });

  test('a spot pool with a single instance type', () => {
    expectRejected({ ...NodePools.spot(), instanceTypes: ['m7i.2xlarge'] }, 'test/pool: instanceTypes (["m7i.2xlarge"]) has a single type, so one spot capacity pool running dry empties the node group; list two or more instance types of the same size (e.g. m7i.2xlarge, m6i.2xlarge, m7a.2xlarge)');
  });

  test('a pool name that is not a DNS label', () => {
    expectRejected({ ...general, name: 'General_Pool' }, 'test/pool: name ("General_Pool") is not a valid name: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters; rename it so that it follows that rule');
  });

  test('a node group name longer than EKS allows', () => {
    const name = 'inference-pool-for-the-very-large-language-models';
    expectRejected(
      { ...general, name },
      `test/pool: spec.name ("${name}") makes the node group name "modelserve-prod-${name}" (65 characters), which EKS rejects: at most 63 letters, digits, "-" or "_"; shorten the pool name to 47 characters or fewer, or the cluster name`,
      { clusterName: 'modelserve-prod' },
    );
  });
});

// From an empty managed node group the cluster autoscaler builds a template node from the
// instance type (CPU, memory, whole GPUs), the labels and taints EKS's DescribeNodegroup returns,
// and the ASG's node-template tags; anything else a pending pod requests must be tagged, or the
// pool never scales from zero. kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws:
// README.md#auto-discovery-setup and aws_manager.go (buildNodeFromTemplate).
describe('ManagedNodeGroup scale from zero', () => {
  const tagsOf = (spec: NodePoolSpec): Record<string, string> => {
    const stack = new TerraformStack(Testing.app(), 'test');
    new ManagedNodeGroup(stack, 'pool', { ...cluster, spec });
    const tags = Object.values((JSON.parse(Testing.synth(stack)).resource.aws_autoscaling_group_tag ?? {}) as Record<string, Json>);
    return Object.fromEntries(tags.map((t) => [t.tag.key.replace('k8s.io/cluster-autoscaler/node-template/resources/', ''), t.tag.value]));
  };

  test('GPU, spot and high-memory pools start empty: desired size is the minimum, 0', () => {
    for (const spec of [NodePools.gpu({ gpu: 'A100' }), NodePools.spot(), NodePools.highMemory()]) {
      expect(build(spec).nodeGroup.scaling_config).toMatchObject({ min_size: 0, desired_size: 0 });
    }
    expect(build(NodePools.gpu({ gpu: 'T4', minSize: 1 })).nodeGroup.scaling_config).toEqual({ min_size: 1, desired_size: 1, max_size: 4 });
  });

  test('a whole-GPU pool tags only the ephemeral storage its pods request (GPUs come from the instance type)', () => {
    expect(tagsOf(NodePools.gpu({ gpu: 'T4' }))).toEqual({ 'ephemeral-storage': '179Gi' });
    expect(build(NodePools.gpu({ gpu: 'T4' })).nodeGroup.labels['k8s.amazonaws.com/accelerator']).toBe('nvidia-t4');
  });

  test('a pool that never reaches zero needs no template', () => {
    expect(tagsOf(NodePools.general())).toEqual({});
  });
});

describe('the old name', () => {
  test('NodePool is ManagedNodeGroup, for one release', () => {
    expect(NodePool).toBe(ManagedNodeGroup);
  });
});
