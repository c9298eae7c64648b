import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PropsValidator } from '../catalog';
import { parseIpv4Cidr } from '../catalog/cidr';
import { EGRESS_REASON_ANNOTATION, PRIVATE_AND_LINK_LOCAL_RANGES } from './egress';
import { SERVICE_LABEL } from './labels';
import { HOSTNAME, HOSTNAME_RULE } from './traffic/http-tokens';

/**
 * Something the model calls outside the mesh (an external API, a managed database): a ServiceEntry
 * puts it in the mesh's registry, and the service's egress NetworkPolicy opens its port, and only
 * that port, to its addresses.
 */
export interface ExternalServiceOptions {
  /** DNS name the model calls, e.g. `api.openai.com` (no wildcard). */
  readonly host: string;
  /**
   * Port the host serves TLS on.
   * @default 443
   */
  readonly port?: number;
  /**
   * Who speaks TLS. `originate`: the model calls `http://<host>` (port 80) and its sidecar opens
   * TLS to `<host>:<port>`, checking the certificate against the system's CAs and the host's name
   * (a DestinationRule, `tls.mode: SIMPLE`), so no key or CA is the model's business.
   * `passthrough`: the model speaks TLS itself to `<host>:<port>` (a database driver, an SDK
   * that insists on https://); the mesh routes it by SNI and sees nothing inside.
   * @default 'originate'
   */
  readonly tls?: 'originate' | 'passthrough';
  /**
   * Addresses the host answers on (IPv4 CIDRs): the NetworkPolicy opens the port to them only.
   * A host inside the VPC (RDS, ElastiCache, a VPC endpoint) needs them: private ranges stay
   * closed otherwise.
   * @default - every public address on `port`: a NetworkPolicy cannot name a host, so the rule states why (modelserve.io/egress-reason)
   */
  readonly cidrs?: readonly string[];
}

/** Port the model calls in plain HTTP when its sidecar originates TLS. */
export const TLS_ORIGINATION_HTTP_PORT = 80;

/** Names of what one external service emits, for checks and claims. */
export function externalServiceName(service: string, host: string): string {
  return `${service}-${host}`;
}

export function egressPolicyName(service: string): string {
  return `${service}-egress`;
}

export function validateExternalServices(check: PropsValidator, services: readonly ExternalServiceOptions[] | undefined, service: string): void {
  if (services === undefined) return;
  check.that(Array.isArray(services) && services.length > 0 && services.length <= 50, 'externalServices', services, 'must list from 1 to 50 hosts', 'list what the model calls, e.g. [{ host: "api.example.com" }], or leave externalServices out');
  services.forEach((s, i) => {
    const f = `externalServices[${i}]`;
    check.that(typeof s === 'object' && s !== null, f, s, 'is not an object', 'give { host, port, tls, cidrs }');
    check.that(typeof s.host === 'string' && !s.host.includes('*') && HOSTNAME.test(s.host) && s.host === s.host.toLowerCase(), `${f}.host`, s.host, `is not a lowercase DNS name without a wildcard (${HOSTNAME_RULE})`, 'give the name the model calls, e.g. "api.example.com"');
    check.that(externalServiceName(service, s.host).length <= 253, `${f}.host`, s.host, 'makes object names longer than 253 characters', 'shorten the service name or the host');
    check.integerInRange(`${f}.port`, s.port, 1, 65535, 'give the port the host serves TLS on, e.g. 443');
    check.oneOf(`${f}.tls`, s.tls, ['originate', 'passthrough'] as const);
    check.that(s.tls === 'passthrough' || (s.port ?? 443) !== TLS_ORIGINATION_HTTP_PORT, `${f}.port`, s.port, `is the port the model calls in plain HTTP when its sidecar originates TLS (${TLS_ORIGINATION_HTTP_PORT})`, 'give the host\'s TLS port, e.g. 443');
    if (s.cidrs !== undefined) {
      check.that(Array.isArray(s.cidrs) && s.cidrs.length > 0, `${f}.cidrs`, s.cidrs, 'is empty', 'list the host\'s addresses as a.b.c.d/n, or leave cidrs out');
      s.cidrs.forEach((cidr, j) => check.that(parseIpv4Cidr(cidr) !== undefined && !cidr.endsWith('/0'), `${f}.cidrs[${j}]`, cidr, 'is not an IPv4 CIDR narrower than /0', 'give the host\'s addresses, e.g. "10.0.64.0/18" for the VPC\'s database subnets'));
    }
  });
  const hosts = services.map((s) => s.host);
  const duplicate = hosts.find((h, i) => hosts.indexOf(h) !== i);
  check.that(duplicate === undefined, 'externalServices', duplicate, 'lists a host twice', 'list each host once');
}

/**
 * One ServiceEntry per host (exported to the namespace only), with TLS origination a
 * DestinationRule that applies to this service's pods only (`workloadSelector`), and one egress
 * NetworkPolicy for the service's pods with a rule per host.
 */
export function createExternalServices(
  scope: Construct,
  service: string,
  services: readonly ExternalServiceOptions[],
  labels: Record<string, string>,
): void {
  for (const s of services) {
    const name = externalServiceName(service, s.host);
    const port = s.port ?? 443;
    const originate = (s.tls ?? 'originate') === 'originate';
    new ApiObject(scope, `external-${s.host}`, {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name, labels },
      spec: {
        hosts: [s.host],
        exportTo: ['.'],
        location: 'MESH_EXTERNAL',
        resolution: 'DNS',
        ports: [
          ...(originate ? [{ number: TLS_ORIGINATION_HTTP_PORT, name: 'http', protocol: 'HTTP', targetPort: port }] : []),
          { number: port, name: 'tls', protocol: 'TLS' },
        ],
      },
    });
    if (originate) {
      new ApiObject(scope, `external-${s.host}-tls`, {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name, labels },
        spec: {
          host: s.host,
          exportTo: ['.'],
          workloadSelector: { matchLabels: { [SERVICE_LABEL]: service } },
          trafficPolicy: {
            portLevelSettings: [{ port: { number: TLS_ORIGINATION_HTTP_PORT }, tls: { mode: 'SIMPLE', sni: s.host, subjectAltNames: [s.host] } }],
          },
        },
      });
    }
  }
  createEgressPolicy(scope, service, services, labels);
}

function createEgressPolicy(scope: Construct, service: string, services: readonly ExternalServiceOptions[], labels: Record<string, string>): void {
  const open = services.filter((s) => s.cidrs === undefined);
  const reason = open.length > 0
    ? `${service} calls ${open.map((s) => `${s.host}:${s.port ?? 443}`).join(', ')} outside the mesh; a NetworkPolicy cannot name a host and their addresses are not given (externalServices[].cidrs), so these ports are open to public addresses, private and link-local ranges closed; the ServiceEntries name the hosts for the mesh.`
    : undefined;
  new k8s.KubeNetworkPolicy(scope, 'egress-policy', {
    metadata: { name: egressPolicyName(service), labels, ...(reason ? { annotations: { [EGRESS_REASON_ANNOTATION]: reason } } : {}) },
    spec: {
      podSelector: { matchLabels: { [SERVICE_LABEL]: service } },
      policyTypes: ['Egress'],
      egress: services.map((s) => ({
        to: s.cidrs !== undefined ? s.cidrs.map((cidr) => ({ ipBlock: { cidr } })) : [{ ipBlock: { cidr: '0.0.0.0/0', except: [...PRIVATE_AND_LINK_LOCAL_RANGES] } }],
        ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(s.port ?? 443) }],
      })),
    },
  });
}
