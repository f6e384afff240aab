// Kysely's SQLite dialect, made safe for several processes sharing one database file.

import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type Kysely,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  sql,
} from 'kysely';

/**
 * Starts transactions with BEGIN IMMEDIATE. Our transactions read then write; a deferred transaction that
 * must upgrade its lock fails at once with SQLITE_BUSY when another process writes, whereas IMMEDIATE
 * takes the write lock up front and waits (busy_timeout) for it.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * Kysely's SQLite adapter takes no migration lock (it assumes one process). Holding the write lock from
 * before the migrator reads its state until it finishes makes concurrent `migrate()` calls from several
 * processes run one after another, each seeing what the previous one applied.
 */
class LockingSqliteAdapter extends SqliteAdapter {
  override async acquireMigrationLock(db: Kysely<unknown>): Promise<void> {
    await sql`begin immediate`.execute(db);
  }

  override async releaseMigrationLock(db: Kysely<unknown>): Promise<void> {
    try {
      await sql`commit`.execute(db);
    } catch (error) {
      // Acquiring may have failed (busy timeout), leaving nothing to commit; that original error is the one to report.
      if (!String(error).includes('no transaction is active')) throw error;
    }
  }
}

export class MultiProcessSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): SqliteAdapter {
    return new LockingSqliteAdapter();
  }
}
