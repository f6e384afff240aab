// The SQLite audit writer thread: appends commit through it, its errors reach the caller, close waits for it.

import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { AppError } from '../../core/errors/app-error.ts';
import { createStorage } from '../create-storage.ts';
import type { AuditEntry, Storage } from '../ports.ts';
import { SQLITE_FILE_NAME } from './sqlite-storage.ts';

const entry = (i: number): AuditEntry => ({
  timestamp: new Date(Date.UTC(2026, 10, 22, 3, 0, i)),
  event: 'decision',
  user: 'ada@acme.test',
  agent: null,
  sessionId: 's1',
  bundleRevision: 'r1',
  context: { i, outcome: 'allow' },
});

describe('sqlite audit writer thread', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function open(): Promise<{ storage: Storage; file: string }> {
    const dir = await tempDir();
    const storage = await createStorage({ dataDir: dir.path, auditWriter: 'thread' });
    cleanups.push(async () => {
      await storage.close();
      await dir.remove();
    });
    await storage.migrate();
    return { storage, file: `${dir.path}/${SQLITE_FILE_NAME}` };
  }

  it('answers with the records as stored, which this thread then reads back alike', async () => {
    const { storage } = await open();
    const appended = await storage.audit.append('acme', [entry(1), entry(2)]);
    expect(appended.map((r) => [r.seq, r.context.i])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(appended[1]!.prevHash).toBe(appended[0]!.hash);
    expect(await storage.audit.list('acme')).toEqual(appended);
    expect(await storage.audit.head('acme')).toEqual({ seq: 2, hash: appended[1]!.hash });
  });

  it('keeps the status and code of an entry it refuses, and stores nothing of that batch', async () => {
    const { storage } = await open();
    const refused = storage.audit.append('acme', [entry(1), { ...entry(2), event: 'bogus' as never }]);
    await expect(refused).rejects.toBeInstanceOf(AppError);
    await expect(refused).rejects.toMatchObject({ status: 400 });
    expect(await storage.audit.list('acme')).toEqual([]);
  });

  it('is committed when the append resolves: another connection sees it at once', async () => {
    const { storage, file } = await open();
    const [record] = await storage.audit.append('acme', [entry(1)]);
    const other = new Database(file, { readonly: true });
    try {
      expect(other.prepare('select hash from audit_records where tenant_id = ?').get('acme')).toEqual({
        hash: record!.hash,
      });
    } finally {
      other.close();
    }
  });

  it('lets appends sent before close finish, then ends the thread', async () => {
    const { storage } = await open();
    const pending = Array.from({ length: 20 }, (_, i) => storage.audit.append('acme', [entry(i)]));
    const closed = storage.close();
    const records = await Promise.all(pending);
    await closed;
    expect(records.map((r) => r[0]!.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
