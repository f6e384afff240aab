// Console sign-in for people: `/console/login` sends the browser to the IdP (OpenID Connect here; SAML
// in saml-routes.ts), `/console/callback` makes a session of who came back, `/console/session` says
// who is signed in (and the CSRF token changes must carry), `/console/logout` ends it, and the
// break-glass form signs in the local emergency admin when one is configured.
//
// The session cookie is HttpOnly, SameSite=Lax (a link from elsewhere may open the console; a form
// posted from elsewhere carries no session) and Secure with `__Host-` under TLS. Changes made with it
// need the session's CSRF token in `x-csrf-token` (double submit: it is also in a cookie page scripts
// read) and, when the browser sends one, an `Origin` that is this server's.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, AuthenticationError, PermissionError } from '../../core/errors/app-error.ts';
import { AttemptLimiter } from '../../http/attempt-limiter.ts';
import { cookie, cookiesOf, sameToken } from '../../http/cookies.ts';
import { publicOrigin } from '../../http/public-origin.ts';
import type { OrgStore } from '../../storage/ports.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { memberFor } from '../sign-in/identity-mapping.ts';
import type { MasterKey } from '../sign-in/master-key.ts';
import type { OidcFederation, PendingLogin } from '../sign-in/oidc-federation.ts';
import type { SignInSettings } from '../sign-in/sign-in-settings.ts';
import type { BreakGlass } from './break-glass.ts';
import { breakGlassPage, consoleFailedPage } from './console-pages.ts';
import {
  BREAK_GLASS_USER,
  type ConsoleLoginMethod,
  type ConsoleSession,
  type ConsoleSessions,
} from './console-sessions.ts';

const LOGIN_COOKIE = 'llmr_console_login';
const LOGIN_PURPOSE = 'console-login-cookie';
const FORM_CSRF_COOKIE = 'llmr_console_form';
export const CSRF_COOKIE = 'llmr_console_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const LOGIN_TTL_S = 600;
const HOME = '/console/';
/** Wrong break-glass passwords per client address per minute, and across all addresses. */
const WRONG_PASSWORDS_PER_ADDRESS = 5;
const WRONG_PASSWORDS_OVERALL = 20;

export interface ConsoleAuthDeps {
  sessions: ConsoleSessions;
  master: MasterKey;
  org: OrgStore;
  audit: AuditLog;
  /** The OIDC settings people sign in with; undefined when console sign-in uses SAML or nothing. */
  oidc(): SignInSettings | undefined;
  federation(settings: SignInSettings): OidcFederation;
  /** Whether SAML is how people sign in (its routes are saml-routes.ts). */
  samlLogin(): boolean;
  breakGlass: BreakGlass | undefined;
  /** The root tenant, where the break-glass admin acts. */
  rootTenant(): string | undefined;
  publicUrl: string | undefined;
  tls: boolean;
}

interface LoginCookie {
  pending: PendingLogin;
  returnTo: string;
  expiresAt: number;
}

export interface ConsoleCookies {
  sessionCookie: string;
  /** The session cookie and the script-readable CSRF cookie, set or cleared. */
  set(
    reply: FastifyReply,
    session: { token: string; csrf: string; maxAgeS: number } | undefined,
  ): FastifyReply;
}

export function consoleCookies(tls: boolean): ConsoleCookies {
  // `__Host-` binds the cookie to this origin, Secure, Path=/: another subdomain cannot plant one.
  const sessionCookie = tls ? '__Host-llmr_console' : 'llmr_console';
  return {
    sessionCookie,
    set(reply, session) {
      const maxAge = session?.maxAgeS ?? 0;
      return reply.header('set-cookie', [
        cookie(sessionCookie, session?.token ?? '', { path: '/', sameSite: 'Lax', maxAge, secure: tls }),
        cookie(CSRF_COOKIE, session?.csrf ?? '', {
          path: '/',
          sameSite: 'Strict',
          maxAge,
          secure: tls,
          httpOnly: false,
        }),
      ]);
    },
  };
}

/** A path on this server to go to after signing in; anything else (another origin, `//host`) goes home. */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !/^\/(?!\/)[^\\\s]*$/.test(value) || value.length > 512) return HOME;
  return value;
}

/**
 * The live console session of a request, checked for CSRF when it makes a change; undefined when the
 * request carries no session cookie at all.
 */
export async function consoleSessionOf(
  request: FastifyRequest,
  deps: Pick<ConsoleAuthDeps, 'sessions' | 'publicUrl' | 'tls'>,
  cookies: ConsoleCookies,
  change: boolean,
): Promise<ConsoleSession | undefined> {
  const token = cookiesOf(request)[cookies.sessionCookie];
  if (!token) return undefined;
  const session = await deps.sessions.resolve(token);
  if (!session) throw new AuthenticationError('Your console session has ended; sign in again.');
  if (change) {
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== publicOrigin(request, deps)) {
      throw new PermissionError(`A change from ${origin} is refused: it is not this server's origin.`, {
        header: 'origin',
      });
    }
    const presented = request.headers[CSRF_HEADER];
    if (!sameToken(typeof presented === 'string' ? presented : undefined, session.csrfToken)) {
      throw new PermissionError(
        `A change made with a console session needs its CSRF token in the ${CSRF_HEADER} header.`,
        { header: CSRF_HEADER },
      );
    }
  }
  return session;
}

