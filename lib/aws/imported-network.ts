import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { PropsValidator } from '../catalog';
import { validateEc2Id, validateEc2Ids } from './aws-names';
import { INetwork, NetworkAttributes } from './network-attributes';
import { checkConstructProps } from '../catalog/props-check';

/**
 * A VPC made elsewhere, seen through `INetwork` (made by `Network.fromNetworkAttributes`): its ids,
 * checked at synth, and nothing else; no resource is created or changed.
 */
export class ImportedNetwork extends Construct implements INetwork {
  public static fromAttributes(scope: Construct, id: string, attributes: NetworkAttributes): ImportedNetwork {
    validateNetworkAttributes(new PropsValidator(scope.node.path ? `${scope.node.path}/${id}` : id), attributes);
    return new ImportedNetwork(scope, id, attributes);
  }

  public readonly vpcId: string;
  public readonly privateSubnetIds: readonly string[];
  public readonly databaseSubnetIds: readonly string[];

  private constructor(scope: Construct, id: string, props: NetworkAttributes) {
    checkConstructProps(ImportedNetwork, scope, id, props);
    super(scope, id);
    this.vpcId = props.vpcId;
    this.privateSubnetIds = props.privateSubnetIds;
    this.databaseSubnetIds = props.databaseSubnetIds;
  }
}

/**
 * Each id of the right kind and given once; two or more private subnets (EKS wants two zones).
 * `prefix` names the fields as the caller's props do (`network.` for ModelServePlatform's old form).
 * A token list (a data source, `Fn.*`) has an unknown length and entries until apply.
 */
export function validateNetworkAttributes(v: PropsValidator, attributes: NetworkAttributes, prefix = ''): void {
  v.that(
    typeof attributes === 'object' && attributes !== null,
    prefix || 'attributes',
    attributes,
    'are not set',
    'pass { vpcId, privateSubnetIds, databaseSubnetIds }',
  );
  const { vpcId, privateSubnetIds, databaseSubnetIds } = attributes;
  v.that(
    Array.isArray(privateSubnetIds) && (privateSubnetIds.length >= 2 || Token.isUnresolved(privateSubnetIds)),
    `${prefix}privateSubnetIds`,
    privateSubnetIds,
    'must list subnets in at least two availability zones',
    'pass the private subnets of your VPC',
  );
  validateEc2Id(v, `${prefix}vpcId`, vpcId, 'vpc');
  if (!Token.isUnresolved(privateSubnetIds)) validateEc2Ids(v, `${prefix}privateSubnetIds`, privateSubnetIds, 'subnet');
  v.that(
    Array.isArray(databaseSubnetIds),
    `${prefix}databaseSubnetIds`,
    databaseSubnetIds,
    'is not a list of subnet ids',
    'pass the database subnets of your VPC',
  );
  if (!Token.isUnresolved(databaseSubnetIds)) validateEc2Ids(v, `${prefix}databaseSubnetIds`, databaseSubnetIds, 'subnet');
}
