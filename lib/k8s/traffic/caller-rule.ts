/** A rule that admits in-mesh callers by identity (mTLS principal), without a JWT, to `ports`. */
export function callerRule(principals: readonly string[], ports: readonly string[]): Record<string, unknown> {
  return { from: [{ source: { principals: [...principals] } }], to: [{ operation: { ports: [...ports] } }] };
}
