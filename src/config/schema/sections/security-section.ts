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
  })
  .prefault({});
