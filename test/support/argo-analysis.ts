import { InstantResult } from './engine-servers';
import { AnalysisMetric } from './monitoring-app';

/**
 * How Argo Rollouts judges a Prometheus metric, re-stated from its source (argoproj/argo-rollouts,
 * `metricproviders/prometheus/prometheus.go` processResponse, `utils/evaluate/evaluate.go`
 * EvaluateResult and EvalCondition, `analysis/analysis.go` assessMetricStatus and
 * assessMetricFailureInconclusiveOrError):
 *
 * - a vector answer becomes `result`, the list of its sample values (empty when no series); a
 *   scalar becomes a number; anything else is an Error measurement;
 * - the conditions are expr-lang expressions over `result` with `isNaN`, `isInf`, `len`; an
 *   expression that cannot be evaluated (`result[0]` of an empty list) is an Error measurement;
 * - success only: a measurement whose success condition is false has Failed; failure only: the
 *   reverse; both: Failed if the failure condition holds, Inconclusive if neither holds;
 * - the metric Fails once more than `failureLimit` (default 0) measurements have failed, is
 *   Inconclusive past `inconclusiveLimit` (default 0), errs past `consecutiveErrorLimit`
 *   (default 4) errors in a row; an AnalysisRun that Fails or errs aborts the rollout.
 *
 * Only the expr-lang the library's conditions use is understood; anything else throws, so a new
 * kind of condition cannot slip through unjudged.
 */
export type MeasurementPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';
export type MetricPhase = 'Running' | 'Failed' | 'Inconclusive' | 'Error';

type Value = number | boolean | number[];

/** Argo's `result` from a Prometheus answer, or an Error. */
export function resultOf(answer: InstantResult): number | number[] {
  if (answer.resultType === 'scalar') return parseSample(answer.result[1]);
  if (answer.resultType === 'vector') return answer.result.map((s) => parseSample(s.value[1]));
  throw new Error(`Prometheus metric type not supported: ${answer.resultType}`);
}

function parseSample(v: string): number {
  return v === 'NaN' ? NaN : v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v);
}

/** One measurement: the phase Argo gives it. */
export function measure(metric: Pick<AnalysisMetric, 'successCondition' | 'failureCondition'>, answer: InstantResult): MeasurementPhase {
  let result: number | number[];
  try {
    result = resultOf(answer);
  } catch {
    return 'Error';
  }
  let success = false;
  let failure = false;
  try {
    if (metric.successCondition) success = evaluateCondition(metric.successCondition, result);
    if (metric.failureCondition) failure = evaluateCondition(metric.failureCondition, result);
  } catch (e) {
    if (e instanceof UnsupportedExpression) throw e;
    return 'Error';
  }
  if (!metric.successCondition && !metric.failureCondition) return 'Successful';
  if (metric.successCondition && !metric.failureCondition) failure = !success;
  if (!metric.successCondition && metric.failureCondition) success = !failure;
  if (failure) return 'Failed';
  return success ? 'Successful' : 'Inconclusive';
}

/** The metric's phase after these measurements, in order (`Running` while no limit is passed). */
export function assessMetric(metric: Pick<AnalysisMetric, 'failureLimit' | 'inconclusiveLimit' | 'consecutiveErrorLimit'>, phases: readonly MeasurementPhase[]): MetricPhase {
  const failed = phases.filter((p) => p === 'Failed').length;
  const inconclusive = phases.filter((p) => p === 'Inconclusive').length;
  let consecutiveErrors = 0;
  for (const p of phases) consecutiveErrors = p === 'Error' ? consecutiveErrors + 1 : 0;
  let phase: MetricPhase = 'Running';
  const failureLimit = metric.failureLimit ?? 0;
  if (failureLimit >= 0 && failed > failureLimit) phase = 'Failed';
  if (inconclusive > (metric.inconclusiveLimit ?? 0)) phase = 'Inconclusive';
  if (consecutiveErrors > (metric.consecutiveErrorLimit ?? 4)) phase = 'Error';
  return phase;
}

export class UnsupportedExpression extends Error {}

type Node =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'result' }
  | { readonly kind: 'not' | 'negate'; readonly operand: Node }
  | { readonly kind: 'binary'; readonly op: string; readonly left: Node; readonly right: Node }
  | { readonly kind: 'index'; readonly target: Node; readonly index: Node }
  | { readonly kind: 'call'; readonly name: 'isNaN' | 'isInf' | 'len'; readonly arg: Node };

/** expr-lang on `result`: `||`/`or`, `&&`/`and`, `!`/`not`, comparisons, + - * /, `result[i]`, isNaN/isInf/len, numbers, parentheses. */
export function evaluateCondition(condition: string, result: number | number[]): boolean {
  const value = evaluate(parseCondition(condition), result);
  if (typeof value !== 'boolean') throw new Error(`expected bool, but got ${typeof value}`);
  return value;
}

