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
});
