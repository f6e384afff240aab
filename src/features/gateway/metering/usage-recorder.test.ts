import { describe, expect, it } from 'vitest';
import { MemoryUsageStore } from '../../../storage/memory/memory-usage-store.ts';
import type { UsageRecord } from '../../../storage/usage-port.ts';
import { UsageRecorder } from './usage-recorder.ts';

const record = (requestId: string): UsageRecord => ({
  tenantId: 'acme',
  requestId,
  at: new Date('2026-11-22T00:00:00Z'),
  principal: { type: 'user', id: 'ada@acme.test' },
  keyId: null,
  businessUnitId: null,
  teamId: null,
  sessionId: null,
  agentId: null,
  model: 'claude-sonnet-5',
  upstream: 'anthropic',
  status: 200,
  outcome: 'complete',
  stream: false,
  tokens: { input: 1, output: 1, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 },
  costMicro: 12,
  pricedAs: 'claude-sonnet-5',
  priceVersion: 'v',
  latencyMs: 1,
  ttfbMs: 1,
});

/** A real store that refuses any batch holding the record named `poison`, as PostgreSQL refuses a NUL byte. */
class PickyStore extends MemoryUsageStore {
  override async insert(records: readonly UsageRecord[]): Promise<void> {
    if (records.some((r) => r.requestId === 'poison')) throw new Error('invalid byte sequence');
    await super.insert(records);
  }
}

describe('UsageRecorder', () => {
  it('writes every other record when one is refused, and sets the refused one aside loudly', async () => {
    const store = new PickyStore();
    const errors: string[] = [];
    const recorder = new UsageRecorder(store, { error: (_o, msg) => errors.push(msg) });
    for (const id of ['a', 'poison', 'b']) recorder.record(record(id));
    await recorder.flush();
    expect((await store.list('acme')).map((r) => r.requestId)).toEqual(['a', 'b']);
    expect(recorder.pending).toBe(0);
    expect(errors).toContain('a usage record was refused by the store three times and is set aside');
  });

  it('gathers the records of a busy moment into one write, and writes a full batch at once', async () => {
    const batches: number[] = [];
    const store = new (class extends MemoryUsageStore {
      override async insert(records: readonly UsageRecord[]): Promise<void> {
        batches.push(records.length);
        await super.insert(records);
      }
    })();
    const recorder = new UsageRecorder(store, { error: () => {} }, { batchWindowMs: 30, maxBatch: 5 });
    for (const id of ['a', 'b', 'c']) recorder.record(record(id));
    await new Promise((r) => setTimeout(r, 10));
    expect(batches).toEqual([]);
    await new Promise((r) => setTimeout(r, 40));
    expect(batches).toEqual([3]);
    for (let i = 0; i < 5; i++) recorder.record(record(`full-${i}`));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([3, 5]);
    expect((await store.list('acme')).length).toBe(8);
  });
});
