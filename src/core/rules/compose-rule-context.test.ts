import { describe, expect, it } from 'vitest';
import type { RuleDocument } from '../../config/policy-config.ts';
import { composeRuleContext, ruleContextBudget } from './compose-rule-context.ts';

function rule(
  id: string,
  body: string,
  frontmatter: Record<string, unknown> = {},
  title?: string,
): RuleDocument {
  return { id, path: `rules/${id}.md`, source: 'rules', frontmatter, body, ...(title ? { title } : {}) };
}

const base = {
  context: [],
  preloadPatterns: [],
  heading: '# Rules',
  fetchHint: (id: string) => `GET /v1/rules/${id}`,
};

describe('composeRuleContext', () => {
  it('puts every rule in full when they fit, titled by frontmatter or by the body heading', () => {
    const out = composeRuleContext({
      ...base,
      rules: [
        rule('a', '# Alpha rule\n\n- one\n'),
        rule('b', '- two\n', { applies_to: { paths: ['app/**'] } }, 'Beta'),
      ],
      maxChars: 10_000,
    });
    expect(out.text).toContain('## Alpha rule [a]\n\n- one\n');
    expect(out.text).toContain('## Beta [b]\n\n_Applies when working on files matching app/**._\n\n- two\n');
    expect(out.text).not.toContain('# Alpha rule\n');
    expect(out.loaded).toEqual(['rules/a.md', 'rules/b.md']);
    expect(out.omitted).toEqual([]);
  });

  it('lists by name what does not fit, with how to fetch it, keeping delivery order', () => {
    const out = composeRuleContext({
      ...base,
      rules: [rule('first', 'x'.repeat(600)), rule('small', '- s\n')],
      context: [{ path: 'tenants/g/context/glossary.txt', content: 'y'.repeat(400) }],
      maxChars: 500,
    });
    expect(out.loaded).toEqual(['rules/small.md']);
    expect(out.omitted).toEqual(['first', 'tenants/g/context/glossary.txt']);
    expect(out.text).toContain('- first: GET /v1/rules/first');
    expect(out.text.length).toBeLessThanOrEqual(500);
  });

  it('lets preloaded rules (frontmatter or caching.rules.preload) claim the space first', () => {
    const rules = [
      rule('big', 'b'.repeat(250)),
      rule('TECH_STACK_GO', 'g'.repeat(250)),
      rule('pre', 'p'.repeat(100), { preload: true }),
    ];
    const plain = composeRuleContext({ ...base, rules, maxChars: 600 });
    expect(plain.loaded).toEqual(['rules/big.md', 'rules/pre.md']);
    const preloaded = composeRuleContext({
      ...base,
      rules,
      preloadPatterns: ['TECH_STACK_*'],
      maxChars: 600,
    });
    expect(preloaded.loaded).toEqual(['rules/TECH_STACK_GO.md', 'rules/pre.md']);
    expect(preloaded.omitted).toEqual(['big']);
  });

  it('never cuts a rule: within a tiny budget only names remain', () => {
    const out = composeRuleContext({ ...base, rules: [rule('a', 'a'.repeat(100))], maxChars: 60 });
    expect(out.loaded).toEqual([]);
    expect(out.text).not.toContain('aaaa');
    expect(out.text.length).toBeLessThanOrEqual(60);
  });

  it('is empty when nothing applies', () => {
    expect(composeRuleContext({ ...base, rules: [], maxChars: 100 })).toEqual({
      text: '',
      loaded: [],
      omitted: [],
    });
  });
});

describe('ruleContextBudget', () => {
  it('is 5% of the context window at four characters a token, never above the hook limit', () => {
    expect(ruleContextBudget(200_000)).toBe(10_000);
    expect(ruleContextBudget(20_000)).toBe(4_000);
  });
});
