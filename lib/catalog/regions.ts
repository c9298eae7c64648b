/**
 * Availability Zones by AZ ID, per commercial region. An AZ ID (`use1-az1`) names the same physical
 * zone in every account; a zone name (`us-east-1a`) is mapped to a different zone per account in the
 * older regions, so only ids can be checked at synth time.
 * Sources: https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html
 * (AZ IDs per region) and https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html.
 * Zones AWS no longer offers to new accounts (apne1-az3) are left out; use1-az1..6 and the others
 * are the zones the global-infrastructure page lists. Regions that need opt-in are included: a stack
 * in one has opted in.
 */
export const REGION_ZONE_IDS: Readonly<Record<string, readonly string[]>> = {
  'us-east-1': ['use1-az1', 'use1-az2', 'use1-az3', 'use1-az4', 'use1-az5', 'use1-az6'],
  'us-east-2': ['use2-az1', 'use2-az2', 'use2-az3'],
  // An account sees two of the three.
  'us-west-1': ['usw1-az1', 'usw1-az2', 'usw1-az3'],
  'us-west-2': ['usw2-az1', 'usw2-az2', 'usw2-az3', 'usw2-az4'],
  'ca-central-1': ['cac1-az1', 'cac1-az2', 'cac1-az3', 'cac1-az4'],
  'ca-west-1': ['caw1-az1', 'caw1-az2', 'caw1-az3'],
  'mx-central-1': ['mxc1-az1', 'mxc1-az2', 'mxc1-az3'],
  'sa-east-1': ['sae1-az1', 'sae1-az2', 'sae1-az3'],
  'eu-west-1': ['euw1-az1', 'euw1-az2', 'euw1-az3'],
  'eu-west-2': ['euw2-az1', 'euw2-az2', 'euw2-az3'],
  'eu-west-3': ['euw3-az1', 'euw3-az2', 'euw3-az3'],
  'eu-central-1': ['euc1-az1', 'euc1-az2', 'euc1-az3'],
  'eu-central-2': ['euc2-az1', 'euc2-az2', 'euc2-az3'],
  'eu-north-1': ['eun1-az1', 'eun1-az2', 'eun1-az3'],
  'eu-south-1': ['eus1-az1', 'eus1-az2', 'eus1-az3'],
  'eu-south-2': ['eus2-az1', 'eus2-az2', 'eus2-az3'],
  'il-central-1': ['ilc1-az1', 'ilc1-az2', 'ilc1-az3'],
  'me-south-1': ['mes1-az1', 'mes1-az2', 'mes1-az3'],
  'me-central-1': ['mec1-az1', 'mec1-az2', 'mec1-az3'],
  'af-south-1': ['afs1-az1', 'afs1-az2', 'afs1-az3'],
  'ap-east-1': ['ape1-az1', 'ape1-az2', 'ape1-az3'],
  'ap-south-1': ['aps1-az1', 'aps1-az2', 'aps1-az3'],
  'ap-south-2': ['aps2-az1', 'aps2-az2', 'aps2-az3'],
  'ap-northeast-1': ['apne1-az1', 'apne1-az2', 'apne1-az4'],
  'ap-northeast-2': ['apne2-az1', 'apne2-az2', 'apne2-az3', 'apne2-az4'],
  'ap-northeast-3': ['apne3-az1', 'apne3-az2', 'apne3-az3'],
  'ap-southeast-1': ['apse1-az1', 'apse1-az2', 'apse1-az3'],
  'ap-southeast-2': ['apse2-az1', 'apse2-az2', 'apse2-az3'],
  'ap-southeast-3': ['apse3-az1', 'apse3-az2', 'apse3-az3'],
  'ap-southeast-4': ['apse4-az1', 'apse4-az2', 'apse4-az3'],
  'ap-southeast-5': ['apse5-az1', 'apse5-az2', 'apse5-az3'],
};

/**
 * Zones in which EKS refuses a cluster's subnets (UnsupportedAvailabilityZoneException): the
 * "Disallowed Availability Zone IDs" of
 * https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html#cluster-subnets
 */
export const EKS_UNSUPPORTED_ZONE_IDS: readonly string[] = ['use1-az3', 'usw1-az2', 'cac1-az3'];

/** The AZ ID shape: the region's short prefix, `-az`, a number. */
export const ZONE_ID = /^[a-z]{2,5}\d-az\d{1,2}$/;

export function isKnownRegion(region: string): boolean {
  return Object.prototype.hasOwnProperty.call(REGION_ZONE_IDS, region);
}

/** The zones of `region` in which EKS accepts cluster subnets, in id order. */
export function eksZoneIds(region: string): readonly string[] {
  return (REGION_ZONE_IDS[region] ?? []).filter((id) => !EKS_UNSUPPORTED_ZONE_IDS.includes(id));
}

/** The region whose zone ids carry this id, if the table knows it. */
export function regionOfZoneId(zoneId: string): string | undefined {
  return Object.keys(REGION_ZONE_IDS).find((region) => REGION_ZONE_IDS[region].includes(zoneId));
}
