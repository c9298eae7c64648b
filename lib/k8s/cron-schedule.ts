/**
 * Cron expressions as KEDA's cron scaler reads them: robfig/cron v3 with the five standard fields
 * (minute, hour, day of month, month, day of week), no seconds and no `@daily` descriptors. Pure
 * functions, so that a window is checked before any object exists.
 */

interface FieldRule {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly FieldRule[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** A parsed expression: the values each field allows, and whether day of month / week were `*`. */
export interface CronExpression {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
  /** robfig: with both day fields restricted, a day matches either; otherwise both. */
  readonly domStar: boolean;
  readonly dowStar: boolean;
}

/** The expression, or why KEDA would refuse it. */
export function parseCron(expression: string): CronExpression | { readonly error: string } {
  if (typeof expression !== 'string') return { error: 'is not a string' };
  if (/^\s*@/.test(expression)) return { error: 'is a descriptor, which KEDA\'s parser does not accept' };
  if (/^\s*(CRON_)?TZ=/.test(expression)) return { error: 'names a time zone inside the expression' };
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) return { error: `has ${parts.length} fields, not the five (minute hour day-of-month month day-of-week) KEDA reads` };
  const sets: Set<number>[] = [];
  const stars: boolean[] = [];
  for (const [i, rule] of FIELDS.entries()) {
    const parsed = parseField(parts[i], rule);
    if ('error' in parsed) return parsed;
    sets.push(parsed.values);
    stars.push(parsed.star);
  }
  return { minutes: sets[0], hours: sets[1], daysOfMonth: sets[2], months: sets[3], daysOfWeek: sets[4], domStar: stars[2], dowStar: stars[4] };
}

function parseField(field: string, rule: FieldRule): { values: Set<number>; star: boolean } | { error: string } {
  const values = new Set<number>();
  let star = false;
  for (const part of field.split(',')) {
    const [range, stepText, extra] = part.split('/');
    const bad = { error: `has ${JSON.stringify(part)} in its ${rule.name} field, which is not a value, range or step from ${rule.min} to ${rule.max}` };
    if (extra !== undefined || range === '') return bad;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1 || (stepText !== undefined && !/^\d+$/.test(stepText))) return bad;
    let low: number | undefined;
    let high: number | undefined;
    if (range === '*' || range === '?') {
      [low, high] = [rule.min, rule.max];
      if (step === 1) star = true;
    } else {
      const [a, b, more] = range.split('-');
      if (more !== undefined) return bad;
      low = valueOf(a, rule);
      // robfig: "N/step" runs from N to the field's maximum.
      high = b === undefined ? (stepText !== undefined ? rule.max : low) : valueOf(b, rule);
    }
    if (low === undefined || high === undefined || low > high) return bad;
    for (let v = low; v <= high; v += step) values.add(v);
  }
  return { values, star };
}

function valueOf(text: string, rule: FieldRule): number | undefined {
  const named = rule.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return rule.min + named;
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= rule.min && n <= rule.max ? n : undefined;
}

const DAY_MS = 86_400_000;
/** Four years from a leap year: every date a five-field expression can name comes up. */
const HORIZON_START = Date.UTC(2028, 0, 1);
const HORIZON_DAYS = 4 * 365 + 1;

/** Minutes (from the horizon's start, wall-clock time) at which the expression fires. */
export function occurrences(cron: CronExpression): number[] {
  const minutes = [...cron.minutes].sort((a, b) => a - b);
  const hours = [...cron.hours].sort((a, b) => a - b);
  const out: number[] = [];
  for (let day = 0; day < HORIZON_DAYS; day++) {
    const date = new Date(HORIZON_START + day * DAY_MS);
    if (!cron.months.has(date.getUTCMonth() + 1)) continue;
    const dom = cron.daysOfMonth.has(date.getUTCDate());
    const dow = cron.daysOfWeek.has(date.getUTCDay());
    if (!(cron.domStar || cron.dowStar ? dom && dow : dom || dow)) continue;
    for (const h of hours) for (const m of minutes) out.push(day * 1440 + h * 60 + m);
  }
  return out;
}

/** `Mon 3 Jan 08:00` for a minute of the horizon. */
export function describeMinute(minute: number): string {
  const d = new Date(HORIZON_START + minute * 60_000);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day} ${d.getUTCDate()} ${month} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** Where a window's start and end fail to take turns: the first two events of one kind in a row. */
export type WindowProblem =
  | { readonly kind: 'never-starts' | 'never-ends' }
  | { readonly kind: 'same-minute'; readonly at: number }
  | { readonly kind: 'two-starts' | 'two-ends'; readonly first: number; readonly second: number };

/**
 * KEDA holds a cron window open whenever the next end comes no later than the next start
 * (`cron_scaler.go`, GetMetricsAndActivity). So a window does what it says only when start and
 * end take turns: two starts in a row open it at the later one only, two ends in a row keep it
 * open from one end to the next, an end that never fires leaves it never open and a start that
 * never fires leaves it open for good.
 */
export function windowProblem(start: CronExpression, end: CronExpression): WindowProblem | undefined {
  const starts = occurrences(start);
  const ends = occurrences(end);
  if (starts.length === 0) return { kind: 'never-starts' };
  if (ends.length === 0) return { kind: 'never-ends' };
  let i = 0;
  let j = 0;
  let last: { kind: 'start' | 'end'; at: number } | undefined;
  while (i < starts.length || j < ends.length) {
    const s = starts[i] ?? Infinity;
    const e = ends[j] ?? Infinity;
    if (s === e) return { kind: 'same-minute', at: s };
    const next = s < e ? { kind: 'start' as const, at: starts[i++] } : { kind: 'end' as const, at: ends[j++] };
    if (last?.kind === next.kind) return { kind: next.kind === 'start' ? 'two-starts' : 'two-ends', first: last.at, second: next.at };
    last = next;
  }
  return undefined;
}
