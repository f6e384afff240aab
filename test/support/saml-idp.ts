// A SAML 2.0 identity provider for console sign-in tests: a real RSA key and self-signed certificate
// (openssl), responses signed with xml-crypto as IdPs sign them (assertion, then the whole response,
// RSA-SHA256, exclusive c14n), and an HTTP endpoint for the Redirect binding that answers the request
// it is given with an auto-posting form, as Okta or Entra ID would. Tests may also build responses
// by hand, with any field wrong, to see them refused.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';
import { selfSigned } from './self-signed.ts';

export const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

export interface SigningKey {
  privateKey: string;
  certificate: string;
}

/** A fresh RSA key and a self-signed certificate for it. */
export function makeSigningKey(dir: string, name = 'idp'): SigningKey {
  const { privateKey, certificate } = selfSigned(dir, name, name);
  return { privateKey, certificate };
}

export interface ResponseFields {
  idpEntityId: string;
  acsUrl: string;
  audience: string;
  inResponseTo: string | undefined;
  nameId: string;
  attributes: Record<string, string[]>;
  /** Overrides, for refusals. */
  assertionIssuer?: string;
  destination?: string | null;
  recipient?: string;
  subjectInResponseTo?: string | null;
  notBefore?: Date;
  notOnOrAfter?: Date;
  confirmationNotOnOrAfter?: Date;
  method?: string;
  assertionId?: string;
  withoutAuthnStatement?: boolean;
}

const iso = (date: Date) => date.toISOString();
const id = () => `_${randomBytes(16).toString('hex')}`;
const xmlEscape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function assertionXml(f: ResponseFields): string {
  const now = new Date();
  const later = f.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000);
  const subjectIrt = f.subjectInResponseTo === undefined ? f.inResponseTo : f.subjectInResponseTo;
  const attributes = Object.entries(f.attributes)
    .map(
      ([name, values]) =>
        `<saml:Attribute Name="${xmlEscape(name)}">${values.map((v) => `<saml:AttributeValue>${xmlEscape(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`,
    )
    .join('');
  return (
    `<saml:Assertion xmlns:saml="${SAML_NS}" ID="${f.assertionId ?? id()}" Version="2.0" IssueInstant="${iso(now)}">` +
    `<saml:Issuer>${xmlEscape(f.assertionIssuer ?? f.idpEntityId)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${xmlEscape(f.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="${f.method ?? 'urn:oasis:names:tc:SAML:2.0:cm:bearer'}">` +
    `<saml:SubjectConfirmationData${subjectIrt ? ` InResponseTo="${subjectIrt}"` : ''} NotOnOrAfter="${iso(f.confirmationNotOnOrAfter ?? later)}" Recipient="${xmlEscape(f.recipient ?? f.acsUrl)}"/>` +
    '</saml:SubjectConfirmation></saml:Subject>' +
    `<saml:Conditions NotBefore="${iso(f.notBefore ?? new Date(now.getTime() - 60_000))}" NotOnOrAfter="${iso(later)}">` +
    `<saml:AudienceRestriction><saml:Audience>${xmlEscape(f.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    (f.withoutAuthnStatement
      ? ''
      : `<saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${id()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`) +
    `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` +
    '</saml:Assertion>'
  );
}

/** A Response around an (already signed or not) assertion, before the Response's own signature. */
export function responseXml(f: ResponseFields, assertion: string): string {
  const destination = f.destination === undefined ? f.acsUrl : f.destination;
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="${SAML_NS}" ID="${id()}" Version="2.0" IssueInstant="${iso(new Date())}"` +
    `${destination ? ` Destination="${xmlEscape(destination)}"` : ''}${f.inResponseTo ? ` InResponseTo="${f.inResponseTo}"` : ''}>` +
    `<saml:Issuer>${xmlEscape(f.idpEntityId)}</saml:Issuer>` +
    '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>' +
    assertion +
    '</samlp:Response>'
  );
}

/** An enveloped signature over the element `what`, placed right after its Issuer, as the schema wants. */
export function signElement(
  xml: string,
  what: 'Assertion' | 'Response',
  key: SigningKey,
  options: { sha1?: boolean } = {},
): string {
  const xpath = what === 'Response' ? "/*[local-name(.)='Response']" : "//*[local-name(.)='Assertion']";
  const signer = new SignedXml({
    privateKey: key.privateKey,
    publicCert: key.certificate,
    canonicalizationAlgorithm: EXC_C14N,
    signatureAlgorithm: options.sha1 ? RSA_SHA1 : RSA_SHA256,
  });
  signer.addReference({
    xpath,
    digestAlgorithm: options.sha1 ? SHA1 : SHA256,
    transforms: [ENVELOPED, EXC_C14N],
  });
  signer.computeSignature(xml, {
    location: { reference: `${xpath}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return signer.getSignedXml();
}

/** What a correct IdP sends: the assertion signed, then the response around it signed. */
export function signedResponse(
  f: ResponseFields,
  key: SigningKey,
  options: { signResponse?: boolean; sha1?: boolean } = {},
): string {
  const assertion = signElement(assertionXml(f), 'Assertion', key, options);
  const response = responseXml(f, assertion);
  return options.signResponse === false ? response : signElement(response, 'Response', key, options);
}

export const toBase64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

export interface TestSamlIdp {
  entityId: string;
  ssoUrl: string;
  key: SigningKey;
  /** Who signs in next, with which groups; undefined: the IdP answers with an error status. */
  signInAs(email: string | undefined, groups?: string[]): void;
  /** The SP's entity id the responses are for (set once the SP's URL is known). */
  audience: string;
  close(): Promise<void>;
}

/** The Redirect-binding endpoint: reads the AuthnRequest, answers it with a signed response in a form. */
export async function startSamlIdp(options: { key: SigningKey; audience: string }): Promise<TestSamlIdp> {
  let user: { email: string; groups: string[] } | undefined;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const encoded = url.searchParams.get('SAMLRequest');
    if (url.pathname !== '/sso' || !encoded || !user) {
      res.writeHead(400).end('no sign-in');
      return;
    }
    const request = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
    const requestId = /\sID="([^"]+)"/.exec(request)?.[1];
    const acsUrl = /AssertionConsumerServiceURL="([^"]+)"/.exec(request)?.[1];
    if (!requestId || !acsUrl) {
      res.writeHead(400).end('not an AuthnRequest');
      return;
    }
    const xml = signedResponse(
      {
        idpEntityId: idp.entityId,
        acsUrl,
        audience: idp.audience,
        inResponseTo: requestId,
        nameId: user.email,
        attributes: { email: [user.email], groups: user.groups },
      },
      options.key,
    );
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(
        `<!doctype html><form method="post" action="${acsUrl}"><input type="hidden" name="SAMLResponse" value="${toBase64(xml)}"><input type="hidden" name="RelayState" value="${xmlEscape(url.searchParams.get('RelayState') ?? '')}"></form><script>document.forms[0].submit()</script>`,
      );
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const idp: TestSamlIdp = {
    entityId: `${base}/metadata`,
    ssoUrl: `${base}/sso`,
    key: options.key,
    audience: options.audience,
    signInAs(email, groups = []) {
      user = email ? { email, groups } : undefined;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return idp;
}
