import { describe, expect, it } from 'vitest';
import { minimalPolicyConfig } from '../../../test/support/minimal-policy-config.ts';
import { canonicalJson } from './canonical-json.ts';
import { formatPlan } from './format-plan.ts';
import { planDiff } from './plan-diff.ts';

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: null } })).toBe('{"a":{"c":null,"d":[3,1]},"b":1}');
  });
  it('drops undefined members', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
  });
});

describe('planDiff', () => {
  it('reports nothing for identical content', () => {
    const plan = planDiff(minimalPolicyConfig(), minimalPolicyConfig());
    expect(plan.changes).toEqual([]);
    expect(formatPlan(plan, { from: 'a'.repeat(64), to: 'a'.repeat(64) })).toMatch(/^No changes/);
  });

  it('treats everything as added when there is no active bundle', () => {
    const plan = planDiff(undefined, minimalPolicyConfig());
    expect(plan.removed + plan.changed).toBe(0);
    expect(plan.changes.map((c) => `${c.section}:${c.id}`)).toEqual(
      expect.arrayContaining([
        'roles:admin',
        'agents:acme/developer',
        'rules:acme/conventions',
        'budgets:acme/acme-monthly',
      ]),
    );
  });

  it('names roles, agents, rules, budgets and limits added, removed and changed, field by field', () => {
    const before = minimalPolicyConfig();
    const after = minimalPolicyConfig();
    after.roles.viewer = { permissions: ['rules:read'], inherits: [] };
    delete (after.roles as Record<string, unknown>).admin;
    after.config.agent_routing.developer!.permissions.deny = ['.env*', 'secrets/**'];
    after.rules = [{ ...after.rules[0]!, body: '# Conventions\nUse pnpm.\n' }];
    after.org.budgets = [{ ...after.org.budgets[0]!, monthly_budget: 2000 }];
    after.config.limits.max_tool_calls_per_session = 50;

    const plan = planDiff(before, after);
    const text = formatPlan(plan, { from: 'b'.repeat(64), to: 'c'.repeat(64) });
    expect(plan).toMatchObject({ added: 1, removed: 1, changed: 4 });
    expect(text).toContain('Plan: 1 to add, 4 to change, 1 to remove');
    expect(text).toMatch(/roles\n {2}- admin\n {2}\+ viewer/);
    expect(text).toContain('permissions.deny: [".env*"] → [".env*","secrets/**"]');
    expect(text).toContain('body: text changed (+1 −0 lines)');
    expect(text).toContain('monthly_budget: 1000 → 2000');
    expect(text).toContain('max_tool_calls_per_session: 100 → 50');
  });

  it('never prints secret values', () => {
    const before = minimalPolicyConfig();
    const after = minimalPolicyConfig();
    after.config.security.oauth = {
      provider: 'okta',
      client_id: 'id',
      client_secret: 'hunter2',
      scopes: [],
      email_claim: 'email',
      groups_claim: 'groups',
    };
    before.config.security.oauth = {
      provider: 'okta',
      client_id: 'id',
      client_secret: 'old-secret',
      scopes: [],
      email_claim: 'email',
      groups_claim: 'groups',
    };
    const text = formatPlan(planDiff(before, after), { from: null, to: 'd'.repeat(64) });
    expect(text).toContain('(secret changed)');
    expect(text).not.toMatch(/hunter2|old-secret/);
  });
});
