// BundleStore over Kysely, shared by SQLite and PostgreSQL; deployment-wide, so nothing here takes a tenant.

import type { Kysely, Transaction } from 'kysely';
import type { PolicyConfig } from '../../config/policy-config.ts';
import type { ActiveRevisionWatch, ActiveState } from '../active-revision-watch.ts';
import type { BundleActivation, BundleCandidate, BundleRecord, BundleStore } from '../ports.ts';
import { unknownBundleError } from '../storage-errors.ts';
import { activationFromRow, fromJson, toDate, toMillis } from './kysely-row-mappers.ts';
import type { StorageDatabase } from './kysely-schema.ts';
import type { SqlDialectTraits } from './sql-dialect-traits.ts';

/** The cheap query every poll runs. */
export async function loadActiveState(db: Kysely<StorageDatabase>): Promise<ActiveState> {
  const row = await db
    .selectFrom('active_bundle')
    .select(['seq', 'revision'])
    .where('id', '=', 1)
    .executeTakeFirst();
  return { seq: Number(row?.seq ?? 0), revision: row?.revision ?? null };
}

export interface ActivationOutcome {
  activation: BundleActivation;
  state: ActiveState;
  /** False when the revision was already active: nothing was recorded. */
  activated: boolean;
}

/** Locks the active pointer, then moves it (recording the activation and announcing it) unless it is already there. */
export async function activateInTransaction(
  trx: Transaction<StorageDatabase>,
  traits: SqlDialectTraits,
  revision: string,
  appliedBy: string,
  at: Date,
): Promise<ActivationOutcome> {
  const current = await trx
    .selectFrom('active_bundle')
    .select(['revision', 'seq'])
    .where('id', '=', 1)
    .$if(traits.supportsForUpdate, (q) => q.forUpdate())
    .executeTakeFirstOrThrow();
  const exists = await trx
    .selectFrom('bundles')
    .select('revision')
    .where('revision', '=', revision)
    .executeTakeFirst();
  if (!exists) throw unknownBundleError(revision);
  const state: ActiveState = { seq: Number(current.seq), revision: current.revision };
  if (current.revision === revision) {
    const latest = await trx
      .selectFrom('bundle_activations')
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    return { activation: activationFromRow(latest), state, activated: false };
  }
  const row = await trx
    .insertInto('bundle_activations')
    .values({
      revision,
      previous_revision: current.revision,
      applied_by: appliedBy,
      applied_at: toMillis(at),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const next: ActiveState = { seq: Number(row.seq), revision };
  await trx.updateTable('active_bundle').set({ revision, seq: next.seq }).where('id', '=', 1).execute();
  await traits.announceActivation?.(trx, next);
  return { activation: activationFromRow(row), state: next, activated: true };
}

/** The insert every put runs: an existing revision is never overwritten, and a concurrent put is not an error. */
export async function putBundle(db: Kysely<StorageDatabase>, bundle: BundleRecord): Promise<boolean> {
  const result = await db
    .insertInto('bundles')
    .values({
      revision: bundle.revision,
      content: JSON.stringify(bundle.content),
      created_at: toMillis(bundle.createdAt),
      created_by: bundle.createdBy,
    })
    .onConflict((oc) => oc.column('revision').doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export class KyselyBundleStore implements BundleStore {
  readonly #db: Kysely<StorageDatabase>;
  readonly #traits: SqlDialectTraits;
  readonly #watch: ActiveRevisionWatch;

  constructor(db: Kysely<StorageDatabase>, traits: SqlDialectTraits, watch: ActiveRevisionWatch) {
    this.#db = db;
    this.#traits = traits;
    this.#watch = watch;
  }

  put(bundle: BundleRecord): Promise<boolean> {
    return putBundle(this.#db, bundle);
  }

  async get(revision: string): Promise<BundleRecord | undefined> {
    const row = await this.#db
      .selectFrom('bundles')
      .selectAll()
      .where('revision', '=', revision)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      revision: row.revision,
      content: fromJson(row.content) as PolicyConfig,
      createdAt: toDate(row.created_at),
      createdBy: row.created_by,
    };
  }

  async activate(revision: string, appliedBy: string, at: Date): Promise<BundleActivation> {
    // A listener added just before this call must hear about it, so its baseline is read first.
    await this.#watch.ready();
    const outcome = await this.#db
      .transaction()
      .execute((trx) => activateInTransaction(trx, this.#traits, revision, appliedBy, at));
    this.#watch.observe(outcome.state);
    return outcome.activation;
  }

  async activeRevision(): Promise<string | null> {
    return (await loadActiveState(this.#db)).revision;
  }

  async history(limit: number): Promise<BundleActivation[]> {
    if (limit <= 0) return [];
    const rows = await this.#db
      .selectFrom('bundle_activations')
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.map(activationFromRow);
  }

  onActiveChange(listener: (revision: string) => void): () => void {
    return this.#watch.subscribe(listener);
  }

  async candidate(): Promise<BundleCandidate | null> {
    const row = await this.#db
      .selectFrom('bundle_candidate')
      .selectAll()
      .where('id', '=', 1)
      .executeTakeFirst();
    if (!row) return null;
    return {
      revision: row.revision,
      mode: row.mode as BundleCandidate['mode'],
      percent: Number(row.percent),
      setBy: row.set_by,
      setAt: toDate(row.set_at),
    };
  }

  async setCandidate(candidate: BundleCandidate | null): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('bundle_candidate').where('id', '=', 1).execute();
      if (!candidate) return;
      const exists = await trx
        .selectFrom('bundles')
        .select('revision')
        .where('revision', '=', candidate.revision)
        .executeTakeFirst();
      if (!exists) throw unknownBundleError(candidate.revision);
      await trx
        .insertInto('bundle_candidate')
        .values({
          id: 1,
          revision: candidate.revision,
          mode: candidate.mode,
          percent: candidate.percent,
          set_by: candidate.setBy,
          set_at: toMillis(candidate.setAt),
        })
        .execute();
    });
  }
}
