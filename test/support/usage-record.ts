// Test helper: a gateway usage record as the gateway writes one, with the fields a test cares about set.
import type { UsageRecord } from '../../src/storage/usage-port.ts';

export function usageRecord(overrides: Partial<UsageRecord> & Pick<UsageRecord, 'requestId'>): UsageRecord {
  return {
    tenantId: 'acme',
    at: new Date(),
    principal: { type: 'user', id: 'alice@acme.test' },
    keyId: null,
    businessUnitId: 'engineering',
    teamId: 'platform',
    sessionId: null,
    agentId: null,
    model: 'claude-opus-5-5',
    upstream: 'anthropic',
    status: 200,
    outcome: 'complete',
    stream: true,
    tokens: { input: 100, output: 7, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 },
    costMicro: 540,
    pricedAs: 'claude-opus-5-5',
    priceVersion: 'v',
    latencyMs: 30,
    ttfbMs: 10,
    ...overrides,
  };
}
