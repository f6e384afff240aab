// AlertStore over Kysely, shared by SQLite and PostgreSQL. A commit is one transaction guarded by the state
// row's version, so two evaluators (a lease handed over mid-run) never both record a transition.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { AlertSeverity } from '../../core/alerts/alert-notification.ts';
import type {
  AlertCommit,
  AlertDeliveryQuery,
  AlertDeliveryRecord,
  AlertDeliveryStatus,
  AlertNotification,
  AlertStateRecord,
  AlertStateWrite,
  AlertStatus,
  AlertStore,
  AlertTransitionRecord,
  DeliveryOutcome,
} from '../alert-port.ts';
import type { TenantId } from '../ports.ts';
import { fromJson, toDate, toMillis, toNullableDate, toNullableMillis } from './kysely-row-mappers.ts';
import type {
  AlertDeliveriesTable,
  AlertHistoryTable,
  AlertStatesTable,
  StorageDatabase,
} from './kysely-schema.ts';

const DEFAULT_LIMIT = 100;

export class KyselyAlertStore implements AlertStore {
  readonly #db: Kysely<StorageDatabase>;

  constructor(db: Kysely<StorageDatabase>) {
    this.#db = db;
  }

  async states(tenantId: TenantId): Promise<AlertStateRecord[]> {
    const rows = await this.#db
      .selectFrom('alert_states')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('alert')
      .orderBy('scope')
      .execute();
    return rows.map(stateFromRow);
  }

  commit(commit: AlertCommit): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      if (commit.state && !(await writeState(trx, commit.tenantId, commit.state))) return false;
      if (commit.cursor && !(await moveCursor(trx, commit.tenantId, commit.cursor))) return false;
      if (commit.transitions.length > 0) {
        await trx
          .insertInto('alert_history')
          .values(
            commit.transitions.map((t) => ({
              tenant_id: commit.tenantId,
              alert: t.alert,
              scope: t.scope,
              instance_id: t.instanceId,
              from_status: t.from,
              to_status: t.to,
              severity: t.severity,
              value: t.value,
              at: toMillis(t.at),
            })),
          )
          .execute();
      }
      for (const d of commit.deliveries) {
        await trx
          .insertInto('alert_deliveries')
          .values({
            tenant_id: commit.tenantId,
            id: d.id,
            channel: d.channel,
            notification: JSON.stringify(d.notification),
            status: 'pending',
            attempts: 0,
            next_attempt_at: toMillis(d.at),
            lease_until: null,
            last_error: null,
            created_at: toMillis(d.at),
            delivered_at: null,
            failed_at: null,
          })
          .onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing())
          .execute();
      }
      return true;
    });
  }

  async history(
    tenantId: TenantId,
    query: { alert?: string; limit?: number } = {},
  ): Promise<AlertTransitionRecord[]> {
    const rows = await this.#db
      .selectFrom('alert_history')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .$if(query.alert !== undefined, (q) => q.where('alert', '=', query.alert!))
      .orderBy('seq', 'desc')
      .limit(query.limit ?? DEFAULT_LIMIT)
      .execute();
    return rows.map(transitionFromRow);
  }

  async cursor(tenantId: TenantId, name: string): Promise<number | undefined> {
    const row = await this.#db
      .selectFrom('alert_cursors')
      .select('seq')
      .where('tenant_id', '=', tenantId)
      .where('name', '=', name)
      .executeTakeFirst();
    return row && Number(row.seq);
  }

  async dueDeliveries(now: Date, limit: number): Promise<AlertDeliveryRecord[]> {
    const at = toMillis(now);
    const rows = await this.#db
      .selectFrom('alert_deliveries')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', at)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', at)]))
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    return rows.map(deliveryFromRow);
  }

  async claimDelivery(tenantId: TenantId, id: string, now: Date, leaseUntil: Date): Promise<boolean> {
    const at = toMillis(now);
    const result = await this.#db
      .updateTable('alert_deliveries')
      .set({ lease_until: toMillis(leaseUntil) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', at)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async finishAttempt(
    tenantId: TenantId,
    id: string,
    outcome: DeliveryOutcome,
  ): Promise<AlertDeliveryRecord | undefined> {
    const at = toMillis(outcome.at);
    const row = await this.#db
      .updateTable('alert_deliveries')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        lease_until: null,
        status: outcome.result === 'retry' ? 'pending' : outcome.result,
        next_attempt_at: outcome.result === 'retry' ? toMillis(outcome.nextAttemptAt) : null,
        last_error: outcome.result === 'delivered' ? eb.ref('last_error') : outcome.error,
        delivered_at: outcome.result === 'delivered' ? at : null,
        failed_at: outcome.result === 'failed' ? at : null,
      }))
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && deliveryFromRow(row);
  }

  async deliveries(tenantId: TenantId, query: AlertDeliveryQuery = {}): Promise<AlertDeliveryRecord[]> {
    const rows = await this.#db
      .selectFrom('alert_deliveries')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .$if(query.status !== undefined, (q) => q.where('status', '=', query.status!))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit ?? DEFAULT_LIMIT)
      .execute();
    return rows.map(deliveryFromRow);
  }

  async acquireLease(name: string, holder: string, now: Date, until: Date): Promise<boolean> {
    const result = await this.#db
      .insertInto('alert_leases')
      .values({ name, holder, expires_at: toMillis(until) })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ holder, expires_at: toMillis(until) })
          .where((eb) =>
            eb.or([
              eb('alert_leases.holder', '=', holder),
              eb('alert_leases.expires_at', '<=', toMillis(now)),
            ]),
          ),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.#db.deleteFrom('alert_leases').where('name', '=', name).where('holder', '=', holder).execute();
  }
}

