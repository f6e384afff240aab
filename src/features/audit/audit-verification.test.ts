// verifyTenantAudit reads the head after the records, so records committed mid-verification are no false alarm.

import { describe, expect, it } from 'vitest';
import { MemoryAuditStore } from '../../storage/memory/memory-audit-store.ts';
import type { AuditQuery, AuditRecord, TenantId } from '../../storage/ports.ts';
import { verifyTenantAudit } from './audit-verification.ts';

/** A real in-memory store where another writer commits a record right after each of the first `races` reads. */
class RacingAuditStore extends MemoryAuditStore {
  races: number;
  constructor(races: number) {
    super();
    this.races = races;
  }
  override async list(tenantId: TenantId, query?: AuditQuery): Promise<AuditRecord[]> {
    const page = await super.list(tenantId, query);
    if (this.races-- > 0) {
      await this.append(tenantId, [
        {
          timestamp: new Date(),
          event: 'auth',
          user: null,
          agent: null,
          sessionId: null,
          bundleRevision: null,
          context: {},
        },
      ]);
    }
    return page;
  }
}

describe('verifyTenantAudit', () => {
  it('follows the head when records arrive while it reads, from an empty chain', async () => {
    const store = new RacingAuditStore(1);
    expect((await verifyTenantAudit(store, 'acme')).verdict).toMatchObject({ ok: true, verified: 1 });
  });

  it('follows the head across pages', async () => {
    const store = new RacingAuditStore(3);
    expect((await verifyTenantAudit(store, 'acme', 1)).verdict).toMatchObject({ ok: true, verified: 3 });
  });

  it('still reports a chain whose last records are gone', async () => {
    const store = new MemoryAuditStore();
    const entry = {
      timestamp: new Date(),
      event: 'auth' as const,
      user: null,
      agent: null,
      sessionId: null,
      bundleRevision: null,
      context: {},
    };
    await store.append('acme', [entry, entry, entry]);
    // Lists all but the last record, as a database whose tail rows were deleted would.
    const lying = new (class extends MemoryAuditStore {
      override list = async (t: TenantId, q?: AuditQuery) =>
        (await store.list(t, q)).filter((r) => r.seq < 3);
      override head = (t: TenantId) => store.head(t);
      override checkpoints = (t: TenantId) => store.checkpoints(t);
    })();
    expect((await verifyTenantAudit(lying, 'acme')).verdict).toMatchObject({
      ok: false,
      problem: { seq: 3, kind: 'truncated' },
    });
  });
});
