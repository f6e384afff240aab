// The gateway protocol's sign-in, server side: RFC 8628 device authorization, its approval by a person
// signed in at the IdP, the token endpoint (device-code and refresh grants) and RFC 7009 revocation.
// Answers use OAuth's error shape; a refresh refused for good is 401 `invalid_grant`, the protocol's
// deprovisioning hook, which sends the developer back through /login.
import type { Clock } from '../../core/clock/clock.ts';
import type { OrgStore } from '../../storage/ports.ts';
import type { SignInSession, SignInStore } from '../../storage/sign-in-port.ts';
import type { AccessTokens } from './access-tokens.ts';
import { memberFor } from './identity-mapping.ts';
import type { MasterKey } from './master-key.ts';
import type { IdpIdentity, OidcFederation } from './oidc-federation.ts';
import {
  digestOf,
  newDeviceCode,
  newRefreshToken,
  newSessionId,
  newUserCode,
  normalizeUserCode,
} from './sign-in-codes.ts';

export const DEVICE_CODE_TTL_S = 600;
export const POLL_INTERVAL_S = 5;
const IDP_TOKEN_PURPOSE = 'idp-refresh-token';

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** An OAuth error answer: `{"error","error_description"}` with its status. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

export interface TokenAnswer {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  email: string;
}

export interface DeviceFlowDeps {
  store: SignInStore;
  org: OrgStore;
  tokens: AccessTokens;
  master: MasterKey;
  clock: Clock;
  /** Read at each sign-in: a newly applied bundle may change it. */
  sessionMaxAgeMs: () => number;
}

export class DeviceFlow {
  constructor(private readonly deps: DeviceFlowDeps) {}

