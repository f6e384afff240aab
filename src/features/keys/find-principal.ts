// Looks up the user or service account a principal reference names.
import type {
  PrincipalRef,
  ServiceAccountRecord,
  Storage,
  TenantId,
  UserRecord,
} from '../../storage/ports.ts';

export type PrincipalRecord = UserRecord | ServiceAccountRecord;

export function findPrincipal(
  storage: Storage,
  tenantId: TenantId,
  ref: PrincipalRef,
): Promise<PrincipalRecord | undefined> {
  return ref.type === 'user'
    ? storage.org.getUser(tenantId, ref.id)
    : storage.org.getServiceAccount(tenantId, ref.id);
}

export function describePrincipal(ref: PrincipalRef): string {
  return ref.type === 'user' ? 'user' : 'service account';
}
