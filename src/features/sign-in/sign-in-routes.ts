// The gateway protocol's sign-in routes: discovery, RFC 8628 device authorization, the verification
// page and the IdP's callback, the token endpoint and RFC 7009 revocation, and the access tokens' JWKS.
// OAuth endpoints answer `{"error","error_description"}`; unknown form fields are ignored, as RFC 6749
// and 8628 require (Claude Code sends `surface`, and may send more).
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors/app-error.ts';
import { AttemptLimiter } from '../../http/attempt-limiter.ts';
import { cookie, cookiesOf, sameToken } from '../../http/cookies.ts';
import { publicOrigin } from '../../http/public-origin.ts';
import type { AccessTokens } from './access-tokens.ts';
import { DEVICE_GRANT, type DeviceFlow, OAuthError } from './device-flow.ts';
import type { MasterKey } from './master-key.ts';
import type { OidcFederation, PendingLogin } from './oidc-federation.ts';
import type { SignInSettings } from './sign-in-settings.ts';
import { codeEntryPage, failedPage, signedInPage } from './verification-page.ts';

const LOGIN_COOKIE = 'llmr_login';
const CSRF_COOKIE = 'llmr_csrf';
const LOGIN_PURPOSE = 'login-cookie';
/** The browser has this long between leaving for the IdP and coming back. */
const LOGIN_TTL_S = 600;
/** Wrong codes a client address may submit per minute on the verification page (RFC 8628 §5.1). */
const WRONG_CODES_PER_MINUTE = 10;

export interface SignInRouteDeps {
  flow: DeviceFlow;
  tokens: AccessTokens;
  master: MasterKey;
  /** The sign-in settings of the active bundle; undefined when no IdP is configured. */
  settings(): SignInSettings | undefined;
  federation(settings: SignInSettings): OidcFederation;
  /** `publicUrl`: the base URL developers reach this server at; else the request's own origin. */
  publicUrl: string | undefined;
  tls: boolean;
}

interface LoginCookie {
  pending: PendingLogin;
  userCode: string;
  expiresAt: number;
}

