// Counters for rate limits: per-minute sliding windows and concurrency slots. In one process they live in
// memory; across a fleet of servers in Redis (redis-rate-counter.ts), so a limit holds for the fleet.

/** Sliding-window length: limits are per minute. */
export const WINDOW_MS = 60_000;

export interface TakeResult {
  allowed: boolean;
  /** When refused: how long until the window has room for the cost. */
  retryAfterMs: number;
}

export interface RateCounter {
  /** Adds `cost` to the key's window unless its sliding total would pass `limit`. */
  take(key: string, cost: number, limit: number, now: number): Promise<TakeResult>;
  /** Adds `cost` (negative to correct an estimate) whatever the total. */
  add(key: string, cost: number, now: number): Promise<void>;
  /** One of `limit` concurrent slots, held until released or `leaseMs` passes; undefined when all are taken. */
  acquire(key: string, limit: number, leaseMs: number, now: number): Promise<string | undefined>;
  release(key: string, slot: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The sliding-window estimate: this minute's count plus the previous minute's, weighted by how much of
 * it is still inside the last 60 seconds; and how long until `cost` more would fit under `limit`.
 */
export function slidingWindow(
  current: number,
  previous: number,
  cost: number,
  limit: number,
  now: number,
): TakeResult {
  const elapsed = (now % WINDOW_MS) / WINDOW_MS;
  const estimate = current + previous * (1 - elapsed);
  if (estimate + cost <= limit) return { allowed: true, retryAfterMs: 0 };
  const toNextWindow = WINDOW_MS - (now % WINDOW_MS);
  const room = limit - cost - current;
  // Room can only come from the previous minute sliding out, unless this minute alone is already too much.
  if (room < 0 || previous <= 0) return { allowed: false, retryAfterMs: Math.max(1, toNextWindow) };
  const needElapsed = 1 - room / previous;
  return { allowed: false, retryAfterMs: Math.max(1, Math.ceil((needElapsed - elapsed) * WINDOW_MS)) };
}

export const windowOf = (now: number): number => Math.floor(now / WINDOW_MS);
