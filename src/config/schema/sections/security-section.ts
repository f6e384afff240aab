// `security:` in config.yaml: API keys and SSO (OAuth / OIDC).

import { z } from 'zod';

export const securitySection = z
  .strictObject({
    api_keys: z
      .strictObject({
        enabled: z.boolean().default(true),
        rotation_days: z.int().min(1).default(90),
        key_storage: z.enum(['vault', 'env', 'file']).default('env'),
      })
      .prefault({}),
    oauth: z
      .strictObject({
        provider: z.enum(['okta', 'auth0', 'azure_ad', 'oidc']),
        issuer: z.string().min(1).optional(),
        client_id: z.string().min(1),
        client_secret: z.string().min(1),
        scopes: z.array(z.string().min(1)).default(['openid', 'profile', 'email']),
        /** The ID-token claim holding the user's email, matched against the org's users. */
        email_claim: z.string().min(1).default('email'),
        /** The ID-token claim listing the user's IdP groups, matched against `groups[].idp_group`. */
        groups_claim: z.string().min(1).default('groups'),
      })
      .superRefine((oauth, ctx) => {
        // A generic OIDC provider has no well-known issuer to fall back on.
        if (oauth.provider === 'oidc' && oauth.issuer === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['provider'],
            message: 'provider "oidc" needs an "issuer"',
            params: { hint: 'add issuer: https://idp.example.com' },
          });
        }
      })
      .optional(),
    /** Claude Code's sign-in through this server (`/login`), federated to `oauth`. */
    sign_in: z
      .strictObject({
        access_token_ttl: duration('1h'),
        /** A sign-in lasts at most this long, refreshed or not; then the developer runs /login again. */
        session_max_age: duration('30d'),
        /** A new key signs access tokens this often; old keys verify until their tokens have expired. */
        signing_key_rotation: duration('30d'),
        /** Shown by Claude Code beside the code on its sign-in screen (at most 500 characters). */
        login_notice: z.string().min(1).max(500).optional(),
      })
      .prefault({}),
    /** People signing in to the console and the admin API with a browser session. */
    console: z
      .strictObject({
        /** Which IdP people sign in with: `oidc` (security.oauth) or `saml` (security.saml). */
        login: z.enum(['oidc', 'saml']).optional(),
        /** A console session lasts at most this long, however active. */
        session_max_age: duration('12h'),
        /** A console session unused this long ends. */
        idle_timeout: duration('1h'),
      })
      .prefault({}),
  })
  .prefault({});

/** A duration such as `1h`, `30d` (s, m, h, d, w). */
function duration(fallback: string) {
  return z
    .string()
    .regex(/^\d+\s*[smhdw]$/, 'a duration such as 1h or 30d (s, m, h, d, w)')
    .default(fallback);
}
