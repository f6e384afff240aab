// Applies `gateway.rate_limits` to a request: requests and tokens per minute and requests in flight, for
// its key, user, team and tenant. A request over any limit gets 429 `rate_limit_error` with `retry-after`.

import type { RateLimitConfig } from '../../../config/policy-config.ts';
import { AppError } from '../../../core/errors/app-error.ts';
import type { RateCounter } from './rate-counter.ts';

/** A request that never finishes (its server died) stops holding a concurrency slot after this. */
const SLOT_LEASE_MS = 15 * 60_000;

export interface RateSubject {
  tenantId: string;
  keyId: string;
  /** `user:<email>` or `service_account:<id>`. */
  principal: string;
  teamId: string | null;
}

export interface Permit {
  /** Counts the tokens the request really used and frees its concurrency slots. */
  finish(actualTokens: number): Promise<void>;
}

/** The permit of a request no rate limit applies to: finishing it does nothing. */
export const NO_LIMITS: Permit = { finish: async () => {} };

export class RateLimiter {
  constructor(private readonly counter: RateCounter) {}

  /** `admit` without waiting when no limit is configured; undefined sends the caller to `admit`. */
  admitNow(limits: readonly RateLimitConfig[]): Permit | undefined {
    return limits.length === 0 ? NO_LIMITS : undefined;
  }

  async admit(
    limits: readonly RateLimitConfig[],
    who: RateSubject,
    estimatedTokens: number,
    now: number,
  ): Promise<Permit> {
    if (limits.length === 0) return NO_LIMITS;
    const taken: { key: string; cost: number }[] = [];
    const slots: { key: string; slot: string }[] = [];
    const tokenKeys: string[] = [];
    const undo = async () => {
      await Promise.all([
        ...taken.map((t) => this.counter.add(t.key, -t.cost, now)),
        ...slots.map((s) => this.counter.release(s.key, s.slot)),
      ]);
    };
    try {
      for (const limit of limits) {
        const subject = subjectOf(limit.scope, who);
        if (subject === undefined) continue;
        const base = `${who.tenantId}:${limit.scope}:${subject}`;
        if (limit.requests_per_minute !== undefined) {
          await this.#take(
            `${base}:rpm`,
            1,
            limit.requests_per_minute,
            now,
            taken,
            limit,
            'requests per minute',
          );
        }
        if (limit.tokens_per_minute !== undefined) {
          await this.#take(
            `${base}:tpm`,
            estimatedTokens,
            limit.tokens_per_minute,
            now,
            taken,
            limit,
            'tokens per minute',
          );
          tokenKeys.push(`${base}:tpm`);
        }
        if (limit.concurrent !== undefined) {
          const slot = await this.counter.acquire(`${base}:concurrent`, limit.concurrent, SLOT_LEASE_MS, now);
          if (!slot) throw refusal(limit, 'requests at once', 1_000);
          slots.push({ key: `${base}:concurrent`, slot });
        }
      }
    } catch (error) {
      await undo().catch(() => {});
      if (error instanceof AppError) throw error;
      // Limits are enforced, so counters that cannot be read refuse the request rather than wave it through.
      throw new AppError(
        503,
        'api_error',
        'Rate limits cannot be checked right now (the counter store is unreachable); try again shortly.',
        {},
        { 'retry-after': '5' },
      );
    }
    return {
      finish: async (actualTokens) => {
        const correction = actualTokens - estimatedTokens;
        await Promise.all([
          ...(correction !== 0 ? tokenKeys.map((key) => this.counter.add(key, correction, Date.now())) : []),
          ...slots.map((s) => this.counter.release(s.key, s.slot)),
        ]);
      },
    };
  }

  async #take(
    key: string,
    cost: number,
    max: number,
    now: number,
    taken: { key: string; cost: number }[],
    limit: RateLimitConfig,
    what: string,
  ): Promise<void> {
    const result = await this.counter.take(key, cost, max, now);
    if (!result.allowed) throw refusal(limit, what, result.retryAfterMs);
    taken.push({ key, cost });
  }
}

function subjectOf(scope: RateLimitConfig['scope'], who: RateSubject): string | undefined {
  if (scope === 'key') return who.keyId;
  if (scope === 'user') return who.principal;
  if (scope === 'team') return who.teamId ?? undefined;
  return 'all';
}

function refusal(limit: RateLimitConfig, what: string, retryAfterMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const max =
    what === 'requests per minute'
      ? limit.requests_per_minute
      : what === 'tokens per minute'
        ? limit.tokens_per_minute
        : limit.concurrent;
  return new AppError(
    429,
    'rate_limit_error',
    `Rate limit reached: at most ${max} ${what} per ${limit.scope} (gateway.rate_limits); try again in ${seconds} s.`,
    { scope: limit.scope },
    { 'retry-after': String(seconds) },
  );
}
