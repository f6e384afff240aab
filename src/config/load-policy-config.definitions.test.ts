// agents/, commands/ and the shared context/: loaded into the bundle only when present; mistakes located.

import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyConfig } from './load-policy-config.ts';
import { cleanupConfigTrees, errorsOf, onlyError, writeConfigTree } from './test-support/config-tree.ts';

afterAll(cleanupConfigTrees);

const ROUTING =
  'policy:\n  decision: deny\nagent_routing:\n  reviewer:\n    description: Reviews diffs\n    permissions: {tools: [Read, Grep]}\n';

describe('agent definitions, commands and shared context', () => {
  it('loads them, with frontmatter and body, and leaves them out when absent', async () => {
    const dir = writeConfigTree({
      'config.yaml': ROUTING,
      'agents/reviewer.md': '---\ndescription: Reviews pull requests\ncolor: blue\n---\nYou review diffs.\n',
      'commands/release-notes.md':
        '---\ndescription: Drafts release notes\nargument-hint: "[tag]"\n---\nDraft notes for $ARGUMENTS.\n',
      'commands/plain.md': 'Just a prompt.\n',
      'context/glossary.md': 'PAN: primary account number\n',
    });
    const result = await loadPolicyConfig(dir, { env: {} });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.config.agents).toEqual([
      {
        name: 'reviewer',
        path: 'agents/reviewer.md',
        frontmatter: { description: 'Reviews pull requests', color: 'blue' },
        body: 'You review diffs.\n',
      },
    ]);
    expect(result.config.commands?.map((c) => [c.name, c.frontmatter])).toEqual([
      ['plain', {}],
      ['release-notes', { description: 'Drafts release notes', 'argument-hint': '[tag]' }],
    ]);
    expect(result.config.context).toEqual([
      { path: 'context/glossary.md', content: 'PAN: primary account number\n' },
    ]);

    const bare = await loadPolicyConfig(writeConfigTree({}), { env: {} });
    expect(bare.ok && ['agents', 'commands', 'context'].filter((k) => k in bare.config)).toEqual([]);
  });

  it('names an agent file without an agent_routing profile, with a suggestion', async () => {
    const error = await onlyError({ 'config.yaml': ROUTING, 'agents/reviewr.md': 'x' });
    expect(error).toMatchObject({
      file: 'agents/reviewr.md',
      message: 'agent "reviewr" has no agent_routing profile',
    });
    expect(error.hint).toMatch(/reviewer/);
  });

  it('locates an unknown frontmatter key (tools belong to agent_routing) and a bad name', async () => {
    const error = await onlyError({
      'config.yaml': ROUTING,
      'agents/reviewer.md': '---\ntools: [Bash]\n---\nx\n',
    });
    expect(error).toMatchObject({ file: 'agents/reviewer.md', line: 2 });
    const errors = await errorsOf({ 'commands/Release Notes.md': 'x' });
    expect(errors.map((e) => e.message)).toEqual(['invalid command name "Release Notes"']);
  });
});
