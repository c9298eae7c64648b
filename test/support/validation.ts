import { PropsValidator, ValidationError } from '../../lib/catalog';

/** Runs a validate function with a validator for construct path `svc` and returns the error message it must throw. */
export function messageOf(run: (check: PropsValidator) => void): string {
  try {
    run(new PropsValidator('svc'));
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as Error).message;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

/** The message of the ValidationError that `run` must throw; `run` returning is a test failure. */
export function rejectionOf(run: () => unknown): string {
  let result: unknown;
  try {
    result = run();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as Error).message;
  }
  throw new Error(`expected a ValidationError, got: ${JSON.stringify(result)?.slice(0, 80)}`);
}
