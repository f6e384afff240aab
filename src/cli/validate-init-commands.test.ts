// `llm-rules validate` and `llm-rules init`, run in-process with a fake CliIo.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeIo } from '../../test/support/fake-io.ts';
import { initCommand } from './init-command.ts';
import { validateCommand } from './validate-command.ts';

const roots: string[] = [];

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'llm-rules-cli-'));
  roots.push(root);
  return root;
}

const REPO = join(import.meta.dirname, '../..');

describe('validateCommand', () => {
  it('prints the summary for the Acme example and exits 0', async () => {
    const io = fakeIo({ cwd: REPO });
    expect(await validateCommand(['examples/acme/.claude'], io)).toBe(0);
    expect(io.err).toEqual([]);
    expect(io.out).toEqual([
      '✓ examples/acme/.claude is valid: 8 roles, 3 agents, 8 rules, 2 business units, 4 teams, 20 users, 7 budgets, 1 tenants',
    ]);
  });

  it('prints every problem with its location and a summary, and exits 1', async () => {
    const root = tempRoot();
    const io = fakeIo({ cwd: root });
    await initCommand([], io);
    writeFileSync(
      join(root, '.claude/config.yaml'),
      'limits:\n  max_file_size: 10MB\npolicy:\n  decison: deny\n',
    );
    writeFileSync(join(root, '.claude/rules/extra.txt'), 'x');
    const check = fakeIo({ cwd: root });
    expect(await validateCommand([], check)).toBe(1);
    expect(check.err).toEqual([
      '.claude/config.yaml:2:18 error limits.max_file_size: expected a number, got string "10MB"\n  hint: write bytes as an integer, e.g. 10485760 for 10 MB',
      '.claude/config.yaml:4:3 error policy.decison: unknown key "decison"\n  hint: did you mean "decision"?',
      '.claude/rules/extra.txt warning ignored: rule files are markdown (.md)',
      '2 errors, 1 warning in .claude',
    ]);
    expect(check.out).toEqual([]);
  });

  it('prints the problems as JSON with --json', async () => {
    const root = tempRoot();
    const io = fakeIo({ cwd: root });
    expect(await validateCommand(['missing', '--json'], io)).toBe(1);
    const parsed = JSON.parse(io.out.join('\n'));
    expect(parsed).toMatchObject({
      ok: false,
      dir: 'missing',
      problems: [{ message: 'directory not found: missing', line: 0 }],
    });
  });

  it('reports a missing directory with a hint to run init', async () => {
    const io = fakeIo({ cwd: tempRoot() });
    expect(await validateCommand(['nowhere'], io)).toBe(1);
    expect(io.err[0]).toBe(
      'nowhere error directory not found: nowhere\n  hint: point at a .claude/ config directory, or create one with `llm-rules init nowhere`',
    );
  });
});

describe('initCommand', () => {
  it('writes the starter, lists the files and the next steps; the result validates', async () => {
    const root = tempRoot();
    const io = fakeIo({ cwd: root });
    expect(await initCommand(['conf/.claude'], io)).toBe(0);
    expect(io.out).toContain('  conf/.claude/config.yaml');
    expect(io.out).toContain('  2. llm-rules validate conf/.claude');
    expect(io.out).toContain('  3. llm-rules apply conf/.claude');
    const check = fakeIo({ cwd: root });
    expect(await validateCommand(['conf/.claude'], check)).toBe(0);
    expect(check.out[0]).toBe(
      '✓ conf/.claude is valid: 4 roles, 3 agents, 1 rules, 1 business units, 1 teams, 2 users, 2 budgets, 0 tenants',
    );
  });

  it('refuses to overwrite an existing config', async () => {
    const root = tempRoot();
    await initCommand([], fakeIo({ cwd: root }));
    await expect(initCommand([], fakeIo({ cwd: root }))).rejects.toMatchObject({ name: 'ConflictError' });
  });
});
