// Picks the storage adapter from configuration: PostgreSQL when a URL is given, the fake on request, else SQLite.
// Each adapter is imported only when picked: a server on SQLite never loads the PostgreSQL driver (about
// 4 MB of heap), and one on PostgreSQL never opens better-sqlite3.

import type { Storage } from './ports.ts';
import type { StorageLogger } from './storage-logger.ts';

export const DEFAULT_DATA_DIR = '.llm-rules';

export interface CreateStorageOptions {
  /** SQLite: the directory holding `llm-rules.db`, created if missing. Default `./.llm-rules`. */
  dataDir?: string;
  /** Set → PostgreSQL. */
  databaseUrl?: string;
  /** PostgreSQL schema (created if missing); tests use one each to run in isolation. */
  postgresSchema?: string;
  /** The in-memory fake, for unit tests. */
  memory?: boolean;
  logger?: StorageLogger;
  /** SQLite only: where audit appends run (see `SqliteStorageOptions.auditWriter`); the server uses `thread`. */
  auditWriter?: 'inline' | 'thread';
}

/** Opens storage without migrating it; call `storage.migrate()` (the CLI `migrate` and server start do). */
export async function createStorage(options: CreateStorageOptions = {}): Promise<Storage> {
  const logger = options.logger;
  if (options.databaseUrl) {
    const { createPostgresStorage } = await import('./postgres/postgres-storage.ts');
    return createPostgresStorage({
      databaseUrl: options.databaseUrl,
      ...(options.postgresSchema ? { schema: options.postgresSchema } : {}),
      ...(logger ? { logger } : {}),
    });
  }
  if (options.memory) {
    const { createMemoryStorage } = await import('./memory/memory-storage.ts');
    return createMemoryStorage(logger ? { logger } : {});
  }
  const { createSqliteStorage } = await import('./sqlite/sqlite-storage.ts');
  return createSqliteStorage({
    dataDir: options.dataDir ?? DEFAULT_DATA_DIR,
    ...(logger ? { logger } : {}),
    ...(options.auditWriter ? { auditWriter: options.auditWriter } : {}),
  });
}
