import { PropsValidator } from '../../catalog';
import { HEADER_NAME_RULE, isHeaderName, isLabelValue } from './http-tokens';

/**
 * Istio fault injection on the service's inference routes, for chaos tests: callers see delays and
 * errors as if the model were slow or failing. Faults are injected by the caller's proxy (its
 * sidecar, or the ingress gateway); Istio turns the route's timeout and retries off while a fault
 * is set on it, so what a chaos test measures is the callers' own resilience.
 */
export interface FaultInjectionOptions {
  /**
   * Hold some requests before they are sent on.
   * @default - no delay
   */
  readonly delay?: { readonly percent: number; readonly fixedDelayMs: number };
  /**
   * Answer some requests with an error without calling the model.
   * @default - no abort
   */
  readonly abort?: { readonly percent: number; readonly httpStatus?: number };
  /**
   * Inject faults only into requests that carry this header with this value (a chaos test's own
   * traffic); other requests take the service's usual routes, with their timeout and retries.
   * @default - every request, in the percentages given
   */
  readonly header?: { readonly name: string; readonly value: string };
  /**
   * Allow faults in a production chart. Raised as the risk warning `modelserve:fault-injection`.
   * @default false - refused in production
   */
  readonly allowInProduction?: boolean;
}

export const FAULT_INJECTION_WARNING = 'modelserve:fault-injection';
const DEFAULT_ABORT_STATUS = 503;

/** Checks the faults; `production` refuses them unless allowInProduction says otherwise. */
export function validateFaults(
  check: PropsValidator,
  faults: FaultInjectionOptions | undefined,
  ctx: { field: string; production: boolean; progressive: boolean },
): void {
  if (faults === undefined) return;
  const f = ctx.field;
  check.that(typeof faults === 'object' && faults !== null, f, faults, 'is not an object', 'give { delay: { percent, fixedDelayMs } } and/or { abort: { percent, httpStatus } }');
  const known = ['delay', 'abort', 'header', 'allowInProduction'];
  for (const key of Object.keys(faults)) check.that(known.includes(key), `${f}.${key}`, (faults as Record<string, unknown>)[key], 'is not a fault option', `use ${known.join(', ')}`);
  check.that(faults.delay !== undefined || faults.abort !== undefined, f, faults, 'injects no fault', 'give a delay ({ percent, fixedDelayMs }), an abort ({ percent, httpStatus }), or both');
  check.that(faults.allowInProduction === undefined || typeof faults.allowInProduction === 'boolean', `${f}.allowInProduction`, faults.allowInProduction, 'is not true or false', 'set allowInProduction: true to inject faults in production, or leave it out');
  check.that(
    !ctx.production || faults.allowInProduction === true,
    f,
    faults.abort && faults.delay ? 'delay and abort' : faults.abort ? 'abort' : 'delay',
    'injects faults into a production service, failing or delaying real callers\' requests',
    'run chaos tests in staging, or set allowInProduction: true to accept the risk (warned as modelserve:fault-injection)',
  );
  if (faults.delay !== undefined) {
    checkPercent(check, `${f}.delay.percent`, faults.delay.percent);
    check.integerInRange(`${f}.delay.fixedDelayMs`, faults.delay.fixedDelayMs, 1, 3_600_000, 'give the delay in whole milliseconds, e.g. 2000');
  }
  if (faults.abort !== undefined) {
    checkPercent(check, `${f}.abort.percent`, faults.abort.percent);
    check.integerInRange(`${f}.abort.httpStatus`, faults.abort.httpStatus, 400, 599, 'give an error status from 400 to 599, e.g. 503');
  }
  if (faults.header !== undefined) {
    const h = faults.header;
    check.that(isHeaderName(h.name), `${f}.header.name`, h.name, `is not ${HEADER_NAME_RULE}`, 'name the header a chaos test sends, e.g. "x-chaos-test"');
    check.that(isLabelValue(h.value) && h.value !== '', `${f}.header.value`, h.value, 'is not a plain token', 'use letters, digits, "-", "_" and ".", e.g. "true"');
    check.that(!ctx.progressive, `${f}.header`, h.name, 'is set with Rollout.progressive(), whose controller re-weights only its own routes, so the faults\' route would send every chaos request to the stable version', 'leave header out (faults then apply to the percentages of all requests), or use another rollout');
  }
}

function checkPercent(check: PropsValidator, field: string, value: number): void {
  check.that(typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 100, field, value, 'is not a percentage above 0 and at most 100', 'give the share of requests, e.g. 10 (fractions such as 0.5 are allowed)');
}

/** The Istio `fault` of a route. */
export function faultSpec(faults: FaultInjectionOptions): Record<string, unknown> {
  return {
    ...(faults.delay ? { delay: { percentage: { value: faults.delay.percent }, fixedDelay: `${faults.delay.fixedDelayMs}ms` } } : {}),
    ...(faults.abort ? { abort: { percentage: { value: faults.abort.percent }, httpStatus: faults.abort.httpStatus ?? DEFAULT_ABORT_STATUS } } : {}),
  };
}

/**
 * The inference routes with faults: on every route, or, with `header`, on a copy of each route
 * that matches the header too, placed before it. Istio drops timeout and retries on a route with a
 * fault, so they are left out of it rather than written and ignored.
 */
export function withFaults(routes: readonly Record<string, unknown>[], faults: FaultInjectionOptions | undefined): Record<string, unknown>[] {
  if (faults === undefined) return [...routes];
  const fault = faultSpec(faults);
  const faulty = (route: Record<string, unknown>) =>
    Object.fromEntries([...Object.entries(route).filter(([key]) => key !== 'timeout' && key !== 'retries'), ['fault', fault]]);
  if (faults.header === undefined) return routes.map(faulty);
  const header = { [faults.header.name]: { exact: faults.header.value } };
  return routes.flatMap((route) => {
    const match = (route.match as Record<string, unknown>[] | undefined) ?? [{}];
    const copy = faulty({ ...route, name: `${route.name}-faults`, match: match.map((m) => ({ ...m, headers: { ...(m.headers as object | undefined), ...header } })) });
    return [copy, route];
  });
}
