// The effective config.yaml of one tenant in a bundle: the root config for the root tenant, the
// merged `tenants/<id>/config.yaml` for the others.
import type { BudgetConfig, MainConfig, PolicyConfig } from '../../config/policy-config.ts';

export function tenantConfig(content: PolicyConfig, tenantId: string): MainConfig | undefined {
  if (content.org.tenant.id === tenantId) return content.config;
  return content.tenants.find((tenant) => tenant.id === tenantId)?.config;
}

/** The budgets of one tenant: the root org's for the root tenant, `tenants/<id>/org/`'s for the others. */
export function tenantBudgets(content: PolicyConfig, tenantId: string): BudgetConfig[] {
  if (content.org.tenant.id === tenantId) return content.org.budgets;
  return content.tenants.find((tenant) => tenant.id === tenantId)?.org?.budgets ?? [];
}
