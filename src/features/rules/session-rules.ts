// The rules a starting session or subagent receives as additionalContext: chosen for the developer's
// place in the org, the agent and the project, composed within the tenant's budget, cached per bundle
// revision and audience.

import type { MainConfig, PolicyConfig } from '../../config/policy-config.ts';
import type { Clock } from '../../core/clock/clock.ts';
import {
  composeRuleContext,
  type RuleContext,
  ruleContextBudget,
} from '../../core/rules/compose-rule-context.ts';
import { audienceKey, type RuleAudience } from '../../core/rules/rule-audience.ts';
import { contextForTenant, rulesForTenant, selectRules } from '../../core/rules/select-rules.ts';
import { RuleSetCache } from './rule-set-cache.ts';

export interface SessionRulesRequest {
  content: PolicyConfig;
  revision: string;
  /** The tenant's effective config.yaml. */
  config: MainConfig;
  audience: RuleAudience;
  /** This server's base URL, for the fetch hint of rules that did not fit. */
  serverUrl: string;
}

export class SessionRules {
  readonly cache: RuleSetCache;

  constructor(clock: Clock) {
    this.cache = new RuleSetCache(() => clock.now().getTime());
  }

  forSession(request: SessionRulesRequest): RuleContext {
    const { content, revision, config, audience, serverUrl } = request;
    const key = `${revision}\u0000${serverUrl}\u0000${audienceKey(audience)}`;
    return this.cache.get(key, config.caching.rules, () =>
      composeRuleContext({
        rules: selectRules(rulesForTenant(content, audience.tenantId), audience),
        context: contextForTenant(content, audience.tenantId),
        preloadPatterns: config.caching.rules.preload,
        maxChars: ruleContextBudget(config.limits.max_context_tokens),
        heading: heading(content, revision, audience),
        fetchHint: (id) => `curl -sH "Authorization: Bearer $LLM_RULES_TOKEN" ${serverUrl}/v1/rules/${id}`,
      }),
    );
  }
}

function heading(content: PolicyConfig, revision: string, audience: RuleAudience): string {
  const who = [
    audience.teamId ? `team ${audience.teamId}` : null,
    `agent ${audience.agent}`,
    audience.repository ? `repository ${audience.repository}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  const tenant =
    content.org.tenant.id === audience.tenantId
      ? content.org.tenant.name
      : (content.tenants.find((t) => t.id === audience.tenantId)?.org?.tenant.name ?? audience.tenantId);
  return `# ${tenant} engineering rules (LLM-RULES policy ${revision.slice(0, 12)}; ${who})\n\nFollow these organisation rules in this session. They come from the central policy and override conflicting habits.`;
}
