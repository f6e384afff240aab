// Metered model calls: one record per gateway request, written in batches off the response path.
import type { TokenUsage } from '../core/pricing/usage-cost.ts';
import type { PrincipalRef, TenantId } from './ports.ts';

/**
 * How a request ended: `aborted` by the client, `cut` upstream, an upstream error or malformed stream, or
 * `refused` before it was forwarded (a limit, a budget, a model rule, a body the upstream's provider
 * cannot rewrite).
 */
export type UsageOutcome = 'complete' | 'aborted' | 'cut' | 'upstream_error' | 'malformed' | 'refused';

export interface UsageRecord {
  tenantId: TenantId;
  /** The gateway's request id; a record is stored once per tenant and id. */
  requestId: string;
  /** When the request arrived. */
  at: Date;
  principal: PrincipalRef;
  keyId: string | null;
  businessUnitId: string | null;
  teamId: string | null;
  /** `x-claude-code-session-id`. */
  sessionId: string | null;
  /** `x-claude-code-agent-id`. */
  agentId: string | null;
  model: string;
  upstream: string;
  /** The HTTP status the client got. */
  status: number;
  outcome: UsageOutcome;
  stream: boolean;
  tokens: TokenUsage;
  costMicro: number;
  /** The price-table key the call was priced as; null when the unknown-model price applied. */
  pricedAs: string | null;
  priceVersion: string;
  latencyMs: number;
  /** Until the first byte of the upstream's response; null when none came. */
  ttfbMs: number | null;
}

export interface UsageQuery {
  since?: Date;
  until?: Date;
  sessionId?: string;
  limit?: number;
}

export interface UsageStore {
  /** Idempotent per (tenant, request id): writing a record again stores nothing more. */
  insert(records: readonly UsageRecord[]): Promise<void>;
  /** Oldest first. */
  list(tenantId: TenantId, query?: UsageQuery): Promise<UsageRecord[]>;
  /** Micro-dollars spent from `since` (inclusive) to `until` (exclusive), by one principal when given. */
  spend(tenantId: TenantId, query: { since: Date; until?: Date; principal?: PrincipalRef }): Promise<number>;
}
