// What the shared Kysely stores ask of their dialect: error classification, row locking, change notification.

import type { Transaction } from 'kysely';
import type { ActiveState } from '../active-revision-watch.ts';
import type { StorageDatabase } from './kysely-schema.ts';

export interface SqlDialectTraits {
  /** PostgreSQL locks the active-bundle row; SQLite needs no lock (its write transactions begin IMMEDIATE). */
  supportsForUpdate: boolean;
  isUniqueViolation(error: unknown): boolean;
  isForeignKeyViolation(error: unknown): boolean;
  /** Runs inside the activation transaction, so a notification is sent only if the activation commits. */
  announceActivation?(trx: Transaction<StorageDatabase>, state: ActiveState): Promise<void>;
}

/** Reads a driver error's `code` (SQLite: 'SQLITE_CONSTRAINT_…'; PostgreSQL: SQLSTATE) without trusting its type. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
