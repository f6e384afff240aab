// Property: adding a deny rule anywhere never loosens any decision.

import fc from 'fast-check';
import { describe, it } from 'vitest';
import { decide } from './decide.ts';
import { call, compileTest, type Levels } from './policy-test-config.ts';
import type { DecisionInput } from './types.ts';

const LEVELS = ['tenant', 'businessUnit', 'team', 'group', 'role', 'baseRole', 'user'] as const;

const ruleText = fc.constantFrom(
  'Read(src/**)',
  'Read(.env*)',
  'Edit(src/**)',
  'Edit(secrets/**)',
  'Read',
  'Edit',
  'Bash',
  'Bash(git push:*)',
  'Bash(npm run test:*)',
  'Bash(cat:*)',
  'Bash(git *)',
  'WebFetch(domain:x.test)',
  'WebFetch',
  'mcp__github__*',
  'Agent(Explore)',
);
const effect = fc.constantFrom('allow', 'ask', 'deny') as fc.Arbitrary<'allow' | 'ask' | 'deny'>;
const placed = fc.record({
  level: fc.constantFrom(...LEVELS),
  effect,
  rule: ruleText,
  security: fc.boolean(),
});

const input: fc.Arbitrary<DecisionInput> = fc.oneof(
  fc
    .constantFrom('src/a.ts', '.env', 'secrets/k', 'docs/x')
    .chain((p) => fc.constantFrom(call('Read', { file_path: p }), call('Edit', { file_path: p }))),
  fc
    .constantFrom(
      'git push origin',
      'npm run test:unit',
      'cat .env',
      'git status && cat src/a',
      'echo x > secrets/k',
    )
    .map((command) => call('Bash', { command })),
  fc.constantFrom('https://x.test/a', 'https://y.test/').map((url) => call('WebFetch', { url })),
  fc.constantFrom('mcp__github__pr', 'mcp__jira__x').map((tool) => call(tool, {})),
  fc.constant(call('Agent', { subagent_type: 'Explore' })),
);

function levelsOf(
  rules: {
    level: (typeof LEVELS)[number];
    effect: 'allow' | 'ask' | 'deny';
    rule: string;
    security: boolean;
  }[],
): Levels {
  const levels: Levels = {};
  for (const { level, effect, rule, security } of rules) {
    const current = levels[level] ?? { allow: [], ask: [], deny: [] };
    levels[level] = {
      ...current,
      [effect]: [...(current[effect] ?? []), rule],
      security: security || current.security,
    };
  }
  return levels;
}

describe('property: adding a deny rule never loosens a decision', () => {
  it('a non-allow never becomes allow, and a deny stays a deny', () => {
    fc.assert(
      fc.property(
        fc.array(placed, { maxLength: 8 }),
        fc.record({ level: fc.constantFrom(...LEVELS), rule: ruleText, security: fc.boolean() }),
        input,
        fc.constantFrom('deny', 'ask', 'defer') as fc.Arbitrary<'deny' | 'ask' | 'defer'>,
        (rules, extra, call, decision) => {
          const before = decide(compileTest({ ...levelsOf(rules), decision }), call).outcome;
          const after = decide(
            compileTest({ ...levelsOf([...rules, { ...extra, effect: 'deny' }]), decision }),
            call,
          ).outcome;
          if (before !== 'allow' && after === 'allow') return false;
          if (before === 'deny' && after !== 'deny') return false;
          return true;
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('property: any input gets a decision, never an internal error', () => {
  const policy = compileTest({
    tenant: { deny: ['Read(.env*)', 'Bash(rm:*)'], ask: ['WebFetch'], allow: ['mcp__x__*'], security: true },
  });
  const tool = fc.constantFrom(
    'Read',
    'Edit',
    'Write',
    'MultiEdit',
    'NotebookEdit',
    'Glob',
    'Grep',
    'LS',
    'Bash',
    'WebFetch',
    'WebSearch',
    'Agent',
    'Task',
    'mcp__x__y',
    'Other',
  );
  const value = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
  );
  const key = fc.constantFrom(
    'file_path',
    'notebook_path',
    'path',
    'pattern',
    'command',
    'url',
    'allowed_domains',
    'subagent_type',
    'query',
  );
  const shellish = fc.stringMatching(/^[a-z $()`'"&|;<>\\{}*./=\n-]{0,40}$/);

  it('returns one of the four outcomes with a reason', () => {
    fc.assert(
      fc.property(tool, fc.dictionary(key, fc.oneof(value, shellish)), fc.string(), (name, input, cwd) => {
        const decision = decide(policy, call(name, input, { cwd }));
        return (
          ['allow', 'deny', 'ask', 'defer'].includes(decision.outcome) &&
          decision.reason !== '' &&
          !decision.reason.includes('internal error')
        );
      }),
      { numRuns: 2000 },
    );
  });
});
