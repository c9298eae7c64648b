import { DNS_LABEL, DNS_LABEL_RULE, LABEL_KEY, PropsValidator } from '../../catalog';
import { TLS_VERSIONS, TlsVersion } from './gateway-tls';
import { DNS_SUBDOMAIN_RULE, HOSTNAME, HOSTNAME_RULE, isDnsSubdomain, isLabelValue } from './http-tokens';
import { FaultInjectionOptions } from './fault-injection';
import { RateLimitOptions, validateRateLimit } from './rate-limit';
import { RequestAuthOptions, validateRequestAuth } from './request-authentication';

/**
 * Retries of failed requests. Inference is expensive and not always idempotent (a generation that
 * streams, a request that crashed the server), so only failures that mean "the request never
 * reached a model" are retried by default: no connection, refused stream, a reset before the
 * request was sent, gRPC unavailable or cancelled. Not 503: under overload a model server (or the
 * circuit breaker) answers 503 at once, and retrying it multiplies the load by the attempts, times
 * the retries of a caller that retries too (a pipeline step: 3 × 4 = 12 tries per call). Not `5xx`,
 * `reset` or `gateway-error`: a 500 from the model is deterministic, a reset may come after the GPU
 * did the work, and retrying a 504 doubles the load on a server that is already too slow.
 */
export interface RetryOptions {
  /**
   * Retries after the first try; 0 turns retries off.
   * @default 2
   */
  readonly attempts?: number;
  /**
   * Time limit of each try.
   * @default - each try may use the whole request timeout (retries only follow fast failures)
   */
  readonly perTryTimeoutSeconds?: number;
  /**
   * Envoy retry conditions, comma-separated, exactly as Istio's `retryOn`; HTTP status codes
   * (`"503"`) are allowed, with `perTryTimeoutSeconds`.
   * @default 'connect-failure,refused-stream,reset-before-request,unavailable,cancelled'
   */
  readonly retryOn?: string;
}

export const DEFAULT_RETRY_ATTEMPTS = 2;
export const DEFAULT_RETRY_ON = 'connect-failure,refused-stream,reset-before-request,unavailable,cancelled';
/** Inference can be slow (large batches, long generations): a minute before the mesh gives up. */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 60;

const RETRY_CONDITIONS = new Set([
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'envoy-ratelimited', 'retriable-4xx',
  'refused-stream', 'retriable-status-codes', 'retriable-headers', 'http3-post-connect-failure',
  'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
]);

/**
 * Circuit breaking: limits that make an overloaded model fail fast (503) instead of queueing
 * requests past their timeout, and ejection of pods that keep failing. The connection limits are
 * per calling proxy (each client pod's sidecar, or the ingress gateway), not per model pod. A
 * ModelService sizes them from what its pods can take (see connectionLimitDefaults): a GPU server
 * with a thousand requests queued in front of it answers none of them in time.
 */
