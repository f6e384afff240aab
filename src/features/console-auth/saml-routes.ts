// Console sign-in with SAML 2.0 (security.console.login: saml):
//   GET  /console/saml/login     → the IdP, with an AuthnRequest; its id goes in a sealed cookie
//   POST /console/saml/acs       ← the IdP's SAMLResponse (HTTP-POST binding), checked strictly
//                                  (saml-service-provider.ts), then → /console/saml/finish?ticket=…
//   GET  /console/saml/finish    the browser's cookie must name the request the assertion answered:
//                                  a response captured elsewhere cannot sign in another browser
//   GET  /console/saml/metadata  this service provider's metadata, for the IdP's configuration
// Why the extra hop: the IdP's POST is cross-site, so a SameSite=Lax cookie does not come with it; the
// redirect to /finish is a top-level GET, which carries it.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors/app-error.ts';
import { cookie, cookiesOf } from '../../http/cookies.ts';
import type { SignInStore } from '../../storage/sign-in-port.ts';
import type { MasterKey } from '../sign-in/master-key.ts';
import { type ConsoleLogin, safeReturnTo } from './console-auth-routes.ts';
import { consoleFailedPage } from './console-pages.ts';
import type { SamlServiceProvider } from './saml-service-provider.ts';
import { REQUEST_TTL_MS } from './saml-settings.ts';

const LOGIN_COOKIE = 'llmr_saml_login';
const LOGIN_PURPOSE = 'saml-login-cookie';
const TICKET_PURPOSE = 'saml-ticket';
const TICKET_TTL_MS = 60_000;
const MAX_FORM_BYTES = 768 * 1024;

export interface SamlRouteDeps {
  login: ConsoleLogin;
  master: MasterKey;
  markers: Pick<SignInStore, 'spendOnce'>;
  /** The service provider of the active bundle's security.saml; undefined when there is none. */
  provider(): Promise<SamlServiceProvider | undefined>;
  tls: boolean;
}

interface LoginCookie {
  requestId: string;
  returnTo: string;
  expiresAt: number;
}

interface Ticket {
  id: string;
  requestId: string;
  email: string;
  groups: string[];
  expiresAt: number;
}

export function samlRoutes(app: FastifyInstance, deps: SamlRouteDeps): void {
  const { html } = deps.login;
  const configured = async () => {
    const provider = await deps.provider();
    if (!provider) throw new AppError(404, 'not_found_error', 'SAML sign-in is not set up (security.saml).');
    return provider;
  };
  const loginCookie = (value: string, maxAgeMs: number) =>
    cookie(LOGIN_COOKIE, value, {
      path: '/console/saml',
      sameSite: 'Lax',
      maxAge: Math.floor(maxAgeMs / 1000),
      secure: deps.tls,
    });
  const failed = (request: FastifyRequest, reply: Parameters<ConsoleLogin['html']>[0], error: unknown) => {
    if (!(error instanceof AppError)) throw error;
    request.log.warn({ err: error }, 'a SAML console sign-in was refused');
    return html(reply, error.status, consoleFailedPage(error.message));
  };

  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: MAX_FORM_BYTES },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );

    scope.get('/console/saml/metadata', async (_request, reply) =>
      reply.type('application/samlmetadata+xml; charset=utf-8').send((await configured()).metadata()),
    );

    scope.get('/console/saml/login', async (request, reply) => {
      try {
        const { url, requestId } = await (await configured()).loginUrl();
        const sealed: LoginCookie = {
          requestId,
          returnTo: safeReturnTo((request.query as { return_to?: unknown }).return_to),
          expiresAt: Date.now() + REQUEST_TTL_MS,
        };
        return reply
          .header(
            'set-cookie',
            loginCookie(deps.master.encrypt(JSON.stringify(sealed), LOGIN_PURPOSE), REQUEST_TTL_MS),
          )
          .redirect(url, 303);
      } catch (error) {
        return failed(request, reply, error);
      }
    });

    scope.post('/console/saml/acs', async (request, reply) => {
      try {
        const form = (request.body ?? {}) as Record<string, string | undefined>;
        const identity = await (await configured()).consume(form.SAMLResponse);
        const ticket: Ticket = {
          id: randomBytes(16).toString('base64url'),
          requestId: identity.requestId,
          email: identity.email,
          groups: identity.groups,
          expiresAt: Date.now() + TICKET_TTL_MS,
        };
        const sealed = deps.master.encrypt(JSON.stringify(ticket), TICKET_PURPOSE);
        return reply.redirect(`/console/saml/finish?ticket=${encodeURIComponent(sealed)}`, 303);
      } catch (error) {
        return failed(request, reply, error);
      }
    });

    scope.get('/console/saml/finish', async (request, reply) => {
      reply.header('set-cookie', loginCookie('', 0));
      try {
        const sealedTicket = String((request.query as { ticket?: unknown }).ticket ?? '');
        const openedTicket = deps.master.decrypt(sealedTicket, TICKET_PURPOSE);
        const ticket = openedTicket ? (JSON.parse(openedTicket) as Ticket) : undefined;
        if (!ticket || ticket.expiresAt < Date.now()) {
          throw new AppError(400, 'invalid_request_error', 'This sign-in took too long; sign in again.');
        }
        const sealedLogin = cookiesOf(request)[LOGIN_COOKIE];
        const openedLogin = sealedLogin && deps.master.decrypt(sealedLogin, LOGIN_PURPOSE);
        const login = openedLogin ? (JSON.parse(openedLogin) as LoginCookie) : undefined;
        if (!login || login.expiresAt < Date.now() || login.requestId !== ticket.requestId) {
          throw new AppError(
            400,
            'invalid_request_error',
            'This sign-in was started in another browser (or took too long); sign in again from here.',
          );
        }
        if (!(await deps.markers.spendOnce(`saml-ticket:${ticket.id}`, new Date(ticket.expiresAt)))) {
          throw new AppError(400, 'invalid_request_error', 'This sign-in was already completed.');
        }
        const member = await deps.login.memberOf({ email: ticket.email });
        return await deps.login.begin(
          request,
          reply,
          { ...member, idpGroups: ticket.groups },
          'saml',
          login.returnTo,
        );
      } catch (error) {
        return failed(request, reply, error);
      }
    });
  });
}
