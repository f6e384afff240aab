// Publishes a bundle in one transaction shared by SQLite and PostgreSQL: lock the active pointer,
// store the bundle, sync every tenant's org, move the pointer. Concurrent applies serialize on the lock.
import type { Kysely } from 'kysely';
import type { ActiveRevisionWatch } from '../active-revision-watch.ts';
import { emptySnapshotsForMissingTenants } from '../empty-org-snapshot.ts';
import type { BundlePublication, OrgSyncResult, PublishResult, TenantId } from '../ports.ts';
import { activateInTransaction, putBundle } from './kysely-bundle-store.ts';
import { syncOrgInTransaction } from './kysely-org-sync.ts';
import type { StorageDatabase } from './kysely-schema.ts';
import type { SqlDialectTraits } from './sql-dialect-traits.ts';

export async function publishBundle(
  db: Kysely<StorageDatabase>,
  traits: SqlDialectTraits,
  watch: ActiveRevisionWatch,
  publication: BundlePublication,
): Promise<PublishResult> {
  await watch.ready();
  const outcome = await db.transaction().execute(async (trx) => {
    // Taking the pointer's lock first serializes whole publications (PostgreSQL: FOR UPDATE;
    // SQLite: the IMMEDIATE write lock is already held).
    await trx
      .selectFrom('active_bundle')
      .select('revision')
      .where('id', '=', 1)
      .$if(traits.supportsForUpdate, (q) => q.forUpdate())
      .executeTakeFirstOrThrow();
    await putBundle(trx, publication.bundle);
    const known = await trx.selectFrom('tenants').select(['id', 'name']).execute();
    const orgSync: Record<TenantId, OrgSyncResult> = {};
    for (const snapshot of [
      ...publication.orgs,
      ...emptySnapshotsForMissingTenants(publication.orgs, known),
    ]) {
      orgSync[snapshot.tenant.id] = await syncOrgInTransaction(
        trx,
        snapshot.tenant.id,
        snapshot,
        publication.at,
      );
    }
    const activation = await activateInTransaction(
      trx,
      traits,
      publication.bundle.revision,
      publication.appliedBy,
      publication.at,
    );
    return { ...activation, orgSync };
  });
  watch.observe(outcome.state);
  return {
    activated: outcome.activated,
    previousRevision: outcome.activated ? outcome.activation.previousRevision : outcome.state.revision,
    orgSync: outcome.orgSync,
  };
}
