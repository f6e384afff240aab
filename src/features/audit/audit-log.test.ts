// AuditLog: records resolve once committed, concurrent records are group-committed, failures reach every caller.

import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.ts';
import type { AuditEntry, AuditRecord } from '../../core/audit-chain/audit-record.ts';
import { manualClock } from '../../core/clock/clock.ts';
import { createStorage } from '../../storage/create-storage.ts';
import { MemoryAuditStore } from '../../storage/memory/memory-audit-store.ts';
import type { AuditStore, Storage, TenantId } from '../../storage/ports.ts';
import { AuditLog, AuditLogClosedError } from './audit-log.ts';
import { verifyTenantAudit } from './audit-verification.ts';

/** A real in-memory store that fails the appends a test asks it to; a fake, not a mock. */
class FlakyAuditStore extends MemoryAuditStore {
  failNext = 0;
  appends = 0;
  override async append(tenantId: TenantId, entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    this.appends++;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('disk full');
    }
    return super.append(tenantId, entries);
  }
}

const many = (log: AuditLog, tenantId: string, n: number) =>
  Promise.all(
    Array.from({ length: n }, (_, i) =>
      log.record(tenantId, { event: 'tool_use', user: 'ada@acme.test', context: { i } }),
    ),
  );

describe('AuditLog', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('fills in the time and nulls, and resolves with the committed record', async () => {
    const store = new MemoryAuditStore();
    const clock = manualClock();
    const log = new AuditLog(store, { clock });
    const record = await log.record('acme', { event: 'auth', context: { ok: true } });
    expect(record).toMatchObject({
      tenantId: 'acme',
      seq: 1,
      timestamp: clock.now(),
      user: null,
      agent: null,
      sessionId: null,
      bundleRevision: null,
      context: { ok: true },
    });
    expect(await store.list('acme')).toEqual([record]);
  });

  it('group-commits 1,000 concurrent records into a gapless, verified chain with few transactions', async () => {
    const store = new FlakyAuditStore();
    const log = new AuditLog(store);
    const records = await many(log, 'acme', 1000);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(records.map((r) => r.context.i)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(store.appends).toBeLessThanOrEqual(5);
    expect(log.stats).toEqual({ records: 1000, batches: store.appends, failedBatches: 0 });
    expect((await verifyTenantAudit(store, 'acme')).verdict).toMatchObject({ ok: true, verified: 1000 });
  });

  it('caps a batch at maxBatch and keeps tenants in separate chains', async () => {
    const store = new FlakyAuditStore();
    const log = new AuditLog(store, { maxBatch: 100 });
    const [a, b] = await Promise.all([many(log, 'a', 250), many(log, 'b', 50)]);
    expect(a.at(-1)?.seq).toBe(250);
    expect(b.at(-1)?.seq).toBe(50);
    expect(store.appends).toBe(4);
    expect((await verifyTenantAudit(store, 'a')).verdict.ok).toBe(true);
  });

  it('rejects every caller of a failed batch, stores none of it, and carries on', async () => {
    const store = new FlakyAuditStore();
    const log = new AuditLog(store);
    store.failNext = 1;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => log.record('acme', { event: 'auth' })),
    );
    expect(outcomes.every((o) => o.status === 'rejected' && String(o.reason).includes('disk full'))).toBe(
      true,
    );
    expect(log.stats.failedBatches).toBe(1);
    expect(await store.list('acme')).toEqual([]);
    expect(await log.record('acme', { event: 'auth' })).toMatchObject({ seq: 1 });
  });

  it('waits up to maxDelayMs to fill a batch; flush writes at once; close refuses new records', async () => {
    const store = new FlakyAuditStore();
    const log = new AuditLog(store, { maxDelayMs: 60_000 });
    const pending = Promise.all([
      log.record('acme', { event: 'session' }),
      log.record('acme', { event: 'session' }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(store.appends).toBe(0);
    await log.flush();
    expect((await pending).map((r) => r.seq)).toEqual([1, 2]);
    expect(store.appends).toBe(1);
    const last = log.record('acme', { event: 'session' });
    await log.close();
    expect(await last).toMatchObject({ seq: 3 });
    await expect(log.record('acme', { event: 'session' })).rejects.toBeInstanceOf(AuditLogClosedError);
  });

  it('refuses an invalid entry by rejecting its batch, never storing part of it', async () => {
    const log = new AuditLog(new MemoryAuditStore());
    const results = await Promise.allSettled([
      log.record('acme', { event: 'auth' }),
      log.record('acme', { event: 'bogus' as never }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('on SQLite: 1,000 concurrent records from two instances over one file chain gaplessly', async () => {
    const dir = await tempDir();
    const storages: Storage[] = [
      await createStorage({ dataDir: dir.path }),
      await createStorage({ dataDir: dir.path }),
    ];
    cleanups.push(async () => {
      await Promise.all(storages.map((s) => s.close()));
      await dir.remove();
    });
    await storages[0]!.migrate();
    const logs = storages.map((s) => new AuditLog(s.audit));
    const records = (
      await Promise.all(logs.map((log, i) => many(log, 'acme', 500).then((r) => r.map((x) => ({ ...x, i })))))
    ).flat();
    const seqs = records.map((r) => r.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    const batches = logs.reduce((sum, log) => sum + log.stats.batches, 0);
    expect(batches).toBeLessThan(50);
    const audit: AuditStore = storages[1]!.audit;
    expect((await verifyTenantAudit(audit, 'acme')).verdict).toMatchObject({ ok: true, verified: 1000 });
  });

  it('with maxInFlight 2, hands over a second batch before the first commits and keeps the order', async () => {
    const store = new SlowAuditStore();
    const log = new AuditLog(store, { maxBatch: 10, maxInFlight: 2 });
    const records = await many(log, 'acme', 35);
    expect(store.mostInFlight).toBe(2);
    expect(store.batchSizes).toEqual([10, 10, 10, 5]);
    // Every caller got its own record, in the order it called.
    expect(records.map((r) => r.context.i)).toEqual(Array.from({ length: 35 }, (_, i) => i));
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 35 }, (_, i) => i + 1));
    expect((await verifyTenantAudit(store, 'acme')).verdict).toMatchObject({ ok: true, verified: 35 });
  });

  it('on SQLite with the writer thread: two instances over one file chain gaplessly', async () => {
    const dir = await tempDir();
    const storages: Storage[] = [
      await createStorage({ dataDir: dir.path, auditWriter: 'thread' }),
      await createStorage({ dataDir: dir.path, auditWriter: 'thread' }),
    ];
    cleanups.push(async () => {
      await Promise.all(storages.map((s) => s.close()));
      await dir.remove();
    });
    await storages[0]!.migrate();
    const logs = storages.map((s) => new AuditLog(s.audit, { maxBatch: 16, maxInFlight: 2 }));
    await Promise.all(logs.map((log) => many(log, 'acme', 300)));
    expect((await verifyTenantAudit(storages[0]!.audit, 'acme')).verdict).toMatchObject({
      ok: true,
      verified: 600,
    });
  });
});

/** Appends in call order, each after a macrotask, like a store whose commit waits for the disk. */
class SlowAuditStore extends MemoryAuditStore {
  inFlight = 0;
  mostInFlight = 0;
  batchSizes: number[] = [];
  #previous: Promise<unknown> = Promise.resolve();
  override append(tenantId: TenantId, entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    this.batchSizes.push(entries.length);
    const appended = this.#previous
      .then(() => new Promise((resolve) => setTimeout(resolve, 5)))
      .then(() => super.append(tenantId, entries))
      .finally(() => this.inFlight--);
    this.#previous = appended.catch(() => undefined);
    return appended;
  }
}
