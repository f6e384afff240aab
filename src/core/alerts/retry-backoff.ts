// When to try a failed notification again: exponential backoff with jitter, up to a number of attempts.

export interface RetryPolicy {
  /** Attempts in all, the first included; after the last failure the delivery is marked failed. */
  maxAttempts: number;
  /** The delay after the first failure, doubled after each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** About 10 minutes of retries in all: 5 s, 10 s, 20 s, 40 s, 80 s, 160 s, 300 s (each ± half). */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 8,
  baseDelayMs: 5_000,
  maxDelayMs: 300_000,
});

/**
 * The wait before the next attempt after `attempts` failed ones, or undefined when no attempt is left.
 * "Equal jitter": half the exponential delay, plus a random share of the other half, so receivers that
 * failed together are not retried together. `random` returns a number in [0, 1).
 */
export function retryDelayMs(
  attempts: number,
  policy: RetryPolicy,
  random: () => number,
): number | undefined {
  if (attempts >= policy.maxAttempts) return undefined;
  const exponential = policy.baseDelayMs * 2 ** Math.max(0, attempts - 1);
  const delay = Math.min(policy.maxDelayMs, exponential);
  return Math.round(delay / 2 + random() * (delay / 2));
}
