import { DNS_LABEL, DNS_LABEL_RULE, PropsValidator } from '../catalog';
import { CronExpression, describeMinute, parseCron, windowProblem } from './cron-schedule';
import { ScalingWindow } from './model-service-props';

/** A window as KEDA's cron trigger gets it. */
export interface PlannedWindow {
  readonly name: string;
  readonly start: string;
  readonly end: string;
  readonly timeZone: string;
  readonly minReplicas: number;
}

const MAX_WINDOWS = 20;
/** How the tz database spells its names (Go's LoadLocation, which KEDA uses, is case-sensitive). */
const TZ_NAME = /^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/;

/** A name the tz database knows, spelt as it spells it. */
export function isTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || !TZ_NAME.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks `autoscaling.schedule` against the service's floor and ceiling, and that each window's
 * start and end take turns the way KEDA reads them (see windowProblem).
 */
export function planSchedule(
  check: PropsValidator,
  windows: readonly ScalingWindow[] | undefined,
  bounds: { minReplicas: number; maxReplicas: number },
): PlannedWindow[] {
  if (windows === undefined) return [];
  check.that(Array.isArray(windows) && windows.length > 0 && windows.length <= MAX_WINDOWS, 'autoscaling.schedule', windows, `must list from 1 to ${MAX_WINDOWS} windows`, 'list the windows, e.g. [{ start: "0 8 * * 1-5", end: "0 19 * * 1-5", timeZone: "Europe/Berlin", minReplicas: 6 }], or leave schedule out');
  const planned = windows.map((w, i) => planWindow(check, w, i, bounds));
  const names = planned.map((w) => w.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  check.that(duplicate === undefined, 'autoscaling.schedule', duplicate, 'names two windows the same', 'give each window its own name');
  return planned;
}

function planWindow(check: PropsValidator, w: ScalingWindow, i: number, bounds: { minReplicas: number; maxReplicas: number }): PlannedWindow {
  const field = `autoscaling.schedule[${i}]`;
  check.that(typeof w === 'object' && w !== null, field, w, 'is not a window', 'give { start, end, minReplicas, timeZone }');
  const name = w.name ?? `schedule-${i + 1}`;
  check.matches(`${field}.name`, name, DNS_LABEL, DNS_LABEL_RULE);
  const timeZone = w.timeZone ?? 'UTC';
  check.that(isTimeZone(timeZone), `${field}.timeZone`, timeZone, 'is not a time zone of the IANA database as it spells it', 'give a name such as "Europe/Berlin", "America/New_York" or "UTC"');
  const start = parseOrFail(check, `${field}.start`, w.start);
  const end = parseOrFail(check, `${field}.end`, w.end);
  check.that(w.start.trim() !== w.end.trim(), `${field}.end`, w.end, 'is the start too: KEDA refuses a window whose start and end are the same, and it would never close', 'give the time the window closes, e.g. "0 19 * * 1-5" for a start of "0 8 * * 1-5"');
  checkTurns(check, field, w, start, end);
  check.integerInRange(`${field}.minReplicas`, w.minReplicas, 1, 1000, 'give the fewest replicas the window needs, e.g. 6');
  check.that(w.minReplicas > bounds.minReplicas, `${field}.minReplicas`, w.minReplicas, `is not above autoscaling.minReplicas (${bounds.minReplicas}), so the window would change nothing`, `raise it above ${bounds.minReplicas}, or lower autoscaling.minReplicas to the quiet hours' floor`);
  check.that(w.minReplicas <= bounds.maxReplicas, `${field}.minReplicas`, w.minReplicas, `is above autoscaling.maxReplicas (${bounds.maxReplicas}), which caps every trigger`, `lower it to at most ${bounds.maxReplicas}, or raise maxReplicas`);
  return { name, start: w.start.trim(), end: w.end.trim(), timeZone, minReplicas: w.minReplicas };
}

function parseOrFail(check: PropsValidator, field: string, expression: unknown): CronExpression {
  check.that(typeof expression === 'string' && expression.trim() !== '', field, expression, 'is not set', 'give a cron expression: minute hour day-of-month month day-of-week, e.g. "0 8 * * 1-5"');
  const parsed = parseCron(expression as string);
  if ('error' in parsed) check.fail(field, expression, parsed.error, 'write five fields: minute (0-59) hour (0-23) day-of-month (1-31) month (1-12 or JAN-DEC) day-of-week (0-6 or SUN-SAT), e.g. "0 8 * * 1-5"');
  return parsed as CronExpression;
}

const TAKE_TURNS = 'make start and end take turns, e.g. both on the same days ("0 8 * * 1-5" to "0 19 * * 1-5")';

function checkTurns(check: PropsValidator, field: string, w: ScalingWindow, start: CronExpression, end: CronExpression): void {
  const problem = windowProblem(start, end);
  if (problem === undefined) return;
  switch (problem.kind) {
    case 'never-ends':
      return check.fail(`${field}.end`, w.end, 'names no date that exists, so the window would never end (KEDA would in fact never open it)', 'give a date that comes round, e.g. "0 19 * * 1-5"');
    case 'never-starts':
      return check.fail(`${field}.start`, w.start, 'names no date that exists: KEDA holds a window open whenever the next end comes before the next start, so this one would never end', 'give a date that comes round, e.g. "0 8 * * 1-5"');
    case 'same-minute':
      return check.fail(`${field}.end`, w.end, `fires at the same minute as start (${describeMinute(problem.at)})`, TAKE_TURNS);
    case 'two-starts':
      return check.fail(`${field}.start`, w.start, `fires twice with no end between (${describeMinute(problem.first)} and ${describeMinute(problem.second)}): KEDA opens the window only at the last start before an end, so the earlier start does nothing`, TAKE_TURNS);
    case 'two-ends':
      return check.fail(`${field}.end`, w.end, `fires twice with no start between (${describeMinute(problem.first)} and ${describeMinute(problem.second)}): KEDA holds a window open whenever the next end comes before the next start, so it would stay open from one end to the next`, TAKE_TURNS);
  }
}
