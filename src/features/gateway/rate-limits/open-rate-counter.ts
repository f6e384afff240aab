// The rate-limit counters a server uses: shared in Redis when REDIS_URL is set, else in process memory.
// The Redis client is imported only then, so a server without Redis does not load it (about 8 MB of heap).

import { MemoryRateCounter } from './memory-rate-counter.ts';
import type { RateCounter } from './rate-counter.ts';

export async function openRateCounter(redisUrl: string | undefined): Promise<RateCounter> {
  if (!redisUrl) return new MemoryRateCounter();
  const { RedisRateCounter } = await import('./redis-rate-counter.ts');
  return new RedisRateCounter(redisUrl);
}
