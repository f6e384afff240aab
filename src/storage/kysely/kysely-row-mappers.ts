// Converts rows of either SQL dialect to port records: epoch-ms columns to Date, JSON columns to values.

import type { Selectable } from 'kysely';
import { ValidationError } from '../../core/errors/app-error.ts';
import type {
  ApiKeyRecord,
  BundleActivation,
  BusinessUnitRecord,
  GroupRecord,
  PrincipalType,
  ServiceAccountRecord,
  TeamRecord,
  TenantRecord,
  UserRecord,
} from '../ports.ts';
import type {
  ApiKeysTable,
  BundleActivationsTable,
  BusinessUnitsTable,
  GroupsTable,
  ServiceAccountsTable,
  TeamsTable,
  TenantsTable,
  UsersTable,
} from './kysely-schema.ts';

/** PostgreSQL BIGINT arrives as a string; SQLite INTEGER as a number. Both are exact up to 2^53 ms. */
export function toDate(value: number | string): Date {
  return new Date(Number(value));
}

export function toNullableDate(value: number | string | null): Date | null {
  return value === null ? null : toDate(value);
}

export function toMillis(date: Date): number {
  const millis = date.getTime();
  // An Invalid Date would be stored as NULL by SQLite ("never expires"): refuse it instead.
  if (!Number.isFinite(millis)) throw new ValidationError('A timestamp is out of range.', { field: 'date' });
  return millis;
}

export function toNullableMillis(date: Date | null): number | null {
  return date === null ? null : toMillis(date);
}

/** SQLite TEXT comes back as the JSON string; PostgreSQL JSONB comes back already parsed. */
export function fromJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

export function toStringArray(value: unknown): string[] {
  const parsed = fromJson(value);
  return Array.isArray(parsed) ? parsed.map(String) : [];
}

export const tenantFromRow = (row: Selectable<TenantsTable>): TenantRecord => ({
  id: row.id,
  name: row.name,
  createdAt: toDate(row.created_at),
});

export const businessUnitFromRow = (row: Selectable<BusinessUnitsTable>): BusinessUnitRecord => ({
  tenantId: row.tenant_id,
  id: row.id,
  name: row.name,
});

export const teamFromRow = (row: Selectable<TeamsTable>): TeamRecord => ({
  tenantId: row.tenant_id,
  id: row.id,
  businessUnitId: row.business_unit_id,
  name: row.name,
});

export const userFromRow = (row: Selectable<UsersTable>): UserRecord => ({
  tenantId: row.tenant_id,
  id: row.id,
  email: row.email,
  name: row.name,
  teamId: row.team_id,
  businessUnitId: row.business_unit_id,
  roles: toStringArray(row.roles),
  groups: toStringArray(row.groups),
  deprovisionedAt: toNullableDate(row.deprovisioned_at),
});

export const groupFromRow = (row: Selectable<GroupsTable>): GroupRecord => ({
  tenantId: row.tenant_id,
  id: row.id,
  name: row.name,
  idpGroup: row.idp_group,
  roles: toStringArray(row.roles),
});

export const serviceAccountFromRow = (row: Selectable<ServiceAccountsTable>): ServiceAccountRecord => ({
  tenantId: row.tenant_id,
  id: row.id,
  name: row.name,
  teamId: row.team_id,
  roles: toStringArray(row.roles),
  deprovisionedAt: toNullableDate(row.deprovisioned_at),
});

export const apiKeyFromRow = (row: Selectable<ApiKeysTable>): ApiKeyRecord => ({
  tenantId: row.tenant_id,
  id: row.id,
  principal: { type: row.principal_type as PrincipalType, id: row.principal_id },
  name: row.name,
  digest: row.digest,
  createdAt: toDate(row.created_at),
  expiresAt: toNullableDate(row.expires_at),
  lastUsedAt: toNullableDate(row.last_used_at),
  revokedAt: toNullableDate(row.revoked_at),
  replacedBy: row.replaced_by,
  graceUntil: toNullableDate(row.grace_until),
  scopes: row.scopes === null ? [] : toStringArray(row.scopes),
});

export const apiKeyToRow = (key: ApiKeyRecord) => ({
  tenant_id: key.tenantId,
  id: key.id,
  principal_type: key.principal.type,
  principal_id: key.principal.id,
  name: key.name,
  digest: key.digest,
  created_at: toMillis(key.createdAt),
  expires_at: toNullableMillis(key.expiresAt),
  last_used_at: toNullableMillis(key.lastUsedAt),
  revoked_at: toNullableMillis(key.revokedAt),
  replaced_by: key.replacedBy,
  grace_until: toNullableMillis(key.graceUntil),
  scopes: JSON.stringify(key.scopes),
});

export const activationFromRow = (row: Selectable<BundleActivationsTable>): BundleActivation => ({
  revision: row.revision,
  previousRevision: row.previous_revision,
  appliedBy: row.applied_by,
  appliedAt: toDate(row.applied_at),
});
