// `multi_tenant:` in config.yaml: whether tenants exist and how strictly they are separated.

import { z } from 'zod';

export const multiTenantSection = z
  .strictObject({
    enabled: z.boolean().default(false),
    isolation: z.enum(['strict', 'shared_rules', 'shared_context']).default('strict'),
    tenant_config_path: z
      .string()
      .refine((path) => path.includes('{tenant_id}'), {
        message: 'must contain the placeholder "{tenant_id}"',
        params: { hint: 'e.g. .claude/tenants/{tenant_id}/' },
      })
      .default('.claude/tenants/{tenant_id}/'),
  })
  .prefault({});
