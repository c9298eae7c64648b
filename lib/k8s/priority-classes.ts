import { EnvironmentName } from '../catalog';

/**
 * How much a pod matters when the cluster is short of room: `critical` and `standard` serving may
 * preempt (evict) pods of lower priority to be scheduled; `batch` (pipeline steps, offline work)
 * only waits in the queue and never preempts anything.
 */
export type ServingPriority = 'critical' | 'standard' | 'batch';

export const SERVING_PRIORITIES: readonly ServingPriority[] = ['critical', 'standard', 'batch'];

/**
 * The PriorityClass values, ordered so that when environments share a cluster production serving
 * outranks staging serving, which outranks development serving, and every serving class outranks
 * every batch class. All are far below the system classes (`system-cluster-critical` is
 * 2,000,000,000) and below the 1,000,000,000 ceiling of user-defined classes.
 */
const VALUES: Readonly<Record<EnvironmentName, Readonly<Record<ServingPriority, number>>>> = {
  production: { critical: 100_000, standard: 90_000, batch: 3_000 },
  staging: { critical: 80_000, standard: 70_000, batch: 2_000 },
  development: { critical: 60_000, standard: 50_000, batch: 1_000 },
};

/** Name of an environment's PriorityClass: cluster-scoped, so the environment is in the name. */
export function priorityClassName(environment: EnvironmentName, priority: ServingPriority): string {
  return `modelserve-${environment}-${priority}`;
}

export interface PriorityClassSpec {
  readonly name: string;
  readonly value: number;
  readonly preemptionPolicy: 'PreemptLowerPriority' | 'Never';
  readonly description: string;
}

const DESCRIPTIONS: Readonly<Record<ServingPriority, string>> = {
  critical: 'model services that must keep serving: may preempt lower-priority pods',
  standard: 'model services: may preempt batch work and lower environments',
  batch: 'pipeline steps and offline work: queued behind serving, never preempts',
};

/** The environment's three PriorityClasses, highest first. */
export function priorityClassSpecs(environment: EnvironmentName): PriorityClassSpec[] {
  return SERVING_PRIORITIES.map((priority) => ({
    name: priorityClassName(environment, priority),
    value: VALUES[environment][priority],
    preemptionPolicy: priority === 'batch' ? 'Never' : 'PreemptLowerPriority',
    description: `modelserve ${environment}: ${DESCRIPTIONS[priority]}`,
  }));
}
