// The table shapes both SQL dialects share, as Kysely sees them; column names stay snake_case.

import type { ColumnType, Generated } from 'kysely';
import type { Measure } from '../../core/analytics/rollup.ts';

/**
 * Epoch milliseconds. SQLite INTEGER reads back as a number; PostgreSQL BIGINT (int8) reads back
 * as a string because node-postgres will not silently lose precision. Mappers normalize to `Date`.
 */
export type MillisColumn = ColumnType<number | string, number, number>;
export type NullableMillisColumn = ColumnType<number | string | null, number | null, number | null>;
/** JSON: TEXT in SQLite (reads back as a string), JSONB in PostgreSQL (reads back parsed). Written as a JSON string. */
export type JsonColumn = ColumnType<unknown, string, string>;

export interface TenantsTable {
  id: string;
  name: string;
  created_at: MillisColumn;
}

export interface BusinessUnitsTable {
  tenant_id: string;
  id: string;
  name: string;
}

export interface TeamsTable {
  tenant_id: string;
  id: string;
  business_unit_id: string;
  name: string;
}

export interface UsersTable {
  tenant_id: string;
  id: string;
  email: string;
  name: string | null;
  team_id: string | null;
  business_unit_id: string | null;
  roles: JsonColumn;
  groups: JsonColumn;
  deprovisioned_at: NullableMillisColumn;
}

export interface GroupsTable {
  tenant_id: string;
  id: string;
  name: string | null;
  idp_group: string;
  roles: JsonColumn;
}

export interface ServiceAccountsTable {
  tenant_id: string;
  id: string;
  name: string | null;
  team_id: string | null;
  roles: JsonColumn;
  deprovisioned_at: NullableMillisColumn;
}

export interface ApiKeysTable {
  tenant_id: string;
  id: string;
  principal_type: string;
  principal_id: string;
  name: string | null;
  digest: string;
  created_at: MillisColumn;
  expires_at: NullableMillisColumn;
  last_used_at: NullableMillisColumn;
  revoked_at: NullableMillisColumn;
  replaced_by: string | null;
  grace_until: NullableMillisColumn;
  /** JSON list; null for keys made before scopes existed (none). */
  scopes: ColumnType<unknown, string | null, string | null>;
}

export interface BundlesTable {
  revision: string;
  content: JsonColumn;
  created_at: MillisColumn;
  created_by: string;
}

export interface BundleActivationsTable {
  /** INTEGER in both dialects (not BIGINT), so PostgreSQL returns a number. */
  seq: Generated<number>;
  revision: string;
  previous_revision: string | null;
  applied_by: string;
  applied_at: MillisColumn;
}

/** Exactly one row (id = 1), created by the first migration; `seq` is 0 until the first activation. */
export interface ActiveBundleTable {
  id: number;
  revision: string | null;
  seq: number;
}

/** One row per audit record; (tenant_id, seq) is the key. `context` is the canonical JSON text, in both dialects. */
export interface AuditRecordsTable {
  tenant_id: string;
  /** BIGINT in PostgreSQL: reads back as a string. */
  seq: ColumnType<number | string, number, number>;
  timestamp: MillisColumn;
  event: string;
  user_id: string | null;
  agent: string | null;
  session_id: string | null;
  bundle_revision: string | null;
  context: string;
  prev_hash: string;
  hash: string;
}

/** The head of each tenant's chain; appends lock this row, so concurrent appenders serialize. */
export interface AuditHeadsTable {
  tenant_id: string;
  seq: ColumnType<number | string, number, number>;
  hash: string;
}

export interface AuditCheckpointsTable {
  tenant_id: string;
  seq: ColumnType<number | string, number, number>;
  hash: string;
  created_at: MillisColumn;
  removed: ColumnType<number | string, number, number>;
}

