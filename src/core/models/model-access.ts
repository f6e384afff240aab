// Which models a caller may use: allow and deny lists on org nodes and IdP groups, deny winning.

import type { ModelRuleConfig } from '../../config/policy-config.ts';
import { canonicalModelId } from '../pricing/price-table.ts';

export interface ModelSubject {
  businessUnitId: string | null;
  teamId: string | null;
  /** `user:<email>` for users; service accounts match no user rule. */
  userScope: string | null;
  groups: readonly string[];
}

export type ModelVerdict = { allowed: true } | { allowed: false; reason: string };

/** Whether a rule's scope (tenant, business unit, team, user or IdP group) covers this caller. */
export function ruleApplies(scope: string, who: ModelSubject): boolean {
  if (scope === 'tenant') return true;
  if (scope === `business_unit:${who.businessUnitId}`) return who.businessUnitId !== null;
  if (scope === `team:${who.teamId}`) return who.teamId !== null;
  if (who.userScope !== null && scope.toLowerCase() === who.userScope) return true;
  return scope.startsWith('group:') && who.groups.includes(scope.slice('group:'.length));
}

function matches(pattern: string, model: string): boolean {
  const id = canonicalModelId(model);
  const wanted = pattern.toLowerCase();
  if (!wanted.includes('*')) return id === canonicalModelId(wanted) || model.toLowerCase() === wanted;
  const regex = new RegExp(
    `^${wanted
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return regex.test(id) || regex.test(model.toLowerCase());
}

export function modelAccess(
  rules: readonly ModelRuleConfig[],
  who: ModelSubject,
  model: string,
): ModelVerdict {
  // An ARN whose model cannot be read (an application inference profile) could be any model: with
  // rules in force it is refused rather than let past a deny it might match.
  if (rules.length > 0 && model.startsWith('arn:') && !canonicalModelId(model).startsWith('claude-')) {
    return {
      allowed: false,
      reason: 'an ARN that does not name its model, which the model rules cannot judge',
    };
  }
  const mine = rules.filter((rule) => ruleApplies(rule.scope, who));
  const denied = mine.find((rule) => rule.deny.some((p) => matches(p, model)));
  if (denied) return { allowed: false, reason: `denied for ${denied.scope} (gateway.models)` };
  const allowLists = mine.filter((rule) => rule.allow.length > 0);
  // Allow lists exist somewhere in the org but none on this caller's path: nothing is granted to them.
  const anyAllow = rules.some((rule) => rule.allow.length > 0);
  if (!anyAllow) return { allowed: true };
  if (allowLists.some((rule) => rule.allow.some((p) => matches(p, model)))) return { allowed: true };
  const granted = [...new Set(allowLists.flatMap((rule) => rule.allow))];
  return {
    allowed: false,
    reason:
      granted.length > 0
        ? `not among the models allowed to you: ${granted.join(', ')}`
        : 'no model is allowed to you (gateway.models)',
  };
}
