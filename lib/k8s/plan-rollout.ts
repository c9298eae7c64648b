import { PropsValidator } from '../catalog';
import { PlannedTrack } from './model-service-plan';
import { ModelServiceProps } from './model-service-props';
import { MIN_SERVING_PODS, ScalingPlan } from './plan-scaling';
import { validateAnalysisForEngine, validateProgressiveFit } from './progressive/progressive-options';
import { resolveTracks, Rollout, Track } from './rollout';
import { validateRollout } from './traffic/validate-rollout';
import { requireVllmVersion, VllmVersion } from './vllm-engine';

/** The rollout strategy (a rolling update unless given), checked against the version that runs now. */
export function planRollout(check: PropsValidator, props: ModelServiceProps, modelVersion: string): Rollout {
  const rollout = props.rollout ?? Rollout.rollingUpdate();
  check.that(rollout instanceof Rollout, 'rollout', rollout, 'is not a Rollout', 'use Rollout.rollingUpdate(), .recreate(), .blueGreen(), .canary(), .abTest(), .shadow() or .progressive()');
  validateRollout(check, rollout, modelVersion, 'rollout');
  return rollout;
}

/**
 * A progressive rollout judges the new version on metrics the engine has (vLLM's latencies need its
 * version known, for their names), and needs pods to judge: no scale to zero, no fixed count too
 * small for a canary step.
 */
export function checkProgressiveRollout(
  check: PropsValidator,
  rollout: Rollout,
  p: { name: string; image: string; vllm?: { readonly version?: VllmVersion }; scaling: ScalingPlan },
): void {
  if (rollout.strategy.kind !== 'progressive') return;
  validateAnalysisForEngine(check, rollout.strategy.options, p.vllm !== undefined);
  if (p.vllm) requireVllmVersion(check, p.vllm.version, p.image, 'judging a progressive rollout on TTFT and inter-token latency');
  const s = p.scaling;
  validateProgressiveFit(check, { name: p.name, scaleToZero: s.kind !== 'fixed' && s.scaleToZero, fixedReplicas: s.kind === 'fixed' ? s.replicas : undefined });
}

/**
 * One Deployment per track of the rollout, each loading its own version from the URI template and
 * sized from the scaling (trackReplicas). Two tracks of one version, or versions that a URI without
 * `{version}` would load from one place, are refused.
 */
export function planTracks(
  check: PropsValidator,
  p: { name: string; modelVersion: string; uriTemplate: string; rollout: Rollout; scaling: ScalingPlan; environment: string },
): PlannedTrack[] {
  const { name, rollout, uriTemplate } = p;
  const singleTrack = rollout.kind === 'rolling-update' || rollout.kind === 'recreate' || rollout.kind === 'progressive';
  const tracks = resolveTracks(p.modelVersion, rollout).map((t) => ({
    ...t,
    deploymentName: singleTrack ? name : `${name}-${t.name}`,
    modelUri: uriTemplate.split('{version}').join(t.version),
    replicas: trackReplicas(rollout, t, p.scaling, p.environment),
  }));
  const versions = new Set(tracks.map((t) => t.version));
  check.that(versions.size === tracks.length || tracks.length === 1, 'rollout', rollout.kind, `gives two tracks the same model version (${p.modelVersion})`, 'give the new track a version different from model.version');
  check.that(uriTemplate.includes('{version}') || versions.size === 1, 'model.uri', uriTemplate, `has no {version} placeholder, so the ${rollout.kind} tracks (${[...versions].join(', ')}) would all load the same artefacts`, 'put {version} where the version goes, e.g. "s3://my-models/resnet/{version}/"');
  return tracks;
}

/**
 * Replicas of one track: the service's count, except for the tracks that only ever see a share
 * of the traffic (a canary its weight, a shadow its mirror percentage), which get that share of it.
 * A canary that takes traffic runs at least MIN_SERVING_PODS outside development, so that one
 * eviction does not leave its weighted route without a pod; a shadow (answers discarded) and a
 * canary at weight 0 may run one. Stable tracks, both blue-green colours and both A/B variants keep
 * the full count: each may have to take all the traffic at once. With an autoscaler this is its
 * floor; the ceiling stays the service's, so the track still grows with its load.
 */
export function trackReplicas(rollout: Rollout, track: Track, scaling: ScalingPlan, environment = 'production'): number {
  const count = scaling.kind === 'fixed' ? scaling.replicas : scaling.minReplicas;
  const s = rollout.strategy;
  const canary = s.kind === 'canary' && track.name === 'canary';
  const share = canary ? s.options.weight
    : s.kind === 'shadow' && track.name === 'shadow' ? (s.options.mirrorPercent ?? 100)
      : 100;
  const floor = canary && share > 0 && environment !== 'development' ? MIN_SERVING_PODS : 1;
  return count === 0 ? 0 : Math.min(count, Math.max(floor, Math.ceil((count * share) / 100)));
}
