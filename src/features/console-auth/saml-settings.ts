// The console's SAML settings as the active bundle gives them, and the refusal every SAML check throws:
// kept apart from saml-service-provider.ts so a server without SAML never loads node-saml.
import type { PolicyConfig } from '../../config/policy-config.ts';
import { resolveSecret } from '../../config/resolve-secret.ts';
import { parseDuration } from '../../core/credentials/duration.ts';
import { AppError } from '../../core/errors/app-error.ts';

/** A browser has this long between leaving for the IdP and coming back with a response. */
export const REQUEST_TTL_MS = 10 * 60_000;

export interface SamlSettings {
  entryPoint: string;
  idpEntityId: string;
  idpCerts: string[];
  spEntityId: string;
  acsUrl: string;
  emailAttribute: string | undefined;
  groupsAttribute: string;
  wantResponseSigned: boolean;
  clockSkewMs: number;
}

export interface SamlIdentity {
  email: string;
  groups: string[];
  /** The request this response answers (from the signed assertion), to match with the browser's. */
  requestId: string;
}

export class SamlRefusal extends AppError {
  constructor(message: string) {
    super(401, 'authentication_error', message);
  }
}

/** The active bundle's `security.saml`, with this server's URLs; undefined when it has none. */
export function samlSettings(
  content: PolicyConfig,
  env: Readonly<Record<string, string | undefined>>,
  publicUrl: string | undefined,
): SamlSettings | undefined {
  const saml = content.config.security.saml;
  if (!saml) return undefined;
  if (!publicUrl) {
    // Our entity id and ACS URL are what the IdP signs for: they cannot come from a request's Host header.
    throw new AppError(
      503,
      'api_error',
      'SAML sign-in needs the server’s public URL (LLM_RULES_PUBLIC_URL, or publicUrl in the options file).',
    );
  }
  const base = publicUrl.replace(/\/$/, '');
  const certs = Array.isArray(saml.idp_cert) ? saml.idp_cert : [saml.idp_cert];
  return {
    entryPoint: saml.entry_point,
    idpEntityId: saml.idp_entity_id,
    idpCerts: certs.map((c, i) =>
      resolveSecret(c, env, `security.saml.idp_cert${certs.length > 1 ? `[${i}]` : ''}`),
    ),
    spEntityId: saml.sp_entity_id ?? `${base}/console/saml/metadata`,
    acsUrl: `${base}/console/saml/acs`,
    emailAttribute: saml.email_attribute,
    groupsAttribute: saml.groups_attribute,
    wantResponseSigned: saml.want_response_signed,
    clockSkewMs: parseDuration(saml.clock_skew, 'security.saml.clock_skew'),
  };
}
