// The price table the gateway charges with: the built-in list prices, overridden by `gateway.prices`.

import type { GatewayConfig, PriceConfig } from '../../config/policy-config.ts';
import {
  canonicalModelId,
  DEFAULT_PRICES,
  lookUpPrice,
  type ModelPrice,
  PRICE_TABLE_VERSION,
  type PriceLookup,
  priceFromInputOutput,
  UNKNOWN_MODEL_PRICE,
} from '../../core/pricing/price-table.ts';

/** Callers choose model names: past this many, unknown ones are no longer warned about one by one. */
const MAX_WARNED_MODELS = 1_000;
/** Model names whose lookup is kept; a gateway sees a few dozen. */
const MAX_REMEMBERED_MODELS = 1_000;

export interface PriceWarnings {
  warn(obj: object, msg: string): void;
}

export class GatewayPrices {
  readonly version: string;
  readonly #table: Record<string, ModelPrice>;
  readonly #unknown: ModelPrice;
  readonly #warned = new Set<string>();
  /** Lookups by the model name asked for: a request prices its model three times, each a regex chain. */
  readonly #looked = new Map<string, PriceLookup>();

  constructor(
    config: GatewayConfig,
    private readonly logger: PriceWarnings,
  ) {
    const overrides = Object.entries(config.prices);
    this.#table = { ...DEFAULT_PRICES };
    for (const [model, price] of overrides) this.#table[canonicalModelId(model)] = modelPrice(price);
    this.#unknown = config.unknown_model_price ? modelPrice(config.unknown_model_price) : UNKNOWN_MODEL_PRICE;
    // Overridden prices make a different table: the version says so.
    this.version =
      overrides.length > 0 || config.unknown_model_price
        ? `${PRICE_TABLE_VERSION}+config`
        : PRICE_TABLE_VERSION;
  }

  /** An unknown model is priced at the conservative default and warned about once per model. */
  priceOf(model: string): PriceLookup {
    const known = this.#looked.get(model);
    if (known) return known;
    const found = lookUpPrice(this.#table, model, this.#unknown);
    // Callers choose model names; past the bound, a name is looked up each time instead.
    if (this.#looked.size < MAX_REMEMBERED_MODELS) this.#looked.set(model, found);
    if (found.key === undefined && !this.#warned.has(model) && this.#warned.size < MAX_WARNED_MODELS) {
      this.#warned.add(model);
      this.logger.warn(
        { model, price: this.#unknown },
        'no price for this model; charging the unknown-model price (set gateway.prices to correct it)',
      );
    }
    return found;
  }
}

function modelPrice(config: PriceConfig): ModelPrice {
  const derived = priceFromInputOutput(config.input, config.output);
  return {
    ...derived,
    ...(config.cache_write_5m !== undefined ? { cacheWrite5m: config.cache_write_5m } : {}),
    ...(config.cache_write_1h !== undefined ? { cacheWrite1h: config.cache_write_1h } : {}),
    ...(config.cache_read !== undefined ? { cacheRead: config.cache_read } : {}),
  };
}
