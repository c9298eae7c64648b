/**
 * The object names each chart's constructs have reserved, by `Kind/name`, with the construct path
 * that reserved each: two constructs must never emit two objects of one kind and name, because the
 * second silently wins on apply. Constructs check their names here before they create anything
 * (ModelService through claimObjectNames, ModelPipeline in its plan) and reserve them once every
 * check has passed.
 */
const reserved = new WeakMap<object, Map<string, string>>();

/**
 * The path of the construct that reserved `kind/name` in the chart, if any other than the construct
 * at `askingPath` (or one inside it): a construct built on trial and removed (see
 * lib/catalog/props-check.ts) leaves its reservations to the construct that takes its place.
 */
export function reservedBy(chart: object, kind: string, name: string, askingPath?: string): string | undefined {
  const owner = reserved.get(chart)?.get(`${kind}/${name}`);
  return askingPath !== undefined && (owner === askingPath || owner?.startsWith(`${askingPath}/`)) ? undefined : owner;
}

/** Reserves names in the chart for the construct at `path`. */
export function reserveNames(chart: object, path: string, names: ReadonlyArray<readonly [kind: string, name: string]>): void {
  const taken = reserved.get(chart) ?? new Map<string, string>();
  for (const [kind, name] of names) taken.set(`${kind}/${name}`, path);
  reserved.set(chart, taken);
}
