// The spend limits set through the Anthropic-shaped admin API, as budgets the gateway enforces beside
// the config repository's: each limit is a budget of one user's own (so, like a user budget in
// org/budgets.yaml, it replaces their per-seat budgets; pooled budgets above them still apply). A
// limit of "no limit" lifts their seats and caps nothing. Read per tenant and kept a few seconds, as
// approved increases are; a change through this instance applies at once, through another within that.
import type { BudgetConfig, PolicyConfig } from '../../config/policy-config.ts';
import type { Clock } from '../../core/clock/clock.ts';
import type { TenantId } from '../../storage/ports.ts';
import type { SpendLimitRecord, SpendLimitStore } from '../../storage/spend-limit-port.ts';
import { tenantBudgets } from '../bundles/tenant-config.ts';

const FRESH_MS = 5_000;

interface Cached {
  at: number;
  limits: Promise<SpendLimitRecord[]>;
  /** The limits once read, for budgetsNow. */
  value?: SpendLimitRecord[];
  /** The budgets last combined from them, and the policy they were combined with. */
  combined?: { content: PolicyConfig; budgets: BudgetConfig[] };
}

export class SpendLimits {
  readonly #cache = new Map<TenantId, Cached>();

  constructor(
    readonly store: SpendLimitStore,
    private readonly clock: Clock,
  ) {}

  /** The tenant's limits, at most a few seconds old. */
  forTenant(tenantId: TenantId): Promise<SpendLimitRecord[]> {
    const now = this.clock.now().getTime();
    const hit = this.#cache.get(tenantId);
    if (hit && now - hit.at < FRESH_MS) return hit.limits;
    const limits = this.store.list(tenantId);
    const entry: Cached = { at: now, limits };
    // A failed read is not kept: the next request asks again (and the gateway fails closed meanwhile).
    limits.then(
      (value) => {
        entry.value = value;
      },
      () => this.#cache.delete(tenantId),
    );
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(tenantId, entry);
    return limits;
  }

  /** After a change through this instance. */
  forget(tenantId: TenantId): void {
    this.#cache.delete(tenantId);
  }

  /** Every budget that applies in the tenant: the config's, then the API's limits. */
  async budgets(content: PolicyConfig, tenantId: TenantId): Promise<BudgetConfig[]> {
    const configured = tenantBudgets(content, tenantId);
    const limits = await this.forTenant(tenantId);
    return limits.length === 0 ? configured : [...configured, ...limits.map(limitAsBudget)];
  }

  /**
   * The same budgets without waiting, when the tenant's limits were read moments ago; undefined sends the
   * caller to `budgets`. The same array is returned while nothing changes, so callers may key caches on it.
   */
  budgetsNow(content: PolicyConfig, tenantId: TenantId): BudgetConfig[] | undefined {
    const hit = this.#cache.get(tenantId);
    if (!hit?.value || this.clock.now().getTime() - hit.at >= FRESH_MS) return undefined;
    const configured = tenantBudgets(content, tenantId);
    if (hit.value.length === 0) return configured;
    if (hit.combined?.content !== content) {
      hit.combined = { content, budgets: [...configured, ...hit.value.map(limitAsBudget)] };
    }
    return hit.combined.budgets;
  }
}

export function limitAsBudget(limit: SpendLimitRecord): BudgetConfig {
  return {
    id: limit.id,
    scope: { level: 'user', id: limit.userId },
    amount: limit.amountCents === null ? 0 : limit.amountCents / 100,
    period: limit.period,
    mode: 'pooled',
    alert_thresholds: [],
    ...(limit.amountCents === null ? { unlimited: true as const } : {}),
  };
}
