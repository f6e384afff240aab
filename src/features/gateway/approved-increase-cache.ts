// The approved budget increases of each tenant, as the gateway reads them: from memory, reloaded (once, for
// all the requests waiting) when older than REFRESH_MS, so an approval applies to every request made that
// long after it without a query per request. An increase that expires stops counting at its expiry.

import type { ApprovedLookup } from '../../core/budgets/applicable-budgets.ts';
import type { ApprovedIncrease, BudgetIncreaseStore } from '../../storage/budget-increase-port.ts';

/** How stale approvals may be: a new one applies to requests made at most this much later. */
export const REFRESH_MS = 5_000;

export interface ApprovedIncreaseLogger {
  error(obj: object, msg: string): void;
}

interface Entry {
  loadedAt: number;
  /** The earliest expiry among the increases: past it, the entry must be reloaded before use. */
  validUntil: number;
  lookup: ApprovedLookup;
}

const NONE: ApprovedLookup = () => 0;

export class ApprovedIncreaseCache {
  readonly #entries = new Map<string, Entry>();
  readonly #loading = new Map<string, Promise<Entry>>();

  constructor(
    private readonly store: Pick<BudgetIncreaseStore, 'approved'>,
    private readonly logger: ApprovedIncreaseLogger,
  ) {}

  /** The tenant's approved increases at `now`. */
  async forTenant(tenantId: string, now: Date): Promise<ApprovedLookup> {
    const t = now.getTime();
    const entry = this.#entries.get(tenantId);
    if (entry && t < entry.validUntil && t - entry.loadedAt < REFRESH_MS) return entry.lookup;
    return (await this.#load(tenantId, now)).lookup;
  }

  #load(tenantId: string, now: Date): Promise<Entry> {
    const inFlight = this.#loading.get(tenantId);
    if (inFlight) return inFlight;
    const loading = this.store
      .approved(tenantId, now)
      .then(
        (increases) => this.#store(tenantId, now, increases),
        (error: unknown) => {
          // Without the approvals, every soft cap holds at its own level: stricter, never looser.
          this.logger.error(
            { err: error, tenantId },
            'approved budget increases unavailable; soft caps hold',
          );
          return this.#store(tenantId, now, []);
        },
      )
      .finally(() => this.#loading.delete(tenantId));
    this.#loading.set(tenantId, loading);
    return loading;
  }

  #store(tenantId: string, now: Date, increases: ApprovedIncrease[]): Entry {
    const sums = new Map<string, number>();
    let validUntil = Number.POSITIVE_INFINITY;
    for (const inc of increases) {
      sums.set(slot(inc.counterKey, inc.periodStart), inc.amountMicro);
      validUntil = Math.min(validUntil, inc.firstExpiry.getTime());
    }
    const entry: Entry = {
      loadedAt: now.getTime(),
      validUntil,
      lookup: sums.size === 0 ? NONE : (key, periodStart) => sums.get(slot(key, periodStart)) ?? 0,
    };
    this.#entries.set(tenantId, entry);
    return entry;
  }
}

const slot = (key: string, periodStart: Date) => `${key}\u0000${periodStart.getTime()}`;
