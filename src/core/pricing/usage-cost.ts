// Turns the tokens of one model call into money: integer micro-dollars, rounded once per call.

import type { ModelPrice } from './price-table.ts';

/** Tokens of one call by kind, as the upstream reported them (cache writes split by lifetime). */
export interface TokenUsage {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

export const NO_TOKENS: Readonly<TokenUsage> = Object.freeze({
  input: 0,
  output: 0,
  cacheWrite5m: 0,
  cacheWrite1h: 0,
  cacheRead: 0,
});

/**
 * A price in dollars per million tokens is exactly micro-dollars per token, so the cost is a sum of
 * products; it is rounded to a whole micro-dollar once, at the end, never per kind.
 */
export function costMicroDollars(usage: TokenUsage, price: ModelPrice): number {
  return Math.round(
    usage.input * price.input +
      usage.output * price.output +
      usage.cacheWrite5m * price.cacheWrite5m +
      usage.cacheWrite1h * price.cacheWrite1h +
      usage.cacheRead * price.cacheRead,
  );
}

export function totalTokens(usage: TokenUsage): number {
  return usage.input + usage.output + usage.cacheWrite5m + usage.cacheWrite1h + usage.cacheRead;
}

/** `$1.234567` from micro-dollars, for messages. */
export function formatDollars(micro: number): string {
  return `$${(micro / 1_000_000).toFixed(micro % 10_000 === 0 ? 2 : 6)}`;
}
