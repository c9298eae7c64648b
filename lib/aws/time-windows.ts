import { PropsValidator } from '../catalog';
import { validateDailyWindow, validateWeeklyWindow } from './aws-names';

// The daily backup/snapshot window and the weekly maintenance window of RDS and ElastiCache, as
// minutes, so that their length and overlap can be checked before AWS refuses them. The shapes
// (`hh:mm-hh:mm`, `ddd:hh:mm-ddd:hh:mm`) are checked first by validateDailyWindow/WeeklyWindow.

const DAY = 24 * 60;
const WEEK = 7 * DAY;
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** A window as [start, end) minutes; end > start (a window across midnight or Sunday runs on). */
type Span = readonly [number, number];

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

function dailySpan(window: string): Span {
  const [from, to] = window.split('-').map(minutes);
  return [from, to > from ? to : to + DAY];
}

function weeklySpan(window: string): Span {
  const [from, to] = window.split('-').map((part) => WEEKDAYS.indexOf(part.slice(0, 3)) * DAY + minutes(part.slice(4)));
  return [from, to > from ? to : to + WEEK];
}

function length([from, to]: Span): number {
  return to - from;
}

/** Does a window that repeats every `period` minutes meet `span` anywhere in the week? */
function meets(span: Span, repeating: Span, period: number): boolean {
  for (let shift = -WEEK; shift <= 2 * WEEK; shift += period) {
    if (repeating[0] + shift < span[1] && span[0] < repeating[1] + shift) return true;
  }
  return false;
}

/** At least `min` minutes long; `service` names who refuses shorter ones. */
function validateDailyWindowLength(v: PropsValidator, field: string, window: string, min: number, service: string): void {
  const got = length(dailySpan(window));
  v.that(got >= min, field, window, `lasts ${got} minutes, but ${service} requires at least ${min}`, `widen it to ${min} minutes or more`);
}

function validateWeeklyWindowLength(v: PropsValidator, field: string, window: string, min: number, service: string): void {
  const got = length(weeklySpan(window));
  v.that(got >= min, field, window, `lasts ${got} minutes, but ${service} requires at least ${min}`, `widen it to ${min} minutes or more`);
}

/** The daily window must fall outside the weekly one on every day of the week. */
function validateWindowsApart(
  v: PropsValidator,
  dailyField: string,
  daily: string,
  weeklyField: string,
  weekly: string,
  service: string,
): void {
  v.that(
    !meets(weeklySpan(weekly), dailySpan(daily), DAY),
    dailyField,
    daily,
    `overlaps ${weeklyField} ("${weekly}"), which ${service} refuses`,
    `move one of them so that the daily window ends before the weekly one starts`,
  );
}

/** One window as a prop: its field, its value and the example its fix shows (the default). */
export interface WindowProp {
  readonly field: string;
  readonly value: string;
  readonly example: string;
}

/**
 * A store's daily backup/snapshot window and weekly maintenance window: their shapes, each at
 * least `minMinutes` long, and apart, the rules `service` (RDS, ElastiCache) applies when it
 * creates the store.
 */
export function validateStoreWindows(v: PropsValidator, daily: WindowProp, weekly: WindowProp, minMinutes: number, service: string): void {
  validateDailyWindow(v, daily.field, daily.value, daily.example);
  validateWeeklyWindow(v, weekly.field, weekly.value, weekly.example);
  validateDailyWindowLength(v, daily.field, daily.value, minMinutes, service);
  validateWeeklyWindowLength(v, weekly.field, weekly.value, minMinutes, service);
  validateWindowsApart(v, daily.field, daily.value, weekly.field, weekly.value, service);
}
