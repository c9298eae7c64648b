import { PropsValidator } from '../../catalog';
import { COOKIE_NAME_RULE, isCookieName } from './http-tokens';

/**
 * How requests are spread over the pods of a track.
 * - `least-connections`: to the pod with the fewest requests in flight (Envoy `LEAST_REQUEST`).
 * - `round-robin`: each pod in turn.
 * - `ip-hash`: the same client IP always reaches the same pod while the pod set is unchanged.
 */
export type LoadBalancingAlgorithm = 'round-robin' | 'least-connections' | 'ip-hash';

export const LOAD_BALANCING_ALGORITHMS: readonly LoadBalancingAlgorithm[] = ['least-connections', 'round-robin', 'ip-hash'];

/**
 * The default algorithm. Inference requests differ a lot in cost (batch size, sequence length, a
 * GPU queue that is already full), so a pod that is busy with a slow request should not get the
 * next one just because it is its turn: least-request (Envoy picks the less loaded of two random
 * pods) keeps queues short. It is also Istio's own default since 1.14.
 */
export const DEFAULT_LOAD_BALANCING_ALGORITHM: LoadBalancingAlgorithm = 'least-connections';

export interface HealthCheck {
  /** HTTP path that answers 200 when the model is loaded and ready to serve, e.g. `/health` or `/v2/health/ready`. */
  readonly path: string;
  /**
   * How often to check. The ModelService's readiness probe runs at this period, and the mesh
   * sweeps for failing pods (outlier detection) at this interval.
   * @default 10
   */
  readonly intervalSeconds?: number;
}

export interface StickySessionOptions {
  /**
   * Cookie that pins a client to a pod. Istio sets it on the first response when the client has none.
   * @default 'modelserve-affinity'
   */
  readonly cookieName?: string;
  /**
   * Lifetime of the cookie; 0 makes it a session cookie.
   * @default 3600
   */
  readonly ttlSeconds?: number;
}

export interface LoadBalancerOptions {
  /**
   * How requests are spread over pods. Not allowed together with `stickySessions`: a sticky
   * session picks its pod by hashing the cookie, so no other algorithm applies.
   * @default 'least-connections' (when stickySessions is off)
   */
  readonly algorithm?: LoadBalancingAlgorithm;
  /**
   * HTTP health check of the model server.
   * @default - none: the ModelService keeps its own readiness probe and the mesh sweeps for
   * failing pods every 10 seconds
   */
  readonly healthCheck?: HealthCheck;
  /**
   * Send a client's requests to the same pod (for servers that keep per-client state, such as a
   * KV cache of a conversation). `true` uses the default cookie. Stickiness holds within a track,
   * so it is refused with a canary at a weight from 1 to 99 and with a progressive rollout, whose
   * weighted split would move a session between versions; an A/B test keeps each client on its
   * variant (it routes by header or cookie).
   * @default false
   */
  readonly stickySessions?: boolean | StickySessionOptions;
}

/** The options with every default applied: what the traffic policy and the readiness probe use. */
export interface ResolvedLoadBalancer {
  /** `undefined` when sticky sessions choose the pod. */
  readonly algorithm?: LoadBalancingAlgorithm;
  readonly healthCheck?: Required<HealthCheck>;
  /** Interval of outlier detection: the health check interval, or the default. */
  readonly outlierDetectionIntervalSeconds: number;
  readonly stickySessions?: Required<StickySessionOptions>;
}

export const DEFAULT_HEALTH_CHECK_INTERVAL_SECONDS = 10;
export const DEFAULT_STICKY_COOKIE_NAME = 'modelserve-affinity';
export const DEFAULT_STICKY_TTL_SECONDS = 3600;

