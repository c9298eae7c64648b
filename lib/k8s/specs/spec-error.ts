import { reportInOneLineIfUncaught } from '../../catalog/uncaught-report';

/** A place in a spec file: 1-based line and column, as editors and compilers count them. */
export interface SpecLocation {
  /** The file as given, relative to the working folder when it is inside it. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
}

/** One mistake in a spec file. */
export interface SpecProblem extends SpecLocation {
  /** `<construct path>: <field> (<value>) <problem>; <fix>`, as a construct would say it. */
  readonly message: string;
  /** The field, dotted from the document (`autoscaling.minReplicas`); empty for the document itself. */
  readonly field: string;
}

/**
 * Everything wrong with a set of spec files, one line per mistake:
 * `specs/resnet.yaml:12:5: serving/resnet: autoscaling.minReplica (2) is not a field of
 * AutoscalingOptions; did you mean minReplicas?`. Nothing of the files is left in the chart.
 */
export class SpecError extends Error {
  constructor(
    /** Each mistake, in file order, top to bottom. */
    public readonly problems: readonly SpecProblem[],
  ) {
    super(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`).join('\n'));
    this.name = 'SpecError';
    reportInOneLineIfUncaught(this);
  }
}