/** What the SAML routes share with these: the cookies, and making a session of who the IdP vouched for. */
export interface ConsoleLogin {
  cookies: ConsoleCookies;
  begin(
    request: FastifyRequest,
    reply: FastifyReply,
    who: { tenantId: string; userId: string; email: string; idpGroups: string[] },
    method: ConsoleLoginMethod,
    returnTo: string,
  ): Promise<FastifyReply>;
  memberOf(identity: { email: string }): Promise<{ tenantId: string; userId: string; email: string }>;
  html(reply: FastifyReply, status: number, body: string): FastifyReply;
}

export function consoleAuthRoutes(app: FastifyInstance, deps: ConsoleAuthDeps): ConsoleLogin {
  const cookies = consoleCookies(deps.tls);
  const origin = (request: FastifyRequest) => publicOrigin(request, deps);
  const wrongPasswords = new AttemptLimiter(WRONG_PASSWORDS_PER_ADDRESS);
  const wrongPasswordsOverall = new AttemptLimiter(WRONG_PASSWORDS_OVERALL);

  const html: ConsoleLogin['html'] = (reply, status, body) =>
    reply
      .status(status)
      .header('content-security-policy', consolePageCsp())
      .type('text/html; charset=utf-8')
      .send(body);

  /** Signs a person in: a session, its cookies, an audit event, and back to where they were going. */
  const begin: ConsoleLogin['begin'] = async (request, reply, who, method, returnTo) => {
    const { token, session } = await deps.sessions.create({ ...who, method });
    const maxAgeS = Math.floor((session.expiresAt.getTime() - session.createdAt.getTime()) / 1000);
    await deps.audit.record(who.tenantId, {
      event: 'auth',
      user: who.userId,
      context: {
        action: method === 'break-glass' ? 'break_glass_sign_in' : 'console_sign_in',
        method,
        session: session.id,
        address: request.ip,
        ...(method === 'break-glass' ? { severity: 'critical' } : {}),
      },
    });
    cookies.set(reply, { token, csrf: session.csrfToken, maxAgeS });
    return reply.redirect(returnTo, 303);
  };

  /** Shared by the OIDC callback and the SAML assertion consumer: who the IdP says, as an org member. */
  const memberOf: ConsoleLogin['memberOf'] = async (identity) => {
    const user = await memberFor(deps.org, identity);
    return { tenantId: user.tenantId, userId: user.id, email: user.email };
  };

  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 64 * 1024 },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );

    scope.get('/console/login', async (request, reply) => {
      const returnTo = safeReturnTo((request.query as { return_to?: unknown }).return_to);
      if (deps.samlLogin())
        return reply.redirect(`/console/saml/login?return_to=${encodeURIComponent(returnTo)}`, 303);
      const settings = deps.oidc();
      if (!settings) {
        return html(
          reply,
          404,
          consoleFailedPage(
            'Console sign-in is not set up on this server: configure security.oauth (OpenID Connect) or security.saml in config.yaml.',
          ),
        );
      }
      let started: Awaited<ReturnType<OidcFederation['start']>>;
      try {
        started = await deps.federation(settings).start(`${origin(request)}/console/callback`);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        request.log.error({ err: error }, 'console sign-in could not start');
        return html(reply, error.status, consoleFailedPage(error.message));
      }
      const { url, pending } = started;
      const sealed: LoginCookie = { pending, returnTo, expiresAt: Date.now() + LOGIN_TTL_S * 1000 };
      return reply
        .header(
          'set-cookie',
          cookie(LOGIN_COOKIE, deps.master.encrypt(JSON.stringify(sealed), LOGIN_PURPOSE), {
            path: '/console/callback',
            sameSite: 'Lax',
            maxAge: LOGIN_TTL_S,
            secure: deps.tls,
          }),
        )
        .redirect(url.href, 303);
    });

    scope.get('/console/callback', async (request, reply) => {
      reply.header(
        'set-cookie',
        cookie(LOGIN_COOKIE, '', { path: '/console/callback', sameSite: 'Lax', maxAge: 0, secure: deps.tls }),
      );
      const settings = deps.oidc();
      const sealed = cookiesOf(request)[LOGIN_COOKIE];
      const opened = sealed && deps.master.decrypt(sealed, LOGIN_PURPOSE);
      const login = opened ? (JSON.parse(opened) as LoginCookie) : undefined;
      if (!settings || !login || login.expiresAt < Date.now()) {
        return html(
          reply,
          400,
          consoleFailedPage('This sign-in took too long or was started in another browser.'),
        );
      }
      const query = request.query as Record<string, string | undefined>;
      if (query.error) {
        return html(
          reply,
          400,
          consoleFailedPage(`The identity provider said: ${query.error_description ?? query.error}.`),
        );
      }
      try {
        const identity = await deps
          .federation(settings)
          .finish(new URL(request.url, origin(request)), login.pending);
        const member = await memberOf(identity);
        return await begin(request, reply, { ...member, idpGroups: identity.groups }, 'oidc', login.returnTo);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        request.log.warn({ err: error }, 'a console sign-in was refused');
        return html(reply, error.status, consoleFailedPage(error.message));
      }
    });

    scope.get('/console/session', async (request, reply) => {
      const session = await consoleSessionOf(request, deps, cookies, false);
      if (!session) throw new AuthenticationError('Not signed in to the console.');
      return reply.header('cache-control', 'no-store').send({
        user: session.userId,
        email: session.email,
        tenant: session.tenantId,
        method: session.method,
        break_glass: session.method === 'break-glass',
        roles: session.member?.roles ?? [],
        groups: session.member?.groups ?? [],
        team: session.member?.teamId ?? null,
        created_at: session.createdAt.toISOString(),
        expires_at: session.expiresAt.toISOString(),
        csrf_token: session.csrfToken,
      });
    });

    scope.post('/console/logout', async (request, reply) => {
      const session = await consoleSessionOf(request, deps, cookies, true);
      if (session && (await deps.sessions.end(session))) {
        await deps.audit.record(session.tenantId, {
          event: 'auth',
          user: session.userId,
          context: { action: 'console_sign_out', method: session.method, session: session.id },
        });
      }
      cookies.set(reply, undefined);
      return reply.status(204).send();
    });

    /** The break-glass form, with a CSRF token in it and in a cookie only this path sees. */
    const breakGlassForm = (reply: FastifyReply, status: number, error?: string) => {
      const csrf = randomBytes(24).toString('base64url');
      reply.header(
        'set-cookie',
        cookie(FORM_CSRF_COOKIE, csrf, {
          path: '/console/break-glass',
          sameSite: 'Strict',
          maxAge: LOGIN_TTL_S,
          secure: deps.tls,
        }),
      );
      return html(reply, status, breakGlassPage({ csrf, ...(error ? { error } : {}) }));
    };
    const breakGlassOff = () =>
      new AppError(404, 'not_found_error', 'Break-glass sign-in is not enabled on this server.');

    scope.get('/console/break-glass', async (_request, reply) => {
      if (!deps.breakGlass) throw breakGlassOff();
      return breakGlassForm(reply, 200);
    });

    scope.post('/console/break-glass', async (request, reply) => {
      const breakGlass = deps.breakGlass;
      if (!breakGlass) throw breakGlassOff();
      const tenantId = deps.rootTenant();
      if (!tenantId)
        throw new AppError(503, 'api_error', 'No policy is active: there is no tenant to administer.');
      const form = (request.body ?? {}) as Record<string, string | undefined>;
      const now = Date.now();
      const refused = async (status: number, reason: string, message: string) => {
        request.log.warn({ address: request.ip, reason }, 'break-glass sign-in refused');
        await deps.audit.record(tenantId, {
          event: 'auth',
          user: BREAK_GLASS_USER,
          context: { action: 'break_glass_refused', reason, address: request.ip, severity: 'critical' },
        });
        return breakGlassForm(reply, status, message);
      };
      if (wrongPasswords.exhausted(request.ip, now) || wrongPasswordsOverall.exhausted('*', now)) {
        // Not audited one by one: a flood of guesses must not become a flood of durable writes.
        request.log.warn({ address: request.ip }, 'break-glass sign-in throttled');
        return breakGlassForm(reply, 429, 'Too many wrong passwords; wait a minute.');
      }
      if (!sameToken(cookiesOf(request)[FORM_CSRF_COOKIE], form.csrf)) {
        return breakGlassForm(reply, 403, 'This form expired; enter the password again.');
      }
      if (!(await breakGlass.verify(String(form.password ?? '')))) {
        wrongPasswords.count(request.ip, now);
        wrongPasswordsOverall.count('*', now);
        return refused(401, 'wrong_password', 'That is not the break-glass password.');
      }
      request.log.warn({ address: request.ip }, 'BREAK-GLASS ADMIN SIGNED IN');
      return begin(
        request,
        reply,
        { tenantId, userId: BREAK_GLASS_USER, email: BREAK_GLASS_USER, idpGroups: [] },
        'break-glass',
        HOME,
      );
    });
  });
  return { cookies, begin, memberOf, html };
}

/** The app's CSP forbids everything; these pages need their inline style, and post only to this server. */
export function consolePageCsp(): string {
  return [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}
