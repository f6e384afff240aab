// Opens the embedded SQLite storage: one file (`llm-rules.db`) in the data directory, created if missing.

import { createKyselyStorage } from '../kysely/kysely-storage.ts';
import { errorCode, type SqlDialectTraits } from '../kysely/sql-dialect-traits.ts';
import type { Storage } from '../ports.ts';
import { type StorageLogger, silentLogger } from '../storage-logger.ts';
import { createSqliteBundleNotifier } from './sqlite-bundle-notifier.ts';
import { openSqliteConnection } from './sqlite-connections.ts';
import { sqliteMigrations } from './sqlite-migrations.ts';

export { SQLITE_FILE_NAME } from './sqlite-connections.ts';

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
  const connection = openSqliteConnection(options.dataDir);
  return createKyselyStorage({
    dialect: 'sqlite',
    db: connection.db,
    traits: sqliteTraits,
    migrations: sqliteMigrations,
    changeSource: createSqliteBundleNotifier(options.pollIntervalMs),
    logger: options.logger ?? silentLogger,
    release: connection.release,
  });
}
