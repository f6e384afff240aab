import { describe, expect, it } from 'vitest';
import { defaultGatewayConfig } from '../../config/default-gateway-config.ts';
import { PRICE_TABLE_VERSION, UNKNOWN_MODEL_PRICE } from '../../core/pricing/price-table.ts';
import { GatewayPrices } from './gateway-prices.ts';

function prices() {
  const warnings: string[] = [];
  const table = new GatewayPrices(defaultGatewayConfig(), {
    warn: (obj) => warnings.push((obj as { model: string }).model),
  });
  return { table, warnings };
}

describe('GatewayPrices.priceOf', () => {
  it('prices a dated model id by its family, the same on every lookup', () => {
    const { table } = prices();
    const first = table.priceOf('claude-sonnet-4-5-20250929');
    expect(first.key).toBe('claude-sonnet-4-5');
    expect(table.priceOf('claude-sonnet-4-5-20250929')).toEqual(first);
  });

  it('charges an unknown model the unknown-model price, warning once however often it is asked for', () => {
    const { table, warnings } = prices();
    for (let i = 0; i < 3; i++) {
      expect(table.priceOf('mystery-model')).toEqual({ price: UNKNOWN_MODEL_PRICE, key: undefined });
    }
    expect(warnings).toEqual(['mystery-model']);
  });

  it('still prices every name right past the number of names it remembers', () => {
    const { table } = prices();
    for (let i = 0; i < 1_100; i++) table.priceOf(`made-up-${i}`);
    expect(table.priceOf('made-up-1099').key).toBeUndefined();
    expect(table.priceOf('claude-haiku-4-5').key).toBe('claude-haiku-4-5');
  });

  it("prices a model named after Object's prototype members as unknown, never at NaN", () => {
    const { table } = prices();
    for (const model of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(table.priceOf(model), model).toEqual({ price: UNKNOWN_MODEL_PRICE, key: undefined });
    }
  });

  it('names the built-in version, marked +config when config sets a price or the unknown-model price', () => {
    const quiet = { warn: () => {} };
    const price = { input: 1, output: 2 };
    const version = (gateway: Partial<ReturnType<typeof defaultGatewayConfig>>) =>
      new GatewayPrices({ ...defaultGatewayConfig(), ...gateway }, quiet).version;
    expect(version({})).toBe(PRICE_TABLE_VERSION);
    expect(version({ prices: { 'claude-sonnet-5': price } })).toBe(`${PRICE_TABLE_VERSION}+config`);
    expect(version({ unknown_model_price: price })).toBe(`${PRICE_TABLE_VERSION}+config`);
  });
});
