import { describe, expect, it } from 'vitest';
import { usageRecord } from '../../test/support/usage-record.ts';
import { packUsageRecords, packUsageRows, USAGE_COLUMNS, usageRow, usageValues } from './usage-row.ts';

describe('packUsageRows', () => {
  it('sends each row as its values, in the order of one list of columns, across a structured clone', () => {
    const rows = [
      usageRow(usageRecord({ requestId: 'r1', sessionId: null })),
      usageRow(usageRecord({ requestId: 'r2', sessionId: 's-1', ttfbMs: null })),
    ];
    const packed = structuredClone(packUsageRows(rows));
    // The INSERT takes its columns from this list and binds each row's values by position.
    expect(packed.columns).toEqual(Object.keys(rows[0]!));
    expect(packed.values).toHaveLength(2);
    for (const [i, row] of rows.entries()) {
      expect(Object.fromEntries(packed.columns.map((c, j) => [c, packed.values[i]![j]]))).toEqual(row);
    }
  });

  it('packs an empty batch', () => {
    expect(packUsageRows([])).toEqual({ columns: [], values: [] });
    expect(packUsageRecords([])).toEqual({ columns: [], values: [] });
  });

  it('packs records straight from their fields exactly as their rows pack', () => {
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
    expect(USAGE_COLUMNS).toEqual(Object.keys(rows[0]!));
    expect(packUsageRecords(records)).toEqual(packUsageRows(rows));
    for (const [i, record] of records.entries()) expect(usageValues(record)).toEqual(Object.values(rows[i]!));
  });
});
