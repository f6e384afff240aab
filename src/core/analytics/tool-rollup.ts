// Tool use summed per UTC day by (business unit, team, user, tool): decisions (and refusals) and runs
// (and failures, and their time), from telemetry's tool_decision and tool_result events.

import { bucketStart } from './rollup.ts';

export const TOOL_MEASURES = ['decisions', 'rejects', 'results', 'failures', 'tool_ms'] as const;
export type ToolMeasure = (typeof TOOL_MEASURES)[number];

export interface ToolRollupRow extends Record<ToolMeasure, number> {
  bucket: number;
  business_unit: string;
  team: string;
  user: string;
  tool: string;
}

export interface ToolUse {
  at: Date;
  business_unit: string;
  team: string;
  user: string;
  tool: string;
  measures: Partial<Record<ToolMeasure, number>>;
}

export function toolRollupIncrements(uses: readonly ToolUse[]): ToolRollupRow[] {
  const rows = new Map<string, ToolRollupRow>();
  for (const use of uses) {
    const bucket = bucketStart(use.at.getTime(), 'day');
    const key = [bucket, use.business_unit, use.team, use.user, use.tool].join('\u0000');
    let row = rows.get(key);
    if (!row) {
      row = {
        bucket,
        business_unit: use.business_unit,
        team: use.team,
        user: use.user,
        tool: use.tool,
        decisions: 0,
        rejects: 0,
        results: 0,
        failures: 0,
        tool_ms: 0,
      };
      rows.set(key, row);
    }
    for (const [m, v] of Object.entries(use.measures) as [ToolMeasure, number][]) row[m] += v;
  }
  return [...rows.values()];
}
