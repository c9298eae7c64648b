import { PropsValidator } from '../catalog';
import { ModelServiceProps } from './model-service-props';

export interface RuntimePlan {
  /** Before the startup probe gives up on a pod still loading its model. */
  readonly startupTimeoutSeconds: number;
  /** A stopping pod keeps serving this long after it leaves the endpoints. */
  readonly drainSeconds: number;
  readonly terminationGracePeriodSeconds: number;
  readonly runAsUser: number;
}

/**
 * How long the pod may take to start and to stop, and the user it runs as: a GPU pod gets 600 s to
 * start (a CPU pod 300), and the grace period outlasts the drain by at least 30 s.
 */
export function planRuntime(check: PropsValidator, props: ModelServiceProps, gpu: boolean): RuntimePlan {
  const startupTimeoutSeconds = props.startupTimeoutSeconds ?? (gpu ? 600 : 300);
  check.integerInRange('startupTimeoutSeconds', startupTimeoutSeconds, 10, 3600, 'allow from 10 to 3600 seconds to load the model');
  const drainSeconds = props.drainSeconds ?? 15;
  check.integerInRange('drainSeconds', drainSeconds, 0, 300);
  const terminationGracePeriodSeconds = props.terminationGracePeriodSeconds ?? Math.max(60, drainSeconds + 30);
  check.integerInRange('terminationGracePeriodSeconds', terminationGracePeriodSeconds, 1, 3600);
  check.that(terminationGracePeriodSeconds > drainSeconds, 'terminationGracePeriodSeconds', terminationGracePeriodSeconds, `is not longer than drainSeconds (${drainSeconds}), so pods are killed before in-flight requests finish`, `raise it to at least ${drainSeconds + 30}`);
  const runAsUser = props.runAsUser ?? 1000;
  check.integerInRange('runAsUser', runAsUser, 1, 2_147_483_647, 'run as a non-root user id (the restricted Pod Security profile forbids 0)');
  return { startupTimeoutSeconds, drainSeconds, terminationGracePeriodSeconds, runAsUser };
}
