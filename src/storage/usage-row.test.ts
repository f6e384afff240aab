import { describe, expect, it } from 'vitest';
import { usageRecord } from '../../test/support/usage-record.ts';
import { packUsageRecords, usageRow, usageValues } from './usage-row.ts';

describe('packUsageRecords', () => {
  it('sends each record as its row values, in the order of one list of columns, across a structured clone', () => {
    const records = [
      usageRecord({ requestId: 'r1', sessionId: null }),
      usageRecord({ requestId: 'r2', sessionId: 's-1', ttfbMs: null, stream: true, latencyMs: 12.6 }),
      // Every field its own value, so two swapped in usageValues' order would show.
      usageRecord({
        requestId: 'r3',
        keyId: 'k',
        sessionId: 's',
        agentId: 'a',
        tokens: { input: 1, output: 2, cacheWrite5m: 3, cacheWrite1h: 4, cacheRead: 5 },
        costMicro: 6,
        latencyMs: 7,
        ttfbMs: 8,
        pricedAs: 'p',
      }),
    ];
    const rows = records.map(usageRow);
    const packed = structuredClone(packUsageRecords(records));
    // The INSERT takes its columns from this list and binds each row's values by position.
    expect(packed.columns).toEqual(Object.keys(rows[0]!));
    expect(packed.values).toHaveLength(3);
    for (const [i, row] of rows.entries()) {
      expect(Object.fromEntries(packed.columns.map((c, j) => [c, packed.values[i]![j]]))).toEqual(row);
      expect(usageValues(records[i]!)).toEqual(Object.values(row));
    }
  });

  it('packs an empty batch', () => {
    expect(packUsageRecords([])).toEqual({ columns: [], values: [] });
  });
});
