// Budget counters as one gateway process uses them: it holds a slice of each counter in the shared store
// (a reservation of its own, with a lease it renews), admits and settles requests against the slice in
// memory, and writes settled spend behind in batches. Admission needs the store only when a slice runs
// short, so the common request does no I/O for its budgets. The guarantees stay those of reserve-then-
// settle (ADR 0006): every admitted request's worst case is held in the store, by the slice, so settled
// spend across all instances stays within the budget. What a crash loses is the spend settled but not yet
// written (at most FLUSH_MS of it); the slice itself frees when its lease runs out. See ADR 0009.

import { randomUUID } from 'node:crypto';
import type {
  BudgetCharge,
  BudgetCounterRef,
  BudgetDrawDown,
  BudgetReservation,
  BudgetStanding,
  BudgetStore,
  DrawDownResult,
  ReserveResult,
} from '../../storage/budget-port.ts';
import { counterKey } from './budget-counter-key.ts';

/** Settled spend reaches the store at most this long after the request ends. */
export const FLUSH_MS = 50;
/** A counter with nothing in flight for this long gives its slice back. */
export const IDLE_MS = 500;
/** A slice this process stops renewing (it died) frees itself after this. */
const SLICE_LEASE_MS = 120_000;
const RENEW_MS = 30_000;
/** A slice is first taken for this many requests like the one that needed it, so most requests find room. */
const SLICE_REQUESTS = 8;
/**
 * Needing another slice this soon means the last was too small for the traffic, so the next is twice as
 * large (up to MAX_SLICE_REQUESTS requests' worth, and never more than a quarter of what the budget has
 * left): a busy counter settles at a few store round trips a second instead of one every few requests.
 */
const REGROW_MS = 1_000;
const MAX_SLICE_REQUESTS = 1_024;

export interface AllotmentLogger {
  error(obj: object, msg: string): void;
}

/** A counter's spend across every instance, as the store answered a flush that wrote to it. */
export type SpendListener = (tenantId: string, counter: BudgetCounterRef, spentMicro: number) => void;

interface Slice {
  id: string;
  /** What the store holds for it, as far as this process knows. */
  held: number;
  renewedAt: number;
}

interface Allotment {
  tenantId: string;
  ref: BudgetCounterRef;
  slices: Slice[];
  /** Worst cases of the requests admitted here and not yet settled. */
  inFlight: number;
  /** Settled here, not yet written. */
  pendingSpend: number;
  /** Settled here and being written by the flush under way. */
  writing: number;
  /** The counter across every instance, as of the store's last answer (our slices count as reserved). */
  spent: number;
  reserved: number;
  lastActive: number;
  /** How many requests' worst case the next slice is for, and when the last was taken. */
  sliceRequests: number;
  lastGrowAt: number;
  /** A slice being taken from the store; others short of room wait for it. */
  growing: Promise<unknown> | undefined;
}

const heldOf = (a: Allotment) => a.slices.reduce((sum, s) => sum + s.held, 0);
const freeOf = (a: Allotment) => heldOf(a) - a.inFlight - a.pendingSpend;

export class BudgetAllotments implements BudgetStore {
  readonly #allotments = new Map<string, Allotment>();
  /**
   * Admitted requests by tenant, then request id: which allotments they hold room on, and how much. Two
   * maps rather than one keyed by a joined string: the request's own id string is then hashed once, when
   * admitted, not joined, flattened and hashed again at each lookup. A tenant's map stays once made
   * (tenants are the organisation's few), so an idle gateway does not make one per request.
   */
  readonly #requests = new Map<string, Map<string, HeldRoom>>();
  #requestCount = 0;
  readonly #instance = randomUUID();
  #slices = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerDue = 0;
  #flushing: Promise<void> | undefined;
  #closed = false;
  /** Told after each flush, so alert thresholds see what other instances spent too. */
  onFlushed: SpendListener = () => {};

  constructor(
    private readonly store: BudgetStore,
    private readonly logger: AllotmentLogger,
    private readonly clock: () => number = Date.now,
  ) {}