export function signInRoutes(app: FastifyInstance, deps: SignInRouteDeps): void {
  const wrongCodes = new AttemptLimiter(WRONG_CODES_PER_MINUTE);

  const configured = (): SignInSettings => {
    const settings = deps.settings();
    if (!settings) {
      throw new AppError(
        404,
        'not_found_error',
        'Sign-in is not set up on this server (security.oauth with an issuer in config.yaml); use an API key.',
      );
    }
    return settings;
  };
  const base = (request: FastifyRequest) => publicOrigin(request, deps);

  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 64 * 1024 },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );

    scope.get('/.well-known/oauth-authorization-server', async (request) => {
      configured();
      const origin = base(request);
      return {
        issuer: origin,
        device_authorization_endpoint: `${origin}/oauth/device_authorization`,
        token_endpoint: `${origin}/oauth/token`,
        revocation_endpoint: `${origin}/oauth/revoke`,
        jwks_uri: `${origin}/oauth/jwks.json`,
        grant_types_supported: [DEVICE_GRANT, 'refresh_token'],
        token_endpoint_auth_methods_supported: ['none'],
        revocation_endpoint_auth_methods_supported: ['none'],
      };
    });

    scope.post('/oauth/device_authorization', async (request, reply) => {
      const settings = deps.settings();
      if (!settings)
        return oauthError(
          reply,
          new OAuthError(400, 'unauthorized_client', 'Sign-in is not set up on this server.'),
        );
      const form = formOf(request);
      const made = await deps.flow.authorize(form.surface);
      const verificationUri = `${base(request)}/device`;
      return reply.send({
        device_code: made.deviceCode,
        user_code: made.userCode,
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?user_code=${made.userCode}`,
        expires_in: made.expiresIn,
        interval: made.interval,
        ...(settings.loginNotice ? { login_notice: settings.loginNotice } : {}),
      });
    });

    scope.post('/oauth/token', async (request, reply) => {
      const form = formOf(request);
      try {
        if (form.grant_type === DEVICE_GRANT) {
          if (!form.device_code) throw new OAuthError(400, 'invalid_request', 'device_code is required.');
          return reply.send(await deps.flow.redeemDeviceCode(form.device_code));
        }
        if (form.grant_type === 'refresh_token') {
          if (!form.refresh_token) throw new OAuthError(400, 'invalid_request', 'refresh_token is required.');
          const settings = deps.settings();
          return reply.send(
            await deps.flow.refresh(form.refresh_token, settings && deps.federation(settings)),
          );
        }
        throw new OAuthError(
          400,
          'unsupported_grant_type',
          `grant_type must be ${DEVICE_GRANT} or refresh_token.`,
        );
      } catch (error) {
        if (error instanceof OAuthError) return oauthError(reply, error);
        throw error;
      }
    });

    scope.post('/oauth/revoke', async (request, reply) => {
      const { token } = formOf(request);
      if (token) await deps.flow.revoke(token);
      return reply.send({});
    });

    scope.get('/oauth/jwks.json', async () => ({ keys: await deps.tokens.publicKeys() }));

    /** The code entry page, with a fresh CSRF token in its form and in a cookie only this path sees. */
    const entryPage = (
      reply: FastifyReply,
      settings: SignInSettings,
      userCode: string,
      status = 200,
      error?: string,
    ) => {
      const csrf = randomBytes(24).toString('base64url');
      return reply
        .status(status)
        .header(
          'set-cookie',
          cookie(CSRF_COOKIE, csrf, {
            path: '/device',
            sameSite: 'Strict',
            maxAge: LOGIN_TTL_S,
            secure: deps.tls,
          }),
        )
        .header('content-security-policy', pageCsp(settings))
        .type('text/html; charset=utf-8')
        .send(
          codeEntryPage({
            userCode: userCode.slice(0, 16),
            csrf,
            provider: settings.provider,
            ...(error ? { error } : {}),
          }),
        );
    };

    scope.get('/device', async (request, reply) =>
      entryPage(reply, configured(), String((request.query as { user_code?: unknown }).user_code ?? '')),
    );

    scope.post('/device', async (request, reply) => {
      const settings = configured();
      const form = formOf(request);
      const again = (status: number, error: string) =>
        entryPage(reply, settings, String(form.user_code ?? ''), status, error);
      // Guessing codes is what is limited: right codes are never held up by a busy office's wrong ones.
      if (wrongCodes.exhausted(request.ip, Date.now()))
        return again(429, 'Too many wrong codes; wait a minute and try again.');
      if (!sameToken(cookiesOf(request)[CSRF_COOKIE], form.csrf)) {
        return again(403, 'This form expired; check the code and continue again.');
      }
      const device = await deps.flow.pending(String(form.user_code ?? ''));
      if (!device) {
        wrongCodes.count(request.ip, Date.now());
        return again(
          400,
          'That code is not valid or has expired. Check it against your terminal, or run /login again.',
        );
      }
      const { url, pending } = await deps.federation(settings).start(`${base(request)}/oauth/callback`);
      const sealed: LoginCookie = {
        pending,
        userCode: device.userCode,
        expiresAt: Date.now() + LOGIN_TTL_S * 1000,
      };
      return reply
        .header('set-cookie', [
          cookie(LOGIN_COOKIE, deps.master.encrypt(JSON.stringify(sealed), LOGIN_PURPOSE), {
            path: '/oauth/callback',
            sameSite: 'Lax',
            maxAge: LOGIN_TTL_S,
            secure: deps.tls,
          }),
          cookie(CSRF_COOKIE, '', { path: '/device', sameSite: 'Strict', maxAge: 0, secure: deps.tls }),
        ])
        .redirect(url.href, 303);
    });

    scope.get('/oauth/callback', async (request, reply) => {
      const settings = configured();
      const html = (status: number, body: string) =>
        reply
          .status(status)
          .header(
            'set-cookie',
            cookie(LOGIN_COOKIE, '', {
              path: '/oauth/callback',
              sameSite: 'Lax',
              maxAge: 0,
              secure: deps.tls,
            }),
          )
          .header('content-security-policy', pageCsp(settings))
          .type('text/html; charset=utf-8')
          .send(body);
      const sealed = cookiesOf(request)[LOGIN_COOKIE];
      const opened = sealed && deps.master.decrypt(sealed, LOGIN_PURPOSE);
      const login = opened ? (JSON.parse(opened) as LoginCookie) : undefined;
      if (!login || login.expiresAt < Date.now()) {
        return html(400, failedPage('This sign-in took too long or was started in another browser.'));
      }
      const query = request.query as Record<string, string | undefined>;
      if (query.error) {
        await deps.flow.deny(login.userCode);
        return html(
          400,
          failedPage(`The identity provider said: ${query.error_description ?? query.error}.`),
        );
      }
      try {
        const identity = await deps
          .federation(settings)
          .finish(new URL(request.url, base(request)), login.pending);
        const approved = await deps.flow.approve(login.userCode, identity);
        return html(200, signedInPage(approved.email));
      } catch (error) {
        if (error instanceof AppError || error instanceof OAuthError) {
          if (error instanceof AppError && error.status === 401) await deps.flow.deny(login.userCode);
          request.log.warn({ err: error }, 'a sign-in was refused');
          return html(error instanceof AppError ? error.status : error.status, failedPage(error.message));
        }
        throw error;
      }
    });
  });
}

/** The app's CSP forbids everything; these pages need their inline style, and their form may lead to the IdP. */
function pageCsp(settings: SignInSettings): string {
  return [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `form-action 'self' ${new URL(settings.oidc.issuer).origin}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

function formOf(request: FastifyRequest): Record<string, string | undefined> {
  const body = request.body;
  return body && typeof body === 'object' ? (body as Record<string, string | undefined>) : {};
}

function oauthError(reply: FastifyReply, error: OAuthError) {
  return reply.status(error.status).send({ error: error.error, error_description: error.description });
}
