// Claude Code telemetry (OTLP) normalized into events, and the usage rollups dashboards read: raw
// events by day for a retention period, rollups per minute, hour and day from the gateway and telemetry.
import type { Dimension, Granularity, Measures, RollupRow } from '../core/analytics/rollup.ts';
import type { ToolMeasure, ToolRollupRow } from '../core/analytics/tool-rollup.ts';
import type { TenantId } from './ports.ts';

export type TelemetryScalar = string | number | boolean;

/**
 * One log event (`claude_code.api_request`, `tool_decision` …) or one metric data point
 * (`claude_code.session.count` …), with the figures rollups and analytics read. Prompts are never
 * kept, only their length.
 */
export interface TelemetryEvent {
  at: Date;
  /** The event name without `claude_code.` (`api_request`), or `metric:<name>` for a data point. */
  name: string;
  sessionId: string | null;
  promptId: string | null;
  model: string | null;
  tool: string | null;
  /** tool_decision: `accept` / `reject`; tool_result: `true` / `false`. */
  decision: string | null;
  success: boolean | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
  costMicro: number;
  durationMs: number | null;
  /** A metric data point's value (a delta). */
  value: number | null;
  /** What the client reported about itself and the event, bounded, without prompt text. */
  attributes: Record<string, TelemetryScalar>;
}

/** Who sent it: the credential's principal and its place in the org. */
export interface TelemetryAttribution {
  userId: string;
  businessUnitId: string | null;
  teamId: string | null;
}

export interface StoredTelemetryEvent extends TelemetryEvent, TelemetryAttribution {
  /** True when our gateway metered this model call: its tokens and cost are not counted again. */
  gatewayMetered: boolean;
}

export interface ToolUseRow extends Record<ToolMeasure, number> {
  tool: string;
  users: number;
}

export interface RollupQuery {
  granularity: Granularity;
  since: Date;
  until: Date;
  /** Only rows whose dimension is one of these values. */
  where?: Partial<Record<Dimension, readonly string[]>>;
  /** Sum per these dimensions (and per bucket when `byBucket`); none sums everything. */
  groupBy: readonly Dimension[];
  byBucket?: boolean;
}

export interface RollupGroup {
  key: Partial<Record<Dimension, string>> & { bucket?: number };
  measures: Measures;
}

export interface TelemetryStore {
  /** Stores the events and adds `rollups` (and `tools`) to the rollup tables, in one transaction. */
  ingest(
    tenantId: TenantId,
    events: readonly StoredTelemetryEvent[],
    rollups: readonly RollupRow[],
    tools?: readonly ToolRollupRow[],
  ): Promise<void>;
  /** Tool use in the window (day buckets), per tool, with how many distinct users used it. */
  toolUse(
    tenantId: TenantId,
    query: { since: Date; until: Date; where?: Partial<Record<Dimension, readonly string[]>> },
  ): Promise<ToolUseRow[]>;
  /** Which of these sessions our gateway metered (a usage record carries the session id). */
  gatewaySessions(tenantId: TenantId, sessionIds: readonly string[]): Promise<Set<string>>;
  /** Raw events, oldest first. */
  events(
    tenantId: TenantId,
    query: { since: Date; until: Date; name?: string; limit?: number },
  ): Promise<StoredTelemetryEvent[]>;
  rollups(tenantId: TenantId, query: RollupQuery): Promise<RollupGroup[]>;
  /** The UTC days (YYYYMMDD) before `before` that still hold raw events, oldest first. */
  eventDays(tenantId: TenantId, before: number): Promise<number[]>;
  /** One day's raw events in storage order, a page at a time (pass the last `seq` to continue). */
  dayEvents(
    tenantId: TenantId,
    day: number,
    page: { afterSeq?: number; limit: number },
  ): Promise<{ seq: number; event: StoredTelemetryEvent }[]>;
  /** Deletes one day's raw events up to `upToSeq` (those archived; later arrivals stay); rollups stay. Returns how many. */
  dropDay(tenantId: TenantId, day: number, upToSeq: number): Promise<number>;
  /** Deletes the rollup rows of one granularity whose bucket starts before `before`; returns how many. */
  pruneRollups(tenantId: TenantId, granularity: Granularity, before: Date): Promise<number>;
  /** How many distinct users the rollup rows matching the query name (every stored row is activity). */
  activeUsers(tenantId: TenantId, query: Omit<RollupQuery, 'groupBy' | 'byBucket'>): Promise<number>;
}
