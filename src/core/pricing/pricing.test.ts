import { describe, expect, it } from 'vitest';
import {
  canonicalModelId,
  DEFAULT_PRICES,
  lookUpPrice,
  priceFromInputOutput,
  UNKNOWN_MODEL_PRICE,
} from './price-table.ts';
import { costMicroDollars, formatDollars, NO_TOKENS } from './usage-cost.ts';

describe('price table', () => {
  it('reads every spelling of a model id as its table key', () => {
    expect(canonicalModelId('claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4-5');
    expect(canonicalModelId('us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe('claude-sonnet-4-5');
    expect(canonicalModelId('anthropic.claude-haiku-4-5-20251001-v1:0')).toBe('claude-haiku-4-5');
    expect(canonicalModelId('claude-sonnet-4-5@20250929')).toBe('claude-sonnet-4-5');
    expect(canonicalModelId('Claude-Opus-5-5')).toBe('claude-opus-5-5');
    expect(canonicalModelId('claude-sonnet-5[1m]')).toBe('claude-sonnet-5');
  });

  it('prefers the exact key, then the longest prefix, else the unknown-model price', () => {
    expect(lookUpPrice(DEFAULT_PRICES, 'claude-opus-4-1-20250805')).toMatchObject({ key: 'claude-opus-4-1' });
    expect(lookUpPrice(DEFAULT_PRICES, 'claude-opus-4-20250514')).toMatchObject({ key: 'claude-opus-4' });
    expect(lookUpPrice(DEFAULT_PRICES, 'claude-opus-5-5')).toMatchObject({ key: 'claude-opus-5-5' });
    // `claude-opus-5` is not a prefix of the key `claude-opus-5-5` the other way round.
    expect(lookUpPrice(DEFAULT_PRICES, 'claude-opus-5')).toEqual({
      price: UNKNOWN_MODEL_PRICE,
      key: undefined,
    });
    expect(lookUpPrice(DEFAULT_PRICES, 'gpt-9')).toEqual({ price: UNKNOWN_MODEL_PRICE, key: undefined });
  });

  it('never prices an unknown model below a known one', () => {
    for (const price of Object.values(DEFAULT_PRICES)) {
      expect(UNKNOWN_MODEL_PRICE.input).toBeGreaterThanOrEqual(price.input);
      expect(UNKNOWN_MODEL_PRICE.output).toBeGreaterThanOrEqual(price.output);
    }
  });

  it('prices cache writes at 1.25× and 2× input and reads at 0.1× unless the model says otherwise', () => {
    expect(priceFromInputOutput(3, 15)).toEqual({
      input: 3,
      output: 15,
      cacheWrite5m: 3.75,
      cacheWrite1h: 6,
      cacheRead: 0.3,
    });
    expect(DEFAULT_PRICES['claude-opus-5-5']!.cacheRead).toBe(0.2);
  });
});

describe('usage cost', () => {
  it('is micro-dollars: tokens times dollars per million tokens, rounded once', () => {
    const sonnet = DEFAULT_PRICES['claude-sonnet-4-5']!;
    expect(costMicroDollars({ ...NO_TOKENS, input: 1_000_000 }, sonnet)).toBe(3_000_000);
    expect(
      costMicroDollars(
        { input: 1000, output: 200, cacheWrite5m: 100, cacheWrite1h: 10, cacheRead: 5000 },
        sonnet,
      ),
    ).toBe(3000 + 3000 + 375 + 60 + 1500);
    // 3 × 0.3 + 1 × 0.3 = 1.2, rounded once to 1 (per-kind rounding would give 0).
    expect(costMicroDollars({ ...NO_TOKENS, cacheRead: 4 }, sonnet)).toBe(1);
  });

  it('formats micro-dollars as dollars', () => {
    expect(formatDollars(12_500_000)).toBe('$12.50');
    expect(formatDollars(1_234_567)).toBe('$1.234567');
  });
});
