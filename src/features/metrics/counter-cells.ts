// Counters kept as plain numbers on the request path and handed to prom-client only at scrape time: a
// prom-client `inc` hashes its labels into a string on every call, a cell is one addition.
import { Counter, type Registry } from 'prom-client';

/** One series of a counter family; its owner caches it and adds to `value`. */
export interface CounterCell {
  value: number;
}

export class CounterFamily<L extends string> {
  readonly #cells: { labels: Record<L, string>; cell: CounterCell }[] = [];

  /** `divisor` scales what is exported (micro-dollars counted, dollars exported). */
  constructor(
    registry: Registry,
    config: { name: string; help: string; labelNames: readonly L[]; divisor?: number },
  ) {
    const cells = this.#cells;
    const divisor = config.divisor ?? 1;
    new Counter<L>({
      name: config.name,
      help: config.help,
      labelNames: config.labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const { labels, cell } of cells) this.inc(labels, cell.value / divisor);
      },
    });
  }

  /** A new series, exported from the next scrape on (at 0 until counted). Call once per label set. */
  cell(labels: Record<L, string>): CounterCell {
    const cell = { value: 0 };
    this.#cells.push({ labels, cell });
    return cell;
  }
}

/** Label values callers choose: the first `max` distinct ones are kept, later ones become `other`. */
export const OTHER = 'other';

/** Cells by one label value, at most `max` of them; past that, new values share the `other` entry. */
export class BoundedCells<T> {
  readonly #entries = new Map<string, T>();

  constructor(
    private readonly max: number,
    private readonly make: (value: string) => T,
  ) {}

  of(value: string): T {
    let entry = this.#entries.get(value);
    if (entry) return entry;
    const kept = this.#entries.size < this.max ? value : OTHER;
    entry = this.#entries.get(kept) ?? this.make(kept);
    this.#entries.set(kept, entry);
    return entry;
  }
}
