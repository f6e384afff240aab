// Sign-in federated to the enterprise IdP with OpenID Connect: authorization code with PKCE, state and
// nonce (openid-client), then the ID token checked here as well, explicitly: signature against the IdP's
// JWKS (cached, fetched again when a token names a key it does not know: rotation), an asymmetric
// algorithm the IdP advertises (never `none`, never a shared-secret HMAC), issuer, audience, nonce, and
// expiry with a minute of clock-skew leeway. Okta, Auth0 and Entra ID are OIDC issuers like any other.

import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { AppError } from '../../core/errors/app-error.ts';

/** Algorithms an ID token may be signed with: public-key signatures only. */
const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^ES256K$/;
const CLOCK_TOLERANCE_S = 60;

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  emailClaim: string;
  groupsClaim: string;
}

/** What the browser must carry from the redirect to the callback (sealed in a cookie by the caller). */
export interface PendingLogin {
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
}

export interface IdpIdentity {
  subject: string;
  email: string;
  groups: string[];
  /** When the IdP granted offline access: used to ask it again at each refresh whether the user may still sign in. */
  refreshToken: string | undefined;
}

export class IdpRefusal extends AppError {
  constructor(message: string) {
    super(401, 'authentication_error', message);
  }
}

export class OidcFederation {
  #config: Promise<client.Configuration> | undefined;
  #jwks: JWTVerifyGetKey | undefined;

  constructor(
    readonly settings: OidcSettings,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async start(redirectUri: string): Promise<{ url: URL; pending: PendingLogin }> {
    const config = await this.#configuration();
    const pending: PendingLogin = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      redirectUri,
    };
    const scope = this.settings.scopes.join(' ');
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope,
      response_type: 'code',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      // OpenID Connect honours offline_access only together with a consent prompt.
      ...(this.settings.scopes.includes('offline_access') ? { prompt: 'consent' } : {}),
    });
    return { url, pending };
  }

  /** Exchanges the code the IdP sent back and returns who signed in; refuses anything that does not check out. */
  async finish(callbackUrl: URL, pending: PendingLogin): Promise<IdpIdentity> {
    const config = await this.#configuration();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw new IdpRefusal(`The identity provider's answer was refused: ${(error as Error).message}`);
    }
    if (!tokens.id_token) throw new IdpRefusal('The identity provider sent no ID token.');
    let claims = await this.#verify(tokens.id_token, pending.nonce);
    // Conformant IdPs may keep scope claims (email, groups) out of the ID token and serve them at userinfo.
    if (claims[this.settings.emailClaim] === undefined || claims[this.settings.groupsClaim] === undefined) {
      const info = await client
        .fetchUserInfo(config, tokens.access_token, String(claims.sub))
        .catch(() => ({}));
      claims = { ...info, ...claims };
    }
    return { ...this.#identity(claims), refreshToken: tokens.refresh_token };
  }

  /**
   * Asks the IdP whether the user may still sign in, with the refresh token it gave; `refused` when it
   * says no (the account was disabled or removed there), else the refresh token to keep.
   */
  async recheck(refreshToken: string): Promise<{ refused: true } | { refused: false; refreshToken: string }> {
    const config = await this.#configuration();
    try {
      const tokens = await client.refreshTokenGrant(config, refreshToken);
      return { refused: false, refreshToken: tokens.refresh_token ?? refreshToken };
    } catch (error) {
      // Only the IdP's own "no" ends the sign-in; an IdP that cannot be reached is an outage, not a verdict.
      if (error instanceof client.ResponseBodyError && error.error === 'invalid_grant')
        return { refused: true };
      throw new AppError(
        503,
        'api_error',
        `The identity provider could not be asked whether you may still sign in: ${(error as Error).message}`,
      );
    }
  }

  async #verify(idToken: string, nonce: string): Promise<JWTPayload> {
    const config = await this.#configuration();
    const metadata = config.serverMetadata();
    this.#jwks ??= createRemoteJWKSet(new URL(metadata.jwks_uri!), { cooldownDuration: 30_000 });
    const advertised = metadata.id_token_signing_alg_values_supported ?? ['RS256'];
    return verifyIdToken(idToken, {
      keys: this.#jwks,
      issuer: metadata.issuer,
      audience: this.settings.clientId,
      nonce,
      algorithms: advertised.filter((alg) => ASYMMETRIC.test(alg)),
      now: this.clock(),
    });
  }

  #identity(claims: JWTPayload): Omit<IdpIdentity, 'refreshToken'> {
    const email = claims[this.settings.emailClaim];
    if (typeof email !== 'string' || !email.includes('@')) {
      throw new IdpRefusal(
        `The identity provider's ID token has no email in its "${this.settings.emailClaim}" claim (security.oauth.email_claim); ask for the email scope.`,
      );
    }
    if (claims.email_verified === false)
      throw new IdpRefusal(`The identity provider has not verified ${email}.`);
    const groups = claims[this.settings.groupsClaim];
    return {
      subject: String(claims.sub),
      email,
      groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    };
  }

  #configuration(): Promise<client.Configuration> {
    this.#config ??= (async () => {
      const issuer = new URL(this.settings.issuer);
      if (issuer.protocol !== 'https:' && !isLoopbackHttp(issuer)) {
        throw new AppError(
          503,
          'api_error',
          `security.oauth.issuer must be an https:// URL (plain http only for an IdP on this machine): ${this.settings.issuer}`,
        );
      }
      try {
        return await client.discovery(issuer, this.settings.clientId, this.settings.clientSecret, undefined, {
          // Plain http only to an IdP on this machine (development and tests), as Claude Code allows for us.
          ...(isLoopbackHttp(issuer) ? { execute: [client.allowInsecureRequests] } : {}),
        });
      } catch (error) {
        this.#config = undefined;
        throw new AppError(
          503,
          'api_error',
          `The identity provider at ${this.settings.issuer} could not be reached (security.oauth.issuer): ${(error as Error).message}`,
        );
      }
    })();
    return this.#config;
  }
}

/** The checks an ID token must pass, whatever library fetched it. */
export async function verifyIdToken(
  idToken: string,
  expected: {
    keys: JWTVerifyGetKey;
    issuer: string;
    audience: string;
    nonce: string;
    algorithms: string[];
    now: Date;
  },
): Promise<JWTPayload> {
  if (expected.algorithms.length === 0) {
    throw new IdpRefusal('The identity provider advertises no public-key algorithm for ID tokens.');
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, expected.keys, {
      algorithms: expected.algorithms,
      issuer: expected.issuer,
      audience: expected.audience,
      clockTolerance: CLOCK_TOLERANCE_S,
      currentDate: expected.now,
      requiredClaims: ['sub', 'exp', 'iat'],
    }));
  } catch (error) {
    throw new IdpRefusal(`The identity provider's ID token was refused: ${(error as Error).message}`);
  }
  if (payload.nonce !== expected.nonce)
    throw new IdpRefusal('The ID token was not issued for this sign-in (nonce).');
  // With several audiences, the token must say it was issued to us.
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== expected.audience) {
    throw new IdpRefusal('The ID token was issued to another client (azp).');
  }
  return payload;
}

function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}
