import { EKS_UNSUPPORTED_ZONE_IDS, eksZoneIds, REGION_ZONE_IDS, regionOfZoneId, ZONE_ID } from '../../lib/catalog';

// "An AZ ID consists of the first three letters of the Region code (with the parts of a compound
// direction shortened: ap-northeast -> apne), followed by the number at the end of the Region code,
// followed by -az, followed by a number."
// https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html
describe('region zone table', () => {
  test('every id has its region\'s prefix and the AZ ID shape, and no id is listed twice', () => {
    const prefix = (region: string) => {
      const [area, direction, number] = region.split('-');
      const short = direction.replace(/^(north|south)(east|west)$/, (_, a: string, b: string) => a[0] + b[0]).replace(/^(central|north|south|east|west)$/, (d: string) => d[0]);
      return `${area}${short}${number}`;
    };
    const all = Object.values(REGION_ZONE_IDS).flat();
    expect(new Set(all).size).toBe(all.length);
    for (const [region, ids] of Object.entries(REGION_ZONE_IDS)) {
      for (const id of ids) {
        expect(id).toMatch(ZONE_ID);
        expect(id.split('-az')[0]).toBe(prefix(region));
      }
      // "Each Region has at least three Availability Zones" (an account sees two in us-west-1).
      expect(ids.length).toBeGreaterThanOrEqual(3);
    }
  });

  // https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html#cluster-subnets
  test('the zones EKS refuses are the three the EKS user guide lists, and are left out of eksZoneIds', () => {
    expect(EKS_UNSUPPORTED_ZONE_IDS).toEqual(['use1-az3', 'usw1-az2', 'cac1-az3']);
    expect(EKS_UNSUPPORTED_ZONE_IDS.map(regionOfZoneId)).toEqual(['us-east-1', 'us-west-1', 'ca-central-1']);
    expect(eksZoneIds('us-east-1')).toEqual(['use1-az1', 'use1-az2', 'use1-az4', 'use1-az5', 'use1-az6']);
    expect(eksZoneIds('us-west-1')).toEqual(['usw1-az1', 'usw1-az3']);
    expect(eksZoneIds('ca-central-1')).toEqual(['cac1-az1', 'cac1-az2', 'cac1-az4']);
    expect(eksZoneIds('xx-nowhere-1')).toEqual([]);
  });
});
