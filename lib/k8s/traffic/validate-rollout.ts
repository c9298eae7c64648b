import { PropsValidator, formatValue } from '../../catalog';
import { validateProgressiveOptions } from '../progressive/progressive-options';
import { AbTestOptions, PodCountOrPercent, RollingUpdateOptions, Rollout } from '../rollout';
import {
  COOKIE_NAME_RULE,
  HEADER_NAME_RULE,
  LABEL_VALUE_RULE,
  isCookieName,
  isCookieValue,
  isHeaderName,
  isHeaderValue,
  isLabelValue,
} from './http-tokens';

/**
 * Checks a rollout strategy against the version that runs now. `currentVersion` is the caller's
 * `model.version` (checked by the caller); `field` is the name of the rollout in the caller's props.
 * Throws a ValidationError naming the field, the value and the fix.
 */
export function validateRollout(check: PropsValidator, rollout: Rollout, currentVersion: string, field = 'rollout'): void {
  check.that(
    rollout instanceof Rollout || (typeof rollout === 'object' && rollout !== null && typeof (rollout as Rollout).strategy === 'object'),
    field,
    rollout,
    'is not a rollout strategy',
    'build one with Rollout.rollingUpdate(), Rollout.canary({ newVersion, weight }), Rollout.blueGreen({ greenVersion }), Rollout.abTest({ variantVersion, match }), Rollout.shadow({ newVersion }), Rollout.progressive() or Rollout.recreate()',
  );
  const s = rollout.strategy;
  check.that(typeof s.options === 'object' && s.options !== null, field, s, 'has no options', 'build the rollout with one of the Rollout factories');
  const newVersion = (name: string, version: unknown): void => checkNewVersion(check, `${field}.${name}`, version, currentVersion);

  switch (s.kind) {
    case 'rolling-update':
      return validateRollingUpdate(check, field, s.options);
    case 'recreate':
      return;
    case 'canary':
      newVersion('newVersion', s.options.newVersion);
      return validateCanaryWeight(check, field, s.options.weight);
    case 'blue-green': {
      newVersion('greenVersion', s.options.greenVersion);
      check.oneOf(`${field}.active`, s.options.active, ['blue', 'green'] as const);
      const header = s.options.previewHeader;
      if (header !== undefined) {
        check.that(isHeaderName(header), `${field}.previewHeader`, header, `is not a header name Istio can match: ${HEADER_NAME_RULE}`, `use a header such as "x-modelserve-color"`);
      }
      return;
    }
    case 'ab-test':
      newVersion('variantVersion', s.options.variantVersion);
      return validateAbMatch(check, field, s.options.match);
    case 'shadow': {
      newVersion('newVersion', s.options.newVersion);
      const p = s.options.mirrorPercent;
      if (p !== undefined) {
        check.that(typeof p === 'number' && Number.isFinite(p), `${field}.mirrorPercent`, p, 'is not a number', 'give the percentage of requests to mirror as a number, e.g. mirrorPercent: 50');
        check.numberInRange(`${field}.mirrorPercent`, p, 0, 100, `set ${field}.mirrorPercent between 0 and 100`);
      }
      return;
    }
    case 'progressive':
      // No version to check: the new version is the pod template's, which the caller checks.
      validateProgressiveOptions(check, s.options, field);
      return;
    default:
      check.fail(`${field}.kind`, (s as { kind?: unknown }).kind, 'is not a rollout strategy', 'build the rollout with one of the Rollout factories');
  }
}

/** The version a strategy rolls out: set, a label value (pods carry it), and not the one that runs. */
function checkNewVersion(check: PropsValidator, path: string, version: unknown, currentVersion: string): void {
  check.that(typeof version === 'string' && version.length > 0, path, version, 'is not set', `give the model version to roll out, e.g. "1.1.0"`);
  check.that(isLabelValue(version), path, version, `is not a valid Kubernetes label value (${LABEL_VALUE_RULE}); pods carry it as their "version" label`, 'use a version such as "1.1.0" or "2024-06-01.rc1"');
  check.that(version !== currentVersion, path, version, `is the version that runs now (model.version ${formatValue(currentVersion)}), so there is nothing to roll out`, `set ${path} to the new model version, or use Rollout.rollingUpdate() to keep ${formatValue(currentVersion)}`);
}

