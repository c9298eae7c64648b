import { DNS_LABEL, DNS_LABEL_RULE, PropsValidator, formatValue } from '../../catalog';
import { DNS_SUBDOMAIN_RULE, isDnsSubdomain, isPrintableAscii } from './http-tokens';

/** A JSON Web Token issuer whose tokens the service accepts. */
export interface JwtOptions {
  /**
   * The `iss` claim of accepted tokens: an https URL without query or fragment, exactly as the
   * issuer writes it (a trailing "/" matters), e.g. `https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123`.
   */
  readonly issuer: string;
  /**
   * Where the issuer publishes its signing keys (JWKS), an https URL. istiod fetches it and hands
   * the keys to the sidecars, so istiod (not the model pods) needs egress to it.
   */
  readonly jwksUri: string;
  /**
   * Accepted `aud` values; a token must carry one of them. Set this whenever the issuer mints
   * tokens for other applications too, or a token meant for one of them is accepted here.
   * @default - any audience (issuers without `aud`, such as Cognito access tokens, need requiredClaims instead)
   */
  readonly audiences?: readonly string[];
  /**
   * Claims a token must carry, by top-level claim name, with the accepted values (one of them
   * must match; Istio splits `scope` and `permission` on spaces), e.g. `{ scope: ['models:infer'] }`
   * or `{ client_id: ['7f1...'] }`.
   * @default - no claim beyond a valid signature, issuer, expiry and audience
   */
  readonly requiredClaims?: Readonly<Record<string, readonly string[]>>;
  /**
   * Pass the `Authorization` header on to the model server. Model servers do not read it, and a
   * bearer token that reaches the application can leak into its logs.
   * @default false - the sidecar removes the token once it has checked it
   */
  readonly forwardOriginalToken?: boolean;
}

/** A Kubernetes ServiceAccount of an in-mesh caller, e.g. the pipeline orchestrator. */
export interface ServiceAccountReference {
  readonly name: string;
  /**
   * Namespace of the ServiceAccount.
   * @default - the service's namespace
   */
  readonly namespace?: string;
}

/**
 * Who may call the model's inference ports. Once set, every other request to those ports is
 * refused with 403 (Istio's ALLOW semantics); Prometheus keeps scraping the metrics endpoint and
 * the kubelet's probes keep working.
 */
