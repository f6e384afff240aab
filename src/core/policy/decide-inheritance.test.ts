// Precedence across org levels: deny wins, specific beats general, security holds, roles inherit.

import { describe, expect, it } from 'vitest';
import type { PolicyConfig } from '../../config/policy-config.ts';
import { compilePolicy } from './compile-policy.ts';
import { decide } from './decide.ts';
import { alice, call, compileTest, type Levels, profile, testConfig } from './policy-test-config.ts';

const push = call('Bash', { command: 'git push origin main' });
const editSrc = call('Edit', { file_path: 'src/a.ts' });
const outcome = (levels: Levels, input = push) => decide(compileTest(levels), input).outcome;

describe('inheritance: deny wins across levels', () => {
  const levels = ['tenant', 'businessUnit', 'team', 'group', 'role', 'baseRole', 'user'] as const;
  for (const denyAt of levels) {
    for (const allowAt of levels) {
      it(`a deny at ${denyAt} beats an allow at ${allowAt}`, () => {
        const config: Levels = {};
        config[allowAt] = { ...config[allowAt], allow: ['Bash(git push:*)'] };
        config[denyAt] = { ...config[denyAt], deny: ['Bash(git push:*)'] };
        expect(outcome(config)).toBe('deny');
      });
    }
  }

  it('an agent profile deny beats an allow anywhere', () => {
    const agents = { developer: profile({ tools: ['*'], files: ['src/**'], deny: ['src/a.ts'] }) };
    expect(outcome({ agents, user: { allow: ['Edit(src/**)'] } }, editSrc)).toBe('deny');
  });
});

describe('inheritance: the more specific level decides allow versus ask', () => {
  it.each([
    [{ tenant: { ask: ['Bash(git push:*)'] }, businessUnit: { allow: ['Bash(git push:*)'] } }, 'allow'],
    [{ tenant: { allow: ['Bash(git push:*)'] }, businessUnit: { ask: ['Bash(git push:*)'] } }, 'ask'],
    [{ businessUnit: { ask: ['Bash(git push:*)'] }, team: { allow: ['Bash(git push:*)'] } }, 'allow'],
    [{ team: { allow: ['Bash(git push:*)'] }, user: { ask: ['Bash(git push:*)'] } }, 'ask'],
    [{ team: { ask: ['Bash(git push:*)'] }, role: { allow: ['Bash(git push:*)'] } }, 'allow'],
    [{ role: { ask: ['Bash(git push:*)'] }, user: { allow: ['Bash(git push:*)'] } }, 'allow'],
    [{ team: { ask: ['Bash(git push:*)'], allow: ['Bash(git push:*)'] } }, 'ask'],
    [{ tenant: { allow: ['Bash(git push:*)'] } }, 'allow'],
    [{ tenant: { ask: ['Bash(git push:*)'] } }, 'ask'],
  ] as [Levels, string][])('%j → %s', (levels, expected) => {
    expect(outcome(levels)).toBe(expected);
  });

  it('an org rule at a level overrides the agent profile (the most general level)', () => {
    expect(outcome({ tenant: { ask: ['Edit(src/**)'] } }, editSrc)).toBe('ask');
  });

  it('with business_unit_overrides_general off, the stricter of allow and ask wins', () => {
    const levels: Levels = {
      tenant: { ask: ['Bash(git push:*)'] },
      businessUnit: { allow: ['Bash(git push:*)'] },
      businessUnitOverridesGeneral: false,
    };
    expect(outcome(levels)).toBe('ask');
  });

  it('with deny_overrides_allow off, a more specific allow beats a plain deny but never a security deny', () => {
    const plain: Levels = {
      tenant: { deny: ['Bash(git push:*)'] },
      team: { allow: ['Bash(git push:*)'] },
      denyOverridesAllow: false,
    };
    expect(outcome(plain)).toBe('allow');
    expect(outcome({ ...plain, tenant: { deny: ['Bash(git push:*)'], security: true } })).toBe('deny');
  });
});

