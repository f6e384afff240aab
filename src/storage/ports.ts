// What the application needs from storage. Adapters: memory (fake), SQLite, PostgreSQL.
// Every tenant-scoped method takes the tenant id explicitly and must never read or change another
// tenant's rows; the contract suite proves it for every method. The two documented exceptions are
// deployment-level by nature: `apiKeys.findForAuthentication` (a presented key names its own
// tenant) and the bundle store (one config repository governs every tenant of a deployment).

import type { PolicyConfig } from '../config/policy-config.ts';
import type {
  AuditChainPoint,
  AuditCheckpoint,
  AuditEntry,
  AuditEvent,
  AuditRecord,
} from '../core/audit-chain/audit-record.ts';
import type { AlertStore } from './alert-port.ts';
import type { BudgetIncreaseStore } from './budget-increase-port.ts';
import type { BudgetStore } from './budget-port.ts';
import type { MachineStore } from './machine-port.ts';
import type { SessionStore } from './session-port.ts';
import type { SignInStore } from './sign-in-port.ts';
import type { SpendLimitStore } from './spend-limit-port.ts';
import type { TelemetryStore } from './telemetry-port.ts';
import type { UsageStore } from './usage-port.ts';

export type { AuditChainPoint, AuditCheckpoint, AuditEntry, AuditEvent, AuditRecord };

export type TenantId = string;

export interface TenantRecord {
  id: TenantId;
  name: string;
  createdAt: Date;
}

export type PrincipalType = 'user' | 'service_account';

export interface PrincipalRef {
  type: PrincipalType;
  /** A user's id is their lower-cased email; a service account's id is its configured id. */
  id: string;
}

export interface BusinessUnitRecord {
  tenantId: TenantId;
  id: string;
  name: string;
}

export interface TeamRecord {
  tenantId: TenantId;
  id: string;
  businessUnitId: string;
  name: string;
}

export interface UserRecord {
  tenantId: TenantId;
  /** Lower-cased email. */
  id: string;
  email: string;
  name: string | null;
  teamId: string | null;
  businessUnitId: string | null;
  roles: string[];
  groups: string[];
  /** Set when the user disappeared from the org config (or the IdP); such a user cannot authenticate. */
  deprovisionedAt: Date | null;
}

export interface GroupRecord {
  tenantId: TenantId;
  id: string;
  name: string | null;
  idpGroup: string;
  roles: string[];
}

export interface ServiceAccountRecord {
  tenantId: TenantId;
  id: string;
  name: string | null;
  teamId: string | null;
  roles: string[];
  deprovisionedAt: Date | null;
}

/** The desired org of one tenant, as the config says; `org.sync` makes the store match it. */
export interface OrgSnapshot {
  tenant: { id: TenantId; name: string };
  businessUnits: Omit<BusinessUnitRecord, 'tenantId'>[];
  teams: Omit<TeamRecord, 'tenantId'>[];
  users: Omit<UserRecord, 'tenantId' | 'deprovisionedAt'>[];
  groups: Omit<GroupRecord, 'tenantId'>[];
  serviceAccounts: Omit<ServiceAccountRecord, 'tenantId' | 'deprovisionedAt'>[];
}

export interface OrgSyncResult {
  usersAdded: number;
  usersUpdated: number;
  usersDeprovisioned: number;
}

export interface OrgStore {
  /** Atomically make the tenant's org match the snapshot. Missing users and service accounts are deprovisioned, not deleted, so their audit history keeps its subject. */
  sync(tenantId: TenantId, snapshot: OrgSnapshot, at: Date): Promise<OrgSyncResult>;
  getTenant(tenantId: TenantId): Promise<TenantRecord | undefined>;
  listTenants(): Promise<TenantRecord[]>;
  listBusinessUnits(tenantId: TenantId): Promise<BusinessUnitRecord[]>;
  listTeams(tenantId: TenantId): Promise<TeamRecord[]>;
  getUser(tenantId: TenantId, id: string): Promise<UserRecord | undefined>;
  listUsers(tenantId: TenantId): Promise<UserRecord[]>;
  listGroups(tenantId: TenantId): Promise<GroupRecord[]>;
  getServiceAccount(tenantId: TenantId, id: string): Promise<ServiceAccountRecord | undefined>;
  listServiceAccounts(tenantId: TenantId): Promise<ServiceAccountRecord[]>;
}

export interface ApiKeyRecord {
  tenantId: TenantId;
  /** The public id embedded in the key (`llmr_<id><secret>_<checksum>`), shown in listings. */
  id: string;
  principal: PrincipalRef;
  name: string | null;
  /** Hex SHA-256 of the full key. The plaintext is never stored. */
  digest: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** When this key was rotated: the id of its successor, and until when this key still works. */
  replacedBy: string | null;
  graceUntil: Date | null;
  /** What the key may do beyond the gateway and hooks: `admin:read`, `admin:write` (the admin API). */
  scopes: string[];
}

export interface ApiKeyStore {
  insert(key: ApiKeyRecord): Promise<void>;
  get(tenantId: TenantId, id: string): Promise<ApiKeyRecord | undefined>;
  list(tenantId: TenantId, filter?: { principal?: PrincipalRef }): Promise<ApiKeyRecord[]>;
  /** Cross-tenant by design: a presented key is looked up by its public id before its tenant is known. */
  findForAuthentication(id: string): Promise<ApiKeyRecord | undefined>;
  touchLastUsed(tenantId: TenantId, id: string, at: Date): Promise<void>;
  /** Returns false when no such key exists in this tenant. */
  revoke(tenantId: TenantId, id: string, at: Date): Promise<boolean>;
  /** Insert `successor` and mark `oldId` replaced, usable until `graceUntil`; one transaction. */
  rotate(tenantId: TenantId, oldId: string, successor: ApiKeyRecord, graceUntil: Date): Promise<boolean>;
}