/** Applies the defaults. Call `validateLoadBalancer` first. */
export function resolveLoadBalancer(lb: LoadBalancerOptions = {}): ResolvedLoadBalancer {
  const sticky = lb.stickySessions === true ? {} : lb.stickySessions || undefined;
  const healthCheck = lb.healthCheck
    ? { path: lb.healthCheck.path, intervalSeconds: lb.healthCheck.intervalSeconds ?? DEFAULT_HEALTH_CHECK_INTERVAL_SECONDS }
    : undefined;
  return {
    algorithm: sticky ? undefined : (lb.algorithm ?? DEFAULT_LOAD_BALANCING_ALGORITHM),
    healthCheck,
    outlierDetectionIntervalSeconds: healthCheck?.intervalSeconds ?? DEFAULT_HEALTH_CHECK_INTERVAL_SECONDS,
    stickySessions: sticky
      ? { cookieName: sticky.cookieName ?? DEFAULT_STICKY_COOKIE_NAME, ttlSeconds: sticky.ttlSeconds ?? DEFAULT_STICKY_TTL_SECONDS }
      : undefined,
  };
}

/**
 * Checks load balancer options; `undefined` passes (all defaults). `field` is the name of the
 * options in the caller's props, so that messages read `resnet: loadBalancer.healthCheck.path ...`.
 */
export function validateLoadBalancer(check: PropsValidator, lb: LoadBalancerOptions | undefined, field = 'loadBalancer'): void {
  if (lb === undefined) return;
  check.that(typeof lb === 'object' && lb !== null && !Array.isArray(lb), field, lb, 'is not an object', `pass { algorithm, healthCheck, stickySessions } or leave ${field} out`);
  check.oneOf(`${field}.algorithm`, lb.algorithm, LOAD_BALANCING_ALGORITHMS);

  const hc = lb.healthCheck;
  if (hc !== undefined) {
    check.that(typeof hc === 'object' && hc !== null, `${field}.healthCheck`, hc, 'is not an object', `pass { path: '/health', intervalSeconds: 10 }`);
    check.that(typeof hc.path === 'string' && hc.path.startsWith('/'), `${field}.healthCheck.path`, hc.path, 'must start with "/"', `give the path of the server's readiness endpoint, e.g. "/health" or "/v2/health/ready"`);
    check.that(/^\/[^\s#]*$/.test(hc.path) && hc.path.length <= 2048, `${field}.healthCheck.path`, hc.path, 'contains spaces, control characters or a "#" fragment', 'give a plain URL path such as "/health" (percent-encode special characters)');
    check.integerInRange(`${field}.healthCheck.intervalSeconds`, hc.intervalSeconds, 1, 300, `set ${field}.healthCheck.intervalSeconds to a whole number of seconds from 1 to 300 (10 is usual)`);
  }

  const sticky = lb.stickySessions;
  if (sticky === undefined || sticky === false) return;
  check.that(sticky === true || (typeof sticky === 'object' && sticky !== null), `${field}.stickySessions`, sticky, 'is neither a boolean nor an object', 'pass true, false or { cookieName, ttlSeconds }');
  check.that(
    lb.algorithm !== 'ip-hash',
    `${field}.stickySessions`,
    sticky,
    'contradicts algorithm "ip-hash": both pin clients to pods, one by cookie and one by source IP',
    `keep one: remove ${field}.stickySessions to pin by client IP, or remove ${field}.algorithm to pin by cookie`,
  );
  check.that(
    lb.algorithm === undefined,
    `${field}.stickySessions`,
    sticky,
    `cannot be combined with algorithm ${JSON.stringify(lb.algorithm)}: a sticky session picks its pod by hashing the cookie, so the algorithm would never apply`,
    `remove ${field}.algorithm, or turn ${field}.stickySessions off`,
  );
  if (sticky === true) return;
  if (sticky.cookieName !== undefined) {
    check.that(isCookieName(sticky.cookieName), `${field}.stickySessions.cookieName`, sticky.cookieName, `is not a valid cookie name: ${COOKIE_NAME_RULE}`, 'use a name such as "modelserve-affinity"');
  }
  check.integerInRange(`${field}.stickySessions.ttlSeconds`, sticky.ttlSeconds, 0, 31_536_000, `set ${field}.stickySessions.ttlSeconds to whole seconds from 0 (session cookie) to 31536000 (one year)`);
}

