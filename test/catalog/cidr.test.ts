import { canonicalCidr, cidrContains, cidrsOverlap, cidrSubnet, formatCidr, parseIpv4Cidr, planSubnets, toCidr } from '../../lib/catalog/cidr';

const cidr = (text: string) => {
  const parsed = toCidr(text);
  if (!parsed) throw new Error(`bad test CIDR ${text}`);
  return parsed;
};

describe('parsing', () => {
  test.each(['10.0.0.0/16', '192.168.0.0/24', '0.0.0.0/0', '172.16.4.0/22'])('%s is a network', (text) => {
    expect(formatCidr(cidr(text))).toBe(text);
  });

  test.each(['10.0.0/16', '10.0.0.256/24', '10.0.0.0/33', '10.0.0.0', 'ten/8', '', '10.0.0.0/-1'])('%s is not a CIDR', (text) => {
    expect(parseIpv4Cidr(text)).toBeUndefined();
    expect(toCidr(text)).toBeUndefined();
  });

  test('host bits set: parses, but is not a network, and canonicalCidr clears them', () => {
    expect(parseIpv4Cidr('10.0.1.7/16')).toBeDefined();
    expect(toCidr('10.0.1.7/16')).toBeUndefined();
    expect(canonicalCidr('10.0.1.7/16')).toBe('10.0.0.0/16');
  });
});

describe('set relations', () => {
  test('containment', () => {
    expect(cidrContains(cidr('10.0.0.0/16'), cidr('10.0.255.0/24'))).toBe(true);
    expect(cidrContains(cidr('10.0.0.0/16'), cidr('10.1.0.0/24'))).toBe(false);
    expect(cidrContains(cidr('10.0.0.0/16'), cidr('10.0.0.0/15'))).toBe(false);
  });

  test('overlap', () => {
    expect(cidrsOverlap(cidr('10.0.0.0/24'), cidr('10.0.0.128/25'))).toBe(true);
    expect(cidrsOverlap(cidr('10.0.0.0/24'), cidr('10.0.1.0/24'))).toBe(false);
    expect(cidrsOverlap(cidr('255.255.255.0/24'), cidr('255.255.255.255/32'))).toBe(true);
  });

  test('cidrSubnet matches Terraform cidrsubnet', () => {
    expect(formatCidr(cidrSubnet(cidr('10.0.0.0/16'), 3, 1))).toBe('10.0.32.0/19');
    expect(formatCidr(cidrSubnet(cidr('10.0.0.0/16'), 8, 255))).toBe('10.0.255.0/24');
    expect(() => cidrSubnet(cidr('10.0.0.0/16'), 3, 8)).toThrow(RangeError);
  });
});

describe('planSubnets', () => {
  test('a /16 over 3 AZs: /19 private, /22 public and database', () => {
    expect(planSubnets(cidr('10.0.0.0/16'), 3)).toEqual({
      private: ['10.0.0.0/19', '10.0.32.0/19', '10.0.64.0/19'],
      public: ['10.0.192.0/22', '10.0.196.0/22', '10.0.200.0/22'],
      database: ['10.0.224.0/22', '10.0.228.0/22', '10.0.232.0/22'],
    });
  });

  test('adding a zone keeps the existing subnets where they are', () => {
    const two = planSubnets(cidr('10.0.0.0/16'), 2);
    const three = planSubnets(cidr('10.0.0.0/16'), 3);
    expect(three.private.slice(0, 2)).toEqual(two.private);
    expect(three.public.slice(0, 2)).toEqual(two.public);
  });

  test('no two subnets overlap and all lie inside the VPC, for every size and zone count', () => {
    for (let prefix = 16; prefix <= 22; prefix++) {
      const vpc = cidr(`10.8.0.0/${prefix}`);
      const plan = planSubnets(vpc, 6);
      const all = [...plan.private, ...plan.public, ...plan.database].map(cidr);
      all.forEach((a, i) => {
        expect(cidrContains(vpc, a)).toBe(true);
        expect(a.prefix).toBeLessThanOrEqual(28);
        all.slice(i + 1).forEach((b) => expect(cidrsOverlap(a, b)).toBe(false));
      });
    }
  });

  test('refuses what it cannot carve', () => {
    expect(() => planSubnets(cidr('10.0.0.0/24'), 3)).toThrow(RangeError);
    expect(() => planSubnets(cidr('10.0.0.0/16'), 7)).toThrow(RangeError);
  });
});
