/**
 * The object names each chart's constructs have reserved, by `Kind/name`, with the construct path
 * that reserved each: two constructs must never emit two objects of one kind and name, because the
 * second silently wins on apply. Constructs check their names here before they create anything
 * (ModelService through claimObjectNames, ModelPipeline in its plan) and reserve them once every
 * check has passed.
 */
const reserved = new WeakMap<object, Map<string, string>>();

/** The path of the construct that reserved `kind/name` in the chart, if any. */
export function reservedBy(chart: object, kind: string, name: string): string | undefined {
  return reserved.get(chart)?.get(`${kind}/${name}`);
}

/** Reserves names in the chart for the construct at `path`. */
export function reserveNames(chart: object, path: string, names: ReadonlyArray<readonly [kind: string, name: string]>): void {
  const taken = reserved.get(chart) ?? new Map<string, string>();
  for (const [kind, name] of names) taken.set(`${kind}/${name}`, path);
  reserved.set(chart, taken);
}
