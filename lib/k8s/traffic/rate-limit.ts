import { PropsValidator } from '../../catalog';

/**
 * A request rate limit enforced by each pod's sidecar (Envoy's local rate limit, a token bucket).
 *
 * The limit is per replica: the service as a whole accepts replicas × requestsPerSecond, and that
 * total grows and shrinks with the autoscaler. It protects each model server from more load than
 * it can take (a GPU queue that would otherwise grow until requests time out); it is not a quota
 * per client or a fixed ceiling for the service. A global limit would need Envoy's external rate
 * limit service (with Redis) that every sidecar asks per request, which this library does not
 * deploy.
 */
export interface RateLimitOptions {
  /**
   * Requests per second one replica accepts, on each inference port (HTTP and gRPC have a bucket
   * each). A whole number from 1 to 100000, or a fraction up to 20 (0.5 = one request every 2 s).
   */
  readonly requestsPerSecond: number;
  /**
   * Requests a replica accepts at once after a quiet period: the size of the token bucket, which
   * refills at requestsPerSecond. At least the tokens added per refill (requestsPerSecond rounded up).
   * @default - requestsPerSecond rounded up: one second's worth
   */
  readonly burst?: number;
}

/** Header on every answer the rate limit refuses (besides Envoy's own `x-envoy-ratelimited`). */
export const RATE_LIMITED_HEADER = 'x-modelserve-rate-limited';
export const MAX_REQUESTS_PER_SECOND = 100_000;
export const MAX_RATE_LIMIT_BURST = 1_000_000;
/** Envoy refuses a token bucket that refills more often than every 50 ms. */
const MAX_FRACTIONAL_RATE = 20;
/**
 * Scrapes per second one replica answers on a metrics path that shares an inference port, from a
 * bucket of their own: Prometheus asks every 15 to 30 s, from two replicas at most.
 */
const SCRAPES_PER_SECOND = 5;
const SCRAPE_DESCRIPTOR = 'prometheus-scrape';
/** Retry conditions that would resend what the rate limit refused, to another overloaded pod. */
const RATE_LIMITED_RETRY_CONDITIONS = ['429', 'envoy-ratelimited', 'resource-exhausted'];

/** Envoy's token bucket for a rate. */
export interface TokenBucket {
  readonly maxTokens: number;
  readonly tokensPerFill: number;
  /** Seconds between refills. */
  readonly fillIntervalSeconds: number;
}

/**
 * The bucket of a rate: a whole rate refills all its tokens every second; a fractional one refills
 * one token every 1/rate seconds (to the millisecond), so that 0.5 means one request every 2 s.
 * Either way the bucket holds one second's worth by default (the rate rounded up), as
 * RateLimitOptions.burst says and validateRateLimit requires of a burst given by hand.
 */
export function tokenBucket(rl: RateLimitOptions): TokenBucket {
  const whole = Number.isInteger(rl.requestsPerSecond);
  const tokensPerFill = whole ? rl.requestsPerSecond : 1;
  return {
    maxTokens: rl.burst ?? Math.ceil(rl.requestsPerSecond),
    tokensPerFill,
    fillIntervalSeconds: whole ? 1 : Number((1 / rl.requestsPerSecond).toFixed(3)),
  };
}

/**
 * `spec` of the EnvoyFilter that inserts Envoy's local rate limit filter into the inbound HTTP
 * filter chain of each inference port of the selected pods' sidecars (the virtual inbound
 * listener's filter chain whose destination port is `portNumber`), just before the router. There,
 * it runs after Istio's JWT and RBAC filters: requests the AuthorizationPolicy refuses never take a
 * token, so unauthenticated traffic cannot use up the callers' allowance. The rewritten kubelet
 * probes never pass it, and neither does a metrics port of its own.
 *
 * A server whose metrics share an inference port (TF Serving, vLLM, most custom servers) gets a
 * second bucket on that port for GETs of the metrics path: a scrape takes its tokens instead of
 * the callers' (`always_consume_default_token_bucket: false`), so Prometheus is not refused with
 * 429 exactly when the load (and the queue-length scaling that reads it) matters.
 */
export function rateLimitFilterSpec(
  selector: Readonly<Record<string, string>>,
  ports: readonly number[],
  rl: RateLimitOptions,
  metrics?: { readonly port: number; readonly path: string },
): Record<string, unknown> {
  const bucket = tokenBucket(rl);
  const always = (key: string) => ({ runtime_key: key, default_value: { numerator: 100, denominator: 'HUNDRED' } });
  const header = (key: string, value: string) => ({ append_action: 'OVERWRITE_IF_EXISTS_OR_ADD', header: { key, value } });
  return {
    workloadSelector: { labels: { ...selector } },
    configPatches: ports.map((port) => ({
      applyTo: 'HTTP_FILTER',
      match: {
        context: 'SIDECAR_INBOUND',
        listener: {
          portNumber: port,
          filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } },
        },
      },
      patch: {
        operation: 'INSERT_BEFORE',
        value: {
          name: 'envoy.filters.http.local_ratelimit',
          typed_config: {
            '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
            stat_prefix: 'http_local_rate_limiter',
            token_bucket: { max_tokens: bucket.maxTokens, tokens_per_fill: bucket.tokensPerFill, fill_interval: `${bucket.fillIntervalSeconds}s` },
            // Envoy enables and enforces the filter for 0 % of requests unless told otherwise.
            filter_enabled: always('local_rate_limit_enabled'),
            filter_enforced: always('local_rate_limit_enforced'),
            response_headers_to_add: [header(RATE_LIMITED_HEADER, 'true'), header('retry-after', String(Math.ceil(bucket.fillIntervalSeconds)))],
            // gRPC callers get RESOURCE_EXHAUSTED rather than UNAVAILABLE, which the mesh's default
            // retry policy would resend at once.
            rate_limited_as_resource_exhausted: true,
            ...(metrics?.port === port ? scrapeBucket(metrics.path) : {}),
          },
        },
      },
    })),
  };
}

