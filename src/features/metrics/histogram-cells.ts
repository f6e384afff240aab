// Histograms kept as plain numbers on the request path and handed to prom-client only at scrape time, as
// counter-cells.ts does for counters. A prom-client `observe`, even on a child bound to its labels,
// validates and hashes the labels into a string on every call: about 4 µs a request in a CPU profile of
// the gateway under load, where a cell's observe is a few comparisons and three additions.
import {
  Histogram,
  type MetricObjectWithValues,
  type MetricType,
  type MetricValueWithName,
  type Registry,
} from 'prom-client';

/** One series: counts per bucket (the last one past every bound, `+Inf`), their sum and their number. */
export class HistogramCell {
  readonly #bounds: readonly number[];
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    // prom-client throws on these; on the request path a bad value is dropped rather than thrown.
    if (!Number.isFinite(value)) return;
    const bounds = this.#bounds;
    let bucket = 0;
    while (bucket < bounds.length && value > bounds[bucket]!) bucket++;
    this.counts[bucket]! += 1;
    this.sum += value;
    this.count += 1;
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

type Value<L extends string> = MetricValueWithName<L> & {
  sharedLabels?: Record<string, string>;
  /** prom-client's bucket lines carry `exemplar: null` (exemplars off); kept for getMetricsAsJSON. */
  exemplar?: null;
};

/**
 * A prom-client histogram whose series are HistogramCells: it is registered, scraped, typed and named as
 * prom-client's own, and exports the same lines (bucket counts cumulative, `le` first, then `_sum` and
 * `_count`), but is never observed through prom-client.
 */
export class HistogramFamily<L extends string> extends Histogram<L> {
  // Not a #private field: prom-client's constructor calls reset() before this class's fields exist.
  private readonly series: { labels: Record<L, string>; cell: HistogramCell }[] = [];
  readonly #bounds: readonly number[];
  readonly #name: string;
  readonly #help: string;

  constructor(
    registry: Registry,
    config: { name: string; help: string; labelNames: readonly L[]; buckets: readonly number[] },
  ) {
    super({ ...config, buckets: [...config.buckets], registers: [registry] });
    this.#bounds = [...config.buckets].sort((a, b) => a - b);
    this.#name = config.name;
    this.#help = config.help;
  }

  /** A new series, exported from the next scrape on (at 0 until observed). Call once per label set. */
  cell(labels: Record<L, string>): HistogramCell {
    const cell = new HistogramCell(this.#bounds);
    this.series.push({ labels, cell });
    return cell;
  }

  /** What the registry formats (prom-client's own shape: each series' labels shared by its lines). */
  async getForPromString(): Promise<MetricObjectWithValues<Value<L>>> {
    const values: Value<L>[] = [];
    const bucketName = `${this.#name}_bucket`;
    for (const { labels, cell } of this.series) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += cell.counts[i]!;
        values.push({ ...line({ le }, labels, cumulative, bucketName), exemplar: null });
      });
      values.push({ ...line({ le: '+Inf' }, labels, cell.count, bucketName), exemplar: null });
      values.push(line({}, labels, cell.sum, `${this.#name}_sum`));
      values.push(line({}, labels, cell.count, `${this.#name}_count`));
    }
    return {
      name: this.#name,
      help: this.#help,
      // prom-client's types declare a numeric enum; at run time the type is this string, as its own.
      type: 'histogram' as unknown as MetricType,
      values,
      aggregator: 'sum',
      collect: noCollect,
    };
  }

  /** The same lines with each series' labels merged in (`getMetricsAsJSON`). */
  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<L>>> {
    const metric = await this.getForPromString();
    return {
      ...metric,
      values: metric.values.map(({ sharedLabels, labels, ...rest }) => ({
        ...rest,
        labels: { ...labels, ...sharedLabels },
      })),
    };
  }

  override reset(): void {
    // Undefined while prom-client's constructor runs.
    for (const { cell } of this.series ?? []) cell.reset();
  }
}

/** The values are the cells' own: nothing to gather before a scrape. */
function noCollect(): void {}

function line<L extends string>(
  own: Record<string, string | number>,
  shared: Record<L, string>,
  value: number,
  metricName: string,
): Value<L> {
  return { labels: own as Value<L>['labels'], sharedLabels: shared, value, metricName };
}
