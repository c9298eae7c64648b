import { EnvironmentName, PropsValidator } from '../../catalog';
import { validateEnvironment } from '../aws-names';

/** What every values function that takes options is given: an environment, and where errors point. */
export interface ValuesOptions {
  readonly environment: EnvironmentName;
  /** Construct path that error messages start with (the caller's `node.path`). */
  readonly path?: string;
}

/**
 * The checks every values function starts with (the options exist, the environment is a preset),
 * on a validator whose errors start with `options.path` or, called on its own, the function's name.
 * `expected` is the options object to show in the fix, e.g. `{ environment, region }`.
 */
export function valuesValidator(functionName: string, options: ValuesOptions | undefined, expected: string): PropsValidator {
  const v = new PropsValidator(options?.path ?? functionName);
  v.that(typeof options === 'object' && options !== null, 'options', options, 'are not set', `pass ${expected}`);
  validateEnvironment(v, (options as ValuesOptions).environment);
  return v;
}
