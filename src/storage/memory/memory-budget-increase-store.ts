// In-memory BudgetIncreaseStore for unit tests, with the SQL adapters' semantics.
import { randomBytes } from 'node:crypto';
import {
  type ApprovedIncrease,
  type BudgetIncrease,
  type BudgetIncreaseDecision,
  type BudgetIncreaseRequest,
  type BudgetIncreaseStatus,
  type BudgetIncreaseStore,
  sumApproved,
} from '../budget-increase-port.ts';
import type { TenantId } from '../ports.ts';

export class MemoryBudgetIncreaseStore implements BudgetIncreaseStore {
  readonly #rows: BudgetIncrease[] = [];

  async request(request: BudgetIncreaseRequest): Promise<BudgetIncrease> {
    const row: BudgetIncrease = {
      ...structuredClone(request),
      id: `inc_${randomBytes(6).toString('hex')}`,
      status: 'pending',
      decidedBy: null,
      decidedAt: null,
      expiresAt: null,
      note: null,
    };
    this.#rows.push(row);
    return structuredClone(row);
  }

  async decide(
    tenantId: TenantId,
    id: string,
    d: BudgetIncreaseDecision,
  ): Promise<BudgetIncrease | undefined> {
    const row = this.#find(tenantId, id);
    if (!row) return undefined;
    if (row.status === 'pending') {
      Object.assign(row, {
        status: d.status,
        decidedBy: d.by,
        decidedAt: new Date(d.at),
        expiresAt: d.status === 'approved' && d.expiresAt ? new Date(d.expiresAt) : null,
        note: d.note ?? null,
      });
    }
    return structuredClone(row);
  }

  async get(tenantId: TenantId, id: string): Promise<BudgetIncrease | undefined> {
    const row = this.#find(tenantId, id);
    return row && structuredClone(row);
  }

  async list(
    tenantId: TenantId,
    filter: { status?: BudgetIncreaseStatus; budgetId?: string } = {},
  ): Promise<BudgetIncrease[]> {
    return this.#rows
      .filter(
        (r) =>
          r.tenantId === tenantId &&
          (!filter.status || r.status === filter.status) &&
          (!filter.budgetId || r.budgetId === filter.budgetId),
      )
      .sort((a, b) => b.at.getTime() - a.at.getTime())
      .map((r) => structuredClone(r));
  }

  async approved(tenantId: TenantId, now: Date): Promise<ApprovedIncrease[]> {
    return sumApproved(
      this.#rows.filter((r) => r.tenantId === tenantId),
      now,
    );
  }

  #find(tenantId: TenantId, id: string): BudgetIncrease | undefined {
    return this.#rows.find((r) => r.tenantId === tenantId && r.id === id);
  }
}
