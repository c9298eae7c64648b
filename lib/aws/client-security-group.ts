import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { PropsValidator } from '../catalog';
import { validateEc2Ids, validateMinLength } from './aws-names';

// The network side of a stateful server (Database, Cache): it answers connections from the
// security groups it is given, on its one port, and from nothing else.

/** The client security groups: at least one, each listed once. */
export function validateClientSecurityGroups(v: PropsValidator, field: string, ids: readonly string[]): void {
  validateMinLength(v, field, ids, 1, 'list the security groups of the clients (e.g. the EKS node security group)');
  validateEc2Ids(v, field, ids, 'sg');
}

export interface ClientOnlySecurityGroupProps {
  /** Name of the security group. */
  readonly name: string;
  /** What listens, for the descriptions: `PostgreSQL`, `redis`. */
  readonly service: string;
  /** Which server it is, for the group's description: the identifier or replication group id. */
  readonly serverName: string;
  readonly vpcId: string;
  /** The TCP port the server listens on. */
  readonly port: number;
  /** Security groups whose members may connect; one ingress rule each. */
  readonly clientSecurityGroupIds: readonly string[];
  readonly tags?: Record<string, string>;
}

/**
 * Creates `security-group` and one `ingress-<client group id>` rule per client in `scope` (those ids
 * are the resources' addresses: keyed by the group, removing one client leaves the others' rules
 * alone; a group id that is a token, unknown here, keeps its position). No inline rules: Terraform then removes the default allow-all egress,
 * and a server that only answers connections needs no egress at all.
 */
export function clientOnlySecurityGroup(scope: Construct, props: ClientOnlySecurityGroupProps): SecurityGroup {
  const securityGroup = new SecurityGroup(scope, 'security-group', {
    name: props.name,
    description: `${props.service} ${props.serverName}: admits only the listed client security groups`,
    vpcId: props.vpcId,
    revokeRulesOnDelete: true,
    tags: props.tags,
  });
  props.clientSecurityGroupIds.forEach((source, i) => {
    new VpcSecurityGroupIngressRule(scope, `ingress-${Token.isUnresolved(source) ? i : source}`, {
      securityGroupId: securityGroup.id,
      referencedSecurityGroupId: source,
      ipProtocol: 'tcp',
      fromPort: props.port,
      toPort: props.port,
      description: `${props.service} from an allowed client security group`,
      tags: props.tags,
    });
  });
  return securityGroup;
}
