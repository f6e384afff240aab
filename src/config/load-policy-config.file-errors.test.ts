// Bad rule files, tenant directories, tests/ files, a missing directory, and many problems in one run.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyConfig } from './load-policy-config.ts';
import { cleanupConfigTrees, errorsOf, onlyError, problemsOf } from './test-support/config-tree.ts';

afterAll(cleanupConfigTrees);

describe('rule file problems', () => {
  it('reports bad frontmatter YAML with its line in the .md file', async () => {
    const error = await onlyError({ 'rules/style.md': '---\nid: style\ntitle: [unclosed\n---\n# Style\n' });
    expect(error).toMatchObject({ file: 'rules/style.md', line: 3, path: '' });
    expect(error.message).toMatch(/^YAML syntax error/);
  });

  it('reports an unknown frontmatter key at its line, with did-you-mean', async () => {
    const error = await onlyError({
      'rules/style.md': '---\nid: style\napplies_too:\n  teams: [platform]\n---\nbody\n',
    });
    expect(error).toMatchObject({
      file: 'rules/style.md',
      line: 3,
      column: 1,
      path: 'applies_too',
      message: 'unknown key "applies_too"',
      hint: 'did you mean "applies_to"?',
    });
  });

  it('reports an unknown key inside applies_to', async () => {
    const error = await onlyError({ 'rules-master/A.md': '---\napplies_to:\n  team: [platform]\n---\n' });
    expect(error).toMatchObject({
      file: 'rules-master/A.md',
      line: 3,
      column: 3,
      path: 'applies_to.team',
      hint: 'did you mean "teams"?',
    });
  });

  it('reports a non-integer priority', async () => {
    const error = await onlyError({ 'rules/a.md': '---\npriority: high\n---\n' });
    expect(error).toMatchObject({
      line: 2,
      column: 11,
      path: 'priority',
      message: 'expected a number, got string "high"',
    });
  });

  it('reports an unclosed frontmatter block', async () => {
    const error = await onlyError({ 'rules/a.md': '---\nid: a\n# no closing fence\n' });
    expect(error).toMatchObject({
      line: 1,
      column: 1,
      message: 'frontmatter opened with "---" is never closed',
    });
  });

  it('reports duplicate rule ids across rules/ and rules-master/, citing the first', async () => {
    const error = await onlyError({
      'rules-master/SECURITY.md': '---\nid: security\n---\n',
      'rules/team.md': '---\ntitle: Team\nid: security\n---\n',
    });
    expect(error).toMatchObject({
      file: 'rules/team.md',
      line: 3,
      column: 5,
      path: 'id',
      message: 'duplicate rule id "security"',
    });
    expect(error.hint).toMatch(/rules-master\/SECURITY\.md:2:5$/);
  });

  it('reports a duplicate id that comes from a file name', async () => {
    const error = await onlyError({ 'rules/a/style.md': '# A', 'rules/b/style.md': '# B' });
    expect(error).toMatchObject({ file: 'rules/b/style.md', line: 0, message: 'duplicate rule id "style"' });
  });

  it('reports a bad glob in applies_to.paths', async () => {
    const error = await onlyError({ 'rules/a.md': '---\napplies_to:\n  paths: ["src/[x"]\n---\n' });
    expect(error).toMatchObject({
      line: 3,
      column: 11,
      path: 'applies_to.paths[0]',
      message: 'invalid glob "src/[x": Missing closing: "]"',
    });
  });

  it('warns about non-markdown files and unknown applies_to targets', async () => {
    const problems = await problemsOf({
      'rules/notes.txt': 'x',
      'rules/a.md': '---\napplies_to:\n  agents: [developr]\n---\n',
      'config.yaml': 'agent_routing:\n  developer: {}\n',
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'rules/a.md',
        line: 3,
        column: 12,
        severity: 'warning',
        message: 'applies to unknown agent "developr"',
        hint: 'did you mean "developer"?',
      }),
      expect.objectContaining({
        file: 'rules/notes.txt',
        severity: 'warning',
        message: 'ignored: rule files are markdown (.md)',
      }),
    ]);
  });
});

