// One file of org/ (hierarchy, role matrix, budgets); every key is optional and files are merged.

import { z } from 'zod';
import { budgetScopeSchema } from './budget-scope-schema.ts';
import { emailSchema, idSchema, listOf, orgRefSchema } from './common-schemas.ts';
import { policyRulesSchema } from './policy-rules-schema.ts';

const member = z.strictObject({
  email: emailSchema,
  name: z.string().optional(),
  roles: listOf(z.string().min(1)),
  groups: listOf(z.string().min(1)),
  policy: policyRulesSchema.optional(),
});

const teamFields = {
  id: idSchema,
  name: z.string().min(1).optional(),
  members: listOf(member),
  policy: policyRulesSchema.optional(),
};

const nestedTeam = z.strictObject(teamFields);

/** A team listed at the top level, pointing at its business unit. */
const flatTeam = z.strictObject({ ...teamFields, business_unit: idSchema });

const businessUnit = z.strictObject({
  id: idSchema,
  name: z.string().min(1).optional(),
  teams: listOf(nestedTeam),
  policy: policyRulesSchema.optional(),
});

const group = z.strictObject({
  id: idSchema,
  name: z.string().optional(),
  idp_group: z.string().min(1),
  roles: listOf(z.string().min(1)),
  bind_to: orgRefSchema.optional(),
  policy: policyRulesSchema.optional(),
});

const serviceAccount = z.strictObject({
  id: idSchema,
  name: z.string().optional(),
  team: idSchema.optional(),
  roles: listOf(z.string().min(1)),
});

const roleBinding = z.strictObject({
  role: z.string().min(1),
  at: orgRefSchema,
  subjects: z.array(z.string().min(1)).min(1),
});

const inheritance = z.strictObject({
  deny_overrides_allow: z.boolean().default(true),
  business_unit_overrides_general: z.boolean().default(true),
  security_policies_enforced: z
    .boolean()
    .refine((value) => value, {
      message: 'security policies are always enforced and cannot be turned off',
      params: { hint: 'remove the key or set it to true' },
    })
    .default(true),
});

const thresholds = z
  .array(z.number().gt(0).lte(100))
  .superRefine((values, ctx) => {
    for (let i = 1; i < values.length; i++) {
      if (values[i]! <= values[i - 1]!) {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `alert thresholds must be ascending: ${values[i]} comes after ${values[i - 1]}`,
          params: { hint: 'list percentages from low to high, e.g. [50, 80, 100]' },
        });
      }
    }
  })
  .default([50, 80, 100]);

const budget = z
  .strictObject({
    id: idSchema,
    /** An org ref, `key:<key id>` (a cap on one API key's requests) or `group:<group id>` (its members). */
    scope: budgetScopeSchema,
    /** Dollars per period; `monthly_budget` is the same for `period: monthly` (the older spelling). */
    amount: z.number().min(0).optional(),
    monthly_budget: z.number().min(0).optional(),
    period: z.enum(['daily', 'weekly', 'monthly']).default('monthly'),
    /** `pooled`: the whole scope shares the amount; `per_seat`: each user in it gets the amount. */
    mode: z.enum(['pooled', 'per_seat']).default('pooled'),
    alert_thresholds: thresholds,
    /** The soft cap: dollars per period past which spend needs an approved increase (`llm-rules budgets`). */
    approval_required_above: z.number().gt(0).optional(),
  })
  .superRefine((b, ctx) => {
    if ((b.amount === undefined) === (b.monthly_budget === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['amount'],
        message: 'a budget needs exactly one of "amount" and "monthly_budget"',
        params: { hint: 'write amount: 500 with period: daily, weekly or monthly' },
      });
    } else if (b.monthly_budget !== undefined && b.period !== 'monthly') {
      ctx.addIssue({
        code: 'custom',
        path: ['monthly_budget'],
        message: `"monthly_budget" with period "${b.period}"`,
        params: { hint: 'write amount: instead of monthly_budget: for a daily or weekly budget' },
      });
    }
    const amount = b.amount ?? b.monthly_budget;
    if (
      b.approval_required_above !== undefined &&
      amount !== undefined &&
      b.approval_required_above >= amount
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['approval_required_above'],
        message: `a soft cap of ${b.approval_required_above} that is not below the budget's ${amount}`,
        params: {
          hint: 'approval_required_above is the dollars per period past which spend needs an approved increase; the budget amount stays the hard cap',
        },
      });
    }
    if (b.mode === 'per_seat' && (b.scope.level === 'user' || b.scope.level === 'key')) {
      const user = b.scope.level === 'user';
      ctx.addIssue({
        code: 'custom',
        path: ['mode'],
        message: `a per-seat budget on a single ${user ? 'user' : 'key'}`,
        params: {
          hint: `per_seat applies to a tenant, business unit, team or group; ${user ? 'a user budget is already theirs alone' : 'a key budget already caps that one key'}`,
        },
      });
    }
  });

/** Each list entry is validated on its own (see load-org.ts), so one bad entry hides nothing else. */
export const orgItemSchemas = {
  business_units: businessUnit,
  teams: flatTeam,
  groups: group,
  service_accounts: serviceAccount,
  role_bindings: roleBinding,
  budgets: budget,
};

export type OrgListKey = keyof typeof orgItemSchemas;

/** One org file's top level; list entries are checked with `orgItemSchemas`. */
export const orgFileSchema = z.strictObject({
  tenant: z.strictObject({ id: idSchema, name: z.string().min(1).optional() }).optional(),
  business_units: listOf(z.unknown()),
  teams: listOf(z.unknown()),
  groups: listOf(z.unknown()),
  service_accounts: listOf(z.unknown()),
  role_bindings: listOf(z.unknown()),
  inheritance: inheritance.optional(),
  budgets: listOf(z.unknown()),
});

/** A validated org file; an entry that failed validation is left as undefined so indexes stay true. */
export type OrgFile = Omit<z.output<typeof orgFileSchema>, OrgListKey> & {
  [K in OrgListKey]: (z.output<(typeof orgItemSchemas)[K]> | undefined)[];
};
