// The org of each tenant in a bundle: the root org for the root tenant, `tenants/<id>/org/` for the
// others, and for a tenant without one an empty org under the root's inheritance rules.
import type { OrgConfig, PolicyConfig } from '../../config/policy-config.ts';

export function tenantOrg(content: PolicyConfig, tenantId: string): OrgConfig | undefined {
  if (content.org.tenant.id === tenantId) return content.org;
  const tenant = content.tenants.find((t) => t.id === tenantId);
  if (!tenant) return undefined;
  const org = tenant.org ?? {
    ...content.org,
    tenant: { id: tenant.id, name: tenant.id },
    business_units: [],
    groups: [],
    service_accounts: [],
    role_bindings: [],
    budgets: [],
  };
  return { ...org, tenant: { ...org.tenant, id: tenant.id } };
}
