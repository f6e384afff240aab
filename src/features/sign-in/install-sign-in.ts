// Wires sign-in into the server: the master key, the signing keys, the device flow and its routes, and
// the authenticator every bearer-authenticated route uses — API keys (`llmr_…`) as before, and the
// access tokens of developers signed in with `/login`.
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../core/clock/clock.ts';
import { AuthenticationError } from '../../core/errors/app-error.ts';
import type { Storage } from '../../storage/ports.ts';
import type { ActiveBundle } from '../bundles/active-bundle.ts';
import type { AuthenticatedKey, CredentialAuthenticator, KeysService } from '../keys/keys-service.ts';
import { AccessTokens } from './access-tokens.ts';
import { DeviceFlow } from './device-flow.ts';
import { HookCredentials } from './hook-credentials.ts';
import type { MasterKey } from './master-key.ts';
import { OidcFederation } from './oidc-federation.ts';
import { SignInAuthenticator } from './sign-in-authenticator.ts';
import { signInRoutes } from './sign-in-routes.ts';
import { type SignInSettings, signInSettings } from './sign-in-settings.ts';

export interface SignInWiring {
  storage: Storage;
  bundle: ActiveBundle;
  keys: KeysService;
  /** Undefined on a fleet given no LLM_RULES_MASTER_KEY: sign-in then answers with what to set. */
  master: MasterKey | undefined;
  env: Readonly<Record<string, string | undefined>>;
  publicUrl: string | undefined;
  tls: boolean;
  clock: Clock;
}

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/**
 * A sign-in access token's shape. An API key has no dot, so nearly every gateway request is answered by
 * the dot's absence, a native scan, rather than by the regex running the whole key.
 */
function looksLikeJwt(text: string): boolean {
  return text.includes('.') && JWT_SHAPE.test(text);
}
const DEFAULT_TTL_MS = 3_600_000;
const PRUNE_EVERY_MS = 10 * 60_000;

export interface InstalledSignIn {
  /** API keys and sign-in access tokens: every bearer-authenticated route but the hooks. */
  credentials: CredentialAuthenticator;
  /** The same, and the hook credentials served in managed settings: the hook routes. */
  hookCallers: CredentialAuthenticator;
  /** Undefined without a master key. */
  hookCredentials: HookCredentials | undefined;
  /** The sign-in settings of the active bundle (security.oauth, security.sign_in); undefined without an IdP. */
  settings(): SignInSettings | undefined;
  /** One OIDC federation (discovery document, JWKS cache) per IdP configuration, shared with console sign-in. */
  federation(settings: SignInSettings): OidcFederation;
}

export function installSignIn(app: FastifyInstance, wiring: SignInWiring): InstalledSignIn {
  const settings = (): SignInSettings | undefined => {
    const loaded = wiring.bundle.current();
    return loaded ? signInSettings(loaded.content, wiring.env) : undefined;
  };
  const federations = new Map<string, OidcFederation>();
  const federation = (current: SignInSettings) => {
    const key = JSON.stringify(current.oidc);
    let found = federations.get(key);
    if (!found) {
      if (federations.size > 8) federations.clear();
      found = new OidcFederation(current.oidc, () => wiring.clock.now());
      federations.set(key, found);
    }
    return found;
  };
  const master = wiring.master;
  if (!master) {
    app.log.warn('sign-in is off: set LLM_RULES_MASTER_KEY (the same on every instance) to turn it on');
    const credentials = withoutSignIn(wiring.keys);
    return { credentials, hookCallers: credentials, hookCredentials: undefined, settings, federation };
  }
  const tokens = new AccessTokens(
    wiring.storage.signIn,
    master,
    () => {
      const current = settings();
      return {
        ttlMs: current?.accessTokenTtlMs ?? DEFAULT_TTL_MS,
        rotationMs: current?.signingKeyRotationMs ?? 30 * 86_400_000,
      };
    },
    () => wiring.clock.now(),
  );
  const flow = new DeviceFlow({
    store: wiring.storage.signIn,
    org: wiring.storage.org,
    tokens,
    master,
    clock: wiring.clock,
    sessionMaxAgeMs: () => settings()?.sessionMaxAgeMs ?? 30 * 86_400_000,
  });
  // Expired device codes and sign-ins past their maximum age are deleted as they accumulate.
  const prune = setInterval(() => {
    wiring.storage.signIn
      .prune(wiring.clock.now())
      .catch((error: unknown) => app.log.error({ err: error }, 'could not prune expired sign-ins'));
  }, PRUNE_EVERY_MS);
  prune.unref();
  app.addHook('onClose', async () => clearInterval(prune));
  signInRoutes(app, {
    flow,
    tokens,
    master,
    settings,
    federation,
    publicUrl: wiring.publicUrl,
    tls: wiring.tls,
  });
  const signedIn = new SignInAuthenticator(tokens, wiring.storage.signIn, wiring.storage.org, wiring.clock);
  const hookCredentials = new HookCredentials(master);
  const credentials: CredentialAuthenticator = {
    authenticate: (presented: string): Promise<AuthenticatedKey> =>
      looksLikeJwt(presented.trim())
        ? signedIn.authenticate(presented.trim())
        : wiring.keys.authenticate(presented),
    authenticateNow: (presented: string) =>
      looksLikeJwt(presented.trim())
        ? signedIn.authenticateNow(presented.trim())
        : wiring.keys.authenticateNow(presented),
  };
  return {
    credentials,
    hookCallers: {
      authenticate: async (presented: string) => {
        if (!HookCredentials.looksLikeOne(presented.trim())) return credentials.authenticate(presented);
        const owner = hookCredentials.owner(presented.trim());
        if (!owner) {
          throw new AuthenticationError(
            'The hook credential is not valid; Claude Code fetches new managed settings within the hour.',
          );
        }
        return signedIn.authenticateHookOwner(owner);
      },
    },
    hookCredentials,
    settings,
    federation,
  };
}

function withoutSignIn(keys: KeysService): CredentialAuthenticator {
  return {
    authenticate: async (presented) => {
      if (looksLikeJwt(presented.trim())) {
        throw new AuthenticationError('Sign-in is not set up on this server; use an LLM-RULES API key.');
      }
      return keys.authenticate(presented);
    },
    authenticateNow: (presented) =>
      looksLikeJwt(presented.trim()) ? undefined : keys.authenticateNow(presented),
  };
}
