// config.yaml as a whole: one schema per section. Adding a section is one file in sections/ and one line here.

import { z } from 'zod';
import { agentRoutingSection } from './sections/agent-routing-section.ts';
import { auditSection } from './sections/audit-section.ts';
import { cachingSection } from './sections/caching-section.ts';
import { gatewaySection } from './sections/gateway-section.ts';
import { gdprSection } from './sections/gdpr-section.ts';
import { limitsSection } from './sections/limits-section.ts';
import { multiTenantSection } from './sections/multi-tenant-section.ts';
import { policySection } from './sections/policy-section.ts';
import { securitySection } from './sections/security-section.ts';

export const mainConfigSections = {
  security: securitySection,
  agent_routing: agentRoutingSection,
  multi_tenant: multiTenantSection,
  limits: limitsSection,
  audit: auditSection,
  gdpr: gdprSection,
  caching: cachingSection,
  policy: policySection,
  gateway: gatewaySection,
};

export const mainConfigSchema = z.strictObject(mainConfigSections);
