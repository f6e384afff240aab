// Whether a tenant's config asks for an event kind in its audit trail (`audit.enabled`, `audit.events`);
// decisions and blocked prompts are recorded whatever it says (their callers do not ask).
import type { MainConfig } from '../../config/policy-config.ts';

export function auditWanted(config: MainConfig, event: string): boolean {
  return config.audit.enabled && (config.audit.events as string[]).includes(event);
}