export interface StorageDatabase {
  tenants: TenantsTable;
  business_units: BusinessUnitsTable;
  teams: TeamsTable;
  users: UsersTable;
  groups: GroupsTable;
  service_accounts: ServiceAccountsTable;
  api_keys: ApiKeysTable;
  bundles: BundlesTable;
  bundle_activations: BundleActivationsTable;
  active_bundle: ActiveBundleTable;
  audit_records: AuditRecordsTable;
  audit_heads: AuditHeadsTable;
  audit_checkpoints: AuditCheckpointsTable;
  sessions: SessionsTable;
  bundle_candidate: BundleCandidateTable;
  usage_records: UsageRecordsTable;
  telemetry_events: TelemetryEventsTable;
  usage_rollups_minute: UsageRollupsTable;
  usage_rollups_hour: UsageRollupsTable;
  usage_rollups_day: UsageRollupsTable;
  tool_rollups_day: ToolRollupsTable;
  budget_counters: BudgetCountersTable;
  budget_reservations: BudgetReservationsTable;
  budget_settlements: BudgetSettlementsTable;
  budget_thresholds: BudgetThresholdsTable;
  budget_increases: BudgetIncreasesTable;
  device_authorizations: DeviceAuthorizationsTable;
  sign_in_sessions: SignInSessionsTable;
  spent_markers: SpentMarkersTable;
  spend_limits: SpendLimitsTable;
  signing_keys: SigningKeysTable;
  settings_served: SettingsServedTable;
  session_reports: SessionReportsTable;
  alert_states: AlertStatesTable;
  alert_history: AlertHistoryTable;
  alert_deliveries: AlertDeliveriesTable;
  alert_cursors: AlertCursorsTable;
  alert_leases: AlertLeasesTable;
}

export interface SettingsServedTable {
  tenant_id: string;
  user_id: string;
  checksum: string;
  first_served: MillisColumn;
  last_served: MillisColumn;
}

export interface SessionReportsTable {
  tenant_id: string;
  session_id: string;
  principal_id: string;
  checksum: string | null;
  user_agent: string | null;
  first_seen: MillisColumn;
  last_seen: MillisColumn;
}

export interface DeviceAuthorizationsTable {
  device_digest: string;
  user_code: string;
  surface: string | null;
  created_at: MillisColumn;
  expires_at: MillisColumn;
  interval_s: number;
  last_polled_at: NullableMillisColumn;
  status: string;
  tenant_id: string | null;
  user_id: string | null;
  email: string | null;
  idp_groups: ColumnType<unknown, string | null, string | null>;
  idp_refresh_token: string | null;
}

export interface SignInSessionsTable {
  tenant_id: string;
  id: string;
  user_id: string;
  email: string;
  idp_groups: JsonColumn;
  idp_refresh_token: string | null;
  surface: string | null;
  created_at: MillisColumn;
  refresh_digest: string;
  refreshed_at: MillisColumn;
  expires_at: MillisColumn;
  revoked_at: NullableMillisColumn;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  private_jwk: string;
  created_at: MillisColumn;
  retires_at: MillisColumn;
  expires_at: MillisColumn;
}

export interface BudgetIncreasesTable {
  tenant_id: string;
  id: string;
  budget_id: string;
  counter_key: string;
  period_start: MillisColumn;
  amount_micro: ColumnType<number | string, number, number>;
  reason: string;
  requested_by: string;
  requested_at: MillisColumn;
  status: string;
  decided_by: string | null;
  decided_at: NullableMillisColumn;
  expires_at: NullableMillisColumn;
  note: string | null;
}

export interface BudgetThresholdsTable {
  tenant_id: string;
  budget_key: string;
  period_start: MillisColumn;
  threshold: number;
  passed_at: MillisColumn;
}

export interface BudgetCountersTable {
  tenant_id: string;
  budget_key: string;
  period_start: MillisColumn;
  spent_micro: ColumnType<number | string, number, number>;
  reserved_micro: ColumnType<number | string, number, number>;
}

export interface BudgetReservationsTable {
  tenant_id: string;
  request_id: string;
  budget_key: string;
  period_start: MillisColumn;
  amount_micro: ColumnType<number | string, number, number>;
  lease_until: MillisColumn;
}

export interface BudgetSettlementsTable {
  tenant_id: string;
  request_id: string;
  settled_at: MillisColumn;
}

/** 64-bit counts: numbers from SQLite, strings from PostgreSQL's BIGINT. */
type CountColumn = ColumnType<number | string, number, number>;

