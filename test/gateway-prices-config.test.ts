// Prices from config.yaml at the gateway: `gateway.prices` changes what a request is charged and marks
// the price-table version; `gateway.unknown_model_price` charges models no table knows, each warned
// about once however many requests use it. A gateway without either is the baseline.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_PRICES,
  type ModelPrice,
  PRICE_TABLE_VERSION,
  UNKNOWN_MODEL_PRICE,
} from '../src/core/pricing/price-table.ts';
import { costMicroDollars, type TokenUsage } from '../src/core/pricing/usage-cost.ts';
import { createLogger } from '../src/http/create-logger.ts';
import type { UsageRecord } from '../src/storage/usage-port.ts';
import { type ExampleServer, startExampleServer } from './support/example-server.ts';
import { type MockAnthropic, startMockAnthropic } from './support/mock-anthropic/mock-anthropic.ts';
import { text } from './support/mock-anthropic/script.ts';
import { copyExampleConfig, tempDir } from './support/temp-dir.ts';

const USER = 'alice@acme.test';
const PRICES_YAML = `
gateway:
  prices:
    claude-sonnet-5: { input: 7, output: 30, cache_read: 0.5 }
    acme-finetune-20260101: { input: 1, output: 2 }
  unknown_model_price: { input: 20, output: 40 }
`;
/** What every answer reports. */
const USAGE = {
  input_tokens: 1000,
  output_tokens: 100,
  cache_creation_input_tokens: 400,
  cache_read_input_tokens: 2000,
};
const TOKENS: TokenUsage = { input: 1000, output: 100, cacheWrite5m: 400, cacheWrite1h: 0, cacheRead: 2000 };
const NO_PRICE_WARNING = /no price for this model/;

let mock: MockAnthropic;
let work: Awaited<ReturnType<typeof tempDir>>;
/** Configured with PRICES_YAML, logging its warnings into `warnings`. */
let priced: ExampleServer;
/** The example enterprise as it is: the built-in table. */
let baseline: ExampleServer;
const warnings: { msg: string; model?: string; price?: ModelPrice }[] = [];

beforeAll(async () => {
  mock = await startMockAnthropic({ isMainRequest: () => true, fallback: text('Priced.', USAGE) });
  work = await tempDir('llm-rules-prices-');
  const config = await copyExampleConfig(work.path);
  const yaml = await readFile(join(config, 'config.yaml'), 'utf8');
  await writeFile(join(config, 'config.yaml'), `${yaml}${PRICES_YAML}`);
  const logger = createLogger('warn', { write: (line: string) => void warnings.push(JSON.parse(line)) });
  const env = { ANTHROPIC_API_KEY: 'k' };
  priced = await startExampleServer({ configDir: config, users: [USER], upstreamUrl: mock.url, env, logger });
  baseline = await startExampleServer({ users: [USER], upstreamUrl: mock.url, env });
});

afterAll(async () => {
  await priced?.server.close();
  await baseline?.server.close();
  await mock?.close();
  await work?.remove();
});

/** Sends one request for `model` and returns its usage record. */
async function charge(gateway: ExampleServer, model: string, stream = false): Promise<UsageRecord> {
  const response = await fetch(`${gateway.server.url}/v1/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': gateway.tokens[USER]!,
      'anthropic-version': '2023-06-01',
    },
    body: JSON.stringify({ model, max_tokens: 64, stream, messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(response.status).toBe(200);
  await response.text();
  await gateway.server.usage.flush();
  const record = (await gateway.server.storage.usage.list('acme')).at(-1)!;
  expect(record).toMatchObject({ model, outcome: 'complete', tokens: TOKENS });
  return record;
}

const warningsFor = (model: string) =>
  warnings.filter((w) => NO_PRICE_WARNING.test(w.msg) && w.model === model);

describe('gateway: prices from config.yaml', () => {
  it('charges an overridden model its configured price, streamed or not, with cache prices derived where not given', async () => {
    // $7 input, $30 output, $0.50 cache read (given), $8.75 5-minute cache write (7 × 1.25, derived).
    const expected = 1000 * 7 + 100 * 30 + 400 * 8.75 + 2000 * 0.5;
    for (const stream of [false, true]) {
      expect(await charge(priced, 'claude-sonnet-5', stream)).toMatchObject({
        costMicro: expected,
        pricedAs: 'claude-sonnet-5',
        priceVersion: `${PRICE_TABLE_VERSION}+config`,
      });
    }
    // A dated id is priced by its family's override too.
    expect(await charge(priced, 'claude-sonnet-5-20261001')).toMatchObject({
      costMicro: expected,
      pricedAs: 'claude-sonnet-5',
    });
    // The same request on the built-in table.
    expect(await charge(baseline, 'claude-sonnet-5')).toMatchObject({
      costMicro: costMicroDollars(TOKENS, DEFAULT_PRICES['claude-sonnet-5']!),
      pricedAs: 'claude-sonnet-5',
      priceVersion: PRICE_TABLE_VERSION,
    });
    expect(costMicroDollars(TOKENS, DEFAULT_PRICES['claude-sonnet-5']!)).not.toBe(expected);
  });

  it('keeps the built-in price of a model it does not override, under the overridden version', async () => {
    expect(await charge(priced, 'claude-haiku-4-5')).toMatchObject({
      costMicro: costMicroDollars(TOKENS, DEFAULT_PRICES['claude-haiku-4-5']!),
      pricedAs: 'claude-haiku-4-5',
      priceVersion: `${PRICE_TABLE_VERSION}+config`,
    });
  });

  it('prices a model the built-in table lacks when config adds it, without a warning', async () => {
    expect(await charge(priced, 'acme-finetune-20260101')).toMatchObject({
      costMicro: 1000 * 1 + 100 * 2 + 400 * 1.25 + 2000 * 0.1,
      pricedAs: 'acme-finetune',
    });
    expect(warningsFor('acme-finetune-20260101')).toEqual([]);
  });

  it('charges unknown models unknown_model_price, warning once per model however many requests use it', async () => {
    const unknown = 1000 * 20 + 100 * 40 + 400 * 25 + 2000 * 2; // cache prices derived from $20 input
    for (const stream of [false, true, false, true]) {
      expect(await charge(priced, 'mystery-model-x', stream)).toMatchObject({
        costMicro: unknown,
        pricedAs: null,
        priceVersion: `${PRICE_TABLE_VERSION}+config`,
      });
    }
    expect(warningsFor('mystery-model-x')).toEqual([
      expect.objectContaining({
        price: { input: 20, output: 40, cacheWrite5m: 25, cacheWrite1h: 40, cacheRead: 2 },
      }),
    ]);
    // Another unknown model gets its own single warning.
    await charge(priced, 'mystery-model-y');
    await charge(priced, 'mystery-model-y');
    expect(warningsFor('mystery-model-y')).toHaveLength(1);
    expect(warningsFor('mystery-model-x')).toHaveLength(1);
    // Without unknown_model_price: the dearest built-in price.
    expect(await charge(baseline, 'mystery-model-x')).toMatchObject({
      costMicro: costMicroDollars(TOKENS, UNKNOWN_MODEL_PRICE),
      pricedAs: null,
    });
  });
});
