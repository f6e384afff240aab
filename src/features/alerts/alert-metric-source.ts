// Where alert rules read their metrics. The analytics rollups implement it for context_usage, error_rate and
// the rest; `usageMetricSource` covers daily_cost until they do; tests use the in-memory source.
import type { OrgRef } from '../../config/policy-config.ts';
import type { TenantId } from '../../storage/ports.ts';

export interface AlertMetricSource {
  /**
   * The metric's current value for one scope of one tenant, or undefined when there is no data (an alert's
   * state then stays as it is). Ratios are fractions — a condition `error_rate > 5%` compares with 0.05 —
   * and costs are US dollars (`daily_cost > $100` compares with 100).
   */
  value(metric: string, scope: OrgRef, tenantId: TenantId, now: Date): Promise<number | undefined>;
}

/** Asks each source in turn; the first value found wins. */
export function firstMetricSource(...sources: readonly AlertMetricSource[]): AlertMetricSource {
  return {
    async value(metric, scope, tenantId, now) {
      for (const source of sources) {
        const value = await source.value(metric, scope, tenantId, now);
        if (value !== undefined) return value;
      }
      return undefined;
    },
  };
}

const scopeKey = (scope: OrgRef) =>
  scope.level === 'tenant' ? 'tenant' : `${scope.level}:${scope.id ?? ''}`;

/** Values set by hand, for tests and demos. */
export class MemoryMetricSource implements AlertMetricSource {
  readonly #values = new Map<string, number>();

  set(
    tenantId: TenantId,
    metric: string,
    value: number | undefined,
    scope: OrgRef = { level: 'tenant' },
  ): void {
    const key = `${tenantId}\u0000${metric}\u0000${scopeKey(scope)}`;
    if (value === undefined) this.#values.delete(key);
    else this.#values.set(key, value);
  }

  async value(metric: string, scope: OrgRef, tenantId: TenantId): Promise<number | undefined> {
    return this.#values.get(`${tenantId}\u0000${metric}\u0000${scopeKey(scope)}`);
  }
}