export interface UsageRecordsTable {
  tenant_id: string;
  request_id: string;
  at: MillisColumn;
  principal_type: string;
  principal_id: string;
  key_id: string | null;
  business_unit_id: string | null;
  team_id: string | null;
  session_id: string | null;
  agent_id: string | null;
  model: string;
  upstream: string;
  status: number;
  outcome: string;
  /** 0 or 1. */
  stream: number;
  input_tokens: CountColumn;
  output_tokens: CountColumn;
  cache_write_5m_tokens: CountColumn;
  cache_write_1h_tokens: CountColumn;
  cache_read_tokens: CountColumn;
  cost_micro: CountColumn;
  priced_as: string | null;
  price_version: string;
  latency_ms: number;
  ttfb_ms: number | null;
}

export interface SessionsTable {
  tenant_id: string;
  id: string;
  principal_type: string;
  principal_id: string;
  agent: string | null;
  cwd: string | null;
  started_at: MillisColumn;
  ended_at: NullableMillisColumn;
  tool_calls: ColumnType<number | string, number, number>;
  last_seen_at: MillisColumn;
  /** JSON SessionProject, or null. */
  project: ColumnType<string | null, string | null | undefined, string | null>;
}

/** One row (id = 1) when a candidate bundle is being tried; none otherwise. */
export interface BundleCandidateTable {
  id: number;
  revision: string;
  mode: string;
  percent: number;
  set_by: string;
  set_at: MillisColumn;
}

export interface SpentMarkersTable {
  marker: string;
  expires_at: MillisColumn;
}

export interface SpendLimitsTable {
  tenant_id: string;
  id: string;
  user_id: string;
  period: string;
  amount_cents: number | string | null;
  created_at: MillisColumn;
  updated_at: MillisColumn;
  updated_by: string;
}

export interface AlertStatesTable {
  tenant_id: string;
  alert: string;
  scope: string;
  status: string;
  severity: string;
  channel: string;
  instance_id: string | null;
  active_since: NullableMillisColumn;
  fired_at: NullableMillisColumn;
  last_notified_at: NullableMillisColumn;
  resolved_at: NullableMillisColumn;
  value: number | null;
  updated_at: MillisColumn;
  version: number;
}

export interface AlertHistoryTable {
  seq: Generated<number>;
  tenant_id: string;
  alert: string;
  scope: string;
  instance_id: string | null;
  from_status: string;
  to_status: string;
  severity: string;
  value: number | null;
  at: MillisColumn;
}

export interface AlertDeliveriesTable {
  tenant_id: string;
  id: string;
  channel: string;
  notification: JsonColumn;
  status: string;
  attempts: number;
  next_attempt_at: NullableMillisColumn;
  lease_until: NullableMillisColumn;
  last_error: string | null;
  created_at: MillisColumn;
  delivered_at: NullableMillisColumn;
  failed_at: NullableMillisColumn;
}

export interface AlertCursorsTable {
  tenant_id: string;
  name: string;
  seq: MillisColumn;
}

export interface AlertLeasesTable {
  name: string;
  holder: string;
  expires_at: MillisColumn;
}

/** Migration 0016: Claude Code telemetry, one row per event or metric point. */
export interface TelemetryEventsTable {
  /** BIGINT on PostgreSQL: a string there. */
  seq: Generated<number | string>;
  tenant_id: string;
  day: number;
  at: MillisColumn;
  name: string;
  user_id: string;
  business_unit_id: string | null;
  team_id: string | null;
  session_id: string | null;
  prompt_id: string | null;
  model: string | null;
  tool: string | null;
  decision: string | null;
  success: number | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_creation_tokens: number;
  cost_micro: ColumnType<number | string, number, number>;
  duration_ms: number | null;
  value: number | null;
  gateway_metered: number;
  attributes: ColumnType<unknown, string, string>;
}

/** Migration 0016: usage and activity per time bucket and (business unit, team, user, agent, model), one table per granularity. */
export type UsageRollupsTable = {
  tenant_id: string;
  bucket: MillisColumn;
  business_unit: string;
  team: string;
  user: string;
  agent: string;
  model: string;
} & { [M in Measure]: ColumnType<number | string, number, number> };

/** Migration 0017: tool use per UTC day by (business unit, team, user, tool). */
export interface ToolRollupsTable {
  tenant_id: string;
  bucket: MillisColumn;
  business_unit: string;
  team: string;
  user: string;
  tool: string;
  decisions: ColumnType<number | string, number, number>;
  rejects: ColumnType<number | string, number, number>;
  results: ColumnType<number | string, number, number>;
  failures: ColumnType<number | string, number, number>;
  tool_ms: ColumnType<number | string, number, number>;
}
