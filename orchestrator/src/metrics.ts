/**
 * A small Prometheus registry (counters, gauges, histograms with labels) rendered in the text
 * exposition format 0.0.4. Small enough to read in one sitting, so the service needs no
 * metrics dependency; `promtool check metrics` reads its output in the tests.
 */
type Labels = Readonly<Record<string, string>>;

interface Metric {
  readonly name: string;
  render(): string;
}

function labelText(labels: Labels, extra?: Labels): string {
  const all = { ...labels, ...extra };
  const keys = Object.keys(all);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabel(all[k])}"`).join(',')}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

function key(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
}

abstract class Series<T> implements Metric {
  protected readonly series = new Map<string, { labels: Labels; value: T }>();
  constructor(public readonly name: string, protected readonly help: string, protected readonly type: string) {}

  protected entry(labels: Labels, init: () => T): { labels: Labels; value: T } {
    const k = key(labels);
    let e = this.series.get(k);
    if (!e) {
      e = { labels: { ...labels }, value: init() };
      this.series.set(k, e);
    }
    return e;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, value } of this.series.values()) lines.push(...this.lines(labels, value));
    return lines.join('\n');
  }

  protected abstract lines(labels: Labels, value: T): string[];
}

export class Counter extends Series<number> {
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }

  inc(labels: Labels = {}, by = 1): void {
    this.entry(labels, () => 0).value += by;
  }

  /** Makes a series exist at 0, so that `rate()` sees its first increase. */
  init(labels: Labels): void {
    this.entry(labels, () => 0);
  }

  get(labels: Labels = {}): number {
    return this.series.get(key(labels))?.value ?? 0;
  }

  protected lines(labels: Labels, value: number): string[] {
    return [`${this.name}${labelText(labels)} ${formatNumber(value)}`];
  }
}

export class Gauge extends Series<number> {
  constructor(name: string, help: string) {
    super(name, help, 'gauge');
  }

  set(labels: Labels, value: number): void {
    this.entry(labels, () => 0).value = value;
  }

  get(labels: Labels = {}): number {
    return this.series.get(key(labels))?.value ?? 0;
  }

  protected lines(labels: Labels, value: number): string[] {
    return [`${this.name}${labelText(labels)} ${formatNumber(value)}`];
  }
}

interface Buckets {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Series<Buckets> {
  constructor(name: string, help: string, private readonly bounds: readonly number[]) {
    super(name, help, 'histogram');
  }

  observe(labels: Labels, value: number): void {
    const e = this.entry(labels, () => ({ counts: this.bounds.map(() => 0), sum: 0, count: 0 })).value;
    // Cumulative counts are computed at render time; here each observation lands in one bucket.
    const i = this.bounds.findIndex((b) => value <= b);
    if (i >= 0) e.counts[i] += 1;
    e.sum += value;
    e.count += 1;
  }

  protected lines(labels: Labels, b: Buckets): string[] {
    const out: string[] = [];
    let cumulative = 0;
    this.bounds.forEach((bound, i) => {
      cumulative += b.counts[i];
      out.push(`${this.name}_bucket${labelText(labels, { le: formatNumber(bound) })} ${cumulative}`);
    });
    out.push(`${this.name}_bucket${labelText(labels, { le: '+Inf' })} ${b.count}`);
    out.push(`${this.name}_sum${labelText(labels)} ${formatNumber(b.sum)}`);
    out.push(`${this.name}_count${labelText(labels)} ${b.count}`);
    return out;
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];

  register<M extends Metric>(metric: M): M {
    if (this.metrics.some((m) => m.name === metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.metrics.push(metric);
    return metric;
  }

  render(): string {
    return `${this.metrics.map((m) => m.render()).join('\n')}\n`;
  }
}

/** Seconds, from 5 ms (a model answering from memory) to 10 minutes (a long pipeline run). */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
