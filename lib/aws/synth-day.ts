import { IConstruct } from 'constructs';
import { utcDay, ValidationError } from '../catalog';

/** Context key that fixes the day the calendar checks use (`YYYY-MM-DD`), for reproducible synths and tests. */
export const SYNTH_DAY_CONTEXT = 'modelserve:today';

/**
 * The day (UTC) that support-calendar checks are made against: the synth's own, unless the app sets
 * `modelserve:today` in its context (cdktf.json `context`, or `app.node.setContext`).
 */
export function synthDay(scope: IConstruct): string {
  const fixed: unknown = scope.node.tryGetContext(SYNTH_DAY_CONTEXT);
  if (fixed === undefined) return utcDay(new Date());
  if (typeof fixed !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(fixed) || Number.isNaN(Date.parse(fixed))) {
    throw new ValidationError(scope.node.path, `context["${SYNTH_DAY_CONTEXT}"]`, fixed, 'is not a day', 'write it as YYYY-MM-DD, or remove it to check against today');
  }
  return fixed;
}