describe('inheritance: security policies cannot be relaxed below', () => {
  it.each(['businessUnit', 'team', 'group', 'role', 'user'] as const)(
    'a security ask at the tenant holds against an allow at %s',
    (level) => {
      expect(
        outcome({
          tenant: { ask: ['Bash(git push:*)'], security: true },
          [level]: { allow: ['Bash(git push:*)'] },
        }),
      ).toBe('ask');
    },
  );

  it('a security ask on a team holds against the user', () => {
    expect(
      outcome({ team: { ask: ['Bash(git push:*)'], security: true }, user: { allow: ['Bash(git push:*)'] } }),
    ).toBe('ask');
  });

  it('a lower level may still tighten a security allow', () => {
    expect(
      outcome({
        tenant: { allow: ['Bash(git push:*)'], security: true },
        team: { ask: ['Bash(git push:*)'] },
      }),
    ).toBe('ask');
  });

  it('a security ask holds where nothing else matched (no default deny hides it)', () => {
    expect(outcome({ tenant: { ask: ['Bash(git push:*)'], security: true }, decision: 'defer' })).toBe('ask');
  });

  it('an error while evaluating a security rule is a deny', () => {
    const policy = compileTest({ tenant: { security: true, ask: ['Edit(docs/**)'] } });
    const rule = policy.tenants.get('acme')!.node.rules.get('path:Edit')![0]!;
    rule.head = undefined;
    rule.literal = undefined;
    rule.test = () => {
      throw new Error('boom');
    };
    const decision = decide(policy, editSrc);
    expect(decision.outcome).toBe('deny');
    expect(decision.reason).toContain('could not be evaluated');
  });

  it('an error in a plain allow rule opens nothing', () => {
    const policy = compileTest({ tenant: { allow: ['Edit(docs/**)'] } });
    const rule = policy.tenants.get('acme')!.node.rules.get('path:Edit')![0]!;
    rule.head = undefined;
    rule.literal = undefined;
    rule.test = () => {
      throw new Error('boom');
    };
    expect(decide(policy, call('Edit', { file_path: 'docs/a.md' })).outcome).toBe('deny');
  });
});

describe('inheritance: roles, groups, org path', () => {
  it('roles inherit rules from the roles they inherit', () => {
    expect(outcome({ baseRole: { deny: ['Edit(src/**)'] } }, editSrc)).toBe('deny');
  });

  it('a viewer-like role that denies writes makes its holders read-only', () => {
    const levels: Levels = { baseRole: { deny: ['Edit', 'Write', 'Bash'] } };
    expect(outcome(levels, editSrc)).toBe('deny');
    expect(outcome(levels, call('Read', { file_path: 'src/a.ts' }))).toBe('allow');
    expect(outcome(levels, call('Bash', { command: 'npm run test:unit' }))).toBe('deny');
  });

  it('group rules apply to members by group id or IdP group name', () => {
    const policy = compileTest({ group: { deny: ['Edit(src/**)'] } });
    expect(decide(policy, editSrc).outcome).toBe('deny');
    const byIdp = { ...editSrc, principal: { ...alice, groups: ['acme-eng'] } };
    expect(decide(policy, byIdp).outcome).toBe('deny');
    expect(decide(policy, { ...editSrc, principal: { ...alice, groups: [] } }).outcome).toBe('allow');
  });

  it('business unit and team rules apply only on the principal path', () => {
    const policy = compileTest({
      team: { deny: ['Edit(src/**)'] },
      businessUnit: { deny: ['Read(src/**)'] },
    });
    const payments = { ...alice, teamId: 'payments', userId: 'p@acme.test' };
    expect(decide(policy, { ...editSrc, principal: payments }).outcome).toBe('allow');
    const data = { ...alice, businessUnitId: 'data', teamId: 'analytics', userId: 'd@acme.test' };
    expect(decide(policy, { ...call('Read', { file_path: 'src/a' }), principal: data }).outcome).toBe(
      'allow',
    );
    expect(decide(policy, call('Read', { file_path: 'src/a' })).outcome).toBe('deny');
  });

  it('derives the business unit from the team when the principal omits it', () => {
    const policy = compileTest({ businessUnit: { deny: ['Edit(src/**)'] } });
    expect(decide(policy, { ...editSrc, principal: { ...alice, businessUnitId: null } }).outcome).toBe(
      'deny',
    );
  });

  it('each tenant is decided by its own config and org', () => {
    const base = testConfig({ tenant: { deny: ['Edit(src/**)'] } });
    const content: PolicyConfig = {
      ...base,
      tenants: [{ id: 'globex', config: { ...testConfig().config }, rules: [], context: [] }],
    };
    const policy = compilePolicy(content, 'r');
    expect(decide(policy, editSrc).outcome).toBe('deny');
    const globex = { ...alice, tenantId: 'globex', businessUnitId: null, teamId: null };
    expect(decide(policy, { ...editSrc, principal: globex }).outcome).toBe('allow');
  });
});
