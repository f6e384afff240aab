// In-memory SpendLimitStore for unit tests, with the SQL adapters' semantics.
import { randomBytes } from 'node:crypto';
import type { TenantId } from '../ports.ts';
import type { SpendLimitRecord, SpendLimitStore, SpendLimitWrite } from '../spend-limit-port.ts';

export class MemorySpendLimitStore implements SpendLimitStore {
  readonly #rows: SpendLimitRecord[] = [];

  async upsert(w: SpendLimitWrite) {
    const existing = this.#rows.find(
      (r) => r.tenantId === w.tenantId && r.userId === w.userId && r.period === w.period,
    );
    const before = existing && structuredClone(existing);
    if (existing) {
      Object.assign(existing, { amountCents: w.amountCents, updatedAt: w.at, updatedBy: w.by });
      return { limit: structuredClone(existing), before };
    }
    const limit: SpendLimitRecord = {
      tenantId: w.tenantId,
      id: `spl_${randomBytes(12).toString('hex')}`,
      userId: w.userId,
      period: w.period,
      amountCents: w.amountCents,
      createdAt: w.at,
      updatedAt: w.at,
      updatedBy: w.by,
    };
    this.#rows.push(limit);
    return { limit: structuredClone(limit), before: undefined };
  }

  async get(tenantId: TenantId, id: string) {
    const row = this.#rows.find((r) => r.tenantId === tenantId && r.id === id);
    return row && structuredClone(row);
  }

  async list(tenantId: TenantId) {
    return this.#rows
      .filter((r) => r.tenantId === tenantId)
      .sort((a, b) =>
        a.userId === b.userId ? a.period.localeCompare(b.period) : a.userId.localeCompare(b.userId),
      )
      .map((r) => structuredClone(r));
  }

  async delete(tenantId: TenantId, id: string) {
    const index = this.#rows.findIndex((r) => r.tenantId === tenantId && r.id === id);
    if (index < 0) return undefined;
    return this.#rows.splice(index, 1)[0];
  }
}
