import { CircuitBreakerOptions } from './traffic-options';

/** What one replica of a service is: what the requests it can serve at once follow from. */
export interface ReplicaShape {
  readonly cpu: number;
  /** Whole GPUs per pod, or shares of one (time-sliced slots, MIG instances). */
  readonly gpus?: number;
  readonly sharedGpu?: boolean;
  /** The most replicas the service runs (the autoscaler's ceiling, or the fixed count). */
  readonly maxReplicas: number;
}

/** Requests a whole GPU serves at once: a dynamic or continuous batch; beyond it requests only wait. */
export const REQUESTS_PER_GPU = 32;
/** A time-sliced slot or MIG instance: a fraction of a GPU's compute. */
export const REQUESTS_PER_GPU_SHARE = 8;
/** Requests per CPU core of a CPU model server. */
export const REQUESTS_PER_CORE = 2;

/** Requests one replica serves at once. */
export function replicaConcurrency(shape: ReplicaShape): number {
  if (shape.gpus) return shape.gpus * (shape.sharedGpu ? REQUESTS_PER_GPU_SHARE : REQUESTS_PER_GPU);
  return Math.max(2, Math.ceil(shape.cpu * REQUESTS_PER_CORE));
}

/**
 * The connection pool a calling proxy keeps to the service, sized to what the service can serve
 * at its largest: that many requests in flight and as many waiting, then 503 at once (backpressure
 * the caller and the autoscaler see) instead of a queue that outlives every request's timeout.
 */
export function connectionLimitDefaults(shape: ReplicaShape): Pick<CircuitBreakerOptions, 'maxConnections' | 'maxRequests' | 'maxPendingRequests'> {
  const concurrency = replicaConcurrency(shape) * Math.max(1, shape.maxReplicas);
  return { maxConnections: concurrency, maxRequests: concurrency, maxPendingRequests: concurrency };
}
