// The audit log service: `record()` resolves once the record is committed; concurrent records are
// group-committed, one append transaction per tenant per batch, so durability costs one commit per batch.

import type { AuditEntry, AuditRecord } from '../../core/audit-chain/audit-record.ts';
import { type Clock, systemClock } from '../../core/clock/clock.ts';
import { AppError } from '../../core/errors/app-error.ts';
import type { AuditStore, TenantId } from '../../storage/ports.ts';

/** What a caller records; the time defaults to now and missing subjects to null. */
export type AuditInput = Pick<AuditEntry, 'event'> & Partial<Omit<AuditEntry, 'event'>>;

export interface AuditLogOptions {
  clock?: Clock;
  /** Most entries in one append transaction; a full batch is written at once. Default 1,000. */
  maxBatch?: number;
  /** How long a batch may wait for more entries; 0 (default) writes at the end of the current tick. */
  maxDelayMs?: number;
  /**
   * Batches of one tenant that may be handed to the store before the first is committed. Default 1; more
   * only for a store that applies appends in the order it was called (the SQLite writer thread), so that
   * the next batch is ready the moment the previous commit ends.
   */
  maxInFlight?: number;
}

export interface AuditLogStats {
  records: number;
  /** Append transactions; far fewer than records under load. */
  batches: number;
  failedBatches: number;
}

export class AuditLogClosedError extends AppError {
  constructor() {
    super(503, 'audit_log_closed', 'The audit log is closed; nothing more can be recorded.');
  }
}

interface Waiter {
  entry: AuditEntry;
  resolve(record: AuditRecord): void;
  reject(error: unknown): void;
}

interface TenantQueue {
  waiting: Waiter[];
  /** The appends handed to the store and not yet settled; what arrives meanwhile forms the next batch. */
  inFlight: Set<Promise<void>>;
  /** Cancels the scheduled write, if one is scheduled. */
  cancel: (() => void) | undefined;
}

export class AuditLog {
  readonly #store: AuditStore;
  readonly #clock: Clock;
  readonly #maxBatch: number;
  readonly #maxDelayMs: number;
  readonly #maxInFlight: number;
  readonly #queues = new Map<TenantId, TenantQueue>();
  #closed = false;
  #pending = 0;
  readonly stats: AuditLogStats = { records: 0, batches: 0, failedBatches: 0 };

  constructor(store: AuditStore, options: AuditLogOptions = {}) {
    this.#store = store;
    this.#clock = options.clock ?? systemClock;
    this.#maxBatch = Math.max(1, options.maxBatch ?? 1000);
    this.#maxDelayMs = Math.max(0, options.maxDelayMs ?? 0);
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? 1);
  }

  /** Records not yet committed: waiting for their batch, or in one being written (a gauge for operators). */
  get pending(): number {
    return this.#pending;
  }

  /** Resolves with the stored record once its transaction committed; rejects if that transaction failed. */
  record(tenantId: TenantId, input: AuditInput): Promise<AuditRecord> {
    if (this.#closed) return Promise.reject(new AuditLogClosedError());
    const entry: AuditEntry = {
      timestamp: input.timestamp ?? this.#clock.now(),
      event: input.event,
      user: input.user ?? null,
      agent: input.agent ?? null,
      sessionId: input.sessionId ?? null,
      bundleRevision: input.bundleRevision ?? null,
      context: input.context ?? {},
    };
    return new Promise((resolve, reject) => {
      const queue = this.#queue(tenantId);
      queue.waiting.push({ entry, resolve, reject });
      this.#pending++;
      // A running append starts the next batch when it finishes.
      if (queue.inFlight.size >= this.#maxInFlight) return;
      if (queue.waiting.length >= this.#maxBatch) this.#write(tenantId, queue);
      else this.#schedule(tenantId, queue);
    });
  }

  /** Resolves when everything recorded before the call is committed (or has failed). */
  async flush(): Promise<void> {
    while ([...this.#queues.values()].some((q) => q.inFlight.size > 0 || q.waiting.length > 0)) {
      for (const [tenantId, queue] of this.#queues) {
        if (queue.inFlight.size < this.#maxInFlight && queue.waiting.length > 0) this.#write(tenantId, queue);
      }
      await Promise.all([...this.#queues.values()].flatMap((q) => [...q.inFlight]));
    }
  }

  /** Refuses new records and waits for the pending ones. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #queue(tenantId: TenantId): TenantQueue {
    let queue = this.#queues.get(tenantId);
    if (!queue) {
      queue = { waiting: [], inFlight: new Set(), cancel: undefined };
      this.#queues.set(tenantId, queue);
    }
    return queue;
  }

  #schedule(tenantId: TenantId, queue: TenantQueue): void {
    if (queue.cancel) return;
    const fire = () => {
      queue.cancel = undefined;
      if (queue.inFlight.size < this.#maxInFlight) this.#write(tenantId, queue);
    };
    if (this.#maxDelayMs > 0) {
      const timer = setTimeout(fire, this.#maxDelayMs);
      queue.cancel = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(fire);
      queue.cancel = () => clearImmediate(immediate);
    }
  }

  #write(tenantId: TenantId, queue: TenantQueue): void {
    queue.cancel?.();
    queue.cancel = undefined;
    const batch = queue.waiting.splice(0, this.#maxBatch);
    if (batch.length === 0) return;
    const append: Promise<void> = this.#append(tenantId, batch).finally(() => {
      queue.inFlight.delete(append);
      if (queue.waiting.length === 0) {
        if (queue.inFlight.size === 0) this.#queues.delete(tenantId);
      } else if (queue.waiting.length >= this.#maxBatch || this.#closed) this.#write(tenantId, queue);
      else this.#schedule(tenantId, queue);
    });
    queue.inFlight.add(append);
  }

  async #append(tenantId: TenantId, batch: Waiter[]): Promise<void> {
    this.stats.batches++;
    try {
      const records = await this.#store.append(
        tenantId,
        batch.map((w) => w.entry),
      );
      this.stats.records += records.length;
      for (const [i, waiter] of batch.entries()) waiter.resolve(records[i]!);
    } catch (error) {
      // Never dropped silently: every caller of the failed batch hears of it.
      this.stats.failedBatches++;
      for (const waiter of batch) waiter.reject(error);
    } finally {
      this.#pending -= batch.length;
    }
  }
}