  async reserve(r: BudgetReservation): Promise<ReserveResult> {
    const taken: Allotment[] = [];
    for (const charge of r.charges) {
      const allotment = this.#allotment(r.tenantId, charge);
      let refused: ReserveResult | undefined;
      try {
        refused = await this.#take(allotment, charge, r);
      } catch (error) {
        // The store failed while a slice was taken: the room earmarked so far goes back, then the guard
        // decides (fail closed by default).
        for (const a of taken) a.inFlight -= r.amountMicro;
        this.#schedule();
        throw error;
      }
      if (refused) {
        for (const a of taken) a.inFlight -= r.amountMicro;
        this.#schedule();
        if (refused.ok) return refused;
        // The counters passed so far are known too; the guard words its refusal from all it is told.
        const passed = taken.map((a, i) => standingOf(a, r.charges[i]!));
        return { ...refused, standings: [...passed, ...refused.standings] };
      }
      taken.push(allotment);
    }
    return { ok: true, standings: this.#held(r.tenantId, r.requestId, taken, r.charges, r.amountMicro) };
  }

  /**
   * `reserve` without waiting, when every counter's slice has room (nearly every request); undefined, with
   * nothing taken, when one would need the store.
   */
  reserveNow(
    tenantId: string,
    requestId: string,
    charges: readonly BudgetCharge[],
    amountMicro: number,
  ): BudgetStanding[] | undefined {
    const taken: Allotment[] = [];
    for (const charge of charges) {
      const a = this.#allotments.get(counterKey(tenantId, charge));
      if (!a || freeOf(a) < amountMicro) return undefined;
      taken.push(a);
    }
    for (const a of taken) a.inFlight += amountMicro;
    return this.#held(tenantId, requestId, taken, charges, amountMicro);
  }

  /** A request's room, earmarked in every counter it charges, remembered until it settles. */
  #held(
    tenantId: string,
    requestId: string,
    taken: Allotment[],
    charges: readonly BudgetCharge[],
    amountMicro: number,
  ): BudgetStanding[] {
    const now = this.clock();
    for (const a of taken) a.lastActive = now;
    let ofTenant = this.#requests.get(tenantId);
    if (!ofTenant) {
      ofTenant = new Map();
      this.#requests.set(tenantId, ofTenant);
    }
    if (!ofTenant.has(requestId)) this.#requestCount++;
    ofTenant.set(requestId, { allotments: taken, amount: amountMicro });
    this.#schedule();
    return charges.map((c, i) => standingOf(taken[i]!, c));
  }

  async settle(
    tenantId: string,
    requestId: string,
    counters: readonly BudgetCounterRef[],
    actualMicro: number,
  ): Promise<boolean> {
    return this.settleNow(tenantId, requestId, counters, actualMicro);
  }

  /** Settling never needs the store at once: the spend is written behind. */
  settleNow(
    tenantId: string,
    requestId: string,
    _counters: readonly BudgetCounterRef[],
    actualMicro: number,
  ): boolean {
    const ofTenant = this.#requests.get(tenantId);
    const request = ofTenant?.get(requestId);
    if (!ofTenant || !request) return false;
    ofTenant.delete(requestId);
    this.#requestCount--;
    const now = this.clock();
    for (const a of request.allotments) {
      a.inFlight -= request.amount;
      a.pendingSpend += actualMicro;
      a.lastActive = now;
    }
    this.#schedule(FLUSH_MS);
    return true;
  }

  /** From memory for the counters held here (what the guard reads after each settlement), else the store's. */
  async standings(tenantId: string, charges: readonly BudgetCharge[], now: Date): Promise<BudgetStanding[]> {
    return this.standingsNow(tenantId, charges) ?? this.store.standings(tenantId, charges, now);
  }

  /** The standings from memory when every counter is held here; undefined when one must be read. */
  standingsNow(tenantId: string, charges: readonly BudgetCharge[]): BudgetStanding[] | undefined {
    const out: BudgetStanding[] = [];
    for (const charge of charges) {
      const a = this.#allotments.get(counterKey(tenantId, charge));
      if (!a) return undefined;
      out.push(standingOf(a, charge));
    }
    return out;
  }

  reserveMany(reservations: readonly BudgetReservation[]): Promise<ReserveResult[]> {
    return Promise.all(reservations.map((r) => this.reserve(r)));
  }

  settleMany(settlements: Parameters<BudgetStore['settleMany']>[0]): Promise<boolean[]> {
    return Promise.all(
      settlements.map((s) => this.settle(s.tenantId, s.requestId, s.counters, s.actualMicro)),
    );
  }

  drawDownMany(items: readonly BudgetDrawDown[]): Promise<DrawDownResult[]> {
    return this.store.drawDownMany(items);
  }

  markThreshold(...args: Parameters<BudgetStore['markThreshold']>): Promise<boolean> {
    return this.store.markThreshold(...args);
  }

