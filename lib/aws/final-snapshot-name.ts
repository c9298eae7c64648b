import { DataResource, Fn } from 'cdktf';
import { Construct } from 'constructs';

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
  const suffix = new DataResource(scope, 'final-snapshot-suffix', { triggersReplace: replaceWhen });
  return `${base}-final-${Fn.substr(suffix.id, 0, 8)}`;
}
