import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Aspects, IAspect, TerraformResource, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { PropsValidator } from '../catalog';
import { validateIamPolicyArn } from './aws-arns';

/**
 * A permissions boundary on every IAM role under a scope, as terraform-aws-modules'
 * `iam_role_permissions_boundary` and aws-cdk's `PermissionsBoundary.of(scope).apply()`: what an
 * account whose SCPs refuse `iam:CreateRole` without a boundary needs. Applied at synth, so roles
 * made after the call (a grant) get it too. Under two scopes with a boundary each, the inner one
 * wins; a role's own `permissionsBoundary` is replaced.
 */
export class PermissionsBoundary {
  /** The boundary of every role under `scope`, a stack or a construct in one. */
  public static of(scope: IConstruct): PermissionsBoundary {
    return new PermissionsBoundary(scope);
  }

  private constructor(private readonly scope: IConstruct) {}

  /** Sets `policyArn`, a managed policy (`arn:aws:iam::<account>:policy/<name>`), as the boundary of every role under the scope. */
  public apply(policyArn: string): void {
    const v = new PropsValidator(this.scope.node.path || '<app>');
    validateIamPolicyArn(v, 'permissionsBoundaryArn', policyArn);
    // cdktf runs aspects from each stack down: one added to the App would never run.
    v.that(
      this.scope.node.scopes.some((s) => TerraformStack.isStack(s)),
      'PermissionsBoundary.of',
      this.scope.node.path || '<app>',
      'is the App, which cdktf\'s aspects never visit (they run from each stack down), so no role would get the boundary',
      'apply it to each stack: PermissionsBoundary.of(stack).apply(arn)',
    );
    Aspects.of(this.scope).add(new RoleBoundary(policyArn));
  }
}

class RoleBoundary implements IAspect {
  constructor(private readonly policyArn: string) {}

  public visit(node: IConstruct): void {
    if (TerraformResource.isTerraformResource(node) && node.terraformResourceType === 'aws_iam_role') {
      (node as IamRole).permissionsBoundary = this.policyArn;
    }
  }
}
