import type { IConstruct } from 'constructs';

/**
 * The second of the three channels for problems (bad props throw; a thing that never happened is a
 * validation; a risky but legal choice is a warning). A warning has a stable id so that a team can
 * make warnings fatal in CI and acknowledge, one by one, the risks it has decided to take.
 */

/** Metadata type of a warning on the construct that raised it (what `riskWarnings` collects). */
export const RISK_WARNING_METADATA = 'modelserve:warning';
/** Environment variable or app context: with `1`/`true`, an unacknowledged warning fails the synth. */
export const WARNINGS_AS_ERRORS = 'MODELSERVE_WARNINGS_AS_ERRORS';
export const WARNINGS_AS_ERRORS_CONTEXT = 'modelserve:warningsAsErrors';
/** App context: the ids of warnings whose risk has been accepted (they neither print nor fail). */
export const ACKNOWLEDGED_WARNINGS_CONTEXT = 'modelserve:acknowledgedWarnings';

export interface RiskWarning {
  /** Stable id, `modelserve:<what>`. */
  readonly id: string;
  /** Path of the construct that raised it. */
  readonly path: string;
  readonly message: string;
}

const printed = new Set<string>();

/**
 * Records a deliberate risk on `scope`. At synth (both engines run node validations before they
 * write) it prints one line to stderr, or, with warnings as errors, fails the synth; an id listed
 * in the `modelserve:acknowledgedWarnings` context does neither.
 */
export function warnRisk(scope: IConstruct, id: string, message: string): void {
  scope.node.addMetadata(RISK_WARNING_METADATA, { id, message });
  scope.node.addValidation({
    validate: () => {
      if (acknowledged(scope, id)) return [];
      const line = `${scope.node.path}: ${message} [${id}]`;
      if (warningsAreErrors(scope)) {
        return [`${line}; warnings are errors here (${WARNINGS_AS_ERRORS}): remove the risk, or accept it with the app context ${ACKNOWLEDGED_WARNINGS_CONTEXT}: ["${id}"]`];
      }
      // Once per process; tests read warnings through riskWarnings() instead.
      if (!printed.has(line) && process.env.NODE_ENV !== 'test') {
        printed.add(line);
        process.stderr.write(`warning: ${line}\n`);
      }
      return [];
    },
  });
}

/** Every warning raised under `scope`, for tests and tools. */
export function riskWarnings(scope: IConstruct): RiskWarning[] {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === RISK_WARNING_METADATA)
      .map((m) => ({ ...(m.data as { id: string; message: string }), path: c.node.path })),
  );
}

function warningsAreErrors(scope: IConstruct): boolean {
  const fromContext = scope.node.tryGetContext(WARNINGS_AS_ERRORS_CONTEXT);
  const fromEnv = process.env[WARNINGS_AS_ERRORS];
  return fromContext === true || fromContext === 'true' || fromEnv === '1' || fromEnv === 'true';
}

function acknowledged(scope: IConstruct, id: string): boolean {
  const ids = scope.node.tryGetContext(ACKNOWLEDGED_WARNINGS_CONTEXT);
  return Array.isArray(ids) && ids.includes(id);
}
