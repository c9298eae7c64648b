import { AutoscalingGroupTagA as AutoscalingGroupTag } from '@cdktf/provider-aws/lib/autoscaling-group-tag';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { NodePoolSpec, PropsValidator, TaintEffect, validateNodePoolSpec } from '../catalog';
import { autoscalerNodeTemplate, autoscalerResourceTag } from './autoscaler-node-template';
import { validateEc2Ids, validateTags } from './aws-names';
import { checkConstructProps } from '../catalog/props-check';

/** EKS's spelling of the Kubernetes taint effects. */
const EKS_TAINT_EFFECT: Readonly<Record<TaintEffect, string>> = {
  NoSchedule: 'NO_SCHEDULE',
  PreferNoSchedule: 'PREFER_NO_SCHEDULE',
  NoExecute: 'NO_EXECUTE',
};

/** What EKS accepts as a node group name. */
const NODE_GROUP_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,62}$/;

export interface ManagedNodeGroupProps {
  /** The pool as plain data, from `NodePools.*` or written by hand. */
  readonly spec: NodePoolSpec;
  /** EKS cluster the nodes join; the node group is named `<clusterName>-<spec.name>`. */
  readonly clusterName: string;
  /** IAM role the nodes run as (see `Cluster.nodeRoleArn`). */
  readonly nodeRoleArn: string;
  /** Private subnets to launch nodes in, one or more per AZ. */
  readonly subnetIds: readonly string[];
  /**
   * Kubernetes version of the nodes; keep it equal to the control plane's.
   * @default - the control plane's version at creation
   */
  readonly kubernetesVersion?: string;
  /**
   * IMDSv2 hop limit. 1 keeps pods (which are one network hop further than the node) away from the
   * instance metadata service and so from the node role's credentials; pods get their own through
   * EKS Pod Identity. Raise to 2 only for a workload that must read IMDS and cannot be given a role.
   * @default 1
   */
  readonly metadataHopLimit?: 1 | 2;
  /**
   * Share of nodes that a rolling update (AMI or launch template change) may replace at once.
   * @default 33
   */
  readonly maxUnavailablePercentage?: number;
  /**
   * Resources the node group must wait for (the cluster, the CNI add-on, the node role's policies).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
  /** @default - none beyond `Name` */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * An EKS managed node group built from a NodePoolSpec: capacity type, instance types, AMI, scaling,
 * labels and taints from the spec; IMDSv2 and an encrypted gp3 volume from a launch template.
 * The cluster autoscaler (or Karpenter) owns the desired size after creation; a pool with minSize 0
 * gets the node-template tags the autoscaler needs to scale it up from zero.
 */
export class ManagedNodeGroup extends Construct {
  public readonly nodeGroupName: string;
  public readonly spec: NodePoolSpec;
  public readonly nodeGroup: EksNodeGroup;
  public readonly launchTemplate: LaunchTemplate;

  constructor(scope: Construct, id: string, props: ManagedNodeGroupProps) {
    checkConstructProps(ManagedNodeGroup, scope, id, props);
    super(scope, id);
    const check: PropsValidator = new PropsValidator(this.node.path);
    check.that(props.spec !== undefined && props.spec !== null, 'spec', props.spec, 'is required', 'pass a spec from NodePools.general(), .gpu(), .spot() or .highMemory()');
    validateNodePoolSpec(props.spec, this.node.path);
    const nodeGroupName = `${props.clusterName}-${props.spec.name}`;
    if (!Token.isUnresolved(props.clusterName)) {
      check.that(
        NODE_GROUP_NAME.test(nodeGroupName),
        'spec.name',
        props.spec.name,
        `makes the node group name "${nodeGroupName}" (${nodeGroupName.length} characters), which EKS rejects: at most 63 letters, digits, "-" or "_"`,
        `shorten the pool name to ${Math.max(1, 62 - props.clusterName.length)} characters or fewer, or the cluster name`,
      );
    }
    check.that(props.subnetIds.length > 0, 'subnetIds', props.subnetIds, 'is empty', 'pass the private subnets of the cluster');
    if (!Token.isUnresolved(props.subnetIds)) validateEc2Ids(check, 'subnetIds', props.subnetIds, 'subnet');
    validateTags(check, 'tags', props.tags);
    check.oneOf('metadataHopLimit', props.metadataHopLimit, [1, 2] as const);
    check.integerInRange('maxUnavailablePercentage', props.maxUnavailablePercentage, 1, 100);

    const spec = props.spec;
    this.spec = spec;
    this.nodeGroupName = nodeGroupName;
    const tags = { ...props.tags, Name: nodeGroupName };
    const bottlerocket = spec.amiType.startsWith('BOTTLEROCKET');

    this.launchTemplate = new LaunchTemplate(this, 'launch-template', {
      name: nodeGroupName,
      description: `Nodes of the ${spec.name} pool: IMDSv2 only, encrypted gp3`,
      updateDefaultVersion: true,
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: props.metadataHopLimit ?? 1,
      },
      blockDeviceMappings: [{
        // Bottlerocket keeps its OS on /dev/xvda and images and pods on the data volume /dev/xvdb;
        // AL2023 keeps everything on the root volume.
        deviceName: bottlerocket ? '/dev/xvdb' : '/dev/xvda',
        ebs: { volumeSize: spec.diskGiB, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' },
      }],
      tagSpecifications: ['instance', 'volume', 'network-interface'].map((resourceType) => ({ resourceType, tags })),
      tags,
    });

    this.nodeGroup = new EksNodeGroup(this, 'node-group', {
      clusterName: props.clusterName,
      nodeGroupName,
      nodeRoleArn: props.nodeRoleArn,
      subnetIds: [...props.subnetIds],
      version: props.kubernetesVersion,
      capacityType: spec.capacityType,
      instanceTypes: [...spec.instanceTypes],
      amiType: spec.amiType,
      scalingConfig: { minSize: spec.minSize, desiredSize: spec.desiredSize, maxSize: spec.maxSize },
      labels: { ...spec.labels },
      taint: spec.taints.map((t) => ({ key: t.key, value: t.value, effect: EKS_TAINT_EFFECT[t.effect] })),
      updateConfig: { maxUnavailablePercentage: props.maxUnavailablePercentage ?? 33 },
      launchTemplate: { id: this.launchTemplate.id, version: Token.asString(this.launchTemplate.latestVersion) },
      tags,
      dependsOn: props.dependsOn,
      // The autoscaler moves desired size; a plan must not drag it back to the spec's number.
      lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'] },
    });

    // Tagged on the node group's Auto Scaling group: EKS does not copy node group tags there.
    for (const [resource, quantity] of Object.entries(autoscalerNodeTemplate(spec))) {
      new AutoscalingGroupTag(this, `autoscaler-template-${resource.replace(/[^A-Za-z0-9-]/g, '-')}`, {
        autoscalingGroupName: this.nodeGroup.resources.get(0).autoscalingGroups.get(0).name,
        tag: { key: autoscalerResourceTag(resource), value: quantity, propagateAtLaunch: false },
      });
    }
  }
}
