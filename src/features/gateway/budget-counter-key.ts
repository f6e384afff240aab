// The key of a budget counter (tenant, budget key, period start) in the gateway's in-memory maps.

import type { BudgetCounterRef } from '../../storage/budget-port.ts';

/**
 * Each counter reference's key, remembered by the reference: a request's charges are the cached
 * applicable budgets (budget-guard.ts), the same objects request after request, so the key string is
 * the same one too, its hash already computed, rather than joined anew and hashed at every lookup. A
 * reference is never changed once made; the tenant is checked, as one object could serve two.
 */
const counterKeys = new WeakMap<BudgetCounterRef, { tenantId: string; key: string }>();

export function counterKey(tenantId: string, ref: BudgetCounterRef): string {
  const known = counterKeys.get(ref);
  if (known?.tenantId === tenantId) return known.key;
  const key = `${tenantId}\u0000${ref.key}\u0000${ref.periodStart.getTime()}`;
  counterKeys.set(ref, { tenantId, key });
  return key;
}
