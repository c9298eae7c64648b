import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { EKS_UNSUPPORTED_ZONE_IDS, eksZoneIds, EnvironmentPreset, isKnownRegion, PropsValidator, REGION_ZONE_IDS, ZONE_ID } from '../catalog';
import { MAX_PLANNED_AZS } from '../catalog/cidr';

/** How the Network's zones are given: by AZ ID, by name, or picked at plan time. */
export interface ZonePlan {
  readonly azCount: number;
  readonly ids?: readonly string[];
  readonly names?: readonly string[];
}

interface ZoneProps {
  readonly availabilityZoneIds?: readonly string[];
  readonly availabilityZones?: readonly string[];
  readonly availabilityZoneCount?: number;
  readonly environment: string;
}

const EKS_REFUSES = 'EKS refuses cluster subnets there (UnsupportedAvailabilityZoneException, https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html)';

/**
 * Checks the zone props against what the library knows: zone ids that belong to `region` and that
 * EKS accepts, zone names of `region`, and a region with enough zones for the count. `region` is
 * the stack's provider region when it is a literal; unknown, only the shape and EKS's refused ids
 * can be checked.
 */
export function planZones(check: PropsValidator, props: ZoneProps, preset: EnvironmentPreset, region: string | undefined): ZonePlan {
  const ids = props.availabilityZoneIds;
  const names = props.availabilityZones;
  check.that(!(ids && names), 'availabilityZoneIds', ids, 'is given together with availabilityZones', 'give the zones once, by id (availabilityZoneIds)');
  const known = region !== undefined && isKnownRegion(region) ? region : undefined;
  if (ids) checkZoneIds(check, ids, known);
  if (names) checkZoneNames(check, names, region);
  const given = ids ?? names;
  const givenField = ids ? 'availabilityZoneIds' : 'availabilityZones';
  if (given) {
    check.that(
      props.availabilityZoneCount === undefined || props.availabilityZoneCount === given.length,
      'availabilityZoneCount',
      props.availabilityZoneCount,
      `disagrees with the ${given.length} ${givenField} listed`,
      `drop availabilityZoneCount or list that many zones`,
    );
  }
  const azCount = given?.length ?? props.availabilityZoneCount ?? preset.network.availabilityZones;
  const azField = given ? givenField : 'availabilityZoneCount';
  check.integerInRange(given ? `${givenField}.length` : azField, azCount, 2, MAX_PLANNED_AZS, `use 2 to ${MAX_PLANNED_AZS} zones: EKS needs two, the subnet plan has room for ${MAX_PLANNED_AZS}`);
  check.that(
    props.environment !== 'production' || azCount >= 3,
    azField,
    given ?? azCount,
    'gives production fewer than 3 availability zones, so losing one zone loses half the capacity and quorum',
    'use 3 or more zones',
  );
  if (!given && known) {
    const usable = eksZoneIds(known);
    check.that(
      usable.length >= azCount,
      azField,
      azCount,
      `asks for more zones than ${known} has where EKS accepts cluster subnets (${usable.join(', ')})`,
      `use ${usable.length} zones, or a region with more`,
    );
  }
  return { azCount, ids, names };
}

function checkZoneIds(check: PropsValidator, ids: readonly string[], region: string | undefined): void {
  check.that(new Set(ids).size === ids.length, 'availabilityZoneIds', ids, 'lists a zone twice', 'list each zone once');
  ids.forEach((id, i) => {
    const field = `availabilityZoneIds[${i}]`;
    check.that(typeof id === 'string' && ZONE_ID.test(id), field, id, 'is not an availability zone id', 'use an AZ ID such as use1-az1 (aws ec2 describe-availability-zones shows them)');
    if (region) {
      check.that(REGION_ZONE_IDS[region].includes(id), field, id, `is not a zone of ${region}`, `use one of ${eksZoneIds(region).join(', ')}`);
    }
    check.that(!EKS_UNSUPPORTED_ZONE_IDS.includes(id), field, id, `is a zone where ${EKS_REFUSES}`, region ? `use one of ${eksZoneIds(region).join(', ')}` : 'pick another zone of the region');
  });
}

function checkZoneNames(check: PropsValidator, names: readonly string[], region: string | undefined): void {
  check.that(new Set(names).size === names.length, 'availabilityZones', names, 'lists a zone twice', 'list each zone once');
  names.forEach((z, i) => {
    const field = `availabilityZones[${i}]`;
    check.that(typeof z === 'string' && /^[a-z]{2}(-[a-z0-9]+)+[a-z]$/.test(z), field, z, 'is not an availability zone name', 'use a name such as us-east-1a');
    if (region !== undefined && !Token.isUnresolved(region)) {
      check.that(z.startsWith(region) && /^[a-z]$/.test(z.slice(region.length)), field, z, `is not a zone of ${region}, the stack's region`, `use a zone of ${region}, preferably by id (availabilityZoneIds)`);
    }
  });
}

/**
 * The zone of subnet `i`, as `{ availabilityZoneId }` or `{ availabilityZone }`. Without zones given,
 * the account's zones are looked up at plan time, less the opt-in zones (Local and Wavelength Zones
 * lack what EKS needs) and the zone ids EKS refuses; a postcondition fails the plan, before anything
 * is created, when fewer than the count remain (Fn.element would wrap and put two subnets in one zone).
 */
export function zoneOfSubnet(scope: Construct, plan: ZonePlan): (i: number) => { availabilityZoneId?: string; availabilityZone?: string } {
  const { ids, names } = plan;
  if (ids) return (i) => ({ availabilityZoneId: ids[i] });
  if (names) return (i) => ({ availabilityZone: names[i] });
  const lookup = new DataAwsAvailabilityZones(scope, 'zones', {
    state: 'available',
    filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }],
    excludeZoneIds: [...EKS_UNSUPPORTED_ZONE_IDS],
    lifecycle: {
      postcondition: [{
        condition: `\${length(self.zone_ids) >= ${plan.azCount}}`,
        errorMessage: `The region has fewer than ${plan.azCount} availability zones where EKS accepts cluster subnets (zone ids ${EKS_UNSUPPORTED_ZONE_IDS.join(', ')} excluded); lower availabilityZoneCount or give availabilityZoneIds.`,
      }],
    },
  });
  return (i) => ({ availabilityZoneId: Token.asString(Fn.element(lookup.zoneIds, i)) });
}
