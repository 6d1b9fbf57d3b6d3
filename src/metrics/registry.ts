/**
 * Counters, gauges and histograms with labels, written in the Prometheus text
 * exposition format (version 0.0.4). Updates are a map lookup and an add, so
 * they cost nothing measurable next to the work they count.
 * @module
 */

/** Label values by label name. */
export type Labels = Readonly<Record<string, string>>;

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  render(lines: string[]): void;
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return "";
  return "{" + pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",") + "}";
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function keyOf(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a < b ? -1 : 1));
}

function formatNumber(n: number): string {
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return Number.isNaN(n) ? "NaN" : String(n);
}

/** A value that only goes up. */
export class Counter implements Family {
  readonly type = "counter";
  #values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string) {}

  /** Adds `n` (default 1) to the series with `labels`. */
  inc(labels: Labels = {}, n = 1): void {
    const key = keyOf(labels);
    const entry = this.#values.get(key);
    if (entry) entry.value += n;
    else this.#values.set(key, { labels, value: n });
  }

  /** Current value of one series (0 when never counted). */
  get(labels: Labels = {}): number {
    return this.#values.get(keyOf(labels))?.value ?? 0;
  }

  render(lines: string[]): void {
    for (const { labels, value } of this.#values.values()) {
      lines.push(`${this.name}${labelText(labels)} ${formatNumber(value)}`);
    }
  }
}

/** A value read when scraped (e.g. worker restarts, last loop time). */
export class Gauge implements Family {
  readonly type = "gauge";
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly collect: () => Iterable<[Labels, number]>,
  ) {}

  render(lines: string[]): void {
    for (const [labels, value] of this.collect()) {
      lines.push(`${this.name}${labelText(labels)} ${formatNumber(value)}`);
    }
  }
}

/** Observations counted into cumulative buckets, with their sum and count. */
export class Histogram implements Family {
  readonly type = "histogram";
  #series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {}

  /** Records one observation. */
  observe(labels: Labels, value: number): void {
    const key = keyOf(labels);
    let s = this.#series.get(key);
    if (!s) {
      s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) s.counts[i]++;
    s.sum += value;
    s.count++;
  }

  render(lines: string[]): void {
    for (const s of this.#series.values()) {
      this.buckets.forEach((le, i) => {
        lines.push(
          `${this.name}_bucket${labelText(s.labels, ["le", formatNumber(le)])} ${s.counts[i]}`,
        );
      });
      lines.push(`${this.name}_bucket${labelText(s.labels, ["le", "+Inf"])} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${formatNumber(s.sum)}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
  }
}

/** The metrics of one process, rendered together. */
export class Registry {
  #families: Family[] = [];

  /** Registers a counter. */
  counter(name: string, help: string): Counter {
    return this.#add(new Counter(name, help));
  }

  /** Registers a gauge read by `collect` at each scrape. */
  gauge(name: string, help: string, collect: () => Iterable<[Labels, number]>): Gauge {
    return this.#add(new Gauge(name, help, collect));
  }

  /** Registers a histogram with the given upper bucket bounds (ascending). */
  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.#add(new Histogram(name, help, buckets));
  }

  /** Every metric in the Prometheus text format. */
  render(): string {
    const lines: string[] = [];
    for (const f of this.#families) {
      lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
      lines.push(`# TYPE ${f.name} ${f.type}`);
      f.render(lines);
    }
    return lines.join("\n") + "\n";
  }

  #add<F extends Family>(f: F): F {
    if (this.#families.some((x) => x.name === f.name)) {
      throw new Error(`metric "${f.name}" is registered twice`);
    }
    this.#families.push(f);
    return f;
  }
}