function validateRollingUpdate(check: PropsValidator, field: string, options: RollingUpdateOptions): void {
  const surge = options.maxSurge;
  const unavailable = options.maxUnavailable;
  validatePodCountOrPercent(check, `${field}.maxSurge`, surge, false);
  validatePodCountOrPercent(check, `${field}.maxUnavailable`, unavailable, true);
  // Kubernetes refuses a Deployment whose update could neither add nor remove a pod.
  const surgeZero = surge !== undefined && isZero(surge);
  const unavailableZero = unavailable === undefined || isZero(unavailable);
  check.that(
    !(surgeZero && unavailableZero),
    `${field}.maxSurge`,
    surge,
    `and maxUnavailable (${formatValue(unavailable ?? 0)}) are both 0, so the update could never replace a pod`,
    `raise ${field}.maxSurge (e.g. "25%") or allow ${field}.maxUnavailable of at least 1`,
  );
}

/** A canary's share of requests: a whole percentage, as Istio's route weights are. */
function validateCanaryWeight(check: PropsValidator, field: string, w: number): void {
  check.that(typeof w === 'number' && Number.isFinite(w), `${field}.weight`, w, 'is not a number', `give the percentage of requests for the canary as a number, e.g. weight: 10`);
  check.that(w >= 0 && w <= 100, `${field}.weight`, w, 'must be from 0 to 100 (a percentage of requests)', `set ${field}.weight between 0 and 100`);
  check.that(Number.isInteger(w), `${field}.weight`, w, 'is not a whole number; Istio route weights are whole percentages', `round ${field}.weight to ${Math.round(w)}`);
}

/** What sends a request to variant B: exactly one header or one cookie, each a name and a value Istio can match. */
function validateAbMatch(check: PropsValidator, field: string, match: AbTestOptions['match']): void {
  check.that(typeof match === 'object' && match !== null, `${field}.match`, match, 'is not set', 'say what sends a request to B: { header: { name, value } } or { cookie: { name, value } }');
  const hasHeader = match.header !== undefined;
  const hasCookie = match.cookie !== undefined;
  check.that(hasHeader || hasCookie, `${field}.match`, match, 'has neither a header nor a cookie', 'give exactly one of match.header { name, value } or match.cookie { name, value }');
  check.that(!(hasHeader && hasCookie), `${field}.match`, match, 'has both a header and a cookie', 'give exactly one of match.header or match.cookie: a request would need both to reach B');
  if (hasHeader) {
    const { name, value } = match.header ?? ({} as { name?: string; value?: string });
    check.that(typeof name === 'string' && name.length > 0, `${field}.match.header.name`, name, 'is empty', 'name the header that selects variant B, e.g. "x-model-variant"');
    check.that(isHeaderName(name), `${field}.match.header.name`, name, `is not a header name Istio can match: ${HEADER_NAME_RULE}`, 'use a lower-case header such as "x-model-variant"');
    check.that(typeof value === 'string' && value.length > 0, `${field}.match.header.value`, value, 'is empty', 'give the value that selects variant B, e.g. "b"');
    check.that(isHeaderValue(value), `${field}.match.header.value`, value, 'contains line breaks, control characters, non-ASCII or surrounding spaces', 'use printable ASCII such as "b"');
  } else {
    const { name, value } = match.cookie ?? ({} as { name?: string; value?: string });
    check.that(typeof name === 'string' && name.length > 0, `${field}.match.cookie.name`, name, 'is empty', 'name the cookie that selects variant B, e.g. "model_variant"');
    check.that(isCookieName(name), `${field}.match.cookie.name`, name, `is not a valid cookie name: ${COOKIE_NAME_RULE}`, 'use a name such as "model_variant"');
    check.that(typeof value === 'string' && value.length > 0, `${field}.match.cookie.value`, value, 'is empty', 'give the value that selects variant B, e.g. "b"');
    check.that(isCookieValue(value), `${field}.match.cookie.value`, value, 'is not a valid cookie value (no spaces, quotes, commas, semicolons or backslashes)', 'use letters, digits and simple punctuation such as "b" or "group-2"');
  }
}

function isZero(v: PodCountOrPercent): boolean {
  return v === 0 || (typeof v === 'string' && parseFloat(v) === 0);
}

function validatePodCountOrPercent(check: PropsValidator, path: string, v: PodCountOrPercent | undefined, capAt100: boolean): void {
  if (v === undefined) return;
  if (typeof v === 'number') {
    check.that(Number.isInteger(v) && v >= 0, path, v, 'must be a whole number of pods (0 or more) or a percentage string', `set ${path} to e.g. 1 or "25%"`);
    return;
  }
  const m = typeof v === 'string' ? /^(\d+)%$/.exec(v) : null;
  check.that(m !== null, path, v, 'is neither a whole number of pods nor a percentage such as "25%"', `set ${path} to e.g. 1 or "25%"`);
  if (capAt100) {
    check.that(Number(m![1]) <= 100, path, v, 'is more than 100%', `set ${path} to at most "100%"`);
  }
}