/** The LocalRateLimit fields that give GETs of the metrics path a bucket of their own. */
function scrapeBucket(path: string): Record<string, unknown> {
  const exact = (name: string, value: string) => ({ name, string_match: { exact: value } });
  return {
    // Computed by the filter itself (Envoy 1.33+), so that the sidecar's route needs no patch.
    rate_limits: [{ actions: [{ header_value_match: { descriptor_value: SCRAPE_DESCRIPTOR, headers: [exact(':method', 'GET'), exact(':path', path)] } }] }],
    descriptors: [{
      entries: [{ key: 'header_match', value: SCRAPE_DESCRIPTOR }],
      token_bucket: { max_tokens: SCRAPES_PER_SECOND, tokens_per_fill: SCRAPES_PER_SECOND, fill_interval: '1s' },
    }],
    // A request that matches the descriptor takes only its tokens; every other one the default bucket's.
    always_consume_default_token_bucket: false,
  };
}

/**
 * Checks `rateLimit`; `field` is its name in the caller's props. `retryOn` is the service's retry
 * conditions: retrying a refused request only moves the overload to another pod.
 */
export function validateRateLimit(check: PropsValidator, rl: RateLimitOptions | undefined, field: string, retryOn?: string, retryOnField = 'retries.retryOn'): void {
  if (rl === undefined) return;
  check.that(typeof rl === 'object' && rl !== null && !Array.isArray(rl), field, rl, 'is not an object', `pass { requestsPerSecond, burst } or leave ${field} out`);
  const rps = rl.requestsPerSecond;
  check.that(rps !== undefined, `${field}.requestsPerSecond`, rps, 'is not set', 'give the requests per second one replica accepts, e.g. 20');
  check.numberInRange(`${field}.requestsPerSecond`, rps, 0.01, MAX_REQUESTS_PER_SECOND, 'give the requests per second one replica accepts, e.g. 20 (0.5 for one request every 2 s)');
  check.that(
    Number.isInteger(rps) || rps <= MAX_FRACTIONAL_RATE,
    `${field}.requestsPerSecond`,
    rps,
    `is a fraction above ${MAX_FRACTIONAL_RATE}: Envoy's token bucket would have to refill one token every ${Math.round(1000 / rps)} ms, more often than its 50 ms minimum`,
    `use a whole number such as ${Math.round(rps)}`,
  );
  const minBurst = Math.ceil(rps);
  check.integerInRange(
    `${field}.burst`,
    rl.burst,
    minBurst,
    MAX_RATE_LIMIT_BURST,
    `set ${field}.burst to at least ${minBurst} (the tokens added each refill; a smaller bucket would cap the rate at the burst), or leave it out`,
  );
  const conditions = typeof retryOn === 'string' ? retryOn.split(',').map((c) => c.trim()) : [];
  const retried = conditions.find((c) => RATE_LIMITED_RETRY_CONDITIONS.includes(c));
  check.that(
    retried === undefined,
    retryOnField,
    retryOn,
    `retries "${retried}" together with ${field}: every refused request would be sent again at once, to another replica that is just as busy`,
    `remove "${retried}" from ${retryOnField}, and let clients back off on 429 (the answer carries retry-after)`,
  );
}

/**
 * With a request-rate autoscaling target above the limit, each replica refuses requests with 429
 * long before it reaches the load that adds a replica.
 */
export function validateRateLimitAgainstScaling(check: PropsValidator, rl: RateLimitOptions | undefined, targetRequestsPerSecond: number | undefined, field = 'rateLimit'): void {
  if (rl === undefined || targetRequestsPerSecond === undefined) return;
  check.that(
    rl.requestsPerSecond >= targetRequestsPerSecond,
    `${field}.requestsPerSecond`,
    rl.requestsPerSecond,
    `is below autoscaling.requestsPerSecond (${targetRequestsPerSecond}): each replica would refuse requests with 429 before its load reaches the level that adds a replica`,
    `raise ${field}.requestsPerSecond above the scaling target (e.g. ${Math.ceil(targetRequestsPerSecond * 1.5)}), or lower autoscaling.requestsPerSecond`,
  );
}
