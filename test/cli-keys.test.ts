// The real CLI end to end on SQLite: validate, plan, apply, keys, serve — and no key plaintext in
// the database files or the server's logs.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, startServe } from './support/run-cli.ts';
import { EXAMPLE_CONFIG, tempDir } from './support/temp-dir.ts';

// Each case spawns several real CLI processes (about 1 s each, more on a loaded machine).
describe('llm-rules CLI on SQLite', { timeout: 90_000 }, () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let data: string;
  const env = cleanEnv({ LLM_RULES_ACTOR: 'ci-test' });
  const keys: string[] = [];

  beforeAll(async () => {
    work = await tempDir();
    data = join(work.path, 'data');
  });
  afterAll(async () => {
    await work.remove();
  });

  it('migrates a new store once, then reports nothing pending', async () => {
    const first = await runCli(['migrate', '--data', data], { env });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied 0001_/);
    const second = await runCli(['migrate', '--data', data], { env });
    expect(second.stdout).toMatch(/sqlite storage is at the latest schema \(0 migration\(s\) applied now\)/);
  });

  it('validates the example enterprise', async () => {
    const result = await runCli(['validate', EXAMPLE_CONFIG], { env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/is valid/);
  });

  it('plans, applies, and applies the same content again without a change', async () => {
    const plan = await runCli(['plan', EXAMPLE_CONFIG, '--data', data], { env });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/Plan: \d+ to add, 0 to change, 0 to remove/);
    expect(plan.stdout).toMatch(/\n {2}\+ admin/);

    const apply = await runCli(['apply', EXAMPLE_CONFIG, '--data', data], { env });
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/✓ Applied bundle [0-9a-f]{64} as ci-test/);

    const again = await runCli(['apply', EXAMPLE_CONFIG, '--data', data], { env });
    expect(again.stdout).toMatch(/No changes: bundle [0-9a-f]{12} is already active/);
    const replan = await runCli(['plan', EXAMPLE_CONFIG, '--data', data], { env });
    expect(replan.stdout).toMatch(/^No changes/);

    const history = await runCli(['bundles', '--data', data], { env });
    expect(history.stdout.trim().split('\n')).toHaveLength(2);
    expect(history.stdout).toMatch(/ci-test \(active\)/);
  });

  it('creates, lists, rotates and revokes keys; the plaintext is printed once', async () => {
    const created = await runCli(
      ['keys', 'create', '--user', 'alice@acme.test', '--expires', '90d', '--data', data],
      { env },
    );
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^llmr_[0-9A-Za-z]{44}_[0-9A-Za-z]{6}$/);
    expect(created.stderr).toMatch(/shown only once/);
    keys.push(key);
    const id = key.slice(5, 17);

    const list = await runCli(['keys', 'list', '--data', data], { env });
    expect(list.stdout).toContain(id);
    expect(list.stdout).toMatch(/alice@acme\.test\s+active/);
    expect(list.stdout).not.toContain(key);

    const rotated = await runCli(['keys', 'rotate', id, '--grace', '24h', '--data', data], { env });
    expect(rotated.code).toBe(0);
    keys.push(rotated.stdout.trim());
    expect(rotated.stderr).toMatch(/keeps working for 24h/);

    const service = await runCli(['keys', 'create', '--service', 'ci', '--data', data], { env });
    keys.push(service.stdout.trim());

    // As `keys list` displays it: `llmr_<id>…`.
    const revoked = await runCli(['keys', 'revoke', `llmr_${id}…`, '--data', data], { env });
    expect(revoked.code).toBe(0);
    expect((await runCli(['keys', 'list', '--data', data], { env })).stdout).toMatch(
      new RegExp(`${id}.*revoked`),
    );
  });

  it('explains bad input with a clear message and a non-zero exit', async () => {
    const unknownUser = await runCli(['keys', 'create', '--user', 'nobody@acme.test', '--data', data], {
      env,
    });
    expect(unknownUser.code).toBe(1);
    expect(unknownUser.stderr).toMatch(/user 'nobody@acme.test' was not found/);
    const badDuration = await runCli(
      ['keys', 'create', '--user', 'alice@acme.test', '--expires', 'soon', '--data', data],
      { env },
    );
    expect(badDuration.stderr).toMatch(/--expires: "soon" is not a duration/);
    const untouched = join(work.path, 'never-created');
    const bogus = await runCli(['keys', 'bogus', '--data', untouched], { env });
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toMatch(/unknown keys action 'bogus'/);
    await expect(readdir(untouched)).rejects.toThrow(/ENOENT/);
    const hugeGrace = await runCli(['keys', 'rotate', 'abc', '--grace', '200000000d', '--data', untouched], {
      env,
    });
    expect(hugeGrace.stderr).toMatch(/--grace: "200000000d" is longer than 10 years/);
    await expect(readdir(untouched)).rejects.toThrow(/ENOENT/);
    const badFlag = await runCli(['keys', 'list', '--colour', '--data', data], { env });
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/Unknown option '--colour'/);
  });

  it('serves whoami for a valid key, rejects a revoked one, and shuts down on SIGTERM', async () => {
    const [revoked, rotated, service] = keys as [string, string, string];
    const server = await startServe(['--data', data, '--port', '0', '--log-level', 'trace'], { env });
    try {
      const me = await fetch(`${server.url}/api/v1/whoami`, {
        headers: { authorization: `Bearer ${rotated}` },
      });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({
        tenant: 'acme',
        principal: { type: 'user', id: 'alice@acme.test' },
      });
      const viaApiKey = await fetch(`${server.url}/api/v1/whoami`, { headers: { 'x-api-key': service } });
      expect(await viaApiKey.json()).toMatchObject({ principal: { type: 'service_account', id: 'ci' } });
      const denied = await fetch(`${server.url}/api/v1/whoami`, { headers: { 'x-api-key': revoked } });
      expect(denied.status).toBe(401);
      expect(await denied.json()).toEqual({
        type: 'error',
        error: { type: 'authentication_error', message: expect.stringMatching(/revoked/) },
      });
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);

    // No plaintext anywhere: not in the SQLite files, not in the trace-level logs.
    const files = await readdir(data);
    expect(files.some((f) => f.endsWith('.db'))).toBe(true);
    const stored = Buffer.concat(await Promise.all(files.map((f) => readFile(join(data, f)))));
    const logs = server.output();
    expect(logs).toContain('incoming request');
    for (const key of keys) {
      const secret = key.slice(17);
      expect(stored.includes(Buffer.from(secret))).toBe(false);
      expect(logs).not.toContain(secret);
    }
  });
});
