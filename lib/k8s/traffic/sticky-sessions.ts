import { PropsValidator } from '../../catalog';
import type { Rollout } from '../rollout';
import { LoadBalancerOptions } from './load-balancer';

/**
 * Sticky sessions pin a client to a pod within a track, while a weighted split picks the track of
 * each request: with a canary at a weight from 1 to 99, or a progressive rollout (whose weights
 * Argo Rollouts moves), a session would hop between two model versions. A/B tests route by header
 * or cookie, so a client keeps its variant; blue-green and shadow send every answered request to
 * one version.
 */
export function validateStickyWithRollout(check: PropsValidator, lb: LoadBalancerOptions | undefined, rollout: Rollout, currentVersion: string, field = 'loadBalancer'): void {
  const sticky = lb?.stickySessions;
  if (sticky === undefined || sticky === false) return;
  const s = rollout.strategy;
  if (s.kind === 'canary' && s.options.weight > 0 && s.options.weight < 100) {
    check.fail(
      `${field}.stickySessions`,
      sticky,
      `cannot hold with a canary at weight ${s.options.weight}: the mesh picks stable (${currentVersion}) or canary (${s.options.newVersion}) for each request by weight, so a session hops between the two versions`,
      `pin clients to a version with Rollout.abTest({ variantVersion: "${s.options.newVersion}", match: { cookie: { name, value } } }), or turn stickySessions off until the canary is promoted`,
    );
  }
  check.that(
    s.kind !== 'progressive',
    `${field}.stickySessions`,
    sticky,
    'cannot hold with Rollout.progressive(): Argo Rollouts moves requests between the versions by weight at each step, so a session hops between them',
    'turn stickySessions off, or roll out with Rollout.abTest() (clients keep their variant) or Rollout.blueGreen()',
  );
}
