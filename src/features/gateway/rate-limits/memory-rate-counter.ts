// Rate-limit counters in this process's memory: right for one server; several need Redis.

import { randomUUID } from 'node:crypto';
import { type RateCounter, slidingWindow, type TakeResult, windowOf } from './rate-counter.ts';

export class MemoryRateCounter implements RateCounter {
  readonly #windows = new Map<string, { window: number; current: number; previous: number }>();
  readonly #slots = new Map<string, Map<string, number>>();

  async take(key: string, cost: number, limit: number, now: number): Promise<TakeResult> {
    const w = this.#window(key, now);
    const result = slidingWindow(w.current, w.previous, cost, limit, now);
    if (result.allowed) w.current += cost;
    return result;
  }

  async add(key: string, cost: number, now: number): Promise<void> {
    this.#window(key, now).current += cost;
  }

  async acquire(key: string, limit: number, leaseMs: number, now: number): Promise<string | undefined> {
    let slots = this.#slots.get(key);
    if (!slots) {
      slots = new Map();
      this.#slots.set(key, slots);
    }
    for (const [slot, until] of slots) if (until <= now) slots.delete(slot);
    if (slots.size >= limit) return undefined;
    const slot = randomUUID();
    slots.set(slot, now + leaseMs);
    return slot;
  }

  async release(key: string, slot: string): Promise<void> {
    this.#slots.get(key)?.delete(slot);
  }

  async close(): Promise<void> {}

  #window(key: string, now: number) {
    const window = windowOf(now);
    let w = this.#windows.get(key);
    if (!w) {
      w = { window, current: 0, previous: 0 };
      this.#windows.set(key, w);
    } else if (w.window !== window) {
      w.previous = w.window === window - 1 ? w.current : 0;
      w.current = 0;
      w.window = window;
    }
    return w;
  }
}
