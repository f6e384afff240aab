// SignInStore over Kysely, shared by SQLite and PostgreSQL. Every change that must happen once (a
// decision, a redemption, a refresh-token rotation) is a conditional UPDATE on the row's current state,
// so two instances racing cannot both win.
import type { Kysely, Selectable } from 'kysely';
import type { TenantId } from '../ports.ts';
import {
  type DeviceAuthorization,
  type DeviceStatus,
  POLL_TOLERANCE,
  type PollResult,
  type SignInGrant,
  type SignInSession,
  type SignInStore,
  type SigningKey,
} from '../sign-in-port.ts';
import { toDate, toMillis, toNullableDate, toNullableMillis, toStringArray } from './kysely-row-mappers.ts';
import type {
  DeviceAuthorizationsTable,
  SignInSessionsTable,
  SigningKeysTable,
  StorageDatabase,
} from './kysely-schema.ts';

export class KyselySignInStore implements SignInStore {
  readonly #db: Kysely<StorageDatabase>;

  constructor(db: Kysely<StorageDatabase>) {
    this.#db = db;
  }

  async createDevice(d: DeviceAuthorization): Promise<void> {
    await this.#db
      .insertInto('device_authorizations')
      .values({
        device_digest: d.deviceDigest,
        user_code: d.userCode,
        surface: d.surface,
        created_at: toMillis(d.createdAt),
        expires_at: toMillis(d.expiresAt),
        interval_s: d.interval,
        last_polled_at: toNullableMillis(d.lastPolledAt),
        status: d.status,
        ...grantColumns(d.grant),
      })
      .execute();
  }

  async findPendingDevice(userCode: string, now: Date): Promise<DeviceAuthorization | undefined> {
    const row = await this.#db
      .selectFrom('device_authorizations')
      .selectAll()
      .where('user_code', '=', userCode)
      .where('status', '=', 'pending')
      .where('expires_at', '>', toMillis(now))
      .executeTakeFirst();
    return row && deviceFromRow(row);
  }

