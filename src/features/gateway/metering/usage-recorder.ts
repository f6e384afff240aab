// Writes usage records in batches, off the response path: a request hands its record over and is done;
// the recorder writes what has gathered every few milliseconds (at once when a batch is full), so a busy
// gateway commits one transaction for many requests. A failed write is retried, never dropped quietly.

import type { UsageRecord, UsageStore } from '../../../storage/usage-port.ts';

/** How often one record may be refused on its own before it is set aside. */
const MAX_STRIKES = 3;

export interface UsageRecorderLogger {
  error(obj: object, msg: string): void;
}

export interface UsageRecorderOptions {
  /** Most records in one write. */
  maxBatch?: number;
  /** Wait before writing again after a failed write. */
  retryDelayMs?: number;
  /** How long a record may wait for others to share its write; what a crash can lose. */
  batchWindowMs?: number;
  /** Sees every record as it is queued (the Prometheus metrics count it); must not throw. */
  observe?: (record: UsageRecord) => void;
}

/** Long enough to gather a busy gateway's records into one commit, short beside any request's own time. */
export const BATCH_WINDOW_MS = 20;

export class UsageRecorder {
  readonly #store: UsageStore;
  readonly #logger: UsageRecorderLogger;
  readonly #maxBatch: number;
  readonly #retryDelayMs: number;
  readonly #batchWindowMs: number;
  readonly #observe: ((record: UsageRecord) => void) | undefined;
  #queue: UsageRecord[] = [];
  #writing: Promise<void> | undefined;
  #scheduled: NodeJS.Immediate | NodeJS.Timeout | undefined;
  #failures = 0;
  readonly #strikes = new Map<UsageRecord, number>();

  constructor(store: UsageStore, logger: UsageRecorderLogger, options: UsageRecorderOptions = {}) {
    this.#store = store;
    this.#logger = logger;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#retryDelayMs = options.retryDelayMs ?? 1_000;
    this.#batchWindowMs = options.batchWindowMs ?? BATCH_WINDOW_MS;
    this.#observe = options.observe;
  }

  /** Records waiting to be written (a gauge for operators). */
  get pending(): number {
    return this.#queue.length;
  }

  record(record: UsageRecord): void {
    this.#observe?.(record);
    this.#queue.push(record);
    if (this.#queue.length >= this.#maxBatch) this.#writeSoon();
    else this.#schedule(this.#batchWindowMs);
  }

  /** Writes everything recorded so far; rejects if it still cannot be written. */
  async flush(): Promise<void> {
    this.#cancel();
    while (this.#writing) await this.#writing;
    // Rounds that write nothing are allowed while a refused record collects its strikes; past that, the
    // store itself is failing.
    let stalled = 0;
    while (this.#queue.length > 0) {
      const before = this.#queue.length;
      await this.#writeBatch();
      stalled = this.#queue.length < before ? 0 : stalled + 1;
      if (stalled > MAX_STRIKES)
        throw new Error(`${this.#queue.length} usage record(s) could not be written`);
    }
  }

  /** A full batch is written without waiting out the window. */
  #writeSoon(): void {
    if (this.#writing) return;
    this.#cancel();
    this.#schedule(0);
  }

  #schedule(delayMs: number): void {
    if (this.#scheduled || this.#writing) return;
    const run = () => {
      this.#scheduled = undefined;
      this.#writing = this.#writeBatch().finally(() => {
        this.#writing = undefined;
        if (this.#queue.length === 0) return;
        if (this.#failures > 0) this.#schedule(this.#retryDelayMs);
        else this.#schedule(this.#queue.length >= this.#maxBatch ? 0 : this.#batchWindowMs);
      });
    };
    this.#scheduled = delayMs > 0 ? setTimeout(run, delayMs) : setImmediate(run);
  }

  #cancel(): void {
    if (!this.#scheduled) return;
    clearTimeout(this.#scheduled as NodeJS.Timeout);
    clearImmediate(this.#scheduled as NodeJS.Immediate);
    this.#scheduled = undefined;
  }

  async #writeBatch(): Promise<void> {
    const batch = this.#queue.slice(0, this.#maxBatch);
    try {
      await this.#store.insert(batch);
      this.#queue.splice(0, batch.length);
      this.#failures = 0;
      return;
    } catch (error) {
      this.#failures++;
      this.#logger.error(
        { err: error, pending: this.#queue.length, attempt: this.#failures },
        'usage records could not be written; retrying them one by one',
      );
    }
    // One record the store refuses (say, text it cannot hold) must not hold back everyone else's: write
    // the batch one by one. A record refused on its own three times is set aside, loudly. Inserts are
    // idempotent per request, so the retries cannot double-bill.
    let written = 0;
    for (const record of batch) {
      try {
        await this.#store.insert([record]);
        this.#queue.splice(this.#queue.indexOf(record), 1);
        written++;
      } catch (error) {
        const strikes = (this.#strikes.get(record) ?? 0) + 1;
        this.#strikes.set(record, strikes);
        if (strikes >= MAX_STRIKES) {
          this.#queue.splice(this.#queue.indexOf(record), 1);
          this.#strikes.delete(record);
          this.#logger.error(
            {
              err: error,
              tenantId: record.tenantId,
              requestId: record.requestId,
              costMicro: record.costMicro,
            },
            'a usage record was refused by the store three times and is set aside',
          );
        }
      }
    }
    if (written > 0) this.#failures = 0;
  }
}
