// People's sessions in the console (and the admin API from a browser): one row per sign-in in the
// sign-in sessions store, `surface` saying how they signed in (`console:oidc`, `console:saml`,
// `console:break-glass`). The browser holds a random token in an HttpOnly cookie; the store holds its
// SHA-256 only. A session ends at logout, at its maximum age, after the idle timeout, or as soon as
// its user is deprovisioned. Its CSRF token is an HMAC of the session id under the master key: it
// needs no storage and means nothing for another session.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock/clock.ts';
import type { GroupRecord, OrgStore, TenantId, UserRecord } from '../../storage/ports.ts';
import type { SignInSession, SignInStore } from '../../storage/sign-in-port.ts';
import { effectiveGroups } from '../sign-in/identity-mapping.ts';
import type { MasterKey } from '../sign-in/master-key.ts';
import { digestOf } from '../sign-in/sign-in-codes.ts';

export type ConsoleLoginMethod = 'oidc' | 'saml' | 'break-glass';

const SURFACE_PREFIX = 'console:';
const CSRF_PURPOSE = 'console-csrf';
/** Last-seen is written at most this often, so a busy console is not a write per request. */
const TOUCH_EVERY_MS = 60_000;
/** A break-glass session lasts at most this long, whatever the console settings say. */
export const BREAK_GLASS_MAX_AGE_MS = 3_600_000;
/** The break-glass account's id: not an org member, so it cannot collide with one. */
export const BREAK_GLASS_USER = 'break-glass';

export interface ConsoleLifetimes {
  maxAgeMs: number;
  idleMs: number;
}

export interface ConsoleSession {
  id: string;
  tenantId: TenantId;
  userId: string;
  email: string;
  method: ConsoleLoginMethod;
  /** For an org member: their record now, with their IdP groups mapped in. Undefined for break-glass. */
  member: (UserRecord & { groups: string[] }) | undefined;
  createdAt: Date;
  expiresAt: Date;
  csrfToken: string;
}

export interface NewConsoleSession {
  tenantId: TenantId;
  userId: string;
  email: string;
  idpGroups: string[];
  method: ConsoleLoginMethod;
}

export class ConsoleSessions {
  constructor(
    private readonly deps: {
      store: SignInStore;
      org: OrgStore;
      master: MasterKey;
      clock: Clock;
      lifetimes: () => ConsoleLifetimes;
    },
  ) {}

  /** A new session; the token goes in the cookie and nowhere else. */
  async create(who: NewConsoleSession): Promise<{ token: string; session: ConsoleSession }> {
    const now = this.deps.clock.now();
    const token = `llmr_cs_${randomBytes(32).toString('base64url')}`;
    const maxAge =
      who.method === 'break-glass'
        ? Math.min(BREAK_GLASS_MAX_AGE_MS, this.deps.lifetimes().maxAgeMs)
        : this.deps.lifetimes().maxAgeMs;
    const stored: SignInSession = {
      tenantId: who.tenantId,
      userId: who.userId,
      email: who.email,
      idpGroups: who.idpGroups,
      idpRefreshToken: null,
      id: `cos_${randomBytes(12).toString('hex')}`,
      surface: `${SURFACE_PREFIX}${who.method}`,
      createdAt: now,
      refreshDigest: digestOf(token),
      refreshedAt: now,
      expiresAt: new Date(now.getTime() + maxAge),
      revokedAt: null,
    };
    await this.deps.store.createSession(stored);
    const session = await this.#resolved(stored);
    if (!session) throw new Error('a console session could not be read back');
    return { token, session };
  }

  /** The live session a cookie's token belongs to; undefined when it has ended for any reason. */
  async resolve(token: string | undefined): Promise<ConsoleSession | undefined> {
    if (!token?.startsWith('llmr_cs_')) return undefined;
    const stored = await this.deps.store.findSessionByRefresh(digestOf(token));
    if (!stored?.surface?.startsWith(SURFACE_PREFIX) || stored.revokedAt) return undefined;
    const now = this.deps.clock.now();
    if (stored.expiresAt <= now) return undefined;
    if (now.getTime() - stored.refreshedAt.getTime() >= this.deps.lifetimes().idleMs) {
      await this.deps.store.revokeSession(stored.tenantId, stored.id, now);
      return undefined;
    }
    const session = await this.#resolved(stored);
    if (!session) {
      await this.deps.store.revokeSession(stored.tenantId, stored.id, now);
      return undefined;
    }
    if (now.getTime() - stored.refreshedAt.getTime() >= TOUCH_EVERY_MS) {
      // Same digest in and out: only last-seen moves (the idle clock restarts).
      await this.deps.store.rotateRefresh(stored.tenantId, stored.id, {
        previous: stored.refreshDigest,
        next: stored.refreshDigest,
        at: now,
      });
    }
    return session;
  }

  /** Logout: the session is over everywhere; true when there was one to end. */
  async end(session: Pick<ConsoleSession, 'tenantId' | 'id'>): Promise<boolean> {
    return this.deps.store.revokeSession(session.tenantId, session.id, this.deps.clock.now());
  }

  csrfFor(sessionId: string): string {
    return this.deps.master.mac(sessionId, CSRF_PURPOSE);
  }

  async #resolved(stored: SignInSession): Promise<ConsoleSession | undefined> {
    const method = stored.surface!.slice(SURFACE_PREFIX.length) as ConsoleLoginMethod;
    let member: ConsoleSession['member'];
    if (method !== 'break-glass') {
      const user = await this.deps.org.getUser(stored.tenantId, stored.userId);
      if (!user || user.deprovisionedAt) return undefined;
      const groups: GroupRecord[] = await this.deps.org.listGroups(stored.tenantId);
      member = { ...user, groups: effectiveGroups(user, groups, stored.idpGroups) };
    }
    return {
      id: stored.id,
      tenantId: stored.tenantId,
      userId: stored.userId,
      email: stored.email,
      method,
      member,
      createdAt: stored.createdAt,
      expiresAt: stored.expiresAt,
      csrfToken: this.csrfFor(stored.id),
    };
  }
}
