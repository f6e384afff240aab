// The console's SAML 2.0 service provider. @node-saml/node-saml (5.1.0 or later: it reads the assertion
// from the signed bytes, the 2025 signature-wrapping fixes) checks the signature, that there is exactly
// one assertion, the audience and the validity window; the checks it leaves out are made here, on the
// signed assertion it hands back, never on the raw document:
//   - the assertion's Issuer is the configured IdP (node-saml checks it on logout only);
//   - one bearer SubjectConfirmation whose Recipient is our ACS URL and whose InResponseTo is a request
//     this server made (request ids carry their own MAC and time, so any instance can check them);
//   - the Response's Destination is our ACS URL (required when the Response is signed);
//   - one AuthnStatement; an assertion id, spent once across every instance until it expires (replay);
//   - no DOCTYPE, no SHA-1 signatures, a bounded size.
// IdP-initiated sign-in (no InResponseTo) is refused: nothing would tie it to a browser that asked.
// The server imports this module only when SAML is configured (its XML and signature libraries hold
// about 6 MB of heap); the settings and refusals are in saml-settings.ts.
import { randomBytes } from 'node:crypto';
import { type CacheProvider, type Profile, SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import type { SignInStore } from '../../storage/sign-in-port.ts';
import type { MasterKey } from '../sign-in/master-key.ts';
import { REQUEST_TTL_MS, type SamlIdentity, SamlRefusal, type SamlSettings } from './saml-settings.ts';

const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const MAX_RESPONSE_BASE64 = 512 * 1024;
const REQUEST_PURPOSE = 'saml-request-id';

export class SamlServiceProvider {
  readonly #validator: SAML;

  constructor(
    readonly settings: SamlSettings,
    private readonly master: MasterKey,
    private readonly markers: Pick<SignInStore, 'spendOnce'>,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#validator = new SAML(this.#options(() => this.#newRequestId()));
  }

  /** Where to send the browser, and the id of the request it carries (kept in the browser's cookie). */
  async loginUrl(): Promise<{ url: string; requestId: string }> {
    const requestId = this.#newRequestId();
    const url = await new SAML(this.#options(() => requestId)).getAuthorizeUrlAsync('', undefined, {});
    return { url, requestId };
  }

  metadata(): string {
    return this.#validator.generateServiceProviderMetadata(null, null);
  }

  /** The identity in a POSTed SAMLResponse, or a SamlRefusal saying why not. */
  async consume(samlResponse: unknown): Promise<SamlIdentity> {
    if (typeof samlResponse !== 'string' || samlResponse.length === 0) {
      throw new SamlRefusal('The identity provider sent no SAMLResponse.');
    }
    if (samlResponse.length > MAX_RESPONSE_BASE64 || !/^[A-Za-z0-9+/=\r\n]+$/.test(samlResponse)) {
      throw new SamlRefusal('The SAMLResponse is too large or not base64.');
    }
    const raw = Buffer.from(samlResponse, 'base64').toString('utf8');
    if (/<!DOCTYPE|<!ENTITY/i.test(raw)) throw new SamlRefusal('A SAMLResponse with a DOCTYPE is refused.');
    if (/xmldsig#(rsa-)?sha1"/.test(raw)) {
      throw new SamlRefusal('SHA-1 signatures are refused; configure the IdP to sign with SHA-256.');
    }
    let profile: Profile | null;
    try {
      ({ profile } = await this.#validator.validatePostResponseAsync({ SAMLResponse: samlResponse }));
    } catch (error) {
      throw new SamlRefusal(`The SAML response was refused: ${(error as Error).message}`);
    }
    if (!profile?.getAssertionXml) throw new SamlRefusal('The SAML response carried no sign-in.');
    const assertion = parseXml(profile.getAssertionXml());
    const requestId = this.#checkAssertion(assertion);
    this.#checkDestination(parseXml(raw));
    await this.#spend(assertion, requestId);
    return { email: this.#email(profile), groups: this.#groups(profile), requestId };
  }

  /** The checks node-saml leaves to us, on the signed assertion; returns the request it answers. */
  #checkAssertion(assertion: Element): string {
    const { idpEntityId, acsUrl, clockSkewMs } = this.settings;
    const issuers = childElements(assertion, 'Issuer');
    if (issuers.length !== 1 || issuers[0]!.textContent?.trim() !== idpEntityId) {
      throw new SamlRefusal(`The assertion was not issued by ${idpEntityId}.`);
    }
    const confirmations = elements(assertion, 'SubjectConfirmation');
    if (confirmations.length !== 1 || confirmations[0]!.getAttribute('Method') !== BEARER) {
      throw new SamlRefusal('The assertion must have exactly one bearer subject confirmation.');
    }
    const data = elements(confirmations[0]!, 'SubjectConfirmationData');
    if (data.length !== 1) throw new SamlRefusal('The subject confirmation has no data.');
    const confirmation = data[0]!;
    if (confirmation.getAttribute('Recipient') !== acsUrl) {
      throw new SamlRefusal(`The assertion is for another recipient, not ${acsUrl}.`);
    }
    const requestId = confirmation.getAttribute('InResponseTo') ?? '';
    if (!this.#issuedAt(requestId)) {
      throw new SamlRefusal(
        'The assertion does not answer a sign-in this server started (IdP-initiated sign-in is off).',
      );
    }
    const notOnOrAfter = Date.parse(confirmation.getAttribute('NotOnOrAfter') ?? '');
    if (!Number.isFinite(notOnOrAfter) || notOnOrAfter + clockSkewMs <= this.now().getTime()) {
      throw new SamlRefusal('The assertion’s subject confirmation has expired.');
    }
    if (elements(assertion, 'AuthnStatement').length !== 1) {
      throw new SamlRefusal('The assertion must have exactly one authentication statement.');
    }
    if (!assertion.getAttribute('ID')) throw new SamlRefusal('The assertion has no ID.');
    return requestId;
  }

  #checkDestination(response: Element): void {
    const destination = response.getAttribute('Destination');
    // Signed with the Response when want_response_signed; unsigned otherwise, so then only checked if present.
    if (
      this.settings.wantResponseSigned
        ? destination !== this.settings.acsUrl
        : destination && destination !== this.settings.acsUrl
    ) {
      throw new SamlRefusal(
        `The response is addressed to ${destination || 'nobody'}, not ${this.settings.acsUrl}.`,
      );
    }
  }

  /** Each assertion and each request is good for one sign-in, across every instance. */
  async #spend(assertion: Element, requestId: string): Promise<void> {
    const confirmation = elements(assertion, 'SubjectConfirmationData')[0]!;
    const keepUntil = new Date(
      Date.parse(confirmation.getAttribute('NotOnOrAfter')!) + this.settings.clockSkewMs,
    );
    const assertionId = assertion.getAttribute('ID')!;
    if (
      !(await this.markers.spendOnce(`saml-assertion:${this.settings.idpEntityId}:${assertionId}`, keepUntil))
    ) {
      throw new SamlRefusal('This SAML assertion was already used (a replay).');
    }
    const requestExpiry = new Date(this.#issuedAt(requestId)!.getTime() + REQUEST_TTL_MS);
    if (!(await this.markers.spendOnce(`saml-request:${requestId}`, requestExpiry))) {
      throw new SamlRefusal('This sign-in request was already answered.');
    }
  }

  #email(profile: Profile): string {
    const attribute = this.settings.emailAttribute;
    const value = attribute ? first(attributesOf(profile)[attribute]) : profile.nameID;
    if (typeof value !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(value.trim())) {
      throw new SamlRefusal(
        `The assertion names no email address (${attribute ? `attribute ${attribute}` : 'NameID'}; see security.saml.email_attribute).`,
      );
    }
    return value.trim();
  }

  #groups(profile: Profile): string[] {
    const value = attributesOf(profile)[this.settings.groupsAttribute];
    return (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
      (g): g is string => typeof g === 'string',
    );
  }

  /** `_` + base64url(nonce and seconds, concatenated) + MAC: a request id any instance recognises as ours, and dates. */
  #newRequestId(): string {
    const body = Buffer.alloc(16);
    randomBytes(12).copy(body);
    body.writeUInt32BE(Math.floor(this.now().getTime() / 1000), 12);
    const encoded = body.toString('base64url');
    return `_${encoded}${this.master.mac(encoded, REQUEST_PURPOSE).slice(0, 22)}`;
  }

  /** When we issued a request id; undefined when it is not ours, or too old to answer. */
  #issuedAt(requestId: string): Date | undefined {
    if (!/^_[\w-]{44}$/.test(requestId)) return undefined;
    const encoded = requestId.slice(1, 23);
    if (this.master.mac(encoded, REQUEST_PURPOSE).slice(0, 22) !== requestId.slice(23)) return undefined;
    const issued = new Date(Buffer.from(encoded, 'base64url').readUInt32BE(12) * 1000);
    const age = this.now().getTime() - issued.getTime();
    return age >= -this.settings.clockSkewMs && age <= REQUEST_TTL_MS ? issued : undefined;
  }

  #options(generateUniqueId: () => string) {
    const { settings } = this;
    // node-saml checks InResponseTo against this "cache": our request ids vouch for themselves.
    const requests: CacheProvider = {
      saveAsync: async (_key, value) => ({ value, createdAt: this.now().getTime() }),
      getAsync: async (key) => this.#issuedAt(key)?.toISOString() ?? null,
      removeAsync: async (key) => key,
    };
    return {
      callbackUrl: settings.acsUrl,
      entryPoint: settings.entryPoint,
      issuer: settings.spEntityId,
      audience: settings.spEntityId,
      idpCert: settings.idpCerts,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: settings.wantResponseSigned,
      acceptedClockSkewMs: settings.clockSkewMs,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: REQUEST_TTL_MS,
      cacheProvider: requests,
      generateUniqueId,
      // Leave the authentication method to the IdP (a fixed one breaks MFA and passwordless sign-in).
      disableRequestedAuthnContext: true,
      identifierFormat: null,
      signatureAlgorithm: 'sha256' as const,
    };
  }
}

function parseXml(xml: string): Element {
  const errors: string[] = [];
  const document = new DOMParser({
    errorHandler: {
      warning: () => {},
      error: (m: string) => errors.push(m),
      fatalError: (m: string) => errors.push(m),
    },
  }).parseFromString(xml, 'text/xml');
  const root = document.documentElement;
  if (errors.length > 0 || !root) throw new SamlRefusal('The SAML response is not well-formed XML.');
  return root as unknown as Element;
}

function elements(parent: Element, localName: string): Element[] {
  return Array.from(parent.getElementsByTagNameNS(ASSERTION_NS, localName));
}

function childElements(parent: Element, localName: string): Element[] {
  return Array.from(parent.childNodes).filter(
    (n): n is Element =>
      n.nodeType === 1 &&
      (n as Element).localName === localName &&
      (n as Element).namespaceURI === ASSERTION_NS,
  );
}

function attributesOf(profile: Profile): Record<string, unknown> {
  const attributes = profile.attributes;
  return attributes && typeof attributes === 'object' ? (attributes as Record<string, unknown>) : {};
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}
