// The effective config.yaml of one tenant in a bundle: the root config for the root tenant, the
// merged `tenants/<id>/config.yaml` for the others.
import type { MainConfig, PolicyConfig } from '../../config/policy-config.ts';

export function tenantConfig(content: PolicyConfig, tenantId: string): MainConfig | undefined {
  if (content.org.tenant.id === tenantId) return content.config;
  return content.tenants.find((tenant) => tenant.id === tenantId)?.config;
}
