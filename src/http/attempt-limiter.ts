// Attempts per client address (wrong codes, wrong passwords), limited in fixed one-minute windows.
/** Counts per client address in fixed one-minute windows, bounded in memory. */
export class AttemptLimiter {
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly perMinute: number) {}

  exhausted(address: string, now: number): boolean {
    return this.#window(address, now).count >= this.perMinute;
  }

  count(address: string, now: number): void {
    this.#window(address, now).count++;
  }

  #window(address: string, now: number) {
    let window = this.#windows.get(address);
    if (!window || now - window.start >= 60_000) {
      if (this.#windows.size >= 10_000) this.#windows.clear();
      window = { start: now, count: 0 };
      this.#windows.set(address, window);
    }
    return window;
  }
}
