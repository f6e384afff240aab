import { describe, expect, it } from 'vitest';
import type { PolicyConfig, RuleDocument } from '../../config/policy-config.ts';
import type { RuleAudience } from './rule-audience.ts';
import { contextForTenant, ruleApplies, rulesForTenant, selectRules, staticPrefix } from './select-rules.ts';

function rule(
  id: string,
  frontmatter: Record<string, unknown> = {},
  source: RuleDocument['source'] = 'rules',
) {
  return { id, path: `rules/${id}.md`, source, frontmatter, body: `# ${id}\n` } satisfies RuleDocument;
}

const alice: RuleAudience = {
  tenantId: 'acme',
  businessUnitId: 'engineering',
  teamId: 'platform',
  agent: 'developer',
  repository: 'acme/platform-api',
  techStacks: ['node', 'typescript'],
  projectPath: '',
};

describe('ruleApplies', () => {
  it('applies a rule without applies_to to everyone', () => {
    expect(ruleApplies(rule('a'), alice)).toBe(true);
    expect(ruleApplies(rule('a'), { ...alice, teamId: null, repository: null })).toBe(true);
  });

  it('needs every listed condition to hold, any name within a list', () => {
    const r = rule('r', { applies_to: { teams: ['payments', 'platform'], agents: ['developer'] } });
    expect(ruleApplies(r, alice)).toBe(true);
    expect(ruleApplies(r, { ...alice, agent: 'qa' })).toBe(false);
    expect(ruleApplies(r, { ...alice, teamId: 'analytics' })).toBe(false);
    expect(ruleApplies(r, { ...alice, teamId: null })).toBe(false);
    expect(ruleApplies(rule('s', { applies_to: { teams: ['*'] } }), { ...alice, teamId: null })).toBe(true);
  });

  it('matches repositories by owner/name, by last segment, or by glob; never when unknown', () => {
    const by = (names: string[]) => rule('r', { applies_to: { repositories: names } });
    expect(ruleApplies(by(['acme/platform-api']), alice)).toBe(true);
    expect(ruleApplies(by(['Acme/Platform-API']), alice)).toBe(true);
    expect(ruleApplies(by(['platform-api']), alice)).toBe(true);
    expect(ruleApplies(by(['acme/*']), alice)).toBe(true);
    expect(ruleApplies(by(['acme/infra']), alice)).toBe(false);
    expect(ruleApplies(by(['other/platform-api']), alice)).toBe(false);
    expect(ruleApplies(by(['acme/platform-api']), { ...alice, repository: null })).toBe(false);
  });

  it('matches any of the tech stacks', () => {
    const r = rule('r', { applies_to: { tech_stacks: ['nextjs', 'TypeScript'] } });
    expect(ruleApplies(r, alice)).toBe(true);
    expect(ruleApplies(r, { ...alice, techStacks: ['python'] })).toBe(false);
  });

  it('applies a path-scoped rule where the session directory and the globs meet', () => {
    const r = rule('r', { applies_to: { paths: ['services/payments/**'] } });
    expect(ruleApplies(r, alice)).toBe(true); // at the root: any file may be touched
    expect(ruleApplies(r, { ...alice, projectPath: null })).toBe(true);
    expect(ruleApplies(r, { ...alice, projectPath: 'services' })).toBe(true);
    expect(ruleApplies(r, { ...alice, projectPath: 'services/payments/api' })).toBe(true);
    expect(ruleApplies(r, { ...alice, projectPath: 'services/search' })).toBe(false);
    expect(ruleApplies(r, { ...alice, projectPath: 'docs' })).toBe(false);
    expect(
      ruleApplies(rule('m', { applies_to: { paths: ['**/*.md'] } }), { ...alice, projectPath: 'docs' }),
    ).toBe(true);
  });
});

describe('selectRules', () => {
  it('orders by priority, then as loaded, then by id', () => {
    const rules = [
      rule('low'),
      rule('high', { priority: 100 }),
      rule('mid-b', { priority: 50 }),
      rule('mid-a', { priority: 50 }),
      rule('other-team', { priority: 1000, applies_to: { teams: ['payments'] } }),
    ];
    expect(selectRules(rules, alice).map((r) => r.id)).toEqual(['high', 'mid-b', 'mid-a', 'low']);
  });
});

describe('staticPrefix', () => {
  it('keeps the directories before the first wildcard', () => {
    expect(staticPrefix('services/payments/**')).toEqual(['services', 'payments']);
    expect(staticPrefix('./src/**/*.tsx')).toEqual(['src']);
    expect(staticPrefix('*.md')).toEqual([]);
    expect(staticPrefix('app/{a,b}/x.ts')).toEqual(['app']);
  });
});

describe('rulesForTenant and contextForTenant under multi_tenant.isolation', () => {
  function config(isolation: 'strict' | 'shared_rules' | 'shared_context') {
    return {
      config: { multi_tenant: { isolation } },
      org: { tenant: { id: 'acme' } },
      rules: [rule('shared'), rule('style')],
      context: [{ path: 'context/root.md', content: 'root' }],
      tenants: [
        {
          id: 'globex',
          rules: [rule('style', {}, 'tenant'), rule('own', {}, 'tenant')],
          context: [{ path: 'tenants/globex/context/g.md', content: 'g' }],
        },
      ],
    } as unknown as PolicyConfig;
  }

  it('gives a tenant only its own under strict', () => {
    expect(rulesForTenant(config('strict'), 'globex').map((r) => r.id)).toEqual(['style', 'own']);
    expect(contextForTenant(config('strict'), 'globex').map((d) => d.content)).toEqual(['g']);
  });

  it('adds the root rules under shared_rules, the tenant rule replacing one of the same id', () => {
    const rules = rulesForTenant(config('shared_rules'), 'globex');
    expect(rules.map((r) => `${r.id}:${r.source}`)).toEqual(['shared:rules', 'style:tenant', 'own:tenant']);
    expect(contextForTenant(config('shared_rules'), 'globex').map((d) => d.content)).toEqual(['g']);
  });

  it('shares the root context too under shared_context', () => {
    expect(contextForTenant(config('shared_context'), 'globex').map((d) => d.content)).toEqual(['root', 'g']);
  });

  it('gives the root tenant the root rules and context, and an unknown tenant nothing', () => {
    expect(rulesForTenant(config('strict'), 'acme').map((r) => r.id)).toEqual(['shared', 'style']);
    expect(contextForTenant(config('strict'), 'acme').map((d) => d.content)).toEqual(['root']);
    expect(rulesForTenant(config('shared_rules'), 'initech')).toEqual([]);
  });
});