export interface RequestAuthOptions {
  /**
   * Callers must present a valid JWT from this issuer (`Authorization: Bearer <token>`).
   * Required when the service has a gateway: external callers have no mesh identity.
   * @default - no JWT: only allowedServiceAccounts may call
   */
  readonly jwt?: JwtOptions;
  /**
   * In-mesh callers admitted by their mesh (mTLS) identity, without a JWT: the pipeline
   * orchestrator, a batch job, a smoke test that previews a blue-green release.
   * @default - none: every caller needs a JWT
   */
  readonly allowedServiceAccounts?: readonly ServiceAccountReference[];
  /**
   * The mesh's trust domain (Istio `meshConfig.trustDomain`), the first part of a caller's SPIFFE
   * identity `<trustDomain>/ns/<namespace>/sa/<name>`.
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
}

export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

/** An https URL: no spaces, no `*` (Istio's wildcard), no credentials, no fragment; query only if allowed. */
function isHttpsUrl(value: unknown, allowQuery: boolean): value is string {
  if (typeof value !== 'string' || value.length > 2048 || /[\s*]/.test(value) || !value.startsWith('https://')) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.hostname.length > 0 && url.username === '' && url.password === '' && !value.includes('#') && (allowQuery || !value.includes('?'));
}

/** What an audience or claim value may be. */
function isTokenValue(value: unknown): value is string {
  return isPrintableAscii(value, 256);
}

/** A top-level claim name as Istio's `request.auth.claims[<name>]` takes it. */
const CLAIM_NAME = /^[^\s[\]]{1,256}$/;

/**
 * The mesh identity of a caller, as AuthorizationPolicy `principals` match it (the SPIFFE URI
 * without `spiffe://`).
 */
export function serviceAccountPrincipal(sa: ServiceAccountReference, defaultNamespace: string, trustDomain = DEFAULT_TRUST_DOMAIN): string {
  return `${trustDomain}/ns/${sa.namespace ?? defaultNamespace}/sa/${sa.name}`;
}

/**
 * Every `requestPrincipal` of the issuer: Istio names a JWT caller `<iss>/<sub>`, so a suffix
 * wildcard admits any subject of this issuer and nobody else's.
 */
export function issuerPrincipals(jwt: JwtOptions): string {
  return `${jwt.issuer}/*`;
}

/** `spec` of the RequestAuthentication: validates tokens; the AuthorizationPolicy requires one. */
export function requestAuthenticationSpec(selector: Readonly<Record<string, string>>, jwt: JwtOptions): Record<string, unknown> {
  return {
    selector: { matchLabels: { ...selector } },
    jwtRules: [
      {
        issuer: jwt.issuer,
        jwksUri: jwt.jwksUri,
        ...(jwt.audiences ? { audiences: [...jwt.audiences] } : {}),
        forwardOriginalToken: jwt.forwardOriginalToken ?? false,
      },
    ],
  };
}

/**
 * Checks `auth`; `field` is its name in the caller's props. `hasGateway` because a gateway's
 * callers come from outside the mesh and can only prove who they are with a JWT.
 */
export function validateRequestAuth(check: PropsValidator, auth: RequestAuthOptions | undefined, field: string, hasGateway: boolean): void {
  if (auth === undefined) return;
  check.that(typeof auth === 'object' && auth !== null && !Array.isArray(auth), field, auth, 'is not an object', `pass { jwt: { issuer, jwksUri }, allowedServiceAccounts } or leave ${field} out`);
  const sas = auth.allowedServiceAccounts;
  check.that(
    auth.jwt !== undefined || (sas !== undefined && sas.length > 0),
    field,
    auth,
    'admits nobody: it has neither a jwt issuer nor allowedServiceAccounts, and once an ALLOW policy selects the pods every other request is refused',
    `add ${field}.jwt { issuer, jwksUri } for callers with tokens, or ${field}.allowedServiceAccounts for in-mesh callers`,
  );
  check.that(
    auth.jwt !== undefined || !hasGateway,
    `${field}.jwt`,
    auth.jwt,
    'is not set but the service has a gateway: callers from outside the mesh have no mesh identity, so every external request would be refused with 403',
    `add ${field}.jwt { issuer, jwksUri } so that external callers can authenticate, or remove the gateway`,
  );

  const jwt = auth.jwt;
  if (jwt !== undefined) {
    const p = `${field}.jwt`;
    check.that(typeof jwt === 'object' && jwt !== null, p, jwt, 'is not an object', `pass { issuer, jwksUri, audiences }`);
    check.that(
      isHttpsUrl(jwt.issuer, false),
      `${p}.issuer`,
      jwt.issuer,
      'is not an https URL without query or fragment (no spaces or "*")',
      'give the "iss" claim of the tokens exactly as the identity provider writes it, e.g. "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123"',
    );
    check.that(
      isHttpsUrl(jwt.jwksUri, true),
      `${p}.jwksUri`,
      jwt.jwksUri,
      'is not an https URL (no spaces, "*" or fragment): signing keys fetched over plain HTTP could be forged on the way',
      'give the https URL of the JWKS document, e.g. "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123/.well-known/jwks.json"',
    );
    const aud = jwt.audiences;
    if (aud !== undefined) {
      check.that(Array.isArray(aud) && aud.length > 0, `${p}.audiences`, aud, 'is empty, which Istio reads as "any audience"', `list the accepted "aud" values, or leave ${p}.audiences out to accept any`);
      aud.forEach((a, i) => check.that(isTokenValue(a), `${p}.audiences[${i}]`, a, 'is not a printable ASCII string of at most 256 characters without surrounding spaces', 'give the "aud" value the issuer writes, e.g. "https://models.example.com" or a client id'));
      const dup = aud.find((a, i) => aud.indexOf(a) !== i);
      check.that(dup === undefined, `${p}.audiences`, aud, `lists ${formatValue(dup)} twice`, 'list each audience once');
    }
    const claims = jwt.requiredClaims;
    if (claims !== undefined) {
      check.that(typeof claims === 'object' && claims !== null && !Array.isArray(claims), `${p}.requiredClaims`, claims, 'is not an object', `pass { <claim>: [<accepted values>] }, e.g. { scope: ['models:infer'] }`);
      const entries = Object.entries(claims);
      check.that(entries.length > 0, `${p}.requiredClaims`, claims, 'is empty', `name at least one claim, e.g. { scope: ['models:infer'] }, or leave ${p}.requiredClaims out`);
      for (const [name, values] of entries) {
        check.that(CLAIM_NAME.test(name), `${p}.requiredClaims`, name, 'is not a claim name Istio can match (no spaces or brackets, at most 256 characters)', 'name a top-level claim such as "scope", "groups" or "client_id"');
        check.that(Array.isArray(values) && values.length > 0, `${p}.requiredClaims["${name}"]`, values, 'is empty, so no token could match', `list the accepted values, e.g. ["models:infer"]`);
        values.forEach((v, i) => check.that(isTokenValue(v), `${p}.requiredClaims["${name}"][${i}]`, v, 'is not a printable ASCII string of at most 256 characters without surrounding spaces', 'give a claim value such as "models:infer"'));
      }
    }
    if (jwt.forwardOriginalToken !== undefined) {
      check.that(typeof jwt.forwardOriginalToken === 'boolean', `${p}.forwardOriginalToken`, jwt.forwardOriginalToken, 'is not a boolean', 'pass true or false');
    }
  }

  const trustDomain = auth.trustDomain;
  if (trustDomain !== undefined) {
    check.that(isDnsSubdomain(trustDomain), `${field}.trustDomain`, trustDomain, `is not a valid trust domain: ${DNS_SUBDOMAIN_RULE}`, `give the mesh's meshConfig.trustDomain, e.g. "${DEFAULT_TRUST_DOMAIN}"`);
  }
  if (sas !== undefined) {
    check.that(Array.isArray(sas), `${field}.allowedServiceAccounts`, sas, 'is not a list', 'pass [{ name, namespace }]');
    sas.forEach((sa, i) => {
      const p = `${field}.allowedServiceAccounts[${i}]`;
      check.that(typeof sa === 'object' && sa !== null, p, sa, 'is not an object', 'pass { name, namespace }');
      check.that(sa.name !== '*' && isDnsSubdomain(sa.name), `${p}.name`, sa.name, `is not a ServiceAccount name (${DNS_SUBDOMAIN_RULE}, and no wildcards, which would admit every workload)`, 'name the ServiceAccount the caller runs as, e.g. "pipeline-orchestrator"');
      if (sa.namespace !== undefined) check.matches(`${p}.namespace`, sa.namespace, DNS_LABEL, DNS_LABEL_RULE);
    });
    const keys = sas.map((sa) => `${sa.namespace ?? ''}/${sa.name}`);
    const dup = keys.findIndex((k, i) => keys.indexOf(k) !== i);
    check.that(dup < 0, `${field}.allowedServiceAccounts`, dup < 0 ? sas : sas[dup], dup < 0 ? '' : 'lists this ServiceAccount twice', 'list each ServiceAccount once');
  }
}
