// One circuit breaker per upstream: after `threshold` failures in a row it opens and requests go to the
// next upstream in the failover order; after `cooldownMs` one trial request may pass (half-open), and
// its success closes the breaker again.

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerHealth {
  state: BreakerState;
  consecutiveFailures: number;
  lastFailure: string | null;
  lastFailureAt: string | null;
}

export class CircuitBreaker {
  #failures = 0;
  #openedAt: number | undefined;
  #trialInFlight = false;
  #lastFailure: string | null = null;
  #lastFailureAt: number | null = null;

  constructor(
    private readonly threshold = 5,
    private readonly cooldownMs = 30_000,
  ) {}

  /** Whether a request may be sent now; in half-open state only one at a time. */
  allows(now: number): boolean {
    if (this.#openedAt === undefined) return true;
    if (now - this.#openedAt < this.cooldownMs || this.#trialInFlight) return false;
    this.#trialInFlight = true;
    return true;
  }

  /** The trial (or any request) ended without a verdict on the upstream (the client left): free the slot. */
  abandoned(): void {
    this.#trialInFlight = false;
  }

  succeeded(): void {
    this.#failures = 0;
    this.#openedAt = undefined;
    this.#trialInFlight = false;
  }

  failed(reason: string, now: number): void {
    this.#failures++;
    this.#lastFailure = reason;
    this.#lastFailureAt = now;
    this.#trialInFlight = false;
    if (this.#openedAt !== undefined || this.#failures >= this.threshold) this.#openedAt = now;
  }

  health(now: number): BreakerHealth {
    const state: BreakerState =
      this.#openedAt === undefined ? 'closed' : now - this.#openedAt < this.cooldownMs ? 'open' : 'half_open';
    return {
      state,
      consecutiveFailures: this.#failures,
      lastFailure: this.#lastFailure,
      lastFailureAt: this.#lastFailureAt === null ? null : new Date(this.#lastFailureAt).toISOString(),
    };
  }
}
