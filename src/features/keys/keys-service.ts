// Issues, lists, rotates, revokes and verifies API keys. The plaintext leaves this module exactly
// once (returned from create/rotate) and is never stored or logged.
import { type Clock, systemClock } from '../../core/clock/clock.ts';
import { generateApiKey, parseApiKey } from '../../core/credentials/api-key-format.ts';
import {
  AuthenticationError,
  ConflictError,
  NotFoundError,
  ValidationError,
} from '../../core/errors/app-error.ts';
import type { ApiKeyRecord, PrincipalRef, Storage, TenantId } from '../../storage/ports.ts';
import { describePrincipal, findPrincipal, type PrincipalRecord } from './find-principal.ts';
import { KeyAudit, type KeyAuditSink } from './key-audit.ts';
import { digestsEqual, keyDigest, secureRandomBytes } from './key-digest.ts';

export interface IssuedKey {
  record: ApiKeyRecord;
  /** Show once; it cannot be recovered later. */
  plaintext: string;
}

/** What a key may do beyond the gateway and hooks. */
export const KEY_SCOPES = ['admin:read', 'admin:write'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

export interface AuthenticatedKey {
  tenantId: TenantId;
  principal: PrincipalRef;
  keyId: string;
  /** The key's scopes; none for sign-in tokens and hook credentials. */
  scopes?: readonly string[];
  /** The user or service account behind the key, as the store has it now. */
  profile: PrincipalRecord;
}

/** Anything that turns a presented credential into its caller: API keys, sign-in tokens, or both. */
export interface CredentialAuthenticator {
  authenticate(presented: string): Promise<AuthenticatedKey>;
  /**
   * The same answer without waiting, when it is already known (a key verified moments ago and still
   * valid); undefined means "ask `authenticate`", never "refused". The gateway's hot path uses it.
   */
  authenticateNow?(presented: string): AuthenticatedKey | undefined;
}

export interface KeysLogger {
  warn(obj: object, msg: string): void;
}

/** last_used_at is refreshed at most this often, so authentication is not a write per request. */
const LAST_USED_GRANULARITY_MS = 60_000;
const MAX_CACHED_KEYS = 10_000;

/** Revocation, expiry and the end of a rotation's grace period, checked on every use, cached or not. */
function whyNoLongerValid(record: ApiKeyRecord, now: Date): { reason: string; message: string } | undefined {
  if (record.revokedAt) return { reason: 'revoked', message: `The API key ${record.id} was revoked.` };
  if (record.expiresAt && record.expiresAt <= now)
    return { reason: 'expired', message: `The API key ${record.id} has expired.` };
  if (record.graceUntil && record.graceUntil <= now) {
    return {
      reason: 'rotation_grace_ended',
      message: `The API key ${record.id} was rotated and its grace period has ended; use its successor.`,
    };
  }
  return undefined;
}

export interface KeysServiceOptions {
  /** How long a verified key is trusted without reading the store again (revocation is still checked). */
  cacheTtlMs?: number;
  /** Where `auth` events go: key changes, and refused uses of a known key. None: not recorded. */
  audit?: KeyAuditSink;
}

export class KeysService {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock = systemClock,
    private readonly logger: KeysLogger = { warn: () => {} },
    private readonly options: KeysServiceOptions = {},
  ) {
    this.keyAudit = new KeyAudit(options.audit, clock);
  }

  private readonly keyAudit: KeyAudit;

  /** Successful verifications by key digest, so the hot path skips two queries (server only). */
  private readonly verified = new Map<
    string,
    { record: ApiKeyRecord; result: AuthenticatedKey; at: number }
  >();

  /**
   * The digest of each key presented to authenticateNow with a fresh, valid verification, by the header's
   * text as it came, so a session's later requests skip the format check, the checksum and the SHA-256.
   * The text is the secret, so an entry is dropped once it is as old as the cache's time (swept at the
   * next authenticateNow; the entries are in the order they were made), when its key is revoked or
   * rotated here, or when its key is found no longer valid.
   */
  private readonly recentDigests = new Map<string, { digest: string; at: number }>();

  async create(input: {
    tenantId: TenantId;
    principal: PrincipalRef;
    name?: string;
    ttlMs?: number;
    /** `admin:read`, `admin:write`: the admin API, as far as the principal's roles allow. */
    scopes?: readonly KeyScope[];
    /** Who asked, for the audit record. */
    by?: string;
  }): Promise<IssuedKey> {
    await this.requireActivePrincipal(input.tenantId, input.principal);
    const issued = this.newKey(input.tenantId, input.principal, input.name ?? null, input.ttlMs, [
      ...new Set(input.scopes ?? []),
    ]);
    await this.storage.apiKeys.insert(issued.record);
    await this.keyAudit.changed('key_created', issued.record, input.by, {
      name: issued.record.name,
      expires_at: issued.record.expiresAt?.toISOString() ?? null,
      scopes: issued.record.scopes,
    });
    return issued;
  }

  list(tenantId: TenantId, principal?: PrincipalRef): Promise<ApiKeyRecord[]> {
    return this.storage.apiKeys.list(tenantId, principal ? { principal } : undefined);
  }

  /** A successor with the same principal, name and lifetime; the old key keeps working for `graceMs`. */
  async rotate(tenantId: TenantId, id: string, graceMs: number, by?: string): Promise<IssuedKey> {
    const old = await this.storage.apiKeys.get(tenantId, id);
    if (!old) throw new NotFoundError('key', id);
    const refuse = (why: string) => new ValidationError(`Key ${id} ${why}`, { field: 'id' });
    if (old.revokedAt) throw refuse('is revoked; create a new key instead.');
    if (old.replacedBy) throw refuse(`was already rotated to ${old.replacedBy}.`);
    if (old.expiresAt && old.expiresAt <= this.clock.now())
      throw refuse('has expired; create a new key instead.');
    await this.requireActivePrincipal(tenantId, old.principal);
    const lifetime = old.expiresAt ? old.expiresAt.getTime() - old.createdAt.getTime() : undefined;
    const issued = this.newKey(tenantId, old.principal, old.name, lifetime, old.scopes);
    const graceUntil = new Date(this.clock.now().getTime() + graceMs);
    this.forget(id);
    if (!(await this.storage.apiKeys.rotate(tenantId, id, issued.record, graceUntil))) {
      // A concurrent rotation or revocation won; the successor minted here was never stored.
      throw new ConflictError(`Key ${id} was rotated or revoked concurrently; list the keys and try again.`, {
        id,
      });
    }
    await this.keyAudit.changed('key_rotated', old, by, {
      successor: issued.record.id,
      grace_until: graceUntil.toISOString(),
    });
    return issued;
  }

  async revoke(tenantId: TenantId, id: string, by?: string): Promise<void> {
    this.forget(id);
    const key = await this.storage.apiKeys.get(tenantId, id);
    if (!key || !(await this.storage.apiKeys.revoke(tenantId, id, this.clock.now())))
      throw new NotFoundError('key', id);
    await this.keyAudit.changed('key_revoked', key, by);
  }

  /**
   * A key verified within the cache TTL and still valid, without a promise; undefined for anything else
   * (unknown, malformed, expired, revoked: `authenticate` then refuses it, with its audit event).
   */
  authenticateNow(presented: string): AuthenticatedKey | undefined {
    const ttl = this.options.cacheTtlMs ?? 0;
    if (ttl <= 0) return undefined;
    const now = this.clock.now();
    this.sweepRecentDigests(now.getTime() - ttl);
    const known = this.recentDigests.get(presented);
    let digest = known?.digest;
    if (digest === undefined) {
      const text = presented.trim();
      if (!parseApiKey(text)?.checksumValid) return undefined;
      digest = keyDigest(text);
    }
    const cached = this.fresh(digest, now);
    if (!cached || whyNoLongerValid(cached.record, now)) {
      if (known) this.recentDigests.delete(presented);
      return undefined;
    }
    if (!known) {
      if (this.recentDigests.size >= MAX_CACHED_KEYS)
        this.recentDigests.delete(this.recentDigests.keys().next().value!);
      this.recentDigests.set(presented, { digest, at: now.getTime() });
    }
    return cached.result;
  }

  /** Drops the remembered digests made before `before` (ms): the oldest come first. */
  private sweepRecentDigests(before: number): void {
    for (const [text, entry] of this.recentDigests) {
      if (entry.at > before) return;
      this.recentDigests.delete(text);
    }
  }

  /** The verification of this digest made within the cache TTL, if any. */
  private fresh(digest: string, now: Date) {
    const cached = this.verified.get(digest);
    return cached && now.getTime() - cached.at < (this.options.cacheTtlMs ?? 0) ? cached : undefined;
  }

  /** Verifies a presented key; every failure says why, without revealing whether other keys exist. */
  async authenticate(presented: string): Promise<AuthenticatedKey> {
    const text = presented.trim();
    const parsed = parseApiKey(text);
    if (!parsed) {
      throw new AuthenticationError(
        'The API key is malformed; keys look like llmr_… as printed by `llm-rules keys create`.',
      );
    }
    if (!parsed.checksumValid) {
      throw new AuthenticationError('The API key failed its checksum; it was mistyped or truncated.');
    }
    const digest = keyDigest(text);
    const now = this.clock.now();
    const cached = this.fresh(digest, now);
    if (cached) {
      await this.refuseIfInvalid(cached.record, now);
      return cached.result;
    }
    const record = await this.storage.apiKeys.findForAuthentication(parsed.id);
    if (!record) throw new AuthenticationError('The API key is not known.');
    if (!digestsEqual(record.digest, digest)) {
      // A real key id with the wrong secret: worth an auditor's attention; the caller learns nothing more.
      await this.keyAudit.refused(record, 'wrong_secret');
      throw new AuthenticationError('The API key is not known.');
    }
    await this.refuseIfInvalid(record, now);
    const profile = await findPrincipal(this.storage, record.tenantId, record.principal);
    if (!profile || profile.deprovisionedAt !== null) {
      await this.keyAudit.refused(record, 'owner_inactive');
      throw new AuthenticationError(`The owner of API key ${record.id} is no longer active.`);
    }
    if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() >= LAST_USED_GRANULARITY_MS) {
      await this.touchLastUsed(record, now);
    }
    const result: AuthenticatedKey = {
      tenantId: record.tenantId,
      principal: record.principal,
      keyId: record.id,
      scopes: record.scopes,
      profile,
    };
    this.remember(digest, record, result, now);
    return result;
  }

  private async refuseIfInvalid(record: ApiKeyRecord, now: Date): Promise<void> {
    const invalid = whyNoLongerValid(record, now);
    if (!invalid) return;
    await this.keyAudit.refused(record, invalid.reason);
    throw new AuthenticationError(invalid.message);
  }

  private remember(digest: string, record: ApiKeyRecord, result: AuthenticatedKey, now: Date): void {
    if ((this.options.cacheTtlMs ?? 0) <= 0) return;
    if (this.verified.size >= MAX_CACHED_KEYS) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(digest, { record, result, at: now.getTime() });
  }

  /** A key changed here takes effect at once in this process (others within the cache TTL). */
  private forget(id: string): void {
    const digests = new Set<string>();
    for (const [digest, entry] of this.verified) {
      if (entry.record.id !== id) continue;
      this.verified.delete(digest);
      digests.add(digest);
    }
    for (const [text, entry] of this.recentDigests)
      if (digests.has(entry.digest)) this.recentDigests.delete(text);
  }

  /** Best effort: a busy database (an `apply` holding SQLite's write lock) must not fail authentication. */
  private async touchLastUsed(record: ApiKeyRecord, now: Date): Promise<void> {
    try {
      await this.storage.apiKeys.touchLastUsed(record.tenantId, record.id, now);
    } catch (error) {
      this.logger.warn({ err: error, keyId: record.id }, 'could not record the last use of an API key');
    }
  }

  private newKey(
    tenantId: TenantId,
    principal: PrincipalRef,
    name: string | null,
    ttlMs: number | undefined,
    scopes: string[],
  ): IssuedKey {
    const { id, plaintext } = generateApiKey(secureRandomBytes);
    const now = this.clock.now();
    const record: ApiKeyRecord = {
      tenantId,
      id,
      principal,
      name,
      digest: keyDigest(plaintext),
      createdAt: now,
      expiresAt: ttlMs === undefined ? null : new Date(now.getTime() + ttlMs),
      lastUsedAt: null,
      revokedAt: null,
      replacedBy: null,
      graceUntil: null,
      scopes,
    };
    return { record, plaintext };
  }

  private async requireActivePrincipal(tenantId: TenantId, principal: PrincipalRef): Promise<void> {
    const found = await findPrincipal(this.storage, tenantId, principal);
    if (!found || found.deprovisionedAt !== null) {
      throw new NotFoundError(`active ${describePrincipal(principal)}`, principal.id, `tenant '${tenantId}'`);
    }
  }
}
