// A real OpenID Connect provider for sign-in tests (the `oidc-provider` package, as certified IdPs
// run it): discovery, authorization code with PKCE, signed ID tokens, JWKS, refresh tokens, userinfo.
// The person signing in is whoever the test says; the login and consent screens accept at once.

import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { type CryptoKey, exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export interface IdpAccount {
  email: string;
  groups: string[];
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who the next login is; undefined makes the login fail (the person cancels). */
  signInAs(email: string | undefined): void;
  accounts: Map<string, IdpAccount>;
  /** The key the provider signs ID tokens with (kid `idp-key-1`), for tests that forge variations of them. */
  signingKey: CryptoKey;
  close(): Promise<void>;
}

export async function startTestIdp(options: {
  redirectUri: string;
  /** More redirect URIs the client may use (console sign-in's callback). */
  moreRedirectUris?: string[];
  port?: number;
}): Promise<TestIdp> {
  const server: Server = createServer();
  server.listen(options.port ?? 0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, IdpAccount>();
  let current: string | undefined;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'llm-rules-test',
        client_secret: 'idp-client-secret',
        redirect_uris: [options.redirectUri, ...(options.moreRedirectUris ?? [])],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'idp-key-1', alg: 'RS256', use: 'sig' }] },
    findAccount: (_ctx: unknown, sub: string) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, email: account.email, email_verified: true, groups: account.groups }),
      };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
    scopes: ['openid', 'email', 'groups', 'offline_access'],
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    cookies: { keys: ['test-idp-cookie-key'] },
    issueRefreshToken: async () => true,
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 86_400,
      Grant: 86_400,
      Interaction: 600,
      Session: 86_400,
    },
  });
  // oidc-provider refuses plain http unless told this is a trusted local setup.
  provider.proxy = true;
  const callback = provider.callback();
  server.on('request', async (req: IncomingMessage, res: ServerResponse) => {
    if (!req.url?.startsWith('/interaction/')) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (!current || !accounts.has(current)) {
        return provider.interactionFinished(req, res, {
          error: 'access_denied',
          error_description: 'The person cancelled.',
        });
      }
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: current, clientId: details.params.client_id });
      const missing = details.prompt.details ?? {};
      grant.addOIDCScope([...(missing.missingOIDCScope ?? []), 'openid'].join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: current }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    } catch (error) {
      res.statusCode = 500;
      res.end(String(error));
    }
  });
  return {
    issuer,
    clientId: 'llm-rules-test',
    clientSecret: 'idp-client-secret',
    accounts,
    signingKey: privateKey,
    signInAs: (email) => {
      current = email;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Points a copied config.yaml's `security.oauth` at the test IdP (its secret read from TEST_IDP_SECRET). */
export async function useTestIdp(configDir: string, idp: TestIdp, scopes: readonly string[]): Promise<void> {
  const file = join(configDir, 'config.yaml');
  const yaml = await readFile(file, 'utf8');
  await writeFile(
    file,
    yaml.replace(
      / {2}oauth:\n( {4}.*\n)+/,
      `  oauth:\n    provider: oidc\n    issuer: ${idp.issuer}\n    client_id: ${idp.clientId}\n    client_secret: \${TEST_IDP_SECRET}\n    scopes: [${scopes.join(', ')}]\n`,
    ),
  );
}

/** A port nothing listens on now (for a server whose URL the IdP must know before it starts). */
export async function freePort(): Promise<number> {
  const probe = createNetServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => probe.once('listening', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
