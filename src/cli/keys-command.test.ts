import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyConfig } from '../../test/support/apply-config.ts';
import { fakeIo } from '../../test/support/fake-io.ts';
import { copyExampleConfig, tempDir } from '../../test/support/temp-dir.ts';
import { keysCommand } from './keys-command.ts';

describe('keys create follows security.api_keys of the tenant', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let data: string;
  let configDir: string;

  beforeEach(async () => {
    work = await tempDir();
    data = join(work.path, 'data');
    configDir = await copyExampleConfig(work.path);
  });
  afterEach(async () => {
    await work.remove();
  });

  const apply = () => applyConfig(data, configDir);

  it('gives a key created without --expires the lifetime of rotation_days', async () => {
    const file = join(configDir, 'config.yaml');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace(/rotation_days:\s*\d+/, 'rotation_days: 30'),
    );
    await apply();
    const io = fakeIo();
    expect(await keysCommand(['create', '--user', 'alice@acme.test', '--data', data], io)).toBe(0);
    const expires = /expires (\S+)\./.exec(io.err.join('\n'))?.[1];
    const days = (Date.parse(expires!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
  });

  it('refuses to create keys where they are disabled', async () => {
    const file = join(configDir, 'config.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/(api_keys:\s*\n\s*enabled:\s*)true/, '$1false'));
    await apply();
    const io = fakeIo();
    await expect(keysCommand(['create', '--user', 'alice@acme.test', '--data', data], io)).rejects.toThrow(
      "API keys are disabled for tenant 'acme' (security.api_keys.enabled: false).",
    );
  });

  it('gives a key the admin scopes asked for, lists them, and refuses unknown ones', async () => {
    await apply();
    const made = fakeIo();
    expect(
      await keysCommand(
        ['create', '--user', 'root@acme.test', '--scope', 'admin:read', '--data', data],
        made,
      ),
    ).toBe(0);
    const listed = fakeIo();
    await keysCommand(['list', '--json', '--data', data], listed);
    expect(JSON.parse(listed.out.join('\n'))).toEqual([expect.objectContaining({ scopes: ['admin:read'] })]);
    const bad = fakeIo();
    await expect(
      keysCommand(['create', '--user', 'root@acme.test', '--scope', 'admin:all', '--data', data], bad),
    ).rejects.toThrow(/--scope admin:all: a key's scope is one of admin:read, admin:write/);
  });
});
