import { describe, expect, it } from 'vitest';
import { usageRecord } from '../../test/support/usage-record.ts';
import { packUsageRows, usageRow } from './usage-row.ts';

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
  });
});
