import { CAPACITY_TYPE_LABEL, EnvironmentName } from '../../catalog';
import { KUBE_PROMETHEUS_STACK_RELEASE } from './prometheus-stack';

/**
 * How the add-on controllers run in one environment. Staging has production's shape so that an
 * upgrade that breaks with two replicas (leader election, webhooks behind a PDB) breaks there first.
 */
export interface AddonProfile {
  readonly environment: EnvironmentName;
  /** Replicas of each controller Deployment: 2 (one active or both serving, the other ready). */
  readonly replicas: number;
  /** PodDisruptionBudgets and zone spread: on with more than one replica. */
  readonly highAvailability: boolean;
  /**
   * Controllers run on on-demand nodes: a spot reclaim must not take the autoscaler or the
   * ingress gateway down with the capacity it is about to replace.
   */
  readonly nodeSelector: Readonly<Record<string, string>>;
}

export function addonProfile(environment: EnvironmentName): AddonProfile {
  const highAvailability = environment !== 'development';
  return {
    environment,
    replicas: highAvailability ? 2 : 1,
    highAvailability,
    nodeSelector: { [CAPACITY_TYPE_LABEL]: 'on-demand' },
  };
}

export interface ContainerResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

export function resources(requestCpu: string, requestMemory: string, limitCpu: string, limitMemory: string): ContainerResources {
  return { requests: { cpu: requestCpu, memory: requestMemory }, limits: { cpu: limitCpu, memory: limitMemory } };
}

/**
 * Spread replicas over zones, then nodes. Soft (ScheduleAnyway): a zone with no room must not keep
 * the second replica pending; the PDB already keeps one running during drains.
 */
export function spreadConstraints(profile: AddonProfile, matchLabels: Readonly<Record<string, string>>): object[] {
  if (!profile.highAvailability) return [];
  return ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: { ...matchLabels } },
  }));
}

/**
 * The label kube-prometheus-stack's own selectors use. Prometheus here selects every monitor, so
 * this only keeps the charts' monitors findable if someone narrows the selectors again.
 */
export const SERVICE_MONITOR_LABELS: Readonly<Record<string, string>> = { release: KUBE_PROMETHEUS_STACK_RELEASE };
