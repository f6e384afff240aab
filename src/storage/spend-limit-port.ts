// Spend limits set through the Anthropic-shaped admin API (`/v1/organizations/spend_limits`): a cap on
// one user's spend per period, kept beside the budgets of the config repository. One limit per
// (user, period): setting it again replaces the amount and keeps the id.
import type { TenantId } from './ports.ts';

export type SpendLimitPeriod = 'daily' | 'weekly' | 'monthly';

export interface SpendLimitRecord {
  tenantId: TenantId;
  /** `spl_` and 24 hex digits. */
  id: string;
  /** The user it caps (their principal id, the lower-cased email). */
  userId: string;
  period: SpendLimitPeriod;
  /** Cents per period; null is an explicit "no limit" for this user (their per-seat budgets do not apply). */
  amountCents: number | null;
  createdAt: Date;
  updatedAt: Date;
  /** Who set it last (`user:…`, `service:…`, `break-glass`). */
  updatedBy: string;
}

export interface SpendLimitWrite {
  tenantId: TenantId;
  userId: string;
  period: SpendLimitPeriod;
  amountCents: number | null;
  at: Date;
  by: string;
}

export interface SpendLimitStore {
  /** Creates the (user, period) limit, or replaces its amount; returns it as stored and what it was before. */
  upsert(write: SpendLimitWrite): Promise<{ limit: SpendLimitRecord; before: SpendLimitRecord | undefined }>;
  get(tenantId: TenantId, id: string): Promise<SpendLimitRecord | undefined>;
  /** Every limit of the tenant, by user then period. */
  list(tenantId: TenantId): Promise<SpendLimitRecord[]>;
  /** The deleted limit; undefined when there was none with that id in the tenant. */
  delete(tenantId: TenantId, id: string): Promise<SpendLimitRecord | undefined>;
}