describe('tenant directory problems', () => {
  it('reports a tenant directory name that is not a slug', async () => {
    const error = await onlyError({ 'tenants/Globex_Corp/config.yaml': 'policy: {decision: ask}\n' });
    expect(error).toMatchObject({
      file: 'tenants/Globex_Corp',
      line: 0,
      message: 'invalid tenant directory name "Globex_Corp"',
      hint: 'tenant ids are lowercase letters, digits and -; rename it to "globex-corp"',
    });
  });

  it('reports problems in a tenant override in the tenant file, not the root', async () => {
    const error = await onlyError({
      'config.yaml': 'multi_tenant: {enabled: true}\nlimits:\n  max_context_tokens: 1000\n',
      'tenants/globex/config.yaml': 'limits:\n  max_context_tokens: lots\n',
    });
    expect(error).toMatchObject({
      file: 'tenants/globex/config.yaml',
      line: 2,
      column: 23,
      path: 'limits.max_context_tokens',
      message: 'expected a number, got string "lots"',
    });
    const unknownKey = await errorsOf({
      'tenants/globex/config.yaml': 'limits:\n  max_sesions_per_day: 3\n',
    });
    expect(unknownKey).toEqual([
      expect.objectContaining({
        file: 'tenants/globex/config.yaml',
        line: 2,
        column: 3,
        hint: 'did you mean "max_sessions_per_day"?',
      }),
    ]);
  });

  it('reports a tenant org whose tenant id differs from the directory', async () => {
    const error = await onlyError({ 'tenants/globex/org/hierarchy.yaml': 'tenant: {id: initech}\n' });
    expect(error).toMatchObject({
      file: 'tenants/globex/org/hierarchy.yaml',
      line: 1,
      column: 14,
      path: 'tenant.id',
      message: 'tenant id "initech" differs from its directory name "globex"',
    });
  });

  it('reports an unknown role in a tenant org', async () => {
    const error = await onlyError({
      'tenants/globex/org/hierarchy.yaml':
        'business_units:\n  - id: lab\n    teams:\n      - id: x\n        members:\n          - {email: a@globex.test, roles: [superuser]}\n',
    });
    expect(error).toMatchObject({
      file: 'tenants/globex/org/hierarchy.yaml',
      line: 6,
      column: 44,
      message: 'unknown role "superuser"',
    });
  });
});

describe('tests/ problems', () => {
  it('reports a test case without expect', async () => {
    const error = await onlyError({ 'tests/a.yaml': '- name: reads\n  input: {tool_name: Read}\n' });
    expect(error).toMatchObject({
      file: 'tests/a.yaml',
      line: 1,
      column: 3,
      path: '[0].expect',
      message: 'missing required key "expect"',
    });
  });
});

describe('whole-run behaviour', () => {
  it('reports a missing directory with a hint to run init', async () => {
    const dir = join(tmpdir(), 'llm-rules-does-not-exist', '.claude');
    const result = await loadPolicyConfig(dir, { env: {} });
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          file: dir,
          line: 0,
          column: 0,
          path: '',
          message: `directory not found: ${dir}`,
          hint: `point at a .claude/ config directory, or create one with \`llm-rules init ${dir}\``,
          severity: 'error',
        },
      ],
    });
  });

  it('reports a path that is a file, not a directory', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'llm-rules-file-')), 'config.yaml');
    writeFileSync(file, 'policy: {}\n');
    const result = await loadPolicyConfig(file, { env: {} });
    expect(result.ok ? [] : result.problems.map((p) => p.message)).toEqual([`not a directory: ${file}`]);
  });

  it('reports every problem across every file in one run, sorted by file and position', async () => {
    const errors = await errorsOf({
      'config.yaml': 'limits:\n  max_file_size: 10MB\naudit:\n  log_level: loud\n',
      'permissions.yaml': 'roles:\n  a: {inherits: [b]}\n  b: {inherits: [a]}\n',
      'alerts.yaml': 'alerts:\n  - {name: x, condition: "cost >", action: y}\n',
      'org/hierarchy.yaml': 'business_units:\n  - id: Eng\n',
      'rules/a.md': '---\nprio: 1\n---\n',
      'tenants/BAD/config.yaml': '{}\n',
      'tests/t.yaml': 'name: not a list\n',
    });
    expect(errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.path}`)).toEqual([
      'alerts.yaml:2:26 alerts[0].condition',
      'config.yaml:2:18 limits.max_file_size',
      'config.yaml:4:14 audit.log_level',
      'org/hierarchy.yaml:2:9 business_units[0].id',
      'permissions.yaml:2:18 roles.a.inherits[0]',
      'rules/a.md:2:1 prio',
      'tenants/BAD:0:0 ',
      'tests/t.yaml:1:1 ',
    ]);
  });

  it('never throws, whatever the files contain', async () => {
    const errors = await errorsOf({
      'config.yaml': '!!binary AAAA\n',
      'permissions.yaml': 'roles: 5\n',
      'alerts.yaml': 'alerts: {a: 1}\nchannels: []\n',
      'org/org.yaml': '[]\n',
      'org/budgets.json': '',
      'tests/x.yaml': '~\n',
    });
    expect(errors.length).toBeGreaterThan(4);
  });
});