  async decideDevice(
    deviceDigest: string,
    decision: { status: 'approved'; grant: SignInGrant } | { status: 'denied' },
  ): Promise<boolean> {
    const result = await this.#db
      .updateTable('device_authorizations')
      .set({
        status: decision.status,
        ...grantColumns(decision.status === 'approved' ? decision.grant : null),
      })
      .where('device_digest', '=', deviceDigest)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async pollDevice(deviceDigest: string, now: Date): Promise<PollResult | undefined> {
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('device_authorizations')
        .selectAll()
        .where('device_digest', '=', deviceDigest)
        .executeTakeFirst();
      if (!row) return undefined;
      const device = deviceFromRow(row);
      const tooSoon =
        device.lastPolledAt !== null &&
        now.getTime() - device.lastPolledAt.getTime() < device.interval * 1000 * POLL_TOLERANCE;
      await trx
        .updateTable('device_authorizations')
        .set({ last_polled_at: toMillis(now), interval_s: device.interval + (tooSoon ? 5 : 0) })
        .where('device_digest', '=', deviceDigest)
        .execute();
      return { device, tooSoon };
    });
  }

  async redeemDevice(deviceDigest: string, s: SignInSession): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('device_authorizations')
        .set({ status: 'redeemed' })
        .where('device_digest', '=', deviceDigest)
        .where('status', '=', 'approved')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await trx.insertInto('sign_in_sessions').values(sessionRow(s)).execute();
      return true;
    });
  }

  async createSession(s: SignInSession): Promise<void> {
    await this.#db.insertInto('sign_in_sessions').values(sessionRow(s)).execute();
  }

  async getSession(tenantId: TenantId, id: string): Promise<SignInSession | undefined> {
    const row = await this.#db
      .selectFrom('sign_in_sessions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && sessionFromRow(row);
  }

  async findSessionByRefresh(refreshDigest: string): Promise<SignInSession | undefined> {
    const row = await this.#db
      .selectFrom('sign_in_sessions')
      .selectAll()
      .where('refresh_digest', '=', refreshDigest)
      .executeTakeFirst();
    return row && sessionFromRow(row);
  }

  async rotateRefresh(
    tenantId: TenantId,
    id: string,
    change: { previous: string; next: string; at: Date; idpRefreshToken?: string | null },
  ): Promise<boolean> {
    const result = await this.#db
      .updateTable('sign_in_sessions')
      .set({
        refresh_digest: change.next,
        refreshed_at: toMillis(change.at),
        ...(change.idpRefreshToken !== undefined ? { idp_refresh_token: change.idpRefreshToken } : {}),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('refresh_digest', '=', change.previous)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async revokeSession(tenantId: TenantId, id: string, at: Date): Promise<boolean> {
    const result = await this.#db
      .updateTable('sign_in_sessions')
      .set({ revoked_at: toMillis(at) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async listSessions(tenantId: TenantId, userId: string, now: Date): Promise<SignInSession[]> {
    const rows = await this.#db
      .selectFrom('sign_in_sessions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', toMillis(now))
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(sessionFromRow);
  }

  async spendOnce(marker: string, expiresAt: Date): Promise<boolean> {
    const result = await this.#db
      .insertInto('spent_markers')
      .values({ marker, expires_at: toMillis(expiresAt) })
      .onConflict((c) => c.column('marker').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async prune(now: Date): Promise<number> {
    const millis = toMillis(now);
    return this.#db.transaction().execute(async (trx) => {
      const devices = await trx
        .deleteFrom('device_authorizations')
        .where('expires_at', '<=', millis)
        .executeTakeFirst();
      const sessions = await trx
        .deleteFrom('sign_in_sessions')
        .where('expires_at', '<=', millis)
        .executeTakeFirst();
      const markers = await trx
        .deleteFrom('spent_markers')
        .where('expires_at', '<=', millis)
        .executeTakeFirst();
      return (
        Number(devices.numDeletedRows) + Number(sessions.numDeletedRows) + Number(markers.numDeletedRows)
      );
    });
  }

  async signingKeys(now: Date): Promise<SigningKey[]> {
    const rows = await this.#db
      .selectFrom('signing_keys')
      .selectAll()
      .where('expires_at', '>', toMillis(now))
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(keyFromRow);
  }

  async addSigningKey(k: SigningKey): Promise<void> {
    await this.#db
      .insertInto('signing_keys')
      .values({
        kid: k.kid,
        alg: k.alg,
        public_jwk: k.publicJwk,
        private_jwk: k.privateJwk,
        created_at: toMillis(k.createdAt),
        retires_at: toMillis(k.retiresAt),
        expires_at: toMillis(k.expiresAt),
      })
      .execute();
  }
}

function grantColumns(grant: SignInGrant | null) {
  return {
    tenant_id: grant?.tenantId ?? null,
    user_id: grant?.userId ?? null,
    email: grant?.email ?? null,
    idp_groups: grant ? JSON.stringify(grant.idpGroups) : null,
    idp_refresh_token: grant?.idpRefreshToken ?? null,
  };
}

function deviceFromRow(row: Selectable<DeviceAuthorizationsTable>): DeviceAuthorization {
  return {
    deviceDigest: row.device_digest,
    userCode: row.user_code,
    surface: row.surface,
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
    interval: Number(row.interval_s),
    lastPolledAt: toNullableDate(row.last_polled_at),
    status: row.status as DeviceStatus,
    grant:
      row.tenant_id === null || row.user_id === null || row.email === null
        ? null
        : {
            tenantId: row.tenant_id,
            userId: row.user_id,
            email: row.email,
            idpGroups: toStringArray(row.idp_groups),
            idpRefreshToken: row.idp_refresh_token,
          },
  };
}

function sessionFromRow(row: Selectable<SignInSessionsTable>): SignInSession {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    userId: row.user_id,
    email: row.email,
    idpGroups: toStringArray(row.idp_groups),
    idpRefreshToken: row.idp_refresh_token,
    surface: row.surface,
    createdAt: toDate(row.created_at),
    refreshDigest: row.refresh_digest,
    refreshedAt: toDate(row.refreshed_at),
    expiresAt: toDate(row.expires_at),
    revokedAt: toNullableDate(row.revoked_at),
  };
}

function keyFromRow(row: Selectable<SigningKeysTable>): SigningKey {
  return {
    kid: row.kid,
    alg: row.alg,
    publicJwk: row.public_jwk,
    privateJwk: row.private_jwk,
    createdAt: toDate(row.created_at),
    retiresAt: toDate(row.retires_at),
    expiresAt: toDate(row.expires_at),
  };
}

function sessionRow(s: SignInSession) {
  return {
    tenant_id: s.tenantId,
    id: s.id,
    user_id: s.userId,
    email: s.email,
    idp_groups: JSON.stringify(s.idpGroups),
    idp_refresh_token: s.idpRefreshToken,
    surface: s.surface,
    created_at: toMillis(s.createdAt),
    refresh_digest: s.refreshDigest,
    refreshed_at: toMillis(s.refreshedAt),
    expires_at: toMillis(s.expiresAt),
    revoked_at: toNullableMillis(s.revokedAt),
  };
}
