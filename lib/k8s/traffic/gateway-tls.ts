import type { GatewayOptions } from './traffic-options';

/** Lowest TLS version the gateway accepts. */
export type TlsVersion = '1.2' | '1.3';
export const TLS_VERSIONS: readonly TlsVersion[] = ['1.2', '1.3'];
export const DEFAULT_MIN_TLS_VERSION: TlsVersion = '1.2';

const ISTIO_TLS_VERSION: Record<TlsVersion, string> = { '1.2': 'TLSV1_2', '1.3': 'TLSV1_3' };

/**
 * TLS 1.2 ciphers of the gateway: forward-secret (ECDHE) AEAD suites only, as in Mozilla's
 * "intermediate" profile. Envoy's own default server list also accepts CBC-SHA1 suites and RSA key
 * exchange without forward secrecy. TLS 1.3 suites are not configurable and are all AEAD.
 */
export const GATEWAY_CIPHER_SUITES: readonly string[] = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];

/**
 * `spec.servers` of the ingress Gateway: HTTPS on 443 with the certificate from the Secret, and
 * (unless turned off) port 80 that only redirects to HTTPS; never a listener that serves plain HTTP.
 * Hosts carry the `./` namespace prefix, so that only VirtualServices in the Gateway's own
 * namespace can bind to them: another namespace cannot route this host somewhere else.
 */
export function gatewayServers(gw: GatewayOptions): Record<string, unknown>[] {
  const hosts = gw.hosts.map((h) => `./${h}`);
  const min = gw.minTlsVersion ?? DEFAULT_MIN_TLS_VERSION;
  const https = {
    port: { number: 443, name: 'https', protocol: 'HTTPS' },
    hosts,
    tls: {
      mode: 'SIMPLE',
      credentialName: gw.tlsSecretName,
      minProtocolVersion: ISTIO_TLS_VERSION[min],
      ...(min === '1.2' ? { cipherSuites: [...GATEWAY_CIPHER_SUITES] } : {}),
    },
  };
  if (gw.httpsRedirect === false) return [https];
  return [https, { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [...hosts], tls: { httpsRedirect: true } }];
}
