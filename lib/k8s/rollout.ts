import type { ProgressiveOptions } from './progressive/progressive-options';

/**
 * How a ModelService moves from one model version to the next. A strategy resolves to "tracks":
 * one Deployment per track, each labelled with its model version, and (for the traffic-splitting
 * strategies) an Istio subset per track with its share of the traffic.
 */
export type RolloutKind = 'rolling-update' | 'recreate' | 'blue-green' | 'canary' | 'ab-test' | 'shadow' | 'progressive';

/** A value that is either a count of pods or a percentage string such as `'25%'`. */
export type PodCountOrPercent = number | `${number}%`;

export interface RollingUpdateOptions {
  /** @default '25%' */
  readonly maxSurge?: PodCountOrPercent;
  /** @default 0 - never fewer ready pods than asked for while updating */
  readonly maxUnavailable?: PodCountOrPercent;
}

export interface BlueGreenOptions {
  /** Model version of the green Deployment; blue runs `model.version`. */
  readonly greenVersion: string;
  /**
   * The colour that receives all the traffic.
   * @default 'blue'
   */
  readonly active?: 'blue' | 'green';
  /**
   * Requests with this header set to the idle colour's name reach the idle colour, for testing.
   * @default 'x-modelserve-color'
   */
  readonly previewHeader?: string;
  /**
   * Let callers from outside the cluster (through the ingress gateway) reach the idle colour with
   * the preview header. Off, only callers inside the mesh can: testers, smoke tests, CI jobs.
   * @default false
   */
  readonly previewFromGateway?: boolean;
}

export interface CanaryOptions {
  /** Model version of the canary; the stable track runs `model.version`. */
  readonly newVersion: string;
  /** Percentage of requests (0–100) sent to the canary. */
  readonly weight: number;
}

/** What sends a request to variant B; exactly one of header or cookie. */
export interface AbMatch {
  readonly header?: { readonly name: string; readonly value: string };
  readonly cookie?: { readonly name: string; readonly value: string };
}

export interface AbTestOptions {
  /** Model version of variant B; variant A runs `model.version`. */
  readonly variantVersion: string;
  /** Requests that match go to B, the rest to A. */
  readonly match: AbMatch;
}

export interface ShadowOptions {
  /** Model version that receives a copy of the traffic; its answers are discarded. */
  readonly newVersion: string;
  /**
   * Percentage (0–100) of requests mirrored to the new version.
   * @default 100
   */
  readonly mirrorPercent?: number;
}

export type RolloutOptions =
  | { readonly kind: 'rolling-update'; readonly options: RollingUpdateOptions }
  | { readonly kind: 'recreate'; readonly options: Record<string, never> }
  | { readonly kind: 'blue-green'; readonly options: BlueGreenOptions }
  | { readonly kind: 'canary'; readonly options: CanaryOptions }
  | { readonly kind: 'ab-test'; readonly options: AbTestOptions }
  | { readonly kind: 'shadow'; readonly options: ShadowOptions }
  | { readonly kind: 'progressive'; readonly options: ProgressiveOptions };

/** Rollout strategies, built by the static factories (`Rollout.canary({ newVersion: '1.1.0', weight: 10 })`). */
export class Rollout {
  /** Replace pods a few at a time (the default). */
  public static rollingUpdate(options: RollingUpdateOptions = {}): Rollout {
    return new Rollout({ kind: 'rolling-update', options });
  }

  /** Stop every old pod before starting new ones: for models that cannot run two versions at once. */
  public static recreate(): Rollout {
    return new Rollout({ kind: 'recreate', options: {} });
  }

  /** Two full Deployments; the active colour gets 100 % of the traffic, the other is reachable by header. */
  public static blueGreen(options: BlueGreenOptions): Rollout {
    return new Rollout({ kind: 'blue-green', options });
  }

  /** Stable and canary Deployments; `weight` % of requests go to the canary. */
  public static canary(options: CanaryOptions): Rollout {
    return new Rollout({ kind: 'canary', options });
  }

  /** Variant B gets the requests that match a header or cookie; A gets the rest. */
  public static abTest(options: AbTestOptions): Rollout {
    return new Rollout({ kind: 'ab-test', options });
  }

  /** Mirror a percentage of the traffic to the new version; only the stable version answers. */
  public static shadow(options: ShadowOptions): Rollout {
    return new Rollout({ kind: 'shadow', options });
  }

  /**
   * Argo Rollouts moves requests to a new version in steps (10 %, 25 %, 50 %, then 100 % by
   * default) through the Istio VirtualService, and aborts (every request back to the running
   * version, the new pods scaled down) when Prometheus shows the new version above 5 % errors,
   * 2 s p99 latency or 3 failed health checks. The new version is whatever the service's pod
   * template says: change `model.version` (or the image) and commit, and the rollout starts.
   */
  public static progressive(options: ProgressiveOptions = {}): Rollout {
    return new Rollout({ kind: 'progressive', options });
  }

  private constructor(public readonly strategy: RolloutOptions) {}

  public get kind(): RolloutKind {
    return this.strategy.kind;
  }
}

/** One Deployment of a ModelService and, when traffic is split, its Istio subset. */
export interface Track {
  /**
   * Subset and Deployment suffix: `stable`, `canary`, `blue`, `green`, `a`, `b`, `shadow`. A
   * progressive rollout has one track, `rollout`, whose pods Argo Rollouts splits between the
   * `stable` and `canary` subsets by pod template hash.
   */
  readonly name: string;
  readonly version: string;
  /** Share of live traffic, 0–100; the tracks' weights add up to 100. A shadow track has 0. */
  readonly weight: number;
}

/**
 * The Deployments a strategy needs. Rolling update and recreate have one track, `stable`.
 * Weights always add up to 100.
 */
export function resolveTracks(currentVersion: string, rollout: Rollout): Track[] {
  const s = rollout.strategy;
  switch (s.kind) {
    case 'rolling-update':
    case 'recreate':
      return [{ name: 'stable', version: currentVersion, weight: 100 }];
    case 'blue-green': {
      const active = s.options.active ?? 'blue';
      return [
        { name: 'blue', version: currentVersion, weight: active === 'blue' ? 100 : 0 },
        { name: 'green', version: s.options.greenVersion, weight: active === 'green' ? 100 : 0 },
      ];
    }
    case 'canary':
      return [
        { name: 'stable', version: currentVersion, weight: 100 - s.options.weight },
        { name: 'canary', version: s.options.newVersion, weight: s.options.weight },
      ];
    case 'ab-test':
      // Weights describe the default route: unmatched traffic all goes to A.
      return [
        { name: 'a', version: currentVersion, weight: 100 },
        { name: 'b', version: s.options.variantVersion, weight: 0 },
      ];
    case 'shadow':
      return [
        { name: 'stable', version: currentVersion, weight: 100 },
        { name: 'shadow', version: s.options.newVersion, weight: 0 },
      ];
    case 'progressive':
      // One pod template; the versions in flight are the Rollout's ReplicaSets, not tracks.
      return [{ name: 'rollout', version: currentVersion, weight: 100 }];
  }
}
