// Opens the embedded SQLite storage: one file in the data directory, WAL, foreign keys on, busy timeout.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { StorageDatabase } from '../kysely/kysely-schema.ts';
import { createKyselyStorage } from '../kysely/kysely-storage.ts';
import { errorCode, type SqlDialectTraits } from '../kysely/sql-dialect-traits.ts';
import type { Storage } from '../ports.ts';
import { type StorageLogger, silentLogger } from '../storage-logger.ts';
import { createSqliteBundleNotifier } from './sqlite-bundle-notifier.ts';
import { MultiProcessSqliteDialect } from './sqlite-dialect.ts';
import { sqliteMigrations } from './sqlite-migrations.ts';

export const SQLITE_FILE_NAME = 'llm-rules.db';
/** How long a writer waits for another process's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

const sqliteTraits: SqlDialectTraits = {
  supportsForUpdate: false,
  isUniqueViolation: (error) =>
    errorCode(error) === 'SQLITE_CONSTRAINT_UNIQUE' || errorCode(error) === 'SQLITE_CONSTRAINT_PRIMARYKEY',
  isForeignKeyViolation: (error) => errorCode(error) === 'SQLITE_CONSTRAINT_FOREIGNKEY',
};

export interface SqliteStorageOptions {
  dataDir: string;
  logger?: StorageLogger;
  pollIntervalMs?: number;
}

export function createSqliteStorage(options: SqliteStorageOptions): Storage {
  mkdirSync(options.dataDir, { recursive: true });
  const database = new Database(join(options.dataDir, SQLITE_FILE_NAME));
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // With WAL, NORMAL loses at most the last transactions on power loss, never consistency; FULL costs an fsync per commit.
  database.pragma('synchronous = NORMAL');
  const db = new Kysely<StorageDatabase>({ dialect: new MultiProcessSqliteDialect({ database }) });
  return createKyselyStorage({
    dialect: 'sqlite',
    db,
    traits: sqliteTraits,
    migrations: sqliteMigrations,
    changeSource: createSqliteBundleNotifier(options.pollIntervalMs),
    logger: options.logger ?? silentLogger,
  });
}