/** Inserts (expected version 0) or updates the state row if it is still at the expected version. */
async function writeState(
  trx: Transaction<StorageDatabase>,
  tenantId: TenantId,
  state: NonNullable<AlertCommit['state']>,
): Promise<boolean> {
  const { expectedVersion, next } = state;
  const columns = stateColumns(next);
  if (expectedVersion === 0) {
    const inserted = await trx
      .insertInto('alert_states')
      .values({ tenant_id: tenantId, alert: next.alert, scope: next.scope, ...columns, version: 1 })
      .onConflict((oc) => oc.columns(['tenant_id', 'alert', 'scope']).doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
  }
  const updated = await trx
    .updateTable('alert_states')
    .set({ ...columns, version: expectedVersion + 1 })
    .where('tenant_id', '=', tenantId)
    .where('alert', '=', next.alert)
    .where('scope', '=', next.scope)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

async function moveCursor(
  trx: Transaction<StorageDatabase>,
  tenantId: TenantId,
  cursor: NonNullable<AlertCommit['cursor']>,
): Promise<boolean> {
  const { name, from, to } = cursor;
  if (from === undefined) {
    const inserted = await trx
      .insertInto('alert_cursors')
      .values({ tenant_id: tenantId, name, seq: to })
      .onConflict((oc) => oc.columns(['tenant_id', 'name']).doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
  }
  const updated = await trx
    .updateTable('alert_cursors')
    .set({ seq: to })
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name)
    .where('seq', '=', from)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

function stateColumns(s: AlertStateWrite) {
  return {
    status: s.status,
    severity: s.severity,
    channel: s.channel,
    instance_id: s.instanceId,
    active_since: toNullableMillis(s.activeSince),
    fired_at: toNullableMillis(s.firedAt),
    last_notified_at: toNullableMillis(s.lastNotifiedAt),
    resolved_at: toNullableMillis(s.resolvedAt),
    value: s.value,
    updated_at: toMillis(s.updatedAt),
  };
}

function stateFromRow(row: Selectable<AlertStatesTable>): AlertStateRecord {
  return {
    tenantId: row.tenant_id,
    alert: row.alert,
    scope: row.scope,
    status: row.status as AlertStatus,
    severity: row.severity as AlertSeverity,
    channel: row.channel,
    instanceId: row.instance_id,
    activeSince: toNullableDate(row.active_since),
    firedAt: toNullableDate(row.fired_at),
    lastNotifiedAt: toNullableDate(row.last_notified_at),
    resolvedAt: toNullableDate(row.resolved_at),
    value: row.value === null ? null : Number(row.value),
    updatedAt: toDate(row.updated_at),
    version: Number(row.version),
  };
}

function transitionFromRow(row: Selectable<AlertHistoryTable>): AlertTransitionRecord {
  return {
    tenantId: row.tenant_id,
    seq: Number(row.seq),
    alert: row.alert,
    scope: row.scope,
    instanceId: row.instance_id,
    from: row.from_status as AlertStatus,
    to: row.to_status as AlertStatus,
    severity: row.severity as AlertSeverity,
    value: row.value === null ? null : Number(row.value),
    at: toDate(row.at),
  };
}

function deliveryFromRow(row: Selectable<AlertDeliveriesTable>): AlertDeliveryRecord {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    channel: row.channel,
    notification: fromJson(row.notification) as AlertNotification,
    status: row.status as AlertDeliveryStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: toNullableDate(row.next_attempt_at),
    leaseUntil: toNullableDate(row.lease_until),
    lastError: row.last_error,
    createdAt: toDate(row.created_at),
    deliveredAt: toNullableDate(row.delivered_at),
    failedAt: toNullableDate(row.failed_at),
  };
}
