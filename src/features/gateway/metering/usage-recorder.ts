// Writes usage records in batches, off the response path: a request hands its record over and is done;
// the recorder writes what has gathered once per tick. A failed write is retried, never dropped quietly.

import type { UsageRecord, UsageStore } from '../../../storage/usage-port.ts';

export interface UsageRecorderLogger {
  error(obj: object, msg: string): void;
}

export interface UsageRecorderOptions {
  /** Most records in one write. */
  maxBatch?: number;
  /** Wait before writing again after a failed write. */
  retryDelayMs?: number;
}

export class UsageRecorder {
  readonly #store: UsageStore;
  readonly #logger: UsageRecorderLogger;
  readonly #maxBatch: number;
  readonly #retryDelayMs: number;
  #queue: UsageRecord[] = [];
  #writing: Promise<void> | undefined;
  #scheduled: NodeJS.Immediate | NodeJS.Timeout | undefined;
  #failures = 0;

  constructor(store: UsageStore, logger: UsageRecorderLogger, options: UsageRecorderOptions = {}) {
    this.#store = store;
    this.#logger = logger;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#retryDelayMs = options.retryDelayMs ?? 1_000;
  }

  /** Records waiting to be written (a gauge for operators). */
  get pending(): number {
    return this.#queue.length;
  }

  record(record: UsageRecord): void {
    this.#queue.push(record);
    this.#schedule(0);
  }

  /** Writes everything recorded so far; rejects if it still cannot be written. */
  async flush(): Promise<void> {
    this.#cancel();
    while (this.#writing) await this.#writing;
    while (this.#queue.length > 0) {
      await this.#writeBatch();
      if (this.#failures > 0) throw new Error(`${this.#queue.length} usage record(s) could not be written`);
    }
  }

  #schedule(delayMs: number): void {
    if (this.#scheduled || this.#writing) return;
    const run = () => {
      this.#scheduled = undefined;
      this.#writing = this.#writeBatch().finally(() => {
        this.#writing = undefined;
        if (this.#queue.length > 0) this.#schedule(this.#failures > 0 ? this.#retryDelayMs : 0);
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
    } catch (error) {
      // Kept at the head of the queue: inserts are idempotent per request, so a retry cannot double-bill.
      this.#failures++;
      this.#logger.error(
        { err: error, pending: this.#queue.length, attempt: this.#failures },
        'usage records could not be written; retrying',
      );
    }
  }
}