/** The condition's syntax tree; throws UnsupportedExpression for anything outside the subset. */
export function parseCondition(condition: string): Node {
  const tokens: string[] = [];
  const re = /\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?|[A-Za-z_]\w*|\|\||&&|[<>=!]=|[<>!()[\]+\-*/])\s*/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < condition.length && (m = re.exec(condition))) tokens.push(m[1]);
  if (re.lastIndex !== condition.length) throw new UnsupportedExpression(`cannot read condition at ${JSON.stringify(condition.slice(re.lastIndex))}: ${condition}`);
  let i = 0;
  const peek = () => tokens[i];
  const take = (expected?: string) => {
    const t = tokens[i++];
    if (t === undefined || (expected !== undefined && t !== expected)) throw new UnsupportedExpression(`expected ${expected ?? 'more'}, got ${t} in ${condition}`);
    return t;
  };
  const binary = (ops: readonly string[], next: () => Node, op = (t: string) => t) => (): Node => {
    let left = next();
    while (peek() !== undefined && ops.includes(peek()!)) left = { kind: 'binary', op: op(take()), left, right: next() };
    return left;
  };
  const primary = (): Node => {
    const t = take();
    if (/^\d/.test(t)) return { kind: 'number', value: Number(t) };
    if (t === '(') {
      const inner = or();
      take(')');
      return inner;
    }
    if (t === 'result') return { kind: 'result' };
    if (t === 'true' || t === 'false') return { kind: 'bool', value: t === 'true' };
    if (t === 'isNaN' || t === 'isInf' || t === 'len') {
      take('(');
      const arg = or();
      take(')');
      return { kind: 'call', name: t, arg };
    }
    throw new UnsupportedExpression(`unsupported token ${t} in ${condition}`);
  };
  const postfix = (): Node => {
    let node = primary();
    while (peek() === '[') {
      take('[');
      node = { kind: 'index', target: node, index: or() };
      take(']');
    }
    return node;
  };
  const unary = (): Node => {
    if (peek() === '-') {
      take();
      return { kind: 'negate', operand: unary() };
    }
    return postfix();
  };
  const product = binary(['*', '/'], unary);
  const sum = binary(['+', '-'], product);
  const comparison = (): Node => {
    const left = sum();
    if (['<', '<=', '>', '>=', '==', '!='].includes(peek() ?? '')) return { kind: 'binary', op: take(), left, right: sum() };
    return left;
  };
  const not = (): Node => {
    if (peek() === '!' || peek() === 'not') {
      take();
      return { kind: 'not', operand: not() };
    }
    return comparison();
  };
  const and = binary(['&&', 'and'], not, () => '&&');
  const or: () => Node = binary(['||', 'or'], and, () => '||');
  const tree = or();
  if (i !== tokens.length) throw new UnsupportedExpression(`unexpected ${tokens[i]} in ${condition}`);
  return tree;
}

function evaluate(node: Node, result: number | number[]): Value {
  const ev = (n: Node) => evaluate(n, result);
  switch (node.kind) {
    case 'number':
    case 'bool':
      return node.value;
    case 'result':
      return result;
    case 'not':
      return !bool(ev(node.operand));
    case 'negate':
      return -num(ev(node.operand));
    case 'index': {
      const target = ev(node.target);
      const index = num(ev(node.index));
      if (!Array.isArray(target)) throw new Error('cannot index a number');
      if (!Number.isInteger(index) || index < 0 || index >= target.length) throw new Error(`index out of range: ${index} (array length is ${target.length})`);
      return target[index];
    }
    case 'call': {
      const arg = ev(node.arg);
      if (node.name === 'len') {
        if (!Array.isArray(arg)) throw new Error('len of a number');
        return arg.length;
      }
      const x = num(arg);
      return node.name === 'isNaN' ? Number.isNaN(x) : x === Infinity || x === -Infinity;
    }
    case 'binary': {
      // expr-lang short-circuits: the right side is not evaluated (and cannot err) when the left decides.
      if (node.op === '||') return bool(ev(node.left)) || bool(ev(node.right));
      if (node.op === '&&') return bool(ev(node.left)) && bool(ev(node.right));
      const a = num(ev(node.left));
      const b = num(ev(node.right));
      const ops: Record<string, number | boolean> = { '+': a + b, '-': a - b, '*': a * b, '/': a / b, '<': a < b, '<=': a <= b, '>': a > b, '>=': a >= b, '==': a === b, '!=': a !== b };
      return ops[node.op];
    }
  }
}

function num(v: Value): number {
  if (typeof v !== 'number') throw new Error(`expected a number, got ${JSON.stringify(v)}`);
  return v;
}

function bool(v: Value): boolean {
  if (typeof v !== 'boolean') throw new Error(`expected a bool, got ${JSON.stringify(v)}`);
  return v;
}
