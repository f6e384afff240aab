// `audit:` in config.yaml: which events the tamper-evident audit log records and for how long.

import { z } from 'zod';
import type { AuditEventName } from '../../policy-config.ts';

export const AUDIT_EVENTS = [
  'agent_activation',
  'tool_use',
  'file_access',
  'rule_modification',
  'config_change',
  'prompt_submit',
  'session',
  'budget',
  'admin_action',
] as const satisfies readonly AuditEventName[];

export const auditSection = z
  .strictObject({
    enabled: z.boolean().default(true),
    log_level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    events: z.array(z.enum(AUDIT_EVENTS)).default([...AUDIT_EVENTS]),
    retention_days: z.int().min(1).default(365),
  })
  .prefault({});
