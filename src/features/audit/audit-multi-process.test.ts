// Several processes appending to one SQLite file, and verification while appends run: no fork, no gap, no false alarm.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { createStorage } from '../../storage/create-storage.ts';
import type { Storage } from '../../storage/ports.ts';
import { AuditLog } from './audit-log.ts';
import { verifyTenantAudit } from './audit-verification.ts';

const child = fileURLToPath(new URL('./audit-append-child.ts', import.meta.url));

describe('audit chain under concurrency (SQLite)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let storage: Storage;

  beforeAll(async () => {
    dir = await tempDir();
    storage = await createStorage({ dataDir: dir.path });
    await storage.migrate();
  });
  afterAll(async () => {
    await storage.close();
    await dir.remove();
  });

  it('three processes appending to one file at once get disjoint, gapless seqs in one chain', async () => {
    const startAt = String(Date.now() + 1500);
    const outputs = await Promise.all(
      [0, 1, 2].map(() =>
        promisify(execFile)(process.execPath, [
          '--import',
          'tsx',
          child,
          dir.path,
          'shared',
          '40',
          '5',
          startAt,
        ]),
      ),
    );
    const seqs = outputs.flatMap(({ stdout }) => JSON.parse(stdout) as number[]).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    const sessions = new Set((await storage.audit.list('shared')).map((r) => r.sessionId));
    expect(sessions.size).toBe(3);
    expect((await verifyTenantAudit(storage.audit, 'shared')).verdict).toMatchObject({
      ok: true,
      verified: 600,
    });
  }, 30_000);

  it('verifies without a false alarm while records keep arriving', async () => {
    const log = new AuditLog(storage.audit, { maxBatch: 10 });
    let writing = true;
    const writer = (async () => {
      while (writing) await log.record('live', { event: 'decision', context: {} });
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 0; i < 5; i++) {
      const { verdict } = await verifyTenantAudit(storage.audit, 'live', 7);
      expect(verdict.ok).toBe(true);
    }
    writing = false;
    await writer;
  });
});
