// Opens the embedded SQLite storage: one file (`llm-rules.db`) in the data directory, created if missing.

import { createKyselyStorage } from '../kysely/kysely-storage.ts';
import type { Storage } from '../ports.ts';
import { type StorageLogger, silentLogger } from '../storage-logger.ts';
import {
  budgetsThroughThread,
  machinesThroughThread,
  SqliteAuditWriter,
  usageThroughThread,
  withAuditWriterThread,
} from './sqlite-audit-writer.ts';
import { createSqliteBundleNotifier } from './sqlite-bundle-notifier.ts';
import { openSqliteConnection } from './sqlite-connections.ts';
import { sqliteMigrations } from './sqlite-migrations.ts';
import { sqliteTraits } from './sqlite-traits.ts';

export { SQLITE_FILE_NAME } from './sqlite-connections.ts';

export interface SqliteStorageOptions {
  dataDir: string;
  logger?: StorageLogger;
  pollIntervalMs?: number;
  /**
   * `thread`: audit appends, budget reservations and settlements and usage records are written by a
   * writer thread with its own connection, so their statements and fsync never block this thread (the
   * server's setting). `inline` (default): on this thread, which suits
   * short-lived commands that record one event.
   */
  auditWriter?: 'inline' | 'thread';
}

export function createSqliteStorage(options: SqliteStorageOptions): Storage {
  const connection = openSqliteConnection(options.dataDir);
  const writer = options.auditWriter === 'thread' ? new SqliteAuditWriter(connection.file) : undefined;
  const storage = createKyselyStorage({
    dialect: 'sqlite',
    db: connection.db,
    traits: sqliteTraits,
    migrations: sqliteMigrations,
    changeSource: createSqliteBundleNotifier(options.pollIntervalMs),
    logger: options.logger ?? silentLogger,
    release: async () => {
      await writer?.close();
      await connection.release();
    },
  });
  if (!writer) return storage;
  return Object.freeze({
    ...storage,
    audit: withAuditWriterThread(storage.audit, writer),
    budgets: budgetsThroughThread(storage.budgets, writer),
    usage: usageThroughThread(storage.usage, writer),
    machines: machinesThroughThread(storage.machines, writer),
  });
}
