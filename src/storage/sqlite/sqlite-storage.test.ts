// Runs the storage contract against SQLite (one temp directory for this file) and checks SQLite specifics.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { bundle, sleep, waitUntil } from '../contract/contract-fixtures.ts';
import { runStorageContract } from '../contract/run-storage-contract.ts';
import { createStorage } from '../create-storage.ts';
import { StorageNotReadyError } from '../storage-errors.ts';
import { sqliteMigrations } from './sqlite-migrations.ts';
import { SQLITE_FILE_NAME } from './sqlite-storage.ts';

const root = mkdtempSync(join(tmpdir(), 'llm-rules-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const child = fileURLToPath(new URL('./sqlite-test-child.ts', import.meta.url));
/** Runs the child script in a real second process (its own connection, its own event loop). */
async function inChildProcess(command: 'migrate' | 'activate', dataDir: string): Promise<unknown> {
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--import',
    'tsx',
    child,
    command,
    dataDir,
  ]);
  return JSON.parse(stdout);
}

runStorageContract('sqlite', () => createStorage({ dataDir: join(root, 'contract') }));
// The server's wiring: audit appends through the writer thread, everything else on this thread.
runStorageContract('sqlite (audit writer thread)', () =>
  createStorage({ dataDir: join(root, 'contract-thread'), auditWriter: 'thread' }),
);

describe('sqlite storage', () => {
  it('creates the data directory and one WAL database file in it', async () => {
    const dataDir = join(root, 'nested', 'data');
    const storage = await createStorage({ dataDir });
    await storage.migrate();
    await storage.close();
    const file = join(dataDir, SQLITE_FILE_NAME);
    expect(existsSync(file)).toBe(true);
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('is not ready before it is migrated', async () => {
    const storage = await createStorage({ dataDir: join(root, 'unmigrated') });
    await expect(storage.ping()).rejects.toBeInstanceOf(StorageNotReadyError);
    await storage.migrate();
    await expect(storage.ping()).resolves.toBeUndefined();
    await storage.close();
  });

  it('migrates once when two instances migrate the same file at the same time', async () => {
    const dataDir = join(root, 'concurrent');
    const [first, second] = await Promise.all([createStorage({ dataDir }), createStorage({ dataDir })]);
    const applied = await Promise.all([first.migrate(), second.migrate()]);
    expect(applied.flat()).toEqual(Object.keys(await sqliteMigrations.getMigrations()));
    await Promise.all([first.close(), second.close()]);
  });

  it('keeps working for writers in two instances over one file', async () => {
    const dataDir = join(root, 'two-writers');
    const [first, second] = [await createStorage({ dataDir }), await createStorage({ dataDir })];
    await first.migrate();
    const bundles = Array.from({ length: 10 }, () => bundle());
    await Promise.all(bundles.map((b, i) => (i % 2 ? first : second).bundles.put(b)));
    await Promise.all(
      bundles.map((b, i) => (i % 2 ? second : first).bundles.activate(b.revision, 'x', new Date(i))),
    );
    const history = await first.bundles.history(20);
    expect(history).toHaveLength(10);
    // Every activation saw the one before it, whichever instance made it.
    for (let i = 0; i < history.length - 1; i++)
      expect(history[i]?.previousRevision).toBe(history[i + 1]?.revision);
    await Promise.all([first.close(), second.close()]);
  });

  it('migrates once when two processes migrate the same file at the same time', async () => {
    const dataDir = join(root, 'two-processes');
    const applied = await Promise.all([
      inChildProcess('migrate', dataDir),
      inChildProcess('migrate', dataDir),
    ]);
    expect(applied.flat()).toEqual(Object.keys(await sqliteMigrations.getMigrations()));
  });

  it('hears, within 1 s, an activation made by another process', async () => {
    const dataDir = join(root, 'other-process');
    const storage = await createStorage({ dataDir });
    await storage.migrate();
    const heard: { revision: string; at: number }[] = [];
    storage.bundles.onActiveChange((revision) => heard.push({ revision, at: Date.now() }));
    await sleep(250);
    const revision = await inChildProcess('activate', dataDir);
    const exited = Date.now();
    await waitUntil(() => heard.length > 0, 1000);
    expect(heard.map((h) => h.revision)).toEqual([revision]);
    // The child committed before it exited, so this bounds the delay from above.
    expect(heard[0]!.at - exited).toBeLessThan(1000);
    await storage.close();
  });
});
