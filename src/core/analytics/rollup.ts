// Rollups: usage and activity summed per time bucket (minute, hour, day, UTC) and per
// (business unit, team, user, agent, model), from two sources: the gateway's metered requests and
// Claude Code's telemetry. Dashboards and the analytics API read these, never the raw events.

export type Granularity = 'minute' | 'hour' | 'day';
export const GRANULARITIES: readonly Granularity[] = ['minute', 'hour', 'day'];
const SIZE_MS: Record<Granularity, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The start of the bucket a time (in milliseconds) falls in. */
export function bucketStart(at: number, granularity: Granularity): number {
  const size = SIZE_MS[granularity];
  return Math.floor(at / size) * size;
}

export const MEASURES = [
  'requests',
  'errors',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_creation_tokens',
  'cost_micro',
  'request_ms',
  'tool_decisions',
  'tool_rejects',
  'tool_results',
  'tool_failures',
  'tool_ms',
  'prompts',
  'sessions',
  'lines_added',
  'lines_removed',
  'active_seconds',
  'commits',
  'pull_requests',
] as const;
export type Measure = (typeof MEASURES)[number];
export type Measures = Record<Measure, number>;

export const DIMENSIONS = ['business_unit', 'team', 'user', 'agent', 'model'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface RollupKey {
  granularity: Granularity;
  bucket: number;
  /** '' when unknown, so the key has no nulls. */
  business_unit: string;
  team: string;
  user: string;
  agent: string;
  model: string;
}

export interface RollupRow extends RollupKey, Measures {}

export function emptyMeasures(): Measures {
  return Object.fromEntries(MEASURES.map((m) => [m, 0])) as Measures;
}

export interface RollupContribution {
  at: Date;
  dims: Omit<RollupKey, 'granularity' | 'bucket'>;
  measures: Partial<Measures>;
}

/** Sums contributions into one row per (granularity, bucket, dimensions): what a batch adds. */
export function rollupIncrements(contributions: readonly RollupContribution[]): RollupRow[] {
  const rows = new Map<string, RollupRow>();
  // Runs for every stored usage record (on the SQLite writer thread): the dimensions' part of the key and
  // the measures present are worked out once per contribution, not once per granularity.
  for (const c of contributions) {
    const time = c.at.getTime();
    const d = c.dims;
    const dims = `${d.business_unit}\u0000${d.team}\u0000${d.user}\u0000${d.agent}\u0000${d.model}`;
    const measures = Object.keys(c.measures) as Measure[];
    for (const granularity of GRANULARITIES) {
      const bucket = bucketStart(time, granularity);
      const key = `${granularity}\u0000${bucket}\u0000${dims}`;
      let row = rows.get(key);
      if (!row) {
        row = { granularity, bucket, ...d, ...emptyMeasures() };
        rows.set(key, row);
      }
      for (const measure of measures) row[measure] += c.measures[measure]!;
    }
  }
  return [...rows.values()];
}
