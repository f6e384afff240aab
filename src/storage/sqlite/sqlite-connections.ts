// One Kysely connection per SQLite file per process, shared by every Storage instance opened on that file.

import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, type SqliteDatabase } from 'kysely';
import type { StorageDatabase } from '../kysely/kysely-schema.ts';
import { MultiProcessSqliteDialect } from './sqlite-dialect.ts';

export const SQLITE_FILE_NAME = 'llm-rules.db';
/** How long a writer waits for another process's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

interface Shared {
  db: Kysely<StorageDatabase>;
  users: number;
}

/**
 * better-sqlite3 is synchronous: if two connections of one process shared a file, one waiting (busy_timeout)
 * for the other's write lock would block the event loop the other needs to commit, a deadlock. So instances in
 * one process share one connection, whose Kysely mutex serializes their transactions; other processes use
 * their own connections and wait for each other through SQLite's locks as usual.
 */
const shared = new Map<string, Shared>();

export interface SqliteConnection {
  db: Kysely<StorageDatabase>;
  file: string;
  release(): Promise<void>;
}

export function openSqliteConnection(dataDir: string): SqliteConnection {
  mkdirSync(dataDir, { recursive: true });
  const file = join(realpathSync(dataDir), SQLITE_FILE_NAME);
  let entry = shared.get(file);
  if (!entry) {
    entry = {
      db: new Kysely<StorageDatabase>({
        dialect: new MultiProcessSqliteDialect({ database: withStatementCache(openSqliteDatabase(file)) }),
      }),
      users: 0,
    };
    shared.set(file, entry);
  }
  entry.users++;
  const current = entry;
  let released = false;
  return {
    db: current.db,
    file,
    async release() {
      if (released) return;
      released = true;
      if (--current.users > 0) return;
      shared.delete(file);
      await current.db.destroy();
    },
  };
}

/** Kysely over a connection of the caller's own (the writer thread's), with our dialect and statement cache. */
export function kyselyOver(database: Database.Database): Kysely<StorageDatabase> {
  return new Kysely<StorageDatabase>({
    dialect: new MultiProcessSqliteDialect({ database: withStatementCache(database) }),
  });
}

/** Opens the file with our pragmas; the writer thread uses this for a connection of its own. */
export function openSqliteDatabase(file: string): Database.Database {
  const database = new Database(file);
  // First, so that switching a new file to WAL waits for, rather than fails on, another process opening it.
  database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  // FULL: a commit is on disk when it returns, so an acknowledged decision's audit record survives a
  // power loss too (NORMAL would only survive a crash). Group commit keeps the fsyncs few.
  database.pragma('synchronous = FULL');
  return database;
}

/** Statements a process keeps prepared; our queries are a small fixed set, so this is never reached in practice. */
const MAX_CACHED_STATEMENTS = 1000;

/**
 * Kysely prepares every query anew, which costs more than running it. Our SQL strings repeat (values
 * are bound parameters), so statements are prepared once per connection and reused: better-sqlite3
 * runs them synchronously and we never stream, so a cached statement is never busy when reused.
 */
export function withStatementCache(database: Database.Database): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = database.prepare(sql);
        if (statements.size >= MAX_CACHED_STATEMENTS) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