  /** Writes what was settled and gives every slice back; requests still in flight keep their room. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    // Requests answered just before shutdown settle a moment after their last byte.
    for (let i = 0; i < 100 && this.#requestCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
    await this.#flushing;
    await this.#flush(true);
  }

  /** Room for the request on one counter: from the slice, or from a bigger one. Undefined when taken. */
  async #take(a: Allotment, charge: BudgetCharge, r: BudgetReservation): Promise<ReserveResult | undefined> {
    const amount = r.amountMicro;
    // Waiting for another request's slice is worth a few rounds; then this request takes its own.
    for (let round = 0; round < 4 && a.growing && freeOf(a) < amount; round++)
      await a.growing.catch(() => {});
    if (freeOf(a) >= amount) {
      a.inFlight += amount;
      return undefined;
    }
    // What is free now is this request's at once, so the store is asked only for the rest.
    const part = Math.max(0, freeOf(a));
    a.inFlight += part;
    const growing = this.#grow(a, charge, amount - part, r);
    a.growing = growing;
    let refused: ReserveResult | undefined;
    try {
      refused = await growing;
    } catch (error) {
      a.inFlight -= part;
      throw error;
    } finally {
      if (a.growing === growing) a.growing = undefined;
    }
    if (refused) {
      a.inFlight -= part;
      return refused;
    }
    a.inFlight += amount - part;
    return undefined;
  }

  /** Takes a new slice of at least `need` from the store: with spare room if the budget allows. */
  async #grow(
    a: Allotment,
    charge: BudgetCharge,
    need: number,
    r: BudgetReservation,
  ): Promise<ReserveResult | undefined> {
    const grownAt = this.clock();
    a.sliceRequests =
      grownAt - a.lastGrowAt < REGROW_MS ? Math.min(MAX_SLICE_REQUESTS, a.sliceRequests * 2) : SLICE_REQUESTS;
    a.lastGrowAt = grownAt;
    // A doubled slice takes at most a quarter of what the budget had left at the store's last answer; the
    // first size is asked for whatever is left (a refusal shrinks it below).
    const left = Math.max(0, charge.limitMicro - a.spent - a.reserved);
    const spare = Math.min(
      a.sliceRequests * r.amountMicro,
      Math.max(SLICE_REQUESTS * r.amountMicro, Math.floor(left / 4)),
    );
    let want = need + spare;
    for (;;) {
      const id = `allot:${this.#instance}:${++this.#slices}`;
      const now = this.clock();
      const result = await this.store.reserve({
        tenantId: a.tenantId,
        requestId: id,
        charges: [charge],
        amountMicro: want,
        now: new Date(now),
        leaseUntil: new Date(now + SLICE_LEASE_MS),
      });
      const standing = result.standings[0]!;
      a.spent = standing.spentMicro;
      a.reserved = standing.reservedMicro;
      if (result.ok) {
        a.slices.push({ id, held: want, renewedAt: now });
        return undefined;
      }
      // Near the cap: take what the request needs and a share of what is left, leaving the rest to others;
      // refused for exactly what it needs, the request does not fit.
      const available = standing.limitMicro - standing.spentMicro - standing.reservedMicro;
      if (want === need || available < need) return { ...result, standings: [standingOf(a, charge)] };
      want = Math.min(want - 1, need + Math.floor((available - need) / 4));
    }
  }

  #allotment(tenantId: string, charge: BudgetCharge): Allotment {
    const key = counterKey(tenantId, charge);
    let a = this.#allotments.get(key);
    if (!a) {
      a = {
        tenantId,
        ref: { key: charge.key, periodStart: charge.periodStart },
        slices: [],
        inFlight: 0,
        pendingSpend: 0,
        writing: 0,
        spent: 0,
        reserved: 0,
        lastActive: this.clock(),
        sliceRequests: SLICE_REQUESTS,
        lastGrowAt: Number.NEGATIVE_INFINITY,
        growing: undefined,
      };
      this.#allotments.set(key, a);
    }
    return a;
  }

  #schedule(delayMs = IDLE_MS): void {
    if (this.#closed || this.#flushing) return;
    const due = this.clock() + delayMs;
    if (this.#timer) {
      // Only ever brought forward: a steady stream of settlements must not keep pushing the write back.
      if (due >= this.#timerDue) return;
      clearTimeout(this.#timer);
    }
    this.#timerDue = due;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flushing = this.#flush(false).finally(() => {
        this.#flushing = undefined;
        if ([...this.#allotments.values()].some((a) => a.pendingSpend > 0)) this.#schedule(FLUSH_MS);
        else if (this.#allotments.size > 0) this.#schedule(IDLE_MS);
      });
    }, delayMs);
    this.#timer.unref();
  }

  /** Writes settled spend, gives back idle slices (all with `everything`), renews the leases of the rest. */
  async #flush(everything: boolean): Promise<void> {
    const now = this.clock();
    const items: BudgetDrawDown[] = [];
    const undo: (() => void)[] = [];
    const targets: { a: Allotment; slice: Slice }[] = [];
    const touched: Allotment[] = [];
    for (const [key, a] of this.#allotments) {
      const idle = everything || (a.inFlight === 0 && now - a.lastActive >= IDLE_MS && !a.growing);
      if (idle && a.inFlight === 0 && a.slices.length === 0 && a.pendingSpend === 0) {
        this.#allotments.delete(key);
        continue;
      }
      let spend = a.pendingSpend;
      const written = spend;
      // Idle: everything not spent goes back. Busy: the slice stays, less what was spent.
      let release = idle ? Math.max(0, heldOf(a) - a.inFlight - spend) : 0;
      a.pendingSpend = 0;
      a.writing = written;
      undo.push(() => {
        a.pendingSpend += written;
      });
      touched.push(a);
      for (const slice of a.slices) {
        const fromSpend = Math.min(slice.held, spend);
        const fromRelease = Math.min(slice.held - fromSpend, release);
        spend -= fromSpend;
        release -= fromRelease;
        if (fromSpend === 0 && fromRelease === 0 && now - slice.renewedAt < RENEW_MS) continue;
        items.push(this.#drawDown(a, slice.id, fromSpend, fromRelease, now));
        targets.push({ a, slice });
        const before = slice.held;
        slice.held -= fromSpend + fromRelease;
        undo.push(() => {
          slice.held = before;
        });
      }
      // Spend beyond the slices (an answer dearer than its worst case) is still counted.
      if (spend > 0) {
        items.push(this.#drawDown(a, 'allot:overspend', spend, 0, now));
        targets.push({ a, slice: { id: '', held: 0, renewedAt: now } });
      }
    }
    const done = () => {
      for (const a of touched) a.writing = 0;
    };
    if (items.length === 0) return done();
    let results: DrawDownResult[];
    try {
      results = await this.store.drawDownMany(items);
    } catch (error) {
      // Nothing was written: the spend stays pending and the slices as they were, for the next flush.
      done();
      for (const u of undo) u();
      this.logger.error({ err: error }, 'could not write budget spend; retrying');
      return;
    }
    done();
    const answered = new Set<Allotment>();
    for (const [i, { a, slice }] of targets.entries()) {
      slice.held = results[i]!.heldMicro;
      slice.renewedAt = now;
      a.spent = results[i]!.spentMicro;
      a.reserved = results[i]!.reservedMicro;
      answered.add(a);
    }
    for (const a of this.#allotments.values()) a.slices = a.slices.filter((s) => s.held > 0);
    for (const a of answered) {
      try {
        this.onFlushed(a.tenantId, a.ref, a.spent + a.pendingSpend);
      } catch (error) {
        this.logger.error({ err: error }, 'a budget spend listener failed');
      }
    }
  }

  #drawDown(
    a: Allotment,
    holdId: string,
    spendMicro: number,
    releaseMicro: number,
    now: number,
  ): BudgetDrawDown {
    return {
      tenantId: a.tenantId,
      holdId,
      counter: a.ref,
      spendMicro,
      releaseMicro,
      leaseUntil: new Date(now + SLICE_LEASE_MS),
      now: new Date(now),
    };
  }
}

/** Spend settled here counts as spent at once; the store still holds it as part of a slice until the flush. */
function standingOf(a: Allotment, charge: BudgetCharge): BudgetStanding {
  const unwritten = a.pendingSpend + a.writing;
  // Fields written out: `charge` is often a whole ApplicableBudget, and spreading it cost more than the rest.
  return {
    key: charge.key,
    periodStart: charge.periodStart,
    limitMicro: charge.limitMicro,
    spentMicro: a.spent + unwritten,
    reservedMicro: Math.max(0, a.reserved - unwritten),
  };
}

interface HeldRoom {
  allotments: Allotment[];
  amount: number;
}
