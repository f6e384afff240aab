// Turns a signed-in developer's bearer token into the same caller an API key gives (tenant, user, the
// sign-in session in place of a key id, the user's profile with their IdP groups mapped in), checking
// each time that the token verifies, its session is neither revoked nor past its age, and the user is
// still a member. What it read is trusted for a few seconds, as verified API keys are; so is a verified
// token's answer as a whole, which spares every model call and tool call of a signed-in Claude Code an
// ES256 signature check (a WebCrypto call through the thread pool).
import type { Clock } from '../../core/clock/clock.ts';
import { CredentialEndedError } from '../../core/errors/app-error.ts';
import type { GroupRecord, OrgStore, TenantId, UserRecord } from '../../storage/ports.ts';
import type { SignInSession, SignInStore } from '../../storage/sign-in-port.ts';
import { keyDigest } from '../keys/key-digest.ts';
import type { AuthenticatedKey } from '../keys/keys-service.ts';
import type { AccessTokens } from './access-tokens.ts';
import { effectiveGroups } from './identity-mapping.ts';

const CACHE_TTL_MS = 5_000;
const MAX_CACHED = 10_000;

interface Cached<T> {
  value: T;
  at: number;
}

/** A token's whole answer, kept while the reads behind it are fresh, never past the token's or its session's end. */
interface VerifiedToken {
  result: AuthenticatedKey;
  /** `tenant\0session`, so a revocation through this process forgets it at once. */
  session: string;
  /** When the oldest of the session, member and groups reads behind it was made. */
  at: number;
  until: number;
}

export class SignInAuthenticator {
  readonly #sessions = new Map<string, Cached<SignInSession | undefined>>();
  readonly #users = new Map<string, Cached<UserRecord | undefined>>();
  readonly #groups = new Map<TenantId, Cached<GroupRecord[]>>();
  /** Verified tokens by their SHA-256 (keyDigest, as API keys are kept), never as they are. */
  readonly #tokens = new Map<string, VerifiedToken>();

  constructor(
    private readonly tokens: AccessTokens,
    private readonly store: SignInStore,
    private readonly org: OrgStore,
    private readonly clock: Clock,
  ) {}

  /** The answer for a token verified within the last few seconds and still valid; undefined otherwise. */
  authenticateNow(token: string): AuthenticatedKey | undefined {
    return this.#known(keyDigest(token), this.clock.now().getTime());
  }

  async authenticate(token: string): Promise<AuthenticatedKey> {
    const digest = keyDigest(token);
    const known = this.#known(digest, this.clock.now().getTime());
    if (known) return known;
    const claims = await this.tokens.verify(token);
    if (!claims)
      throw new CredentialEndedError('Your sign-in has expired or is not valid; run /login again.');
    const now = this.clock.now();
    const session = await this.#cached(this.#sessions, `${claims.tenantId}\u0000${claims.sessionId}`, () =>
      this.store.getSession(claims.tenantId, claims.sessionId),
    );
    if (!session || session.revokedAt || session.expiresAt <= now) {
      throw new CredentialEndedError(
        'This sign-in has ended (signed out, revoked or too old); run /login again.',
      );
    }
    const result = await this.#member(claims.tenantId, claims.userId, session.id, session.idpGroups);
    const sessionKey = `${claims.tenantId}\u0000${claims.sessionId}`;
    // Kept as long as the oldest of the reads behind it would be: a revoked session or a removed member
    // is seen no later than before.
    const readAt = Math.min(
      this.#sessions.get(sessionKey)?.at ?? 0,
      this.#users.get(`${claims.tenantId}\u0000${claims.userId}`)?.at ?? 0,
      this.#groups.get(claims.tenantId)?.at ?? 0,
    );
    if (this.#tokens.size >= MAX_CACHED) this.#tokens.clear();
    this.#tokens.set(digest, {
      result,
      session: sessionKey,
      at: readAt,
      until: Math.min(claims.expiresAt.getTime(), session.expiresAt.getTime()),
    });
    return result;
  }

  #known(digest: string, now: number): AuthenticatedKey | undefined {
    const hit = this.#tokens.get(digest);
    if (!hit) return undefined;
    if (now - hit.at < CACHE_TTL_MS && now < hit.until) return hit.result;
    this.#tokens.delete(digest);
    return undefined;
  }

  /** The owner of a hook credential (hook-credentials.ts), if still a member; their IdP groups are not known here. */
  async authenticateHookOwner(owner: { tenantId: string; userId: string }): Promise<AuthenticatedKey> {
    return this.#member(owner.tenantId, owner.userId, 'hook', []);
  }

  async #member(
    tenantId: string,
    userId: string,
    credentialId: string,
    idpGroups: readonly string[],
  ): Promise<AuthenticatedKey> {
    const user = await this.#cached(this.#users, `${tenantId}\u0000${userId}`, () =>
      this.org.getUser(tenantId, userId),
    );
    if (!user || user.deprovisionedAt) {
      throw new CredentialEndedError(`${userId} is no longer a member in LLM-RULES.`);
    }
    const groups = await this.#cached(this.#groups, tenantId, () => this.org.listGroups(tenantId));
    return {
      tenantId,
      principal: { type: 'user', id: user.id },
      keyId: credentialId,
      profile: { ...user, groups: effectiveGroups(user, groups, idpGroups) },
    };
  }

  /** Forgets what was read about a session, so a revocation through this process applies at once. */
  forgetSession(tenantId: TenantId, sessionId: string): void {
    const session = `${tenantId}\u0000${sessionId}`;
    this.#sessions.delete(session);
    for (const [digest, token] of this.#tokens) if (token.session === session) this.#tokens.delete(digest);
  }

  async #cached<T>(cache: Map<string, Cached<T>>, key: string, load: () => Promise<T>): Promise<T> {
    const now = this.clock.now().getTime();
    const hit = cache.get(key);
    if (hit && now - hit.at < CACHE_TTL_MS) return hit.value;
    const value = await load();
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, { value, at: now });
    return value;
  }
}
