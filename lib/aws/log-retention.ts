import { PropsValidator } from '../catalog';

/** The retention periods CloudWatch Logs accepts; any other value fails at apply time. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Checks a retention at synth time so that a typo (e.g. 100) does not wait for `terraform apply`. */
export function validateLogRetention(check: PropsValidator, field: string, days: number | undefined): void {
  if (days === undefined) return;
  check.that((LOG_RETENTION_DAYS as readonly number[]).includes(days), field, days, 'is not a retention CloudWatch Logs accepts', `use one of ${LOG_RETENTION_DAYS.join(', ')}`);
}
