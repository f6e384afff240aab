// Audit appends per second through AuditLog (group commit, hash chain, durable on resolve) at concurrency 64,
// on SQLite and (with DATABASE_URL) PostgreSQL, beside a baseline of plain INSERTs of the same batch size.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { AuditLog } from '../src/features/audit/audit-log.ts';
import { createStorage } from '../src/storage/create-storage.ts';
import { benchTempDir } from './bench-temp-dir.ts';
import { report, type Stats } from './measure.ts';

const CONCURRENCY = 64;
const RECORDS = 50_000;

interface BaselineDb {
  plain_audit: {
    tenant_id: string;
    seq: number;
    timestamp: number;
    event: string;
    user_id: string;
    session_id: string;
    context: string;
  };
}

/** `total` calls of `fn`, `concurrency` at a time; latency per call, throughput over the whole run. */
async function concurrently(
  name: string,
  total: number,
  fn: (i: number) => Promise<unknown>,
): Promise<Stats> {
  const samples = new Float64Array(total);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await fn(i);
        samples[i] = (performance.now() - t0) * 1000;
      }
    }),
  );
  const totalMs = performance.now() - started;
  samples.sort();
  const at = (q: number) => samples[Math.min(total - 1, Math.floor(q * total))]!;
  return {
    name,
    iterations: total,
    meanUs: (totalMs * 1000) / total,
    p50Us: at(0.5),
    p99Us: at(0.99),
    opsPerSec: Math.round(total / (totalMs / 1000)),
  };
}

const context = (i: number) => ({ tool: 'Read', file_path: `src/module-${i % 100}.ts`, decision: 'allow' });

async function auditLogRun(label: string, options: Parameters<typeof createStorage>[0]) {
  const storage = await createStorage(options);
  try {
    await storage.migrate();
    const log = new AuditLog(storage.audit);
    const record = (i: number) =>
      log.record('bench', { event: 'decision', user: 'ada@acme.test', sessionId: 's', context: context(i) });
    await concurrently('warm-up', 2_000, record);
    const before = { ...log.stats };
    const stats = await concurrently(`${label}: AuditLog.record (chained, committed)`, RECORDS, record);
    const batch = (log.stats.records - before.records) / (log.stats.batches - before.batches);
    return { stats, batch: Math.max(1, Math.round(batch)) };
  } finally {
    await storage.close();
  }
}

/** The same rows as plain multi-row INSERTs, `batch` per transaction: no hashing, no hash columns, no head row. */
async function baselineRun(label: string, db: Kysely<BaselineDb>, batch: number): Promise<Stats> {
  await db.schema
    .createTable('plain_audit')
    .ifNotExists()
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('context', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('plain_audit_pk', ['tenant_id', 'seq'])
    .execute();
  let seq = 0;
  const rows = () =>
    Array.from({ length: batch }, () => ({
      tenant_id: 'bench',
      seq: ++seq,
      timestamp: Date.now(),
      event: 'decision',
      user_id: 'ada@acme.test',
      session_id: 's',
      context: JSON.stringify(context(seq)),
    }));
  const batches = Math.ceil(RECORDS / batch);
  const stats = await concurrently(`${label}: baseline plain INSERT, ${batch}/txn`, batches, () =>
    db.transaction().execute((trx) => trx.insertInto('plain_audit').values(rows()).execute()),
  );
  const perRow = (n: number) => n / batch;
  return {
    ...stats,
    iterations: batches * batch,
    meanUs: perRow(stats.meanUs),
    opsPerSec: stats.opsPerSec * batch,
  };
}

export async function run(): Promise<void> {
  const dir = await benchTempDir();
  try {
    const sqlite = await auditLogRun('SQLite', { dataDir: join(dir.path, 'data') });
    const raw = new Database(join(dir.path, 'baseline.db'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    const sqliteBaseline = new Kysely<BaselineDb>({ dialect: new SqliteDialect({ database: raw }) });
    const sqliteBase = await baselineRun('SQLite', sqliteBaseline, sqlite.batch);
    await sqliteBaseline.destroy();
    report(
      `Audit appends, concurrency ${CONCURRENCY} (SQLite)`,
      [sqlite.stats, sqliteBase],
      `${sqlite.stats.opsPerSec} appends/s (target ≥ 20,000/s), mean batch ${sqlite.batch}; baseline ${sqliteBase.opsPerSec} rows/s. p50/p99 of the AuditLog row are per record() call; of the baseline, per transaction.`,
    );
  } finally {
    await dir.remove();
  }

  const url = process.env.DATABASE_URL;
  if (!url) {
    console.log('\nPostgreSQL audit appends skipped: DATABASE_URL is not set (target ≥ 10,000/s).');
    return;
  }
  const schema = `llmr_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const postgres = await auditLogRun('PostgreSQL', { databaseUrl: url, postgresSchema: schema });
    const pool = new pg.Pool({ connectionString: url, max: 10, options: `-c search_path=${schema}` });
    const pgBaseline = new Kysely<BaselineDb>({ dialect: new PostgresDialect({ pool }) });
    const pgBase = await baselineRun('PostgreSQL', pgBaseline, postgres.batch);
    await pgBaseline.destroy();
    report(
      `Audit appends, concurrency ${CONCURRENCY} (PostgreSQL)`,
      [postgres.stats, pgBase],
      `${postgres.stats.opsPerSec} appends/s (target ≥ 10,000/s), mean batch ${postgres.batch}; baseline ${pgBase.opsPerSec} rows/s.`,
    );
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}
