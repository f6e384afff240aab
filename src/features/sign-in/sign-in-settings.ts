// What sign-in runs on, read from the active bundle's root config.yaml (`security.oauth` and
// `security.sign_in`): the IdP, with its client secret resolved from this server's environment, and
// the lifetimes. Undefined when no IdP is configured: then there is no `/login` to this server.
import type { PolicyConfig } from '../../config/policy-config.ts';
import { resolveSecret } from '../../config/resolve-secret.ts';
import { parseDuration } from '../../core/credentials/duration.ts';
import type { OidcSettings } from './oidc-federation.ts';

export interface SignInSettings {
  oidc: OidcSettings;
  /** okta, auth0, azure_ad, oidc: named on the verification page. */
  provider: string;
  accessTokenTtlMs: number;
  sessionMaxAgeMs: number;
  signingKeyRotationMs: number;
  loginNotice: string | undefined;
}

const PROVIDER_NAMES: Record<string, string> = {
  okta: 'Okta',
  auth0: 'Auth0',
  azure_ad: 'Microsoft Entra ID',
  oidc: 'your identity provider',
};

export function signInSettings(
  content: PolicyConfig,
  env: Readonly<Record<string, string | undefined>>,
): SignInSettings | undefined {
  const { oauth, sign_in } = content.config.security;
  if (!oauth?.issuer) return undefined;
  return {
    oidc: {
      issuer: oauth.issuer,
      clientId: resolveSecret(oauth.client_id, env, 'security.oauth.client_id'),
      clientSecret: resolveSecret(oauth.client_secret, env, 'security.oauth.client_secret'),
      scopes: oauth.scopes,
      emailClaim: oauth.email_claim,
      groupsClaim: oauth.groups_claim,
    },
    provider: PROVIDER_NAMES[oauth.provider] ?? oauth.provider,
    accessTokenTtlMs: parseDuration(sign_in.access_token_ttl, 'security.sign_in.access_token_ttl'),
    sessionMaxAgeMs: parseDuration(sign_in.session_max_age, 'security.sign_in.session_max_age'),
    signingKeyRotationMs: parseDuration(
      sign_in.signing_key_rotation,
      'security.sign_in.signing_key_rotation',
    ),
    loginNotice: sign_in.login_notice,
  };
}
