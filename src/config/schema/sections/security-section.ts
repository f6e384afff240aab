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
    /** A SAML 2.0 IdP people sign in to the console with (security.console.login: saml). */
    saml: z
      .strictObject({
        /** The IdP's single sign-on URL (HTTP-Redirect binding). */
        entry_point: z.url({ protocol: /^https?$/ }),
        /** The IdP's entity id: the Issuer every assertion must carry. */
        idp_entity_id: z.string().min(1),
        /** The IdP's signing certificate (PEM or base64 DER), or several while it rotates; `${VAR}` allowed. */
        idp_cert: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
        /** This server's entity id at the IdP; default `<public URL>/console/saml/metadata`. */
        sp_entity_id: z.string().min(1).optional(),
        /** The attribute holding the user's email; default the NameID. */
        email_attribute: z.string().min(1).optional(),
        /** The attribute listing the user's IdP groups, matched against `groups[].idp_group`. */
        groups_attribute: z.string().min(1).default('groups'),
        /** Whether the whole Response must be signed (true), or a signed assertion is enough (false). */
        want_response_signed: z.boolean().default(true),
        /** Leeway for the IdP's clock. */
        clock_skew: z
          .string()
          .regex(/^\d+\s*[sm]$/, 'a duration in seconds or minutes, such as 60s or 2m')
          .default('60s'),
      })
      .optional(),
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
  .superRefine((security, ctx) => {
    const login = security.console.login;
    if (login === 'saml' && !security.saml) {
      ctx.addIssue({
        code: 'custom',
        path: ['console', 'login'],
        message: 'console.login "saml" needs a security.saml section',
        params: { hint: 'add security.saml with entry_point, idp_entity_id and idp_cert' },
      });
    }
    if (login === 'oidc' && !security.oauth?.issuer) {
      ctx.addIssue({
        code: 'custom',
        path: ['console', 'login'],
        message: 'console.login "oidc" needs security.oauth with an issuer',
      });
    }
  })
  .prefault({});

/** A duration such as `1h`, `30d` (s, m, h, d, w). */
function duration(fallback: string) {
  return z
    .string()
    .regex(/^\d+\s*[smhdw]$/, 'a duration such as 1h or 30d (s, m, h, d, w)')
    .default(fallback);
}
