// Wires console sign-in into the server: sessions in the sign-in store, the login routes (OIDC through
// the same federation as Claude Code's /login, or SAML), the break-glass admin when the server is given its
// hash, and the admin API's view of a browser session (a person's roles, or break-glass's everything).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock/clock.ts';
import { parseDuration } from '../../core/credentials/duration.ts';
import type { Storage } from '../../storage/ports.ts';
import { type AdminCaller, activeOrg, adminCallerFor, type BrowserSessions } from '../admin/admin-caller.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ActiveBundle } from '../bundles/active-bundle.ts';
import type { InstalledSignIn } from '../sign-in/install-sign-in.ts';
import type { MasterKey } from '../sign-in/master-key.ts';
import { BreakGlass } from './break-glass.ts';
import { type ConsoleLogin, consoleAuthRoutes, consoleSessionOf } from './console-auth-routes.ts';
import {
  BREAK_GLASS_USER,
  type ConsoleLifetimes,
  type ConsoleSession,
  ConsoleSessions,
} from './console-sessions.ts';
import { samlRoutes } from './saml-routes.ts';
import type { SamlServiceProvider } from './saml-service-provider.ts';
import { samlSettings } from './saml-settings.ts';

export interface ConsoleAuthWiring {
  storage: Storage;
  bundle: ActiveBundle;
  audit: AuditLog;
  master: MasterKey | undefined;
  signIn: Pick<InstalledSignIn, 'settings' | 'federation'>;
  /** LLM_RULES_BREAK_GLASS_HASH: the break-glass admin is off without it. */
  breakGlassHash: string | undefined;
  publicUrl: string | undefined;
  tls: boolean;
  clock: Clock;
  env: Readonly<Record<string, string | undefined>>;
}

export interface InstalledConsoleAuth {
  browserSessions: BrowserSessions | undefined;
  /** For the SAML routes; undefined without a master key. */
  login: ConsoleLogin | undefined;
}

export function installConsoleAuth(app: FastifyInstance, wiring: ConsoleAuthWiring): InstalledConsoleAuth {
  const master = wiring.master;
  if (!master) {
    app.log.warn(
      'console sign-in is off: set LLM_RULES_MASTER_KEY (the same on every instance) to turn it on',
    );
    return { browserSessions: undefined, login: undefined };
  }
  const consoleConfig = () => wiring.bundle.current()?.content.config.security.console;
  /** `security.console.login`, else SAML when it is the only IdP configured, else OIDC. */
  const loginMethod = (): 'oidc' | 'saml' => {
    const security = wiring.bundle.current()?.content.config.security;
    return security?.console.login ?? (security?.saml && !security.oauth?.issuer ? 'saml' : 'oidc');
  };
  const lifetimes = (): ConsoleLifetimes => {
    const config = consoleConfig();
    return {
      maxAgeMs: parseDuration(config?.session_max_age ?? '12h', 'security.console.session_max_age'),
      idleMs: parseDuration(config?.idle_timeout ?? '1h', 'security.console.idle_timeout'),
    };
  };
  const sessions = new ConsoleSessions({
    store: wiring.storage.signIn,
    org: wiring.storage.org,
    master,
    clock: wiring.clock,
    lifetimes,
  });
  const breakGlass = wiring.breakGlassHash ? new BreakGlass(wiring.breakGlassHash) : undefined;
  if (breakGlass) app.log.warn('the break-glass admin is enabled (LLM_RULES_BREAK_GLASS_HASH is set)');
  const login = consoleAuthRoutes(app, {
    sessions,
    master,
    org: wiring.storage.org,
    audit: wiring.audit,
    oidc: () => (loginMethod() === 'saml' ? undefined : wiring.signIn.settings()),
    federation: wiring.signIn.federation,
    samlLogin: () => loginMethod() === 'saml',
    breakGlass,
    rootTenant: () => wiring.bundle.current()?.content.org.tenant.id,
    publicUrl: wiring.publicUrl,
    tls: wiring.tls,
  });
  // One service provider per SAML configuration (its certificates parsed once).
  let provider: { key: string; value: SamlServiceProvider } | undefined;
  samlRoutes(app, {
    login,
    master,
    markers: wiring.storage.signIn,
    tls: wiring.tls,
    provider: async () => {
      const loaded = wiring.bundle.current();
      const settings = loaded && samlSettings(loaded.content, wiring.env, wiring.publicUrl);
      if (!settings) return undefined;
      const key = JSON.stringify(settings);
      if (provider?.key !== key) {
        // Imported on first use: a server without SAML never loads its XML and signature libraries.
        const { SamlServiceProvider } = await import('./saml-service-provider.ts');
        provider = {
          key,
          value: new SamlServiceProvider(settings, master, wiring.storage.signIn, () => wiring.clock.now()),
        };
      }
      return provider.value;
    },
  });
  const browserSessions: BrowserSessions = {
    async adminCaller(request: FastifyRequest, write: boolean): Promise<AdminCaller | undefined> {
      const session = await consoleSessionOf(request, { ...wiring, sessions }, login.cookies, write);
      return session && callerOf(session, wiring.bundle);
    },
  };
  return { browserSessions, login };
}

/** A person's session acts with their roles; the break-glass admin holds every permission in the root tenant. */
function callerOf(session: ConsoleSession, bundle: ActiveBundle): AdminCaller {
  if (session.member) {
    return adminCallerFor(
      {
        tenantId: session.tenantId,
        principal: { type: 'user', id: session.userId },
        keyId: session.id,
        profile: session.member,
      },
      bundle,
      'console',
    );
  }
  const { loaded, org } = activeOrg(bundle, session.tenantId);
  return {
    tenantId: session.tenantId,
    who: {
      tenantId: session.tenantId,
      principal: { type: 'user', id: BREAK_GLASS_USER },
      keyId: session.id,
      profile: {
        tenantId: session.tenantId,
        id: BREAK_GLASS_USER,
        email: BREAK_GLASS_USER,
        name: 'Break-glass administrator',
        teamId: null,
        businessUnitId: null,
        roles: [],
        groups: [],
        deprovisionedAt: null,
      },
    },
    content: loaded.content,
    org,
    grants: [{ permission: '*:*', at: { level: 'tenant' }, role: 'break-glass' }],
    actor: BREAK_GLASS_USER,
    via: 'console',
  };
}
