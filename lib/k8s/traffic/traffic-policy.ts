import { TRACK_LABEL } from '../labels';
import { PROGRESSIVE_SUBSETS } from '../progressive/progressive-options';
import { Rollout, Track } from '../rollout';
import { ResolvedLoadBalancer } from './load-balancer';
import { CircuitBreakerOptions, DEFAULT_CIRCUIT_BREAKER } from './traffic-options';

const ALGORITHM_TO_ISTIO = {
  'least-connections': 'LEAST_REQUEST',
  'round-robin': 'ROUND_ROBIN',
} as const;

/** `trafficPolicy.loadBalancer` of the DestinationRule. */
export function loadBalancerPolicy(lb: ResolvedLoadBalancer): Record<string, unknown> {
  if (lb.stickySessions) {
    // Path "/" so that one cookie covers every endpoint of the model's API.
    return { consistentHash: { httpCookie: { name: lb.stickySessions.cookieName, path: '/', ttl: `${lb.stickySessions.ttlSeconds}s` } } };
  }
  if (lb.algorithm === 'ip-hash') return { consistentHash: { useSourceIp: true } };
  return { simple: ALGORITHM_TO_ISTIO[lb.algorithm ?? 'least-connections'] };
}

/**
 * `spec` of the DestinationRule: one traffic policy for the service, and one subset per track that
 * selects the track's pods by their `modelserve.io/track` label (TRACK_LABEL). A progressive
 * rollout's one track gets two subsets, `stable` and `canary`, that both select its pods: Argo
 * Rollouts adds each ReplicaSet's `rollouts-pod-template-hash` to them while it runs.
 */
export function destinationRuleSpec(
  host: string,
  tracks: readonly Track[],
  lb: ResolvedLoadBalancer,
  cb: CircuitBreakerOptions = {},
  rollout?: Rollout,
): Record<string, unknown> {
  const limits = { ...DEFAULT_CIRCUIT_BREAKER, ...definedOnly(cb) };
  return {
    host,
    trafficPolicy: {
      loadBalancer: loadBalancerPolicy(lb),
      // Explicit rather than relying on auto-mTLS: the namespace runs STRICT mTLS, and a plain-text
      // connection would be refused by the model's sidecar.
      tls: { mode: 'ISTIO_MUTUAL' },
      connectionPool: {
        tcp: { maxConnections: limits.maxConnections, connectTimeout: `${limits.connectTimeoutSeconds}s` },
        http: {
          http1MaxPendingRequests: limits.maxPendingRequests,
          http2MaxRequests: limits.maxRequests,
          ...(limits.maxRequestsPerConnection !== undefined ? { maxRequestsPerConnection: limits.maxRequestsPerConnection } : {}),
        },
      },
      outlierDetection: {
        consecutive5xxErrors: limits.consecutive5xxErrors,
        interval: `${lb.outlierDetectionIntervalSeconds}s`,
        baseEjectionTime: `${limits.baseEjectionSeconds}s`,
        maxEjectionPercent: limits.maxEjectionPercent,
        minHealthPercent: limits.minHealthPercent,
      },
    },
    subsets: rollout?.kind === 'progressive'
      ? [PROGRESSIVE_SUBSETS.stable, PROGRESSIVE_SUBSETS.canary].map((name) => ({ name, labels: { [TRACK_LABEL]: tracks[0].name } }))
      : tracks.map((t) => ({ name: t.name, labels: { [TRACK_LABEL]: t.name } })),
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