  /** `POST /oauth/device_authorization`. */
  async authorize(
    surface: string | undefined,
  ): Promise<{ deviceCode: string; userCode: string; expiresIn: number; interval: number }> {
    const now = this.deps.clock.now();
    const deviceCode = newDeviceCode();
    // A user code collides with a pending one about once in billions; then another is drawn.
    for (let attempt = 0; ; attempt++) {
      const userCode = newUserCode();
      try {
        await this.deps.store.createDevice({
          deviceDigest: digestOf(deviceCode),
          userCode,
          surface: surface?.slice(0, 64) || null,
          createdAt: now,
          expiresAt: new Date(now.getTime() + DEVICE_CODE_TTL_S * 1000),
          interval: POLL_INTERVAL_S,
          lastPolledAt: null,
          status: 'pending',
          grant: null,
        });
        return { deviceCode, userCode, expiresIn: DEVICE_CODE_TTL_S, interval: POLL_INTERVAL_S };
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  }

  /** The pending authorization a typed code names, for the verification page; undefined if none. */
  async pending(typed: string) {
    const userCode = normalizeUserCode(typed);
    return userCode ? this.deps.store.findPendingDevice(userCode, this.deps.clock.now()) : undefined;
  }

  /** The person at the IdP approved: the code is tied to them (refused if they are not in the org). */
  async approve(userCode: string, identity: IdpIdentity): Promise<{ email: string; tenantId: string }> {
    const device = await this.pending(userCode);
    if (!device)
      throw new OAuthError(
        400,
        'expired_token',
        'That code has expired or was already used; run /login again.',
      );
    const user = await memberFor(this.deps.org, identity);
    const approved = await this.deps.store.decideDevice(device.deviceDigest, {
      status: 'approved',
      grant: {
        tenantId: user.tenantId,
        userId: user.id,
        email: user.email,
        idpGroups: identity.groups,
        idpRefreshToken: identity.refreshToken
          ? this.deps.master.encrypt(identity.refreshToken, IDP_TOKEN_PURPOSE)
          : null,
      },
    });
    if (!approved)
      throw new OAuthError(400, 'expired_token', 'That code was already used; run /login again.');
    return { email: user.email, tenantId: user.tenantId };
  }

  async deny(userCode: string): Promise<void> {
    const device = await this.pending(userCode);
    if (device) await this.deps.store.decideDevice(device.deviceDigest, { status: 'denied' });
  }

  /** `POST /oauth/token` with the device-code grant. */
  async redeemDeviceCode(deviceCode: string): Promise<TokenAnswer> {
    const now = this.deps.clock.now();
    const digest = digestOf(deviceCode);
    const polled = await this.deps.store.pollDevice(digest, now);
    if (!polled) throw new OAuthError(400, 'invalid_grant', 'Unknown device code.');
    const { device, tooSoon } = polled;
    if (device.expiresAt <= now)
      throw new OAuthError(400, 'expired_token', 'The device code has expired; run /login again.');
    if (device.status === 'denied') throw new OAuthError(400, 'access_denied', 'The sign-in was declined.');
    if (device.status === 'redeemed')
      throw new OAuthError(400, 'invalid_grant', 'The device code was already used.');
    if (device.status === 'pending') {
      throw tooSoon
        ? new OAuthError(400, 'slow_down', 'Polling too fast; wait longer between requests.')
        : new OAuthError(400, 'authorization_pending', 'Waiting for the code to be approved in the browser.');
    }
    const grant = device.grant!;
    const refreshToken = newRefreshToken();
    const session: SignInSession = {
      ...grant,
      id: newSessionId(),
      surface: device.surface,
      createdAt: now,
      refreshDigest: digestOf(refreshToken),
      refreshedAt: now,
      expiresAt: new Date(now.getTime() + this.deps.sessionMaxAgeMs()),
      revokedAt: null,
    };
    if (!(await this.deps.store.redeemDevice(digest, session))) {
      throw new OAuthError(400, 'invalid_grant', 'The device code was already used.');
    }
    return this.#answer(session, refreshToken);
  }

  /** `POST /oauth/token` with the refresh grant: the user is checked again, in the org and at the IdP. */
  async refresh(refreshToken: string, federation: OidcFederation | undefined): Promise<TokenAnswer> {
    const now = this.deps.clock.now();
    const digest = digestOf(refreshToken);
    const session = await this.deps.store.findSessionByRefresh(digest);
    const ended = (why: string) => new OAuthError(401, 'invalid_grant', `${why}; run /login again.`);
    if (!session) throw ended('This sign-in is not known or its refresh token was already used');
    if (session.revokedAt) throw ended('This sign-in was revoked');
    if (session.expiresAt <= now) throw ended('This sign-in has reached its maximum age');
    const user = await this.deps.org.getUser(session.tenantId, session.userId);
    if (!user || user.deprovisionedAt) {
      await this.deps.store.revokeSession(session.tenantId, session.id, now);
      throw ended(`${session.email} is no longer a member in LLM-RULES`);
    }
    let idpRefreshToken: string | null | undefined;
    const sealed =
      session.idpRefreshToken && this.deps.master.decrypt(session.idpRefreshToken, IDP_TOKEN_PURPOSE);
    if (sealed && federation) {
      const verdict = await federation.recheck(sealed);
      if (verdict.refused) {
        await this.deps.store.revokeSession(session.tenantId, session.id, now);
        throw ended('The identity provider no longer accepts this account');
      }
      idpRefreshToken = this.deps.master.encrypt(verdict.refreshToken, IDP_TOKEN_PURPOSE);
    }
    const next = newRefreshToken();
    const rotated = await this.deps.store.rotateRefresh(session.tenantId, session.id, {
      previous: digest,
      next: digestOf(next),
      at: now,
      ...(idpRefreshToken !== undefined ? { idpRefreshToken } : {}),
    });
    if (!rotated) throw ended('This refresh token was already used');
    return this.#answer(session, next);
  }

  /** RFC 7009: an access or refresh token ends its sign-in session; unknown tokens are ignored. */
  async revoke(token: string): Promise<void> {
    const now = this.deps.clock.now();
    const claims = token.startsWith('llmr_rt_')
      ? undefined
      : await this.deps.tokens.verify(token, { ignoreExpiry: true });
    if (claims) {
      await this.deps.store.revokeSession(claims.tenantId, claims.sessionId, now);
      return;
    }
    const session = await this.deps.store.findSessionByRefresh(digestOf(token));
    if (session) await this.deps.store.revokeSession(session.tenantId, session.id, now);
  }

  async #answer(session: SignInSession, refreshToken: string): Promise<TokenAnswer> {
    const { token, expiresAt } = await this.deps.tokens.issue({
      tenantId: session.tenantId,
      userId: session.userId,
      email: session.email,
      sessionId: session.id,
    });
    return {
      access_token: token,
      token_type: 'Bearer',
      // Rounded down: a client that refreshes by it is never late.
      expires_in: Math.floor((expiresAt.getTime() - this.deps.clock.now().getTime()) / 1000),
      refresh_token: refreshToken,
      email: session.email,
    };
  }
}
