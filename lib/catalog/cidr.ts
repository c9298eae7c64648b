/**
 * IPv4 CIDR arithmetic for carving a VPC into subnets, and for checking the CIDRs a network policy
 * names. Pure functions, no engine: the plan is known at synth time so that a bad or overlapping
 * range fails before Terraform ever sees it.
 */

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit number. */
  readonly network: number;
  readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; `undefined` when it is not IPv4 CIDR notation. Host bits may be set. */
export function parseIpv4Cidr(cidr: string): { address: number; prefix: number } | undefined {
  const match = typeof cidr === 'string' ? CIDR_PATTERN.exec(cidr) : null;
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  return { address, prefix };
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** The CIDR with its host bits cleared: `10.0.1.7/16` → `10.0.0.0/16`. */
export function canonicalCidr(cidr: string): string | undefined {
  const parsed = parseIpv4Cidr(cidr);
  return parsed ? formatCidr({ network: (parsed.address & mask(parsed.prefix)) >>> 0, prefix: parsed.prefix }) : undefined;
}

/** A valid IPv4 CIDR whose host bits are zero (what AWS accepts for a VPC or subnet). */
export function toCidr(cidr: string): Ipv4Cidr | undefined {
  const parsed = parseIpv4Cidr(cidr);
  if (!parsed || (parsed.address & ~mask(parsed.prefix)) !== 0) return undefined;
  return { network: parsed.address, prefix: parsed.prefix };
}

export function formatCidr(cidr: Ipv4Cidr): string {
  const n = cidr.network;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${cidr.prefix}`;
}

function lastAddress(cidr: Ipv4Cidr): number {
  return (cidr.network + 2 ** (32 - cidr.prefix) - 1) >>> 0;
}

/** Whether `inner` lies entirely within `outer`. */
export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.prefix >= outer.prefix && inner.network >= outer.network && lastAddress(inner) <= lastAddress(outer);
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.network <= lastAddress(b) && b.network <= lastAddress(a);
}

/** Terraform's `cidrsubnet`: the `index`-th block of `parent` with `newBits` more prefix bits. */
export function cidrSubnet(parent: Ipv4Cidr, newBits: number, index: number): Ipv4Cidr {
  const prefix = parent.prefix + newBits;
  if (prefix > 32 || index < 0 || index >= 2 ** newBits) {
    throw new RangeError(`cidrSubnet: /${parent.prefix} has no block ${index} of /${prefix}`);
  }
  return { network: (parent.network + index * 2 ** (32 - prefix)) >>> 0, prefix };
}

/** Most availability zones the carving plan has room for. */
export const MAX_PLANNED_AZS = 6;
/**
 * Largest VPC prefix the plan can carve: public and database subnets are 6 bits smaller than the
 * VPC, and AWS's smallest subnet is a /28.
 */
export const MAX_PLANNED_VPC_PREFIX = 22;

export interface SubnetPlan {
  readonly public: string[];
  readonly private: string[];
  readonly database: string[];
}

/**
 * Splits a VPC into eighths. Private subnets, where EKS nodes and (with the VPC CNI) every pod take
 * an IP, get eighths 0-5, one per AZ (a /19 each from a /16: 8,187 addresses). Eighth 6 is cut into
 * eight public subnets and eighth 7 into eight database subnets (a /22 each from a /16): load
 * balancers, NAT gateways and database instances need few addresses. The layout of an AZ does not
 * depend on how many AZs there are, so adding a zone later adds subnets and moves none.
 */
export function planSubnets(vpc: Ipv4Cidr, azCount: number): SubnetPlan {
  if (!Number.isInteger(azCount) || azCount < 1 || azCount > MAX_PLANNED_AZS) {
    throw new RangeError(`planSubnets: azCount (${azCount}) must be 1 to ${MAX_PLANNED_AZS}`);
  }
  if (vpc.prefix > MAX_PLANNED_VPC_PREFIX) {
    throw new RangeError(`planSubnets: /${vpc.prefix} is too small to carve; use /${MAX_PLANNED_VPC_PREFIX} or larger`);
  }
  const zones = Array.from({ length: azCount }, (_, i) => i);
  const publicBlock = cidrSubnet(vpc, 3, 6);
  const databaseBlock = cidrSubnet(vpc, 3, 7);
  return {
    private: zones.map((i) => formatCidr(cidrSubnet(vpc, 3, i))),
    public: zones.map((i) => formatCidr(cidrSubnet(publicBlock, 3, i))),
    database: zones.map((i) => formatCidr(cidrSubnet(databaseBlock, 3, i))),
  };
}
