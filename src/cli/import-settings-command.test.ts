import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fakeIo } from '../../test/support/fake-io.ts';
import { tempDir, writeConfigFile } from '../../test/support/temp-dir.ts';
import { loadPolicyConfig } from '../config/load-policy-config.ts';
import { importSettingsCommand } from './import-settings-command.ts';

const SETTINGS = {
  permissions: {
    allow: [
      'Bash(npm run test:*)',
      'Read(src/**)',
      'WebFetch(domain:docs.acme.test)',
      'Bash(npm run test:*)',
    ],
    ask: ['Bash(git push:*)'],
    deny: ['Read(./.env)', 'Edit(secrets/**)', 'mcp__github__delete_repo'],
    defaultMode: 'acceptEdits',
  },
};

describe('llm-rules import-settings', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    work = await tempDir();
  });
  afterEach(async () => {
    await work.remove();
  });

  it('turns permissions into a policy block that validates as config', async () => {
    await writeFile(join(work.path, 'settings.json'), JSON.stringify(SETTINGS));
    const io = fakeIo({ cwd: work.path });
    expect(await importSettingsCommand(['settings.json', '--out', 'policy.yaml'], io)).toBe(0);
    expect(io.err).toEqual([
      'settings.json permissions.defaultMode: no policy equivalent; left out',
      expect.stringMatching(/Wrote/),
    ]);
    const block = parse(await readFile(join(work.path, 'policy.yaml'), 'utf8')) as {
      policy: Record<string, string[]>;
    };
    expect(block.policy).toEqual({
      allow: ['Bash(npm run test:*)', 'Read(src/**)', 'WebFetch(domain:docs.acme.test)'],
      ask: ['Bash(git push:*)'],
      deny: ['Read(./.env)', 'Edit(secrets/**)', 'mcp__github__delete_repo'],
    });
    // The block is accepted verbatim as the tenant policy of a config.
    const dir = await writeConfigFile(
      work.path,
      'config.yaml',
      `policy:\n  decision: deny\n  allow: ${JSON.stringify(block.policy.allow)}\n  ask: ${JSON.stringify(block.policy.ask)}\n  deny: ${JSON.stringify(block.policy.deny)}\n`,
    );
    const loaded = await loadPolicyConfig(dir, { env: {} });
    expect(loaded.ok ? [] : loaded.problems).toEqual([]);
  });

  it('names each rule it cannot import by its JSON path, and stops unless told to skip', async () => {
    await writeFile(
      join(work.path, 'settings.json'),
      JSON.stringify({ permissions: { allow: ['Read(src/**)', 'read'], deny: ['Bash(rm -rf'] } }),
    );
    const io = fakeIo({ cwd: work.path });
    expect(await importSettingsCommand(['settings.json'], io)).toBe(1);
    expect(io.err[0]).toMatch(
      /^settings\.json permissions\.allow\[1\]: "read" is not a permission rule \(read\)/,
    );
    expect(io.err[1]).toMatch(/^settings\.json permissions\.deny\[0\]: .*\(Bash\(rm -rf\)/);
    expect(io.out).toEqual([]);
    const skipping = fakeIo({ cwd: work.path });
    expect(await importSettingsCommand(['settings.json', '--skip-invalid'], skipping)).toBe(0);
    expect(skipping.out.join('\n')).toContain('- Read(src/**)');
  });

  it('rejects a file that is not JSON, naming it', async () => {
    await writeFile(join(work.path, 'settings.json'), '{ permissions: ');
    await expect(importSettingsCommand(['settings.json'], fakeIo({ cwd: work.path }))).rejects.toThrow(
      /settings\.json is not valid JSON/,
    );
  });
});
