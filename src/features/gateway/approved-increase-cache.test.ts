import { describe, expect, it } from 'vitest';
import { MemoryBudgetIncreaseStore } from '../../storage/memory/memory-budget-increase-store.ts';
import { ApprovedIncreaseCache, REFRESH_MS } from './approved-increase-cache.ts';

const period = new Date(Date.UTC(2026, 11, 1));
const at = (ms: number) => new Date(Date.UTC(2026, 11, 5) + ms);

async function approve(store: MemoryBudgetIncreaseStore, amountMicro: number, expiresAt: Date) {
  const made = await store.request({
    tenantId: 't',
    budgetId: 'team',
    counterKey: 'team',
    periodStart: period,
    amountMicro,
    reason: 'r',
    requestedBy: 'ada',
    at: at(0),
  });
  await store.decide('t', made.id, { status: 'approved', by: 'grace', at: at(0), expiresAt });
}

describe('approved increase cache', () => {
  it('sees a new approval after REFRESH_MS, reading the store once per refresh, and drops one at its expiry', async () => {
    const store = new MemoryBudgetIncreaseStore();
    let reads = 0;
    const counted = {
      approved: (t: string, now: Date) => {
        reads++;
        return store.approved(t, now);
      },
    };
    const cache = new ApprovedIncreaseCache(counted, { error: () => {} });
    expect((await cache.forTenant('t', at(0)))('team', period)).toBe(0);
    await approve(store, 7, at(REFRESH_MS * 3));
    expect((await cache.forTenant('t', at(REFRESH_MS - 1)))('team', period)).toBe(0);
    const [a, b] = await Promise.all([
      cache.forTenant('t', at(REFRESH_MS)),
      cache.forTenant('t', at(REFRESH_MS)),
    ]);
    expect([a('team', period), b('team', period), a('team', at(0)), a('other', period)]).toEqual([
      7, 7, 0, 0,
    ]);
    expect(reads).toBe(2);
    // Expiry comes before the next refresh would: the increase stops counting right then.
    await approve(store, 5, at(2 * REFRESH_MS + 10));
    expect((await cache.forTenant('t', at(2 * REFRESH_MS)))('team', period)).toBe(12);
    expect((await cache.forTenant('t', at(2 * REFRESH_MS + 10)))('team', period)).toBe(7);
  });

  it('holds every soft cap at its own level when the store cannot be read', async () => {
    const errors: string[] = [];
    const cache = new ApprovedIncreaseCache(
      { approved: async () => Promise.reject(new Error('down')) },
      { error: (_o, msg) => errors.push(msg) },
    );
    expect((await cache.forTenant('t', at(0)))('team', period)).toBe(0);
    expect(errors).toEqual(['approved budget increases unavailable; soft caps hold']);
  });
});
