import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyConfig } from '../../test/support/apply-config.ts';
import { fakeIo } from '../../test/support/fake-io.ts';
import { copyExampleConfig, tempDir } from '../../test/support/temp-dir.ts';
import { createStorage } from '../storage/create-storage.ts';
import { machinesCommand } from './machines-command.ts';

describe('llm-rules machines (SQLite)', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let data: string;

  beforeEach(async () => {
    work = await tempDir();
    data = join(work.path, 'data');
    await applyConfig(data, await copyExampleConfig(work.path));
    const storage = await createStorage({ dataDir: data });
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    try {
      await storage.machines.recordServed([
        { tenantId: 'acme', userId: 'alice@acme.test', checksum: 'sha256:old', at: ago(180) },
        { tenantId: 'acme', userId: 'alice@acme.test', checksum: 'sha256:new', at: ago(10) },
      ]);
      const report = (sessionId: string, checksum: string | null) => ({
        tenantId: 'acme',
        sessionId,
        principalId: 'alice@acme.test',
        checksum,
        userAgent: 'claude-cli/2.1.330 (external, cli)',
        at: ago(1),
      });
      await storage.machines.recordReports([
        report('s-current', 'sha256:new'),
        report('s-stale', 'sha256:old'),
        report('s-missing', null),
      ]);
    } finally {
      await storage.close();
    }
  });
  afterEach(async () => {
    await work.remove();
  });

  it('lists every session with its status, and only the ones needing attention with --stale (exit 1)', async () => {
    const all = fakeIo();
    expect(await machinesCommand(['--data', data], all)).toBe(0);
    const listed = all.out.join('\n');
    for (const word of [
      's-current',
      'current',
      's-stale',
      'stale',
      's-missing',
      'missing',
      'alice@acme.test',
    ]) {
      expect(listed).toContain(word);
    }
    const stale = fakeIo();
    expect(await machinesCommand(['--stale', '--json', '--data', data], stale)).toBe(1);
    const rows = JSON.parse(stale.out.join('\n')) as { session: string; status: string }[];
    expect(rows.map((r) => [r.session, r.status]).sort()).toEqual([
      ['s-missing', 'missing'],
      ['s-stale', 'stale'],
    ]);
  });

  it('says so when nothing is stale', async () => {
    const io = fakeIo();
    expect(await machinesCommand(['--stale', '--tenant', 'globex', '--data', data], io)).toBe(0);
    expect(io.out.join('\n')).toBe('No stale or unmanaged sessions.');
  });
});