export interface BundleRecord {
  /** sha256 (hex) of the canonical JSON of `content`. */
  revision: string;
  content: PolicyConfig;
  createdAt: Date;
  createdBy: string;
}

export interface BundleActivation {
  revision: string;
  previousRevision: string | null;
  appliedBy: string;
  appliedAt: Date;
}

/** Everything `apply` changes, made in one transaction: no reader ever sees the org of one bundle under another. */
export interface BundlePublication {
  bundle: BundleRecord;
  /** The desired org of every tenant the bundle declares. Tenants known to the store but absent here are emptied: their users and service accounts are deprovisioned. */
  orgs: OrgSnapshot[];
  appliedBy: string;
  at: Date;
}

export interface PublishResult {
  /** False when the bundle was already active: no activation was recorded (the org is still re-synced, which heals any drift). */
  activated: boolean;
  previousRevision: string | null;
  orgSync: Record<TenantId, OrgSyncResult>;
}

export interface BundleStore {
  /** Stores the bundle unless that revision exists; bundles are immutable. Returns whether it was new. */
  put(bundle: BundleRecord): Promise<boolean>;
  get(revision: string): Promise<BundleRecord | undefined>;
  /** Makes the revision active and records the activation; when it is already active, records nothing and returns the activation in force. */
  activate(revision: string, appliedBy: string, at: Date): Promise<BundleActivation>;
  activeRevision(): Promise<string | null>;
  /** Newest first. */
  history(limit: number): Promise<BundleActivation[]>;
  /** Calls back (at most ~1 s late) whenever the active revision changes, from any process. */
  onActiveChange(listener: (revision: string) => void): () => void;
  /** The bundle being tried beside the active one (shadow or canary), if any. */
  candidate(): Promise<BundleCandidate | null>;
  /** Sets or clears the candidate; a revision that was never stored is a NotFoundError. */
  setCandidate(candidate: BundleCandidate | null): Promise<void>;
}

/**
 * A candidate bundle: in `shadow` mode it is evaluated beside the active one and only its
 * differences are recorded; in `canary` mode it is enforced for a deterministic `percent` of users.
 */
export interface BundleCandidate {
  revision: string;
  mode: 'shadow' | 'canary';
  /** 0–100; 0 for shadow. */
  percent: number;
  setBy: string;
  setAt: Date;
}

export interface AuditQuery {
  /** Records with timestamp >= since. */
  since?: Date;
  /** Records with timestamp < until. */
  until?: Date;
  /** Records with seq > afterSeq (paging and `tail --follow`). */
  afterSeq?: number;
  event?: AuditEvent;
  /** At most this many (default: all). */
  limit?: number;
}

/**
 * The tamper-evident audit log: one hash chain per tenant, append-only but for retention. Records
 * need no tenant row, so events about unknown tenants (a failed authentication) can be recorded.
 */
export interface AuditStore {
  /**
   * Chains and stores the entries after the tenant's head in one transaction, in order, and returns
   * them. Concurrent appends for one tenant, from any process, serialize on the head: never a fork or a gap.
   */
  append(tenantId: TenantId, entries: readonly AuditEntry[]): Promise<AuditRecord[]>;
  /** In seq order. */
  list(tenantId: TenantId, query?: AuditQuery): Promise<AuditRecord[]>;
  /** The last record ever appended (it survives retention); undefined before the first append. */
  head(tenantId: TenantId): Promise<AuditChainPoint | undefined>;
  /** Left by retention, oldest first; the newest is where the remaining chain starts. */
  checkpoints(tenantId: TenantId): Promise<AuditCheckpoint[]>;
  /**
   * Retention: removes the longest prefix of the chain whose records are all older than `before`,
   * and in the same transaction records a checkpoint (the last removed seq and hash, made `at`, default now).
   * Returns how many it removed.
   */
  deleteBefore(tenantId: TenantId, before: Date, at?: Date): Promise<number>;
  /** Every tenant that has a chain, sorted. Cross-tenant by design: `audit verify` checks them all. */
  tenants(): Promise<TenantId[]>;
}

export interface Storage {
  readonly dialect: 'memory' | 'sqlite' | 'postgres';
  readonly org: OrgStore;
  readonly apiKeys: ApiKeyStore;
  readonly bundles: BundleStore;
  readonly audit: AuditStore;
  readonly sessions: SessionStore;
  readonly usage: UsageStore;
  /** Claude Code telemetry (OTLP) and the usage rollups of both sources. */
  readonly telemetry: TelemetryStore;
  readonly budgets: BudgetStore;
  /** Raises of budgets past their soft cap, requested and decided by people. */
  readonly budgetIncreases: BudgetIncreaseStore;
  /** Claude Code's sign-in: device authorizations, sign-in sessions, signing keys (deployment-level lookups). */
  readonly signIn: SignInStore;
  /** Managed settings served, and the checksum each session reports (machines --stale). */
  readonly machines: MachineStore;
  /** Spend limits set through the Anthropic-shaped admin API. */
  readonly spendLimits: SpendLimitStore;
  /** Alert states and history, the notification outbox, and the evaluator lease (deployment-level). */
  readonly alerts: AlertStore;
  /** Stores the bundle, synchronizes every tenant's org and activates it, atomically and serialized against other publications. */
  publishBundle(publication: BundlePublication): Promise<PublishResult>;
  /** Applies pending migrations; idempotent. Returns the names applied now. */
  migrate(): Promise<string[]>;
  /** Reachable and migrated; used by /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
