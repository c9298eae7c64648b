import { Fn, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { checkConstructProps } from '../catalog/props-check';

/**
 * Terraform's built-in `terraform_data` resource, written without cdktf's `DataResource` class:
 * that class validates at synth by running `terraform version`, so an app that synthesizes where
 * no terraform binary is installed (a CI job that only writes the JSON) would fail, and every synth
 * would pay for the child process. Terraform 1.4+ has the resource; the platform needs 1.11.
 */
export interface BuiltinTerraformDataProps {
  /** Values whose change replaces the resource (a new id). */
  readonly triggersReplace: Readonly<Record<string, string>>;
}

export class BuiltinTerraformData extends TerraformResource {
  private readonly triggersReplace: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: BuiltinTerraformDataProps) {
    checkConstructProps(BuiltinTerraformData, scope, id, props);
    super(scope, id, { terraformResourceType: 'terraform_data', terraformGeneratorMetadata: { providerName: 'terraform' } });
    this.triggersReplace = props.triggersReplace;
  }

  public get id(): string {
    return this.getStringAttribute('id');
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { triggers_replace: this.triggersReplace };
  }
}

/**
 * `<base>-final-<8 hex>`: the name of the snapshot RDS or ElastiCache takes when the store is
 * deleted. Snapshot names are unique per account and region and outlive the store, so a fixed
 * `<base>-final` makes the second destroy of a re-created store fail (DBSnapshotAlreadyExists /
 * SnapshotAlreadyExistsFault). The suffix is the id of a `terraform_data` resource, a UUID drawn
 * once when it is created: stable across plans, new after a destroy and re-create, and new when
 * one of `replaceWhen` changes (the values whose change replaces the store).
 * https://developer.hashicorp.com/terraform/language/resources/terraform-data
 */
export function finalSnapshotName(scope: Construct, base: string, replaceWhen: Record<string, string>): string {
  const suffix = new BuiltinTerraformData(scope, 'final-snapshot-suffix', { triggersReplace: replaceWhen });
  return `${base}-final-${Fn.substr(suffix.id, 0, 8)}`;
}
