import { afterEach, describe, expect, it } from 'vitest';
import type { BudgetDrawDown, BudgetReservation, BudgetStore } from '../../storage/budget-port.ts';
import { MemoryBudgetStore } from '../../storage/memory/memory-budget-store.ts';
import { BudgetAllotments, FLUSH_MS, IDLE_MS } from './budget-allotments.ts';

const periodStart = new Date(Date.UTC(2026, 11, 1));
const charge = (limitMicro: number) => ({ key: 'team', periodStart, limitMicro });
const silent = { error: () => {} };
let sequence = 0;

function reservation(limitMicro: number, amountMicro: number): BudgetReservation {
  const now = new Date();
  return {
    tenantId: 't',
    requestId: `r${++sequence}`,
    charges: [charge(limitMicro)],
    amountMicro,
    now,
    leaseUntil: new Date(now.getTime() + 60_000),
  };
}

/** The store as it stands, read directly (not through an allotment). */
async function standing(store: BudgetStore, limitMicro: number) {
  return (await store.standings('t', [charge(limitMicro)], new Date()))[0]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A store that counts the calls the allotments make and can be made to fail. */
function instrumented(store: BudgetStore) {
  const calls = { reserve: 0, drawDown: 0, failDrawDowns: 0, failReserves: 0 };
  const wrapped: BudgetStore = {
    ...Object.fromEntries(
      (['reserveMany', 'settleMany', 'settle', 'markThreshold', 'standings'] as const).map((name) => [
        name,
        (...args: unknown[]) => (store[name] as (...a: unknown[]) => unknown)(...args),
      ]),
    ),
    reserve: (r) => {
      calls.reserve++;
      if (calls.failReserves > 0) {
        calls.failReserves--;
        return Promise.reject(new Error('store down'));
      }
      return store.reserve(r);
    },
    drawDownMany: (items: readonly BudgetDrawDown[]) => {
      calls.drawDown++;
      if (calls.failDrawDowns > 0) {
        calls.failDrawDowns--;
        return Promise.reject(new Error('store down'));
      }
      return store.drawDownMany(items);
    },
  } as BudgetStore;
  return { store: wrapped, calls };
}

describe('budget allotments', () => {
  const open: BudgetAllotments[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((a) => a.close()));
  });
  const allotments = (store: BudgetStore) => {
    const a = new BudgetAllotments(store, silent);
    open.push(a);
    return a;
  };

  it('admits most requests from the slice it holds, without asking the store', async () => {
    const { store, calls } = instrumented(new MemoryBudgetStore());
    const gateway = allotments(store);
    for (let i = 0; i < 40; i++) {
      const r = reservation(1_000_000, 100);
      expect((await gateway.reserve(r)).ok).toBe(true);
      expect(await gateway.settle('t', r.requestId, r.charges, 70)).toBe(true);
    }
    // One slice holds nine requests' worst case; settled spend frees room in it as it is written.
    expect(calls.reserve).toBeLessThanOrEqual(5);
    const local = (await gateway.standings('t', [charge(1_000_000)], new Date()))[0]!;
    expect(local.spentMicro).toBe(40 * 70);
  });

  it('reserves without waiting only from a slice with room on every counter, taking nothing otherwise', async () => {
    const { store, calls } = instrumented(new MemoryBudgetStore());
    const gateway = allotments(store);
    const other = { key: 'user', periodStart, limitMicro: 1_000_000 };
    // No slice yet: the caller must take the waiting path.
    expect(gateway.reserveNow('t', 'now-0', [charge(1_000_000)], 100)).toBeUndefined();
    const first = reservation(1_000_000, 100);
    await gateway.reserve(first);
    const standings = gateway.reserveNow('t', 'now-1', [charge(1_000_000)], 100);
    expect(standings).toEqual([expect.objectContaining({ key: 'team', limitMicro: 1_000_000 })]);
    // One counter without a slice: nothing is taken on the other either.
    const before = gateway.standingsNow('t', [charge(1_000_000)])!;
    expect(gateway.reserveNow('t', 'now-2', [charge(1_000_000), other], 100)).toBeUndefined();
    expect(gateway.settleNow('t', 'now-2', [charge(1_000_000)], 0)).toBe(false);
    expect(gateway.standingsNow('t', [charge(1_000_000)])).toEqual(before);
    expect(gateway.standingsNow('t', [other])).toBeUndefined();
    // More than the slice's room: the waiting path again.
    expect(gateway.reserveNow('t', 'now-3', [charge(1_000_000)], 10_000_000)).toBeUndefined();
    expect(gateway.settleNow('t', 'now-1', [charge(1_000_000)], 60)).toBe(true);
    expect(gateway.settleNow('t', 'now-1', [charge(1_000_000)], 60)).toBe(false);
    await gateway.settle('t', first.requestId, first.charges, 40);
    expect(gateway.standingsNow('t', [charge(1_000_000)])![0]!.spentMicro).toBe(100);
    expect(calls.reserve).toBe(1);
  });

  it('keeps tenants apart when they share a request id or one charge object', async () => {
    const gateway = allotments(new MemoryBudgetStore());
    // One charge object, as the guard's cache hands out, used by two tenants: two counters.
    const shared = charge(1_000_000);
    const now = new Date();
    for (const tenantId of ['t', 'u']) {
      const r = { tenantId, requestId: 'same', charges: [shared], amountMicro: 100, now, leaseUntil: now };
      expect((await gateway.reserve(r)).ok).toBe(true);
    }
    expect(gateway.settleNow('t', 'same', [shared], 30)).toBe(true);
    expect(gateway.settleNow('t', 'same', [shared], 30)).toBe(false);
    expect(gateway.standingsNow('t', [shared])![0]!.spentMicro).toBe(30);
    expect(gateway.standingsNow('u', [shared])![0]!.spentMicro).toBe(0);
    expect(gateway.settleNow('u', 'same', [shared], 50)).toBe(true);
    expect(gateway.standingsNow('u', [shared])![0]!.spentMicro).toBe(50);
    expect(gateway.standingsNow('t', [shared])![0]!.spentMicro).toBe(30);
  });

  it('writes settled spend behind and gives an idle slice back, so the store ends exact with nothing held', async () => {
    const base = new MemoryBudgetStore();
    const gateway = allotments(base);
    const r = reservation(10_000, 500);
    await gateway.reserve(r);
    expect((await standing(base, 10_000)).reservedMicro).toBeGreaterThanOrEqual(500);
    await gateway.settle('t', r.requestId, r.charges, 321);
    expect(await gateway.settle('t', r.requestId, r.charges, 321)).toBe(false);
    await sleep(FLUSH_MS * 3);
    expect((await standing(base, 10_000)).spentMicro).toBe(321);
    await sleep(IDLE_MS * 2 + FLUSH_MS);
    expect(await standing(base, 10_000)).toMatchObject({ spentMicro: 321, reservedMicro: 0 });
  });

  it('never lets two instances together admit more than the budget holds, and drains to zero', async () => {
    const base = new MemoryBudgetStore();
    const fleet = [allotments(base), allotments(base)];
    const limit = 20_000;
    const worst = 540;
    let settled = 0;
    let largest = 0;
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const gateway = fleet[i % 2]!;
        const r = reservation(limit, worst);
        const result = await gateway.reserve(r);
        if (!result.ok) return false;
        await sleep(Math.random() * 20);
        const actual = 200 + ((i * 37) % 340);
        settled += actual;
        largest = Math.max(largest, actual);
        await gateway.settle('t', r.requestId, r.charges, actual);
        return true;
      }),
    );
    const admitted = outcomes.filter(Boolean).length;
    expect(admitted).toBeGreaterThan(0);
    expect(admitted).toBeLessThan(200);
    // Every admitted worst case was held in the store: admissions fit the limit.
    expect(admitted * worst).toBeLessThanOrEqual(limit);
    await Promise.all(fleet.map((a) => a.close()));
    const after = await standing(base, limit);
    expect(after).toMatchObject({ spentMicro: settled, reservedMicro: 0 });
    expect(after.spentMicro).toBeLessThanOrEqual(limit + largest);
  });

  it('refuses near the cap only when what is left does not fit, and names the counter', async () => {
    const base = new MemoryBudgetStore();
    const gateway = allotments(base);
    const held: BudgetReservation[] = [];
    for (let i = 0; i < 3; i++) {
      const r = reservation(1_000, 300);
      expect((await gateway.reserve(r)).ok).toBe(true);
      held.push(r);
    }
    const refused = await gateway.reserve(reservation(1_000, 300));
    expect(refused.ok).toBe(false);
    if (refused.ok) throw new Error('unreachable');
    expect(refused.exceeded.key).toBe('team');
    // The 100 left is exactly what this one needs.
    expect((await gateway.reserve(reservation(1_000, 100))).ok).toBe(true);
    expect((await gateway.reserve(reservation(1_000, 1))).ok).toBe(false);
    for (const r of held) await gateway.settle('t', r.requestId, r.charges, 250);
    // Settling below the worst case gives the difference back to the budget.
    expect((await gateway.reserve(reservation(1_000, 150))).ok).toBe(true);
    const local = (await gateway.standings('t', [charge(1_000)], new Date()))[0]!;
    expect(local.spentMicro).toBe(750);
  });

  it('keeps spend it could not write and writes it on a later flush, then reports the fleet-wide figure', async () => {
    const base = new MemoryBudgetStore();
    const { store, calls } = instrumented(base);
    const gateway = allotments(store);
    const flushed: number[] = [];
    gateway.onFlushed = (_tenant, counter, spent) => {
      if (counter.key === 'team') flushed.push(spent);
    };
    // Another instance's spend, already written.
    const other = reservation(100_000, 1_000);
    await base.reserve(other);
    await base.settle('t', other.requestId, other.charges, 1_000);
    calls.failDrawDowns = 2;
    const r = reservation(100_000, 400);
    await gateway.reserve(r);
    await gateway.settle('t', r.requestId, r.charges, 400);
    for (let i = 0; i < 40 && (await standing(base, 100_000)).spentMicro !== 1_400; i++)
      await sleep(FLUSH_MS);
    expect(calls.drawDown).toBeGreaterThanOrEqual(3);
    expect((await standing(base, 100_000)).spentMicro).toBe(1_400);
    expect(flushed).toContain(1_400);
  });

  it('gives back what it earmarked when the store fails, so the slice is whole once the store is back', async () => {
    const base = new MemoryBudgetStore();
    const { store, calls } = instrumented(base);
    const gateway = allotments(store);
    const first = reservation(1_000, 300);
    expect((await gateway.reserve(first)).ok).toBe(true);
    // A request that does not fit in the slice held asks the store for more; the store is down.
    calls.failReserves = 10;
    const failing = Array.from({ length: 3 }, () => gateway.reserve(reservation(1_000, 700)));
    for (const attempt of failing) await expect(attempt).rejects.toThrow('store down');
    calls.failReserves = 0;
    await gateway.settle('t', first.requestId, first.charges, 300);
    // Nothing earmarked by the failed attempts remains: exactly what is left fits.
    expect((await gateway.reserve(reservation(1_000, 700))).ok).toBe(true);
    expect((await gateway.reserve(reservation(1_000, 1))).ok).toBe(false);
  });

  it('writes settled spend within a flush interval even while settlements keep arriving', async () => {
    const base = new MemoryBudgetStore();
    const gateway = allotments(base);
    const started = Date.now();
    let written = 0;
    // A settlement every 10 ms, for longer than several flush intervals.
    while (Date.now() - started < FLUSH_MS * 6) {
      const r = reservation(1_000_000, 10);
      await gateway.reserve(r);
      await gateway.settle('t', r.requestId, r.charges, 10);
      written = (await standing(base, 1_000_000)).spentMicro;
      if (written > 0) break;
      await sleep(10);
    }
    expect(written).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(FLUSH_MS * 4);
  });

  it('takes larger slices for a busy counter, so 64 requests at a time rarely wait on the store', async () => {
    const { store, calls } = instrumented(new MemoryBudgetStore());
    const gateway = allotments(store);
    let done = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (done < 3_000) {
          const r = reservation(1_000_000_000, 500);
          expect((await gateway.reserve(r)).ok).toBe(true);
          await new Promise((resolve) => setImmediate(resolve));
          await gateway.settle('t', r.requestId, r.charges, 150);
          done++;
        }
      }),
    );
    // Fixed slices of nine requests would have asked the store hundreds of times.
    expect(calls.reserve).toBeLessThan(40);
  });

  it('keeps a busy slice to a quarter of what the budget has left', async () => {
    const base = new MemoryBudgetStore();
    const gateway = allotments(base);
    const held: BudgetReservation[] = [];
    for (let i = 0; i < 200; i++) {
      const r = reservation(100_000, 100);
      if ((await gateway.reserve(r)).ok) held.push(r);
    }
    // Every request fits: the budget holds 1,000 of them.
    expect(held).toHaveLength(200);
    const stored = await standing(base, 100_000);
    // Doubling stopped short of taking the whole budget into this instance's slices.
    expect(stored.reservedMicro).toBeLessThan(100_000 / 2);
  });
});
