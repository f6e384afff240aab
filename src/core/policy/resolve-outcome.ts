// Precedence among the rules that matched one check: deny wins, security holds, the most specific level decides the rest.

import type { InheritanceRules } from '../../config/policy-config.ts';
import type { CompiledRule, Effect } from './compiled-types.ts';

export interface RuleMatch {
  rule: CompiledRule;
  /** Evaluating the rule threw; a failed security or deny rule counts as a deny (fail closed). */
  failed: boolean;
}

export interface Resolved {
  outcome: Effect | 'none';
  decisive?: RuleMatch;
}

const STRICTNESS: Record<Effect, number> = { allow: 0, ask: 1, deny: 2 };

/**
 * 1. An explicit deny anywhere wins (`inheritance.deny_overrides_allow`; a security deny always does).
 * 2. Among the rest, the most specific level decides (`business_unit_overrides_general`: team over
 *    business unit over tenant …), the stricter effect winning within a level.
 * 3. A security ask cannot be relaxed below: an allow from any level still yields ask.
 */
export function resolveOutcome(matches: readonly RuleMatch[], inheritance: InheritanceRules): Resolved {
  let securityDeny: RuleMatch | undefined;
  let anyDeny: RuleMatch | undefined;
  let securityAsk: RuleMatch | undefined;
  let best: RuleMatch | undefined;
  for (const match of matches) {
    const { rule } = match;
    const effect: Effect = match.failed ? 'deny' : rule.effect;
    if (effect === 'deny') {
      if (rule.security || match.failed) securityDeny ??= match;
      anyDeny ??= match;
      if (inheritance.deny_overrides_allow) continue;
    }
    if (effect === 'ask' && rule.security) securityAsk ??= match;
    if (best === undefined || beats(rule, effect, best, inheritance)) best = match;
  }
  if (securityDeny) return { outcome: 'deny', decisive: securityDeny };
  if (anyDeny && inheritance.deny_overrides_allow) return { outcome: 'deny', decisive: anyDeny };
  const outcome = best ? effectOf(best) : 'none';
  if (securityAsk && (outcome === 'allow' || outcome === 'none'))
    return { outcome: 'ask', decisive: securityAsk };
  return best ? { outcome, decisive: best } : { outcome: 'none' };
}

function effectOf(match: RuleMatch): Effect {
  return match.failed ? 'deny' : match.rule.effect;
}

function beats(
  rule: CompiledRule,
  effect: Effect,
  current: RuleMatch,
  inheritance: InheritanceRules,
): boolean {
  const currentEffect = effectOf(current);
  if (inheritance.business_unit_overrides_general && rule.rank !== current.rule.rank) {
    return rule.rank > current.rule.rank;
  }
  return STRICTNESS[effect] > STRICTNESS[currentEffect];
}
