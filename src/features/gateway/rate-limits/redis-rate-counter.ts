// Rate-limit counters in Redis, shared by every server instance; each operation is one atomic Lua script.

import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { type RateCounter, slidingWindow, type TakeResult, WINDOW_MS, windowOf } from './rate-counter.ts';

/** Adds the cost when the sliding total allows it; returns [allowed, current, previous] as read. */
const TAKE = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local estimate = current + previous * tonumber(ARGV[3])
if estimate + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return {0, current, previous} end
redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, current, previous}
`;

const ADD = `
redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** Drops expired slots, then takes one if fewer than the limit are held. */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

export class RedisRateCounter implements RateCounter {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(url: string, prefix = 'llmr:rl:') {
    // Commands wait for the connection (offline queue) but fail after one retry, so an unreachable Redis
    // refuses requests promptly instead of holding them.
    this.#redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
    this.#prefix = prefix;
  }

  async take(key: string, cost: number, limit: number, now: number): Promise<TakeResult> {
    const window = windowOf(now);
    const remainingWeight = 1 - (now % WINDOW_MS) / WINDOW_MS;
    const [allowed, current, previous] = (await this.#redis.eval(
      TAKE,
      2,
      `${this.#prefix}${key}:${window}`,
      `${this.#prefix}${key}:${window - 1}`,
      cost,
      limit,
      remainingWeight,
      2 * WINDOW_MS,
    )) as [number, number, number];
    return allowed === 1
      ? { allowed: true, retryAfterMs: 0 }
      : slidingWindow(current, previous, cost, limit, now);
  }

  async add(key: string, cost: number, now: number): Promise<void> {
    await this.#redis.eval(ADD, 1, `${this.#prefix}${key}:${windowOf(now)}`, Math.round(cost), 2 * WINDOW_MS);
  }

  async acquire(key: string, limit: number, leaseMs: number, now: number): Promise<string | undefined> {
    const slot = randomUUID();
    const taken = await this.#redis.eval(
      ACQUIRE,
      1,
      `${this.#prefix}${key}:slots`,
      now,
      limit,
      now + leaseMs,
      slot,
      leaseMs,
    );
    return taken === 1 ? slot : undefined;
  }

  async release(key: string, slot: string): Promise<void> {
    await this.#redis.zrem(`${this.#prefix}${key}:slots`, slot);
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
