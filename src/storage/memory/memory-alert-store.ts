// In-memory AlertStore for unit tests, with the SQL adapters' semantics (version-guarded commits, leases).
import type {
  AlertCommit,
  AlertDeliveryQuery,
  AlertDeliveryRecord,
  AlertStateRecord,
  AlertStore,
  AlertTransitionRecord,
  DeliveryOutcome,
} from '../alert-port.ts';
import type { TenantId } from '../ports.ts';

const DEFAULT_LIMIT = 100;
const key = (...parts: string[]) => parts.join('\u0000');

export class MemoryAlertStore implements AlertStore {
  readonly #states = new Map<string, AlertStateRecord>();
  readonly #history: AlertTransitionRecord[] = [];
  readonly #deliveries = new Map<string, AlertDeliveryRecord>();
  readonly #cursors = new Map<string, number>();
  readonly #leases = new Map<string, { holder: string; expiresAt: number }>();

  async states(tenantId: TenantId): Promise<AlertStateRecord[]> {
    return [...this.#states.values()]
      .filter((s) => s.tenantId === tenantId)
      .sort((a, b) => compare(a.alert, b.alert) || compare(a.scope, b.scope))
      .map((s) => structuredClone(s));
  }

  async commit(commit: AlertCommit): Promise<boolean> {
    const { tenantId } = commit;
    const stateKey = commit.state && key(tenantId, commit.state.next.alert, commit.state.next.scope);
    if (commit.state && (this.#states.get(stateKey!)?.version ?? 0) !== commit.state.expectedVersion)
      return false;
    const cursorKey = commit.cursor && key(tenantId, commit.cursor.name);
    if (commit.cursor && this.#cursors.get(cursorKey!) !== commit.cursor.from) return false;
    if (commit.state) {
      const { expectedVersion, next } = commit.state;
      this.#states.set(stateKey!, structuredClone({ ...next, tenantId, version: expectedVersion + 1 }));
    }
    for (const t of commit.transitions) {
      this.#history.push(structuredClone({ ...t, tenantId, seq: this.#history.length + 1 }));
    }
    for (const d of commit.deliveries) {
      const k = key(tenantId, d.id);
      if (this.#deliveries.has(k)) continue;
      this.#deliveries.set(k, {
        tenantId,
        id: d.id,
        channel: d.channel,
        notification: structuredClone(d.notification),
        status: 'pending',
        attempts: 0,
        nextAttemptAt: d.at,
        leaseUntil: null,
        lastError: null,
        createdAt: d.at,
        deliveredAt: null,
        failedAt: null,
      });
    }
    if (commit.cursor) this.#cursors.set(cursorKey!, commit.cursor.to);
    return true;
  }

  async history(
    tenantId: TenantId,
    query: { alert?: string; limit?: number } = {},
  ): Promise<AlertTransitionRecord[]> {
    return this.#history
      .filter((t) => t.tenantId === tenantId && (query.alert === undefined || t.alert === query.alert))
      .reverse()
      .slice(0, query.limit ?? DEFAULT_LIMIT)
      .map((t) => structuredClone(t));
  }

  async cursor(tenantId: TenantId, name: string): Promise<number | undefined> {
    return this.#cursors.get(key(tenantId, name));
  }

  async dueDeliveries(now: Date, limit: number): Promise<AlertDeliveryRecord[]> {
    return [...this.#deliveries.values()]
      .filter((d) => isClaimable(d, now))
      .sort((a, b) => a.nextAttemptAt!.getTime() - b.nextAttemptAt!.getTime())
      .slice(0, limit)
      .map((d) => structuredClone(d));
  }

  async claimDelivery(tenantId: TenantId, id: string, now: Date, leaseUntil: Date): Promise<boolean> {
    const delivery = this.#deliveries.get(key(tenantId, id));
    if (delivery?.status !== 'pending') return false;
    if (delivery.leaseUntil && delivery.leaseUntil > now) return false;
    delivery.leaseUntil = leaseUntil;
    return true;
  }

  async finishAttempt(
    tenantId: TenantId,
    id: string,
    outcome: DeliveryOutcome,
  ): Promise<AlertDeliveryRecord | undefined> {
    const delivery = this.#deliveries.get(key(tenantId, id));
    if (!delivery) return undefined;
    delivery.attempts += 1;
    delivery.leaseUntil = null;
    delivery.status = outcome.result === 'retry' ? 'pending' : outcome.result;
    delivery.nextAttemptAt = outcome.result === 'retry' ? outcome.nextAttemptAt : null;
    if (outcome.result !== 'delivered') delivery.lastError = outcome.error;
    delivery.deliveredAt = outcome.result === 'delivered' ? outcome.at : null;
    delivery.failedAt = outcome.result === 'failed' ? outcome.at : null;
    return structuredClone(delivery);
  }

  async deliveries(tenantId: TenantId, query: AlertDeliveryQuery = {}): Promise<AlertDeliveryRecord[]> {
    return [...this.#deliveries.values()]
      .filter((d) => d.tenantId === tenantId && (query.status === undefined || d.status === query.status))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || compare(b.id, a.id))
      .slice(0, query.limit ?? DEFAULT_LIMIT)
      .map((d) => structuredClone(d));
  }

  async acquireLease(name: string, holder: string, now: Date, until: Date): Promise<boolean> {
    const lease = this.#leases.get(name);
    if (lease && lease.holder !== holder && lease.expiresAt > now.getTime()) return false;
    this.#leases.set(name, { holder, expiresAt: until.getTime() });
    return true;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    if (this.#leases.get(name)?.holder === holder) this.#leases.delete(name);
  }
}

function isClaimable(d: AlertDeliveryRecord, now: Date): boolean {
  return (
    d.status === 'pending' &&
    d.nextAttemptAt !== null &&
    d.nextAttemptAt <= now &&
    (d.leaseUntil === null || d.leaseUntil <= now)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
