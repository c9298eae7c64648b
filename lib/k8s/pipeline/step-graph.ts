/** A step as the graph sees it: its name, its dependencies, and the field they came from. */
export interface GraphStep {
  readonly name: string;
  readonly dependsOn: readonly string[];
  /** Where the step is in the props (`stages[2][0]`), for messages. */
  readonly field: string;
  /** True when `dependsOn` was given, not derived from the stage order. */
  readonly explicit: boolean;
}

/**
 * The steps in an order that runs every step after its dependencies (stable: declaration order
 * among the ready ones), or the first cycle found, as the step names along it.
 */
export function orderSteps<T extends GraphStep>(steps: readonly T[]): { readonly order: readonly T[] } | { readonly cycle: readonly string[] } {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const done = new Set<string>();
  const order: T[] = [];
  while (order.length < steps.length) {
    const ready = steps.find((s) => !done.has(s.name) && s.dependsOn.every((d) => done.has(d)));
    if (!ready) return { cycle: findCycle(steps.filter((s) => !done.has(s.name)), byName) };
    done.add(ready.name);
    order.push(ready);
  }
  return { order };
}

function findCycle(left: readonly GraphStep[], byName: ReadonlyMap<string, GraphStep>): string[] {
  // Every step left waits on another step left, so walking dependencies must come back on itself.
  const seen: string[] = [];
  let current = left[0];
  while (!seen.includes(current.name)) {
    seen.push(current.name);
    const next = current.dependsOn.map((d) => byName.get(d)!).find((d) => left.includes(d))!;
    current = next;
  }
  // Read it in the direction data flows: a dependency before the step that takes its output.
  const flow = seen.slice(seen.indexOf(current.name)).reverse();
  return [...flow, flow[0]];
}

/** Steps no other step depends on: the pipeline's results. */
export function sinkSteps<T extends GraphStep>(steps: readonly T[]): T[] {
  const used = new Set(steps.flatMap((s) => s.dependsOn));
  return steps.filter((s) => !used.has(s.name));
}

/**
 * The longest chain of steps by `cost` (one attempt each) and what it costs, for timeouts that
 * must cover a whole run. `ordered` must be in dependency order.
 */
export function longestChain<T extends GraphStep>(
  ordered: readonly T[],
  cost: (step: T) => number,
): { readonly steps: readonly string[]; readonly total: number } {
  const best = new Map<string, { total: number; steps: string[] }>();
  for (const step of ordered) {
    const before = step.dependsOn
      .map((d) => best.get(d)!)
      .reduce<{ total: number; steps: string[] } | undefined>((a, b) => (a === undefined || b.total > a.total ? b : a), undefined);
    best.set(step.name, { total: (before?.total ?? 0) + cost(step), steps: [...(before?.steps ?? []), step.name] });
  }
  return [...best.values()].reduce((a, b) => (b.total > a.total ? b : a), { total: 0, steps: [] as string[] });
}
