// Alerting's storage: each alert instance's state, the history of its transitions, the outbox of
// notifications with their delivery attempts, and the lease that lets one server instance evaluate at a time.
import type { AlertNotification, AlertSeverity } from '../core/alerts/alert-notification.ts';
import type { AlertInstanceState, AlertStatus } from '../core/alerts/alert-state-machine.ts';
import type { TenantId } from './ports.ts';

export type { AlertNotification, AlertStatus };

/** One alert rule in one tenant and scope. */
export interface AlertStateRecord extends AlertInstanceState {
  tenantId: TenantId;
  alert: string;
  /** `tenant`, `business_unit:<id>`, `team:<id>`, `user:<email>`. */
  scope: string;
  severity: AlertSeverity;
  /** Where its notifications go (the rule's `action` when it last changed). */
  channel: string;
  updatedAt: Date;
  /** 1 when created, one more at every change: a change applies only to the version it was computed from. */
  version: number;
}

export type AlertStateWrite = Omit<AlertStateRecord, 'tenantId' | 'version'>;

export interface AlertTransitionRecord {
  tenantId: TenantId;
  /** Increasing in the order transitions were stored. */
  seq: number;
  alert: string;
  scope: string;
  instanceId: string | null;
  from: AlertStatus;
  to: AlertStatus;
  severity: AlertSeverity;
  value: number | null;
  at: Date;
}

export type AlertTransitionWrite = Omit<AlertTransitionRecord, 'tenantId' | 'seq'>;

export type AlertDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface AlertDeliveryRecord {
  tenantId: TenantId;
  id: string;
  /** The channel's name in alerts.yaml; resolved when sent, so a fixed URL or secret applies to retries. */
  channel: string;
  notification: AlertNotification;
  status: AlertDeliveryStatus;
  attempts: number;
  /** When it is due (pending only). */
  nextAttemptAt: Date | null;
  /** While an instance is sending it, others leave it alone until then. */
  leaseUntil: Date | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  failedAt: Date | null;
}

export interface NewAlertDelivery {
  /** A delivery whose id already exists in the tenant is skipped, so a producer may safely retry. */
  id: string;
  channel: string;
  notification: AlertNotification;
  /** Created and first due. */
  at: Date;
}

/** What one evaluation stores, in one transaction. */
export interface AlertCommit {
  tenantId: TenantId;
  /**
   * Replaces the instance's state, only if it is still at `expectedVersion` (0: no row yet); otherwise nothing
   * of the commit is written and `commit` returns false (another evaluator got there first).
   */
  state?: { expectedVersion: number; next: AlertStateWrite };
  transitions: readonly AlertTransitionWrite[];
  deliveries: readonly NewAlertDelivery[];
  /**
   * Moves a named read position (the budget events read so far) from `from` (undefined: none yet) to `to`; when it
   * is no longer at `from`, nothing of the commit is written and `commit` returns false.
   */
  cursor?: { name: string; from: number | undefined; to: number };
}

export type DeliveryOutcome =
  | { result: 'delivered'; at: Date }
  | { result: 'retry'; at: Date; error: string; nextAttemptAt: Date }
  | { result: 'failed'; at: Date; error: string };

export interface AlertDeliveryQuery {
  status?: AlertDeliveryStatus;
  /** At most this many, newest first (default 100). */
  limit?: number;
}

export interface AlertStore {
  /** Every stored instance of the tenant (instances that never left `inactive` have no row). */
  states(tenantId: TenantId): Promise<AlertStateRecord[]>;
  /** Applies the commit atomically; false when the state's version or the cursor had moved on (nothing written). */
  commit(commit: AlertCommit): Promise<boolean>;
  /** Newest first. */
  history(tenantId: TenantId, query?: { alert?: string; limit?: number }): Promise<AlertTransitionRecord[]>;
  cursor(tenantId: TenantId, name: string): Promise<number | undefined>;
  /**
   * Pending deliveries of every tenant that are due at `now` and not leased, oldest due first. Cross-tenant by
   * design: one worker serves the deployment.
   */
  dueDeliveries(now: Date, limit: number): Promise<AlertDeliveryRecord[]>;
  /** Leases a due delivery until `leaseUntil`; true for one caller only, across every instance. */
  claimDelivery(tenantId: TenantId, id: string, now: Date, leaseUntil: Date): Promise<boolean>;
  /** Counts the attempt, records its outcome and releases the lease; the record after, if it exists. */
  finishAttempt(
    tenantId: TenantId,
    id: string,
    outcome: DeliveryOutcome,
  ): Promise<AlertDeliveryRecord | undefined>;
  deliveries(tenantId: TenantId, query?: AlertDeliveryQuery): Promise<AlertDeliveryRecord[]>;
  /**
   * Takes or renews the deployment-wide lease `name` for `holder` until `until`: true when `holder` has it (it
   * was free, expired at `now`, or already its own).
   */
  acquireLease(name: string, holder: string, now: Date, until: Date): Promise<boolean>;
  /** Gives the lease up if `holder` has it, so another instance can take over at once. */
  releaseLease(name: string, holder: string): Promise<void>;
}
