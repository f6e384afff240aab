// Tampering with the database directly — edit, delete, insert, reorder rows — is caught by `audit verify`,
// on SQLite and PostgreSQL, through the CLI command run in-process.

import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIo } from '../../../test/support/fake-io.ts';
import { SQL_BACKENDS, type SqlDatabase } from '../../../test/support/sql-backends.ts';
import { auditCommand } from '../../cli/audit-command.ts';
import { chainEntries } from '../../core/audit-chain/audit-record.ts';
import { canonicalJson } from '../../core/bundles/canonical-json.ts';
import { sha256Hex } from '../../storage/audit-sha256.ts';
import { createStorage } from '../../storage/create-storage.ts';
import { SQLITE_FILE_NAME } from '../../storage/sqlite/sqlite-storage.ts';
import { AuditLog } from './audit-log.ts';

/** Raw SQL on the database behind the store, as an attacker with database access would write it. */
interface RawSql {
  run(text: string, params: unknown[]): Promise<void>;
  close(): Promise<void>;
}

async function rawSql(backend: string, db: SqlDatabase): Promise<RawSql> {
  if (backend === 'SQLite') {
    const raw = new Database(join(db.location, SQLITE_FILE_NAME));
    return {
      run: async (text, params) => {
        raw.prepare(text).run(...params);
      },
      close: async () => {
        raw.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: db.options.databaseUrl });
  await client.connect();
  await client.query(`SET search_path TO "${db.location}"`);
  return {
    run: async (text, params) => {
      let n = 0;
      await client.query(
        text.replace(/\?/g, () => `$${++n}`),
        params,
      );
    },
    close: () => client.end(),
  };
}

for (const backend of SQL_BACKENDS) {
  describe.skipIf(!backend.enabled)(`audit verify catches tampering on ${backend.name}`, () => {
    let db: SqlDatabase;
    let sql: RawSql;
    const tenants = ['clean', 'edited', 'deleted', 'truncated', 'appended', 'inserted', 'swapped'];
    const heads = new Map<string, { seq: number; hash: string }>();

    const verify = async (...args: string[]) => {
      const io = fakeIo({
        env: db.options.databaseUrl
          ? { DATABASE_URL: `${db.options.databaseUrl}?options=-c%20search_path%3D${db.location}` }
          : {},
      });
      const location = db.options.dataDir ? ['--data', db.options.dataDir] : [];
      const code = await auditCommand(['verify', ...args, ...location], io);
      return { code, out: io.out.join('\n'), err: io.err.join('\n') };
    };

    beforeAll(async () => {
      db = await backend.create('audit_tamper');
      const storage = await createStorage(db.options);
      await storage.migrate();
      const log = new AuditLog(storage.audit);
      for (const tenant of tenants) {
        const records = await Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            log.record(tenant, { event: 'decision', user: 'ada@acme.test', context: { tool: 'Read', i } }),
          ),
        );
        heads.set(tenant, { seq: records.at(-1)!.seq, hash: records.at(-1)!.hash });
      }
      await storage.close();
      sql = await rawSql(backend.name, db);
      const where = 'WHERE tenant_id = ? AND seq = ?';
      await sql.run(`UPDATE audit_records SET context = ? ${where}`, ['{"i":2,"tool":"Write"}', 'edited', 3]);
      await sql.run(`DELETE FROM audit_records ${where}`, ['deleted', 3]);
      await sql.run(`DELETE FROM audit_records ${where}`, ['truncated', 5]);
      // A forged record, correctly chained and hashed, after the last one.
      const [forged] = chainEntries('appended', heads.get('appended')!, [forgedEntry()], sha256Hex);
      await insert(sql, forged!);
      // A forged record in the middle: later rows moved up one seq to make room.
      await sql.run('UPDATE audit_records SET seq = -(seq + 1) WHERE tenant_id = ? AND seq >= 3', [
        'inserted',
      ]);
      await sql.run('UPDATE audit_records SET seq = -seq WHERE tenant_id = ? AND seq < 0', ['inserted']);
      const prev = { seq: 2, hash: await hashOf(db, 'inserted', 2) };
      await insert(sql, chainEntries('inserted', prev, [forgedEntry()], sha256Hex)[0]!);
      // Two records trade places.
      await sql.run(`UPDATE audit_records SET seq = 100 ${where}`, ['swapped', 2]);
      await sql.run(`UPDATE audit_records SET seq = 2 ${where}`, ['swapped', 3]);
      await sql.run(`UPDATE audit_records SET seq = 3 ${where}`, ['swapped', 100]);
    });

    afterAll(async () => {
      await sql?.close();
      await db?.cleanup();
    });

    it('verifies an untouched chain', async () => {
      expect(await verify('--tenant', 'clean')).toMatchObject({
        code: 0,
        out: '✓ 5 records verified for tenant clean',
      });
    });

    it.each([
      ['edited', /^✗ tenant edited: record 3 edited — record 3 does not match its hash/],
      ['deleted', /^✗ tenant deleted: record 3 deleted — record 3 is missing \(next present is 4\)/],
      [
        'truncated',
        /^✗ tenant truncated: record 5 truncated — record 5 is missing: the chain head is at seq 5/,
      ],
      ['appended', /^✗ tenant appended: record 6 inserted — record 6 lies beyond the chain head \(seq 5\)/],
      ['inserted', /^✗ tenant inserted: record 4 reordered — the record at seq 4 was written as seq 3/],
      ['swapped', /^✗ tenant swapped: record 2 reordered — the record at seq 2 was written as seq 3/],
    ])('names the first bad record of the %s chain', async (tenant, message) => {
      const result = await verify('--tenant', tenant);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(message);
    });

    it('checks every tenant by default and fails if any chain is bad', async () => {
      const result = await verify();
      expect(result.code).toBe(1);
      expect(result.out).toContain('✓ 5 records verified for tenant clean');
      for (const tenant of tenants.slice(1)) expect(result.err).toContain(`✗ tenant ${tenant}:`);
    });
  });
}

function forgedEntry() {
  return {
    timestamp: new Date(),
    event: 'decision' as const,
    user: 'mallory@acme.test',
    agent: null,
    sessionId: null,
    bundleRevision: null,
    context: { tool: 'Read', forged: true },
  };
}

async function insert(sql: RawSql, r: ReturnType<typeof chainEntries>[number]): Promise<void> {
  await sql.run(
    `INSERT INTO audit_records (tenant_id, seq, timestamp, event, user_id, agent, session_id, bundle_revision,
       context, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      r.tenantId,
      r.seq,
      r.timestamp.getTime(),
      r.event,
      r.user,
      r.agent,
      r.sessionId,
      r.bundleRevision,
      canonicalJson(r.context),
      r.prevHash,
      r.hash,
    ],
  );
}

async function hashOf(db: SqlDatabase, tenant: string, seq: number): Promise<string> {
  const storage = await createStorage(db.options);
  try {
    const [record] = await storage.audit.list(tenant, { afterSeq: seq - 1, limit: 1 });
    return record!.hash;
  } finally {
    await storage.close();
  }
}
