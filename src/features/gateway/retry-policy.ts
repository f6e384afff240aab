// When and how long to wait before sending a request again: only before any byte has reached the client,
// only for answers that mean "try later", with exponential backoff, full jitter and the upstream's own
// `retry-after` when it gives one.

/** 429 rate limited, 5xx server trouble, 529 overloaded. */
const RETRYABLE = new Set([429, 500, 502, 503, 504, 529]);
const BASE_DELAY_MS = 250;
const MAX_DELAY_MS = 8_000;

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE.has(status);
}

/** `attempt` 0 is the wait before the first retry. `random` in [0, 1). */
export function retryDelayMs(attempt: number, retryAfter: string | undefined, random: number): number {
  const seconds = retryAfter === undefined ? Number.NaN : Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_DELAY_MS);
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return Math.floor(random * ceiling);
}