export interface CircuitBreakerOptions {
  /**
   * Connections from one proxy to all pods of the service. HTTP/1.1 carries one request at a time
   * per connection, so this also caps the requests in flight.
   * @default - the service's concurrency: requests one replica serves at once × its most replicas
   */
  readonly maxConnections?: number;
  /**
   * Time to open a connection; in-cluster connects take milliseconds, so a slow one means a sick
   * pod and the request is better retried on another.
   * @default 5
   */
  readonly connectTimeoutSeconds?: number;
  /**
   * Requests waiting for a connection; beyond this the proxy answers 503 at once.
   * @default - the service's concurrency (one more wave of requests)
   */
  readonly maxPendingRequests?: number;
  /**
   * Requests in flight to all pods of the service, whatever the protocol (Istio's
   * `http2MaxRequests`, which despite its name also counts HTTP/1.1).
   * @default - the service's concurrency
   */
  readonly maxRequests?: number;
  /**
   * Requests on one connection before it is closed and reopened.
   * @default - unlimited: connections are reused, and the proxy balances per request anyway
   */
  readonly maxRequestsPerConnection?: number;
  /**
   * Consecutive 5xx answers after which a pod is ejected from the pool.
   * @default 5
   */
  readonly consecutive5xxErrors?: number;
  /**
   * How long an ejected pod stays out (longer each time it is ejected again).
   * @default 30
   */
  readonly baseEjectionSeconds?: number;
  /**
   * Most pods ejected at once, in percent. Half keeps a service with two replicas answering while
   * one is sick, and keeps a global overload from ejecting everything. Envoy ejects at least one
   * host whatever the percentage, so a subset of one pod can still be emptied: minHealthPercent
   * guards that.
   * @default 50
   */
  readonly maxEjectionPercent?: number;
  /**
   * Below this share of healthy pods in a subset, outlier ejection stops and the proxy balances
   * over every pod, ejected ones included (Istio's `minHealthPercent`, Envoy's panic threshold):
   * a track whose only pod was ejected keeps answering instead of returning 503 "no healthy
   * upstream" for the whole ejection.
   * @default 50
   */
  readonly minHealthPercent?: number;
}

/**
 * The limits used when neither the props nor the service's concurrency give one: ModelTraffic on
 * its own, without a ModelService to size it.
 */
export const DEFAULT_CIRCUIT_BREAKER: Required<Omit<CircuitBreakerOptions, 'maxRequestsPerConnection'>> = {
  maxConnections: 1024,
  connectTimeoutSeconds: 5,
  maxPendingRequests: 1024,
  maxRequests: 1024,
  consecutive5xxErrors: 5,
  baseEjectionSeconds: 30,
  maxEjectionPercent: 50,
  minHealthPercent: 50,
};

/** An Istio ingress Gateway that exposes the service outside the cluster over HTTPS. */
export interface GatewayOptions {
  /**
   * Name of the Gateway object.
   * @default - the service name
   */
  readonly name?: string;
  /** External host names, e.g. `['resnet.models.example.com']`. */
  readonly hosts: readonly string[];
  /**
   * Secret with the TLS certificate and key (`tls.crt`, `tls.key`, e.g. from cert-manager).
   * Istio reads it from the namespace of the ingress gateway pods (usually `istio-system` or
   * `istio-ingress`), not from the service's namespace.
   */
  readonly tlsSecretName: string;
  /**
   * Labels of the ingress gateway pods that serve this Gateway.
   * @default { istio: 'ingressgateway' }
   */
  readonly selector?: Readonly<Record<string, string>>;
  /**
   * Lowest TLS version clients may use. With 1.2, only forward-secret AEAD cipher suites are
   * offered (GATEWAY_CIPHER_SUITES).
   * @default '1.2'
   */
  readonly minTlsVersion?: TlsVersion;
  /**
   * Listen on port 80 and answer every plain-HTTP request with a redirect to HTTPS. `false`
   * listens on 443 only. Plain HTTP is never served.
   * @default true
   */
  readonly httpsRedirect?: boolean;
}

export const DEFAULT_GATEWAY_SELECTOR: Readonly<Record<string, string>> = { istio: 'ingressgateway' };

/** The traffic settings a user chooses; a ModelService takes them as one group. */
export interface TrafficOptions {
  /**
   * Time the mesh waits for an answer, retries included.
   * @default 60
   */
  readonly requestTimeoutSeconds?: number;
  /** @default - 2 retries on connection failures and 503 (see RetryOptions) */
  readonly retries?: RetryOptions;
  /** @default - the limits in DEFAULT_CIRCUIT_BREAKER */
  readonly circuitBreaker?: CircuitBreakerOptions;
  /** @default - reachable inside the mesh only */
  readonly gateway?: GatewayOptions;
  /**
   * Require a JWT (Istio RequestAuthentication) or a named in-mesh caller (AuthorizationPolicy)
   * on the inference ports.
   * @default - any caller the NetworkPolicy admits (the ingress gateway, pods of the namespace), authenticated by mTLS only
   */
  readonly auth?: RequestAuthOptions;
  /**
   * Limit the requests each replica accepts (Envoy local rate limit in each sidecar); refused
   * requests get 429 with `retry-after`. Per replica: the service accepts replicas × the limit.
   * @default - no limit beyond the circuit breaker
   */
  readonly rateLimit?: RateLimitOptions;
  /**
   * Inject delays and errors into the inference routes, for chaos tests (Istio fault injection).
   * Refused in production unless `allowInProduction` is set.
   * @default - no faults
   */
  readonly faults?: FaultInjectionOptions;
}

