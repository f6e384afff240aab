import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeIo } from '../../test/support/fake-io.ts';
import { EXAMPLE_CONFIG, tempDir } from '../../test/support/temp-dir.ts';
import { BundlesService } from '../features/bundles/bundles-service.ts';
import { createStorage } from '../storage/create-storage.ts';
import { connectCommand } from './connect-command.ts';

describe('llm-rules connect', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let data: string;
  beforeEach(async () => {
    work = await tempDir();
    data = join(work.path, 'data');
    const storage = await createStorage({ dataDir: data });
    await storage.migrate();
    await new BundlesService(storage).apply(EXAMPLE_CONFIG, {}, 'test');
    await storage.close();
  });
  afterEach(async () => {
    await work.remove();
  });

  it('writes managed settings whose deny mirror comes from the active bundle', async () => {
    const io = fakeIo({ cwd: work.path });
    expect(
      await connectCommand(
        ['--server', 'http://127.0.0.1:8787', '--out', 'managed-settings.json', '--data', data],
        io,
      ),
    ).toBe(0);
    const settings = JSON.parse(await readFile(join(work.path, 'managed-settings.json'), 'utf8'));
    expect(settings.hooks.PreToolUse[0].hooks[0]).toMatchObject({
      url: 'http://127.0.0.1:8787/v1/hooks/claude-code',
      onFailure: 'block',
    });
    expect(settings.env.ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:8787');
    expect(settings.permissions.deny).toEqual(
      expect.arrayContaining(['Read(**/.env*)', 'Read(./secrets/**)']),
    );
    expect(io.err.join('\n')).toMatch(/Developers set LLM_RULES_TOKEN/);
  });

  it('prints to stdout, and can leave the model endpoint alone', async () => {
    const io = fakeIo();
    expect(
      await connectCommand(['--server', 'https://rules.acme.test', '--no-gateway', '--data', data], io),
    ).toBe(0);
    expect(JSON.parse(io.out.join('\n')).env.ANTHROPIC_BASE_URL).toBeUndefined();
  });

  it('requires an http(s) server URL', async () => {
    await expect(connectCommand(['--server', 'rules.acme.test'], fakeIo())).rejects.toThrow(
      /--server must be/,
    );
  });
});
