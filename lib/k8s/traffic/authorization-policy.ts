import { callerRule } from './caller-rule';
import { issuerPrincipals, RequestAuthOptions, serviceAccountPrincipal } from './request-authentication';
import { DEFAULT_PROMETHEUS_SERVICE_ACCOUNT, inferencePorts, WorkloadEndpoints } from './workload-endpoints';

/**
 * `spec` of the service's ALLOW AuthorizationPolicy. Once an ALLOW policy selects a workload, Istio
 * refuses every request that no rule matches, so the rules list everything the pods must still
 * receive:
 * 1. the inference ports, from any caller with a valid JWT of the issuer (the RequestAuthentication
 *    has already rejected bad tokens; this rejects missing ones), restricted to the required claims;
 * 2. the inference ports, from the named in-mesh callers without a JWT;
 * 3. GET of the metrics path on the metrics port, from Prometheus' own identity (its
 *    ServiceAccount) when it scrapes over mTLS, not from every workload of its namespace; for
 *    plain-text scrapes, from requests without a mesh identity only (a plain-text scrape carries
 *    none, and the NetworkPolicy admits only Prometheus to that port), never from meshed callers:
 *    on a server whose metrics share the API port, the ingress gateway's would otherwise publish them.
 *
 * The kubelet's probes need no rule: Istio rewrites them to the sidecar agent, which calls the
 * container from 127.0.0.6, an address the sidecar's redirection skips, so they never reach the
 * inbound listener where the policy runs. The sidecar's own metrics (15020, 15090) are served
 * outside the inbound listener too.
 *
 * The selector covers every track: a blue-green preview, a canary and a shadow copy are served by
 * pods of the same service and meet the same rules. Mirrored (shadow) requests keep the caller's
 * Authorization header and mTLS identity, so they pass as the original did.
 */
export function authorizationPolicySpec(
  selector: Readonly<Record<string, string>>,
  auth: RequestAuthOptions,
  endpoints: WorkloadEndpoints,
  namespace: string,
): Record<string, unknown> {
  const ports = inferencePorts(endpoints).map(String);
  const rules: Record<string, unknown>[] = [];
  const jwt = auth.jwt;
  if (jwt) {
    const claims = Object.entries(jwt.requiredClaims ?? {});
    rules.push({
      from: [{ source: { requestPrincipals: [issuerPrincipals(jwt)] } }],
      to: [{ operation: { ports } }],
      ...(claims.length ? { when: claims.map(([name, values]) => ({ key: `request.auth.claims[${name}]`, values: [...values] })) } : {}),
    });
  }
  const sas = auth.allowedServiceAccounts ?? [];
  if (sas.length) rules.push(callerRule(sas.map((sa) => serviceAccountPrincipal(sa, namespace, auth.trustDomain)), ports));
  const m = endpoints.metrics;
  if (m) {
    const prometheus = { name: m.prometheusServiceAccount ?? DEFAULT_PROMETHEUS_SERVICE_ACCOUNT, namespace: m.prometheusNamespace };
    const identity = serviceAccountPrincipal(prometheus, namespace, auth.trustDomain);
    // `notPrincipals: ["*"]` matches exactly the requests that came without mTLS.
    const from = m.scrapeOverMtls ?? true ? [{ source: { principals: [identity] } }] : [{ source: { notPrincipals: ['*'] } }];
    rules.push({ from, to: [{ operation: { ports: [String(m.port)], methods: ['GET'], paths: [m.path] } }] });
    const readers = (m.alsoReadBy ?? []).map((name) => serviceAccountPrincipal({ name }, namespace, auth.trustDomain));
    if (readers.length) rules.push({ from: [{ source: { principals: readers } }], to: [{ operation: { ports: [String(m.port)], methods: ['GET'], paths: [m.path] } }] });
  }
  return { selector: { matchLabels: { ...selector } }, action: 'ALLOW', rules };
}
