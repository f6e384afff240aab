import { describe, expect, it } from 'vitest';
import { usageRecord } from '../../test/support/usage-record.ts';
import { packUsageRows, unpackUsageRows, usageRow } from './usage-row.ts';

describe('packUsageRows', () => {
  it('sends each row as its values under one list of columns, and gives back the same rows in order', () => {
    const rows = [
      usageRow(usageRecord({ requestId: 'r1', sessionId: null })),
      usageRow(usageRecord({ requestId: 'r2', sessionId: 's-1', ttfbMs: null })),
    ];
    const packed = packUsageRows(rows);
    expect(packed.columns).toEqual(Object.keys(rows[0]!));
    expect(packed.values).toHaveLength(2);
    const unpacked = unpackUsageRows(structuredClone(packed));
    expect(unpacked).toEqual(rows);
    // The INSERT takes its columns from the first row's keys, so their order must survive the trip.
    expect(Object.keys(unpacked[1]!)).toEqual(Object.keys(rows[1]!));
  });

  it('packs an empty batch', () => {
    expect(unpackUsageRows(packUsageRows([]))).toEqual([]);
  });
});
