// The AppErrors every adapter raises for the same conditions, so callers never see a driver's error codes.

import { AppError, ConflictError, NotFoundError, ValidationError } from '../core/errors/app-error.ts';
import type { ApiKeyRecord, TenantId } from './ports.ts';

export function unknownTenantError(tenantId: TenantId): NotFoundError {
  return new NotFoundError('tenant', tenantId);
}

export function unknownBundleError(revision: string): NotFoundError {
  return new NotFoundError('bundle', revision);
}

export function duplicateApiKeyError(key: ApiKeyRecord): ConflictError {
  return new ConflictError(`An API key with id '${key.id}' or the same digest already exists.`, {
    tenant: key.tenantId,
    key: key.id,
  });
}

/** A key is always stored in the tenant the call names; a record claiming another tenant is a caller bug. */
export function assertKeyTenant(tenantId: TenantId, key: ApiKeyRecord): void {
  if (key.tenantId !== tenantId) {
    throw new ValidationError(`API key '${key.id}' belongs to tenant '${key.tenantId}', not '${tenantId}'.`, {
      field: 'tenantId',
    });
  }
}

/** Lists come back in one order on every adapter (code-unit order), whatever the database collation. */
export function byId<T extends { id: string }>(a: T, b: T): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Pending migrations: the server is not ready and CLI commands stop, naming the command that fixes it. */
export class StorageNotReadyError extends AppError {
  constructor(pending: string[]) {
    super(503, 'storage_not_ready', 'The database is not migrated; run `llm-rules migrate`.', { pending });
  }
}
