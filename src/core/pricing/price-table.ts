// What model calls cost: a versioned table of list prices per model, in US dollars per million tokens.

/** Dollars per million tokens of each kind. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Prompt-cache writes with the default 5-minute lifetime. */
  cacheWrite5m: number;
  /** Prompt-cache writes with the 1-hour lifetime. */
  cacheWrite1h: number;
  cacheRead: number;
}

/** Changes whenever a price below changes; usage records name the version they were priced with. */
export const PRICE_TABLE_VERSION = '2026-11-22';

/** Cache writes and reads priced from the input price where a model has no figures of its own. */
export const CACHE_MULTIPLIERS = { write5m: 1.25, write1h: 2, read: 0.1 } as const;

export function priceFromInputOutput(input: number, output: number): ModelPrice {
  return {
    input,
    output,
    cacheWrite5m: times(input, CACHE_MULTIPLIERS.write5m),
    cacheWrite1h: times(input, CACHE_MULTIPLIERS.write1h),
    cacheRead: times(input, CACHE_MULTIPLIERS.read),
  };
}

/** Rounded to a millionth of a dollar per million tokens, so 3 × 0.1 is 0.3, not 0.30000000000000004. */
function times(price: number, multiplier: number): number {
  return Math.round(price * multiplier * 1e6) / 1e6;
}

/**
 * List prices, keyed by model id without a date suffix. The three current models are the prices
 * Claude Code 2.1.330 itself charges for them (measured: its `modelUsage.costUSD` for a million tokens
 * of each kind), so what we record matches what a developer sees; Opus 5.5 reads its cache at 5% of
 * input, not 10%. Older models carry Anthropic's published list prices.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
  'claude-opus-5-5': { ...priceFromInputOutput(4, 20), cacheRead: 0.2 },
  'claude-sonnet-5': priceFromInputOutput(2, 10),
  'claude-haiku-4-5': priceFromInputOutput(1, 5),
  'claude-opus-4-5': priceFromInputOutput(5, 25),
  'claude-opus-4-1': priceFromInputOutput(15, 75),
  'claude-opus-4': priceFromInputOutput(15, 75),
  'claude-sonnet-4-5': priceFromInputOutput(3, 15),
  'claude-sonnet-4': priceFromInputOutput(3, 15),
  'claude-3-7-sonnet': priceFromInputOutput(3, 15),
  'claude-3-5-haiku': priceFromInputOutput(0.8, 4),
});

/** For a model the table does not know: the dearest list price, so an unknown model is never under-billed. */
export const UNKNOWN_MODEL_PRICE: ModelPrice = priceFromInputOutput(15, 75);

/**
 * The table key for a model id as clients and upstreams spell it: `claude-sonnet-4-5-20250929`,
 * Bedrock's `us.anthropic.claude-sonnet-4-5-20250929-v1:0`, Vertex's `claude-sonnet-4-5@20250929`.
 */
export function canonicalModelId(model: string): string {
  let id = model.trim().toLowerCase();
  const anthropic = id.indexOf('anthropic.');
  if (anthropic !== -1) id = id.slice(anthropic + 'anthropic.'.length);
  id = id
    .replace(/-v\d+(:\d+)?$/, '')
    .replace(/@.*$/, '')
    .replace(/\[.*\]$/, '');
  return id.replace(/-\d{8}$/, '');
}

export interface PriceLookup {
  price: ModelPrice;
  /** The table key that priced it; undefined when the unknown-model price was used. */
  key: string | undefined;
}

/** Exact key first, then the longest key the id starts with (`claude-opus-4-1-…` before `claude-opus-4`). */
export function lookUpPrice(
  table: Readonly<Record<string, ModelPrice>>,
  model: string,
  unknown: ModelPrice = UNKNOWN_MODEL_PRICE,
): PriceLookup {
  const id = canonicalModelId(model);
  // Own keys only: a caller names the model, and "constructor" or "__proto__" would otherwise find
  // Object's, pricing a request at NaN (which no budget comparison refuses).
  if (Object.hasOwn(table, id)) return { price: table[id]!, key: id };
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (id.startsWith(`${key}-`) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? { price: unknown, key: undefined } : { price: table[best]!, key: best };
}
