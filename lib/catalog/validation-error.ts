import { reportInOneLineIfUncaught } from './uncaught-report';

/**
 * The one error type every construct throws for bad input. Its message always reads
 * `<construct path>: <field> (<value>) <problem>; <fix>` so that a user sees where, what and how
 * to fix it without reading a stack trace.
 *
 * Left uncaught in a synth app (`node main.js`, `cdktf synth`, `cdk8s synth`), it ends the process
 * with exit code 1 and two lines on stderr: the message, then the line of the user's code that
 * led to it (see `uncaught-report.ts`; `MODELSERVE_DEBUG=1` for Node's own report).
 */
export class ValidationError extends Error {
  constructor(
    /** Path of the construct (or the name of the spec) that received the value. */
    public readonly constructPath: string,
    /** The prop, dotted from the construct's props (`autoscaling.minReplicas`). */
    public readonly field: string,
    /** The value as given. */
    public readonly value: unknown,
    problem: string,
    /** What to do instead. */
    public readonly fix: string,
  ) {
    super(`${constructPath}: ${field} (${formatValue(value)}) ${problem}; ${fix}`);
    this.name = 'ValidationError';
    reportInOneLineIfUncaught(this);
  }
}

/** Longer strings are shortened in messages: the message must stay a line a person reads. */
const LONGEST_VALUE_SHOWN = 1024;

export function formatValue(value: unknown): string {
  if (value === undefined) return 'not set';
  if (typeof value === 'string' && value.length > LONGEST_VALUE_SHOWN) return `${JSON.stringify(value.slice(0, 64))}… (${value.length} characters)`;
  if (typeof value === 'string') return JSON.stringify(value);
  // JSON would print NaN and Infinity as null.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Collects checks for one construct so that a check reads as one line:
 * `check.that(min <= max, 'scaling.min', min, 'is greater than scaling.max (3)', 'lower min or raise max')`.
 * Throws on the first failure: the first problem is the one to fix first.
 */
export class PropsValidator {
  constructor(private readonly constructPath: string) {}

  that(ok: boolean, field: string, value: unknown, problem: string, fix: string): void {
    if (!ok) throw new ValidationError(this.constructPath, field, value, problem, fix);
  }

  fail(field: string, value: unknown, problem: string, fix: string): never {
    throw new ValidationError(this.constructPath, field, value, problem, fix);
  }

  /** A whole number within [min, max]; `undefined` passes (optional props). */
  integerInRange(field: string, value: number | undefined, min: number, max: number, fix?: string): void {
    if (value === undefined) return;
    this.that(
      Number.isInteger(value) && value >= min && value <= max,
      field,
      value,
      `must be a whole number from ${min} to ${max}`,
      fix ?? `set ${field} between ${min} and ${max}`,
    );
  }

  /** A finite number within [min, max]; `undefined` passes. */
  numberInRange(field: string, value: number | undefined, min: number, max: number, fix?: string): void {
    if (value === undefined) return;
    this.that(
      typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max,
      field,
      value,
      `must be a number from ${min} to ${max}`,
      fix ?? `set ${field} between ${min} and ${max}`,
    );
  }

  /** One of the allowed values; `undefined` passes. */
  oneOf<T>(field: string, value: T | undefined, allowed: readonly T[]): void {
    if (value === undefined) return;
    this.that(
      allowed.includes(value),
      field,
      value,
      'is not supported',
      `use one of ${allowed.map((a) => formatValue(a)).join(', ')}`,
    );
  }

  /** A name that matches `pattern`; `rule` says the rule in words. */
  matches(field: string, value: string | undefined, pattern: RegExp, rule: string): void {
    if (value === undefined) return;
    this.that(typeof value === 'string' && pattern.test(value), field, value, `is not a valid name: ${rule}`, `rename it so that it follows that rule`);
  }
}

/** DNS-1123 label: what Kubernetes accepts for most object names. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const DNS_LABEL_RULE = 'lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters';
