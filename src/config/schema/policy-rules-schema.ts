// A `policy:` block of tool-call rules (allow / ask / deny, optionally a security policy), usable at every org level.

import { z } from 'zod';
import { checkedString, listOf } from './common-schemas.ts';
import { checkPermissionRule, type PatternError } from './permission-patterns.ts';

/** A Claude Code permission rule; a lowercase alias or a bare glob is a mistake worth a precise hint. */
export function checkPolicyRule(rule: string): PatternError | undefined {
  if (/^[a-z]+$/.test(rule) && rule !== '*') {
    return {
      message: `"${rule}" is not a permission rule`,
      hint: 'policy rules use Claude Code tool names: Read, Edit(src/**), Bash(git push:*), WebFetch(domain:x.com)',
    };
  }
  if (!/^[A-Za-z_][A-Za-z0-9_*-]*(\(|$)/.test(rule)) {
    return {
      message: `"${rule}" is not a permission rule`,
      hint: `write Tool(specifier), e.g. Read(${rule}) or Edit(${rule})`,
    };
  }
  return checkPermissionRule(rule);
}

export const policyRuleSchema = checkedString(checkPolicyRule);

export const policyRulesFields = {
  allow: listOf(policyRuleSchema),
  ask: listOf(policyRuleSchema),
  deny: listOf(policyRuleSchema),
  security: z.boolean().default(false),
};

/** `policy: { allow, ask, deny, security }` on a business unit, team, member, group or role. */
export const policyRulesSchema = z.strictObject(policyRulesFields);
