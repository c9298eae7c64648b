import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';

/**
 * Account, partition and region of a stack, looked up once per stack and shared by every construct
 * that writes an ARN or a policy (so that the same data source is not declared ten times).
 */
export class AwsContext extends Construct {
  public static of(scope: IConstruct): AwsContext {
    const stack = TerraformStack.of(scope);
    const id = 'modelserve-aws-context';
    return (stack.node.tryFindChild(id) as AwsContext | undefined) ?? new AwsContext(stack, id);
  }

  public readonly accountId: string;
  /** ARN of whoever runs Terraform (an assumed-role session for most deployers). */
  public readonly callerArn: string;
  public readonly partition: string;
  /** The provider's region name (`us-east-1`). */
  public readonly region: string;
  /** `amazonaws.com` or the partition's own DNS suffix. */
  public readonly dnsSuffix: string;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const caller = new DataAwsCallerIdentity(this, 'caller');
    this.accountId = caller.accountId;
    this.callerArn = caller.arn;
    const partition = new DataAwsPartition(this, 'partition');
    this.partition = partition.partition;
    this.dnsSuffix = partition.dnsSuffix;
    this.region = new DataAwsRegion(this, 'region').region;
  }
}

/**
 * The region of the stack's default AWS provider when it is written out (`region: 'us-east-1'`), so
 * that region facts (zones) can be checked at synth; undefined when it comes from the environment
 * or a token.
 */
export function configuredRegion(scope: IConstruct): string | undefined {
  const provider = TerraformStack.of(scope).node.findAll().find((c): c is AwsProvider => c instanceof AwsProvider && c.alias === undefined);
  const region = provider?.regionInput;
  return typeof region === 'string' && !Token.isUnresolved(region) ? region : undefined;
}