/** Checks traffic options; `field` is their name in the caller's props (`traffic`). */
export function validateTrafficOptions(check: PropsValidator, options: TrafficOptions | undefined, field = 'traffic'): void {
  if (options === undefined) return;
  const prefix = field ? `${field}.` : '';
  const timeout = options.requestTimeoutSeconds;
  check.integerInRange(`${prefix}requestTimeoutSeconds`, timeout, 1, 3600, `set ${prefix}requestTimeoutSeconds to whole seconds from 1 to 3600 (60 suits most models)`);

  const r = options.retries;
  if (r !== undefined) {
    check.integerInRange(`${prefix}retries.attempts`, r.attempts, 0, 10, `set ${prefix}retries.attempts from 0 (off) to 10; 2 is usual`);
    check.integerInRange(`${prefix}retries.perTryTimeoutSeconds`, r.perTryTimeoutSeconds, 1, 3600);
    const total = timeout ?? DEFAULT_REQUEST_TIMEOUT_SECONDS;
    check.that(
      r.perTryTimeoutSeconds === undefined || r.perTryTimeoutSeconds <= total,
      `${prefix}retries.perTryTimeoutSeconds`,
      r.perTryTimeoutSeconds,
      `is longer than the request timeout (${total} s), so no retry could ever start`,
      `lower ${prefix}retries.perTryTimeoutSeconds or raise ${prefix}requestTimeoutSeconds`,
    );
    if (r.retryOn !== undefined) {
      const conditions = typeof r.retryOn === 'string' ? r.retryOn.split(',').map((c) => c.trim()) : [];
      const bad = conditions.find((c) => !RETRY_CONDITIONS.has(c) && !/^[1-5]\d\d$/.test(c));
      check.that(
        conditions.length > 0 && bad === undefined,
        `${prefix}retries.retryOn`,
        r.retryOn,
        bad !== undefined ? `has an unknown retry condition ${JSON.stringify(bad)}` : 'is not a comma-separated string',
        `use Envoy conditions (${[...RETRY_CONDITIONS].join(', ')}) or HTTP status codes, comma-separated, e.g. "${DEFAULT_RETRY_ON}"`,
      );
      check.that(
        !(conditions.includes('5xx') || conditions.includes('reset')) || (r.attempts ?? DEFAULT_RETRY_ATTEMPTS) <= 3,
        `${prefix}retries.attempts`,
        r.attempts,
        'is more than 3 while retrying on 5xx or reset, which can multiply the load of one request that crashes or overloads the model',
        `lower ${prefix}retries.attempts to at most 3, or retry only on connect-failure,refused-stream,unavailable,503`,
      );
    }
  }

  const cb = options.circuitBreaker;
  if (cb !== undefined) {
    const p = `${prefix}circuitBreaker`;
    check.integerInRange(`${p}.maxConnections`, cb.maxConnections, 1, 1_000_000);
    check.integerInRange(`${p}.connectTimeoutSeconds`, cb.connectTimeoutSeconds, 1, 60);
    check.integerInRange(`${p}.maxPendingRequests`, cb.maxPendingRequests, 1, 1_000_000);
    check.integerInRange(`${p}.maxRequests`, cb.maxRequests, 1, 1_000_000);
    check.integerInRange(`${p}.maxRequestsPerConnection`, cb.maxRequestsPerConnection, 1, 1_000_000, `set ${p}.maxRequestsPerConnection to at least 1, or leave it out for no limit`);
    check.integerInRange(`${p}.consecutive5xxErrors`, cb.consecutive5xxErrors, 1, 1000);
    check.integerInRange(`${p}.baseEjectionSeconds`, cb.baseEjectionSeconds, 1, 3600);
    check.integerInRange(`${p}.maxEjectionPercent`, cb.maxEjectionPercent, 0, 100);
    check.integerInRange(`${p}.minHealthPercent`, cb.minHealthPercent, 0, 100, `set ${p}.minHealthPercent from 0 (eject whatever is left) to 100; 50 is usual`);
  }

  const gw = options.gateway;
  if (gw !== undefined) {
    const p = `${prefix}gateway`;
    if (gw.name !== undefined) check.matches(`${p}.name`, gw.name, DNS_LABEL, DNS_LABEL_RULE);
    check.that(Array.isArray(gw.hosts) && gw.hosts.length > 0, `${p}.hosts`, gw.hosts, 'is empty', `list the external host names, e.g. ["resnet.models.example.com"]`);
    gw.hosts.forEach((h, i) => {
      check.that(h !== '*', `${p}.hosts[${i}]`, h, 'is a bare wildcard, which Istio refuses for a VirtualService that also serves the mesh', 'name the host, or use a domain wildcard such as "*.models.example.com"');
      check.that(typeof h === 'string' && h.length <= 253 && HOSTNAME.test(h), `${p}.hosts[${i}]`, h, `is not a valid host: ${HOSTNAME_RULE}`, 'use the DNS name clients call, e.g. "resnet.models.example.com"');
    });
    const dup = gw.hosts.find((h, i) => gw.hosts.indexOf(h) !== i);
    check.that(dup === undefined, `${p}.hosts`, gw.hosts, `lists ${JSON.stringify(dup)} twice`, 'list each host once');
    check.that(typeof gw.tlsSecretName === 'string' && gw.tlsSecretName.length > 0, `${p}.tlsSecretName`, gw.tlsSecretName, 'is not set', 'name the Secret (in the ingress gateway\'s namespace) that holds the certificate, e.g. "resnet-tls"');
    check.that(isDnsSubdomain(gw.tlsSecretName), `${p}.tlsSecretName`, gw.tlsSecretName, `is not a valid Secret name: ${DNS_SUBDOMAIN_RULE}`, 'rename it so that it follows that rule');
    if (gw.selector !== undefined) {
      const entries = Object.entries(gw.selector);
      check.that(entries.length > 0, `${p}.selector`, gw.selector, 'is empty, which would bind every gateway pod in the cluster', `give the labels of the ingress gateway pods, e.g. ${JSON.stringify(DEFAULT_GATEWAY_SELECTOR)}`);
      for (const [k, v] of entries) {
        check.that(LABEL_KEY.test(k), `${p}.selector`, k, 'is not a valid label key', 'use a key such as "istio" or "app.kubernetes.io/name"');
        check.that(isLabelValue(v), `${p}.selector.${k}`, v, 'is not a valid label value', 'use the value the ingress gateway pods carry, e.g. "ingressgateway"');
      }
    }
    check.oneOf(`${p}.minTlsVersion`, gw.minTlsVersion, TLS_VERSIONS);
    if (gw.httpsRedirect !== undefined) check.that(typeof gw.httpsRedirect === 'boolean', `${p}.httpsRedirect`, gw.httpsRedirect, 'is not a boolean', 'pass true (redirect port 80 to HTTPS) or false (listen on 443 only)');
  }

  validateRequestAuth(check, options.auth, `${prefix}auth`, gw !== undefined);
  validateRateLimit(check, options.rateLimit, `${prefix}rateLimit`, options.retries?.retryOn, `${prefix}retries.retryOn`);
}
