// Opens the PostgreSQL storage: a pg Pool pinned to one schema, LISTEN/NOTIFY for bundle changes.

import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { ValidationError } from '../../core/errors/app-error.ts';
import type { StorageDatabase } from '../kysely/kysely-schema.ts';
import { createKyselyStorage } from '../kysely/kysely-storage.ts';
import { errorCode, type SqlDialectTraits } from '../kysely/sql-dialect-traits.ts';
import type { Storage } from '../ports.ts';
import { type StorageLogger, silentLogger } from '../storage-logger.ts';
import { createPostgresBundleNotifier } from './postgres-bundle-notifier.ts';
import { postgresMigrations } from './postgres-migrations.ts';

export interface PostgresStorageOptions {
  databaseUrl: string;
  /** Created if missing; every pooled connection uses it as search_path. Default: the server's current schema. */
  schema?: string;
  logger?: StorageLogger;
  /** Pool size; default 10. */
  maxConnections?: number;
  pollIntervalMs?: number;
}

// Lower-case identifiers only, so the name needs no case folding and is safe inside quotes and `-c` options.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** NOTIFY channels are database-wide, so the channel carries the schema; identifiers stop at 63 bytes. */
export function bundleChannel(schema: string): string {
  const channel = `llm_rules_bundle_${schema}`;
  return channel.length <= 63
    ? channel
    : `llm_rules_bundle_${createHash('sha256').update(schema).digest('hex').slice(0, 40)}`;
}

async function ensureSchema(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } catch (error) {
    // Two processes creating the schema at once: IF NOT EXISTS still lets one of them fail on the catalog.
    const { rows } = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (rows.length === 0) throw error;
  }
}

export async function createPostgresStorage(options: PostgresStorageOptions): Promise<Storage> {
  const logger = options.logger ?? silentLogger;
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new ValidationError(
      `PostgreSQL schema '${options.schema}' is not a plain lower-case identifier (a-z, 0-9, _; at most 63).`,
      { field: 'postgresSchema' },
    );
  }
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.maxConnections ?? 10,
    // A CLI command must be able to exit without closing storage first.
    allowExitOnIdle: true,
    // Set at connection start-up, so no query can ever run on a pooled connection before search_path is right.
    // JIT off: compiling a plan costs 50-150 ms, more than the analytics queries it would speed up (a
    // 30-day rollup query answers in ~0.1 s without it); nothing here runs long enough to win it back.
    options: [options.schema ? `-c search_path=${options.schema}` : '', '-c jit=off']
      .filter(Boolean)
      .join(' '),
  });
  // An idle client losing its connection emits on the pool; unhandled, that would crash the process.
  pool.on('error', (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed'));
  let schema: string;
  try {
    if (options.schema) await ensureSchema(pool, options.schema);
    schema = options.schema ?? (await pool.query('SELECT current_schema() AS s')).rows[0]?.s ?? 'public';
  } catch (error) {
    await pool.end();
    throw error;
  }
  const channel = bundleChannel(schema);
  const traits: SqlDialectTraits = {
    supportsForUpdate: true,
    isUniqueViolation: (error) => errorCode(error) === '23505',
    isForeignKeyViolation: (error) => errorCode(error) === '23503',
    async announceActivation(trx, state) {
      await sql`select pg_notify(${channel}, ${JSON.stringify(state)})`.execute(trx);
    },
  };
  const db = new Kysely<StorageDatabase>({ dialect: new PostgresDialect({ pool }) });
  return createKyselyStorage({
    dialect: 'postgres',
    db,
    traits,
    migrations: postgresMigrations,
    migrationTableSchema: schema,
    changeSource: createPostgresBundleNotifier({
      connectionString: options.databaseUrl,
      channel,
      logger,
      ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
    }),
    logger,
    release: () => db.destroy(),
  });
}
