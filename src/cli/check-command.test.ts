import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeIo } from '../../test/support/fake-io.ts';
import { copyExampleConfig, EXAMPLE_CONFIG, tempDir } from '../../test/support/temp-dir.ts';
import { checkCommand } from './check-command.ts';

describe('llm-rules check', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    work = await tempDir();
  });
  afterEach(async () => {
    await work.remove();
  });

  it('passes the example enterprise', async () => {
    const io = fakeIo();
    expect(await checkCommand([EXAMPLE_CONFIG], io)).toBe(0);
    expect(io.out.at(-1)).toMatch(/^policy tests: \d+ passed, 0 failed$/);
  });

  it('names each failing case with what it got, and exits 1', async () => {
    const dir = await copyExampleConfig(work.path);
    await writeFile(
      join(dir, 'tests/broken.yaml'),
      [
        '- name: wrong expectation',
        '  input: { user: alice@acme.test, tool_name: Read, tool_input: { file_path: .env } }',
        '  expect: { decision: allow }',
        '- name: reason and rule are checked',
        '  input: { user: alice@acme.test, tool_name: Read, tool_input: { file_path: .env } }',
        '  expect: { decision: deny, reason: "/secrets/", rules: ["tenant:acme/deny[0]"] }',
        '- name: unknown user',
        '  input: { user: nobody@acme.test, tool_name: Read }',
        '  expect: { decision: deny }',
        '- name: bad expectation',
        '  input: { user: alice@acme.test, tool_name: Read }',
        '  expect: { decision: maybe }',
      ].join('\n'),
    );
    const io = fakeIo();
    expect(await checkCommand([dir], io)).toBe(1);
    const out = io.out.join('\n');
    expect(out).toMatch(
      /FAIL tests\/broken\.yaml: wrong expectation\n {5}expected allow \(got deny: Read of \.env denied/,
    );
    expect(out).toMatch(
      /FAIL tests\/broken\.yaml: reason and rule are checked\n {5}reason should match \/secrets\/ \(got deny/,
    );
    expect(out).not.toMatch(/rule tenant:acme\/deny\[0\] should match/);
    expect(out).toMatch(/unknown user\n {5}input\.user: no member 'nobody@acme\.test' in tenant 'acme'/);
    expect(out).toMatch(/bad expectation\n {5}expect\.decision: /);
    expect(io.out.at(-1)).toMatch(/policy tests: \d+ passed, 4 failed/);
  });
});
