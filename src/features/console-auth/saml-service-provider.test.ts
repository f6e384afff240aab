// The SAML service provider against responses signed as an IdP signs them, then broken every way the
// validation checklist names: signature wrapping (XSW1-8), duplicated assertions, replays, audience,
// recipient, destination, issuer, validity window, InResponseTo, SHA-1, DOCTYPE, size. Each must be
// refused; none may ever yield the attacker's chosen identity.
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertionXml,
  makeSigningKey,
  type ResponseFields,
  responseXml,
  type SigningKey,
  signElement,
  signedResponse,
  toBase64,
} from '../../../test/support/saml-idp.ts';
import { createStorage } from '../../storage/create-storage.ts';
import type { Storage } from '../../storage/ports.ts';
import { MasterKey } from '../sign-in/master-key.ts';
import { SamlServiceProvider } from './saml-service-provider.ts';
import { SamlRefusal, type SamlSettings } from './saml-settings.ts';

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';

let dir: string;
let key: SigningKey;
let stranger: SigningKey;
let storage: Storage;
let now: Date;

const SETTINGS: SamlSettings = {
  entryPoint: 'https://idp.test/sso',
  idpEntityId: 'https://idp.test/metadata',
  idpCerts: [],
  spEntityId: 'https://llm-rules.test/console/saml/metadata',
  acsUrl: 'https://llm-rules.test/console/saml/acs',
  emailAttribute: undefined,
  groupsAttribute: 'groups',
  wantResponseSigned: true,
  clockSkewMs: 60_000,
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'llm-rules-saml-'));
  key = makeSigningKey(dir, 'idp');
  stranger = makeSigningKey(dir, 'stranger');
  storage = await createStorage({ memory: true });
  await storage.migrate();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function provider(overrides: Partial<SamlSettings> = {}) {
  now = new Date();
  return new SamlServiceProvider(
    { ...SETTINGS, idpCerts: [key.certificate], ...overrides },
    MasterKey.random(),
    storage.signIn,
    () => now,
  );
}

/** A request from the SP and the fields of a correct answer to it, for alice. */
async function started(sp: SamlServiceProvider) {
  const { requestId } = await sp.loginUrl();
  const fields: ResponseFields = {
    idpEntityId: SETTINGS.idpEntityId,
    acsUrl: SETTINGS.acsUrl,
    audience: SETTINGS.spEntityId,
    inResponseTo: requestId,
    nameId: 'alice@acme.test',
    attributes: { email: ['alice@acme.test'], groups: ['acme-engineering', 'acme-data'] },
  };
  return { requestId, fields };
}

const refused = (sp: SamlServiceProvider, xml: string) =>
  expect(sp.consume(toBase64(xml))).rejects.toBeInstanceOf(SamlRefusal);

describe('SAML libraries', () => {
  it('are at versions with the 2025 signature-wrapping fixes (node-saml 5.1.0, xml-crypto 6.2.0)', () => {
    const version = (name: string) =>
      (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version
        .split('.')
        .map(Number);
    const atLeast = (have: number[], want: number[]) =>
      have[0]! !== want[0]!
        ? have[0]! > want[0]!
        : have[1]! !== want[1]!
          ? have[1]! > want[1]!
          : have[2]! >= want[2]!;
    expect(atLeast(version('@node-saml/node-saml'), [5, 1, 0])).toBe(true);
    expect(atLeast(version('xml-crypto'), [6, 2, 0])).toBe(true);
  });
});

describe('SAML service provider: what an IdP sends', () => {
  it('signs in the person the signed assertion names, with their groups', async () => {
    const sp = provider();
    const { requestId, fields } = await started(sp);
    const identity = await sp.consume(toBase64(signedResponse(fields, key)));
    expect(identity).toEqual({
      email: 'alice@acme.test',
      groups: ['acme-engineering', 'acme-data'],
      requestId,
    });
  });

  it('reads one group as a list, and the email from an attribute when configured', async () => {
    const sp = provider({ emailAttribute: 'mail' });
    const { fields } = await started(sp);
    const identity = await sp.consume(
      toBase64(
        signedResponse(
          { ...fields, nameId: 'opaque-id-123', attributes: { mail: ['alice@acme.test'], groups: ['solo'] } },
          key,
        ),
      ),
    );
    expect(identity).toMatchObject({ email: 'alice@acme.test', groups: ['solo'] });
  });

  it('accepts a signed assertion in an unsigned response only when configured to', async () => {
    const strict = provider();
    const { fields } = await started(strict);
    await refused(strict, signedResponse(fields, key, { signResponse: false }));
    const lenient = provider({ wantResponseSigned: false });
    const again = await started(lenient);
    await expect(
      lenient.consume(toBase64(signedResponse(again.fields, key, { signResponse: false }))),
    ).resolves.toMatchObject({
      email: 'alice@acme.test',
    });
  });

  it('accepts a certificate being rotated in (several configured)', async () => {
    const sp = provider({ idpCerts: [stranger.certificate, key.certificate] });
    const { fields } = await started(sp);
    await expect(sp.consume(toBase64(signedResponse(fields, key)))).resolves.toMatchObject({
      email: 'alice@acme.test',
    });
  });

  it('serves metadata naming its entity id and ACS URL', () => {
    const metadata = provider().metadata();
    expect(metadata).toContain(`entityID="${SETTINGS.spEntityId}"`);
    expect(metadata).toContain(`Location="${SETTINGS.acsUrl}"`);
  });
});

describe('SAML service provider: refusals', () => {
  it('refuses a replay of the same response, and the same assertion re-wrapped for a new request', async () => {
    const sp = provider({ wantResponseSigned: false });
    const { fields } = await started(sp);
    const signedAssertion = signElement(
      assertionXml({ ...fields, assertionId: '_replayed-assertion-1' }),
      'Assertion',
      key,
    );
    const first = responseXml(fields, signedAssertion);
    await expect(sp.consume(toBase64(first))).resolves.toMatchObject({ email: 'alice@acme.test' });
    await expect(sp.consume(toBase64(first))).rejects.toThrow(/already used|already answered/);
    // A fresh request, the captured assertion in a new, unsigned Response that claims to answer it.
    const fresh = await started(sp);
    await refused(sp, responseXml(fresh.fields, signedAssertion));
  });

  it('refuses the wrong audience, recipient, destination or issuer', async () => {
    const sp = provider();
    for (const change of [
      { audience: 'https://another-app.test/saml' },
      { recipient: 'https://another-app.test/acs' },
      { destination: 'https://another-app.test/acs' },
      { destination: null },
      { assertionIssuer: 'https://evil-idp.test/metadata' },
    ] satisfies Partial<ResponseFields>[]) {
      const { fields } = await started(sp);
      await refused(sp, signedResponse({ ...fields, ...change }, key));
    }
  });

  it('refuses outside the validity window, allowing the configured clock skew', async () => {
    const sp = provider();
    const past = new Date(Date.now() - 2 * 60_000);
    const { fields } = await started(sp);
    await refused(sp, signedResponse({ ...fields, notOnOrAfter: past, confirmationNotOnOrAfter: past }, key));
    const early = await started(sp);
    await refused(sp, signedResponse({ ...early.fields, notBefore: new Date(Date.now() + 5 * 60_000) }, key));
    const skewed = await started(sp);
    const justNow = new Date(Date.now() - 20_000);
    await expect(
      sp.consume(
        toBase64(
          signedResponse({ ...skewed.fields, notOnOrAfter: justNow, confirmationNotOnOrAfter: justNow }, key),
        ),
      ),
    ).resolves.toMatchObject({ email: 'alice@acme.test' });
  });

  it('refuses IdP-initiated sign-in, a request it never made, and one too old', async () => {
    const sp = provider();
    const { fields } = await started(sp);
    await refused(sp, signedResponse({ ...fields, inResponseTo: undefined }, key));
    await refused(
      sp,
      signedResponse(
        { ...fields, inResponseTo: '_forged-request-id', subjectInResponseTo: '_forged-request-id' },
        key,
      ),
    );
    const other = provider(); // another master key: its ids are not this server's
    const foreign = await started(other);
    await refused(sp, signedResponse(foreign.fields, key));
    const late = await started(sp);
    now = new Date(now.getTime() + 11 * 60_000);
    await refused(sp, signedResponse(late.fields, key));
  });

  it('refuses a confirmation that is not bearer, and an assertion without an authentication statement', async () => {
    const sp = provider();
    for (const change of [
      { method: 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key' },
      { withoutAuthnStatement: true },
      { subjectInResponseTo: null },
    ] satisfies Partial<ResponseFields>[]) {
      const { fields } = await started(sp);
      await refused(sp, signedResponse({ ...fields, ...change }, key));
    }
  });

  it('refuses an unsigned response, another key’s signature, and a name changed after signing', async () => {
    const sp = provider({ wantResponseSigned: false });
    const { fields } = await started(sp);
    await refused(sp, responseXml(fields, assertionXml(fields)));
    await refused(sp, signedResponse(fields, stranger));
    const tampered = signedResponse(fields, key, { signResponse: false }).replace(
      '>alice@acme.test</saml:NameID>',
      '>root@acme.test</saml:NameID>',
    );
    expect(tampered).toContain('root@acme.test');
    await refused(sp, tampered);
  });

  it('refuses SHA-1 signatures, a DOCTYPE, oversized and non-base64 input', async () => {
    const sp = provider();
    const { fields } = await started(sp);
    await refused(sp, signedResponse(fields, key, { sha1: true }));
    const signed = signedResponse(fields, key);
    await refused(sp, `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "root@acme.test">]>${signed}`);
    await expect(sp.consume('A'.repeat(600 * 1024))).rejects.toThrow(/too large/);
    await expect(sp.consume('<samlp:Response/>')).rejects.toThrow(/not base64/);
    await expect(sp.consume(undefined)).rejects.toThrow(/no SAMLResponse/);
  });
});

describe('SAML service provider: signature wrapping', () => {
  /** alice's correctly signed response, and an unsigned assertion for root the attacker wants read instead. */
  async function material(sp: SamlServiceProvider, signResponse: boolean) {
    const { fields } = await started(sp);
    const document = parse(signedResponse(fields, key, { signResponse }));
    const evil = parse(
      assertionXml({ ...fields, nameId: 'root@acme.test', attributes: { groups: ['acme-platform-admins'] } }),
    ).documentElement!;
    return { document, evil, fields };
  }

  const assertionOnly = () => provider({ wantResponseSigned: false });

  it('XSW3: an evil assertion before the signed one', async () => {
    const sp = assertionOnly();
    const { document, evil } = await material(sp, false);
    const signed = first(document, SAML, 'Assertion');
    signed.parentNode!.insertBefore(document.importNode(evil, true), signed);
    await refusedDocument(sp, document);
  });

  it('XSW4: the signed assertion nested inside an evil one', async () => {
    const sp = assertionOnly();
    const { document, evil } = await material(sp, false);
    const signed = first(document, SAML, 'Assertion');
    const outer = document.importNode(evil, true) as unknown as Element;
    outer.appendChild(signed.cloneNode(true));
    signed.parentNode!.replaceChild(outer, signed);
    await refusedDocument(sp, document);
  });

  it('XSW5: the signature moved onto an evil assertion, the original appended without it', async () => {
    const sp = assertionOnly();
    const { document, evil } = await material(sp, false);
    const signed = first(document, SAML, 'Assertion');
    const signature = first(signed, DS, 'Signature');
    const outer = document.importNode(evil, true) as unknown as Element;
    outer.setAttribute('ID', signed.getAttribute('ID')!);
    outer.insertBefore(signature.cloneNode(true), first(outer, SAML, 'Subject'));
    signed.removeChild(signature);
    signed.parentNode!.insertBefore(outer, signed);
    await refusedDocument(sp, document);
  });

  it('XSW6: an evil assertion carrying the signature, the original inside the signature’s Object', async () => {
    const sp = assertionOnly();
    const { document, evil } = await material(sp, false);
    carryingTheSignature(document, evil, { sameId: true });
    await refusedDocument(sp, document);
  });

  it('XSW7: the signed assertion hidden in Extensions, an evil one where it is read', async () => {
    const sp = assertionOnly();
    const { document, evil } = await material(sp, false);
    const response = document.documentElement!;
    const signed = first(document, SAML, 'Assertion');
    const extensions = document.createElementNS(SAMLP, 'samlp:Extensions');
    extensions.appendChild(signed.cloneNode(true));
    response.insertBefore(extensions, first(response, SAMLP, 'Status'));
    response.replaceChild(document.importNode(evil, true), signed);
    await refusedDocument(sp, document);
  });

  it('XSW8: an evil assertion whose signature’s Object holds the original without its signature', async () => {
    const sp = assertionOnly();
    const { document, evil } = await material(sp, false);
    carryingTheSignature(document, evil, { sameId: false });
    await refusedDocument(sp, document);
  });

  it('a signed assertion twice, and a second signed assertion of another person', async () => {
    const sp = assertionOnly();
    const { document, fields } = await material(sp, false);
    const signed = first(document, SAML, 'Assertion');
    signed.parentNode!.appendChild(signed.cloneNode(true));
    await refusedDocument(sp, document);
    const second = await material(sp, false);
    const rootAssertion = parse(
      signElement(
        assertionXml({ ...fields, inResponseTo: second.fields.inResponseTo, nameId: 'root@acme.test' }),
        'Assertion',
        key,
      ),
    ).documentElement!;
    first(second.document, SAML, 'Assertion').parentNode!.appendChild(
      second.document.importNode(rootAssertion, true),
    );
    await refusedDocument(sp, second.document);
  });

  it('XSW1 and XSW2: an evil response around (or beside) the signed one', async () => {
    const sp = provider();
    for (const placement of ['object', 'sibling'] as const) {
      const { document, evil } = await material(sp, true);
      const original = document.documentElement!;
      const wrapper = parse(
        responseXml({ ...SETTINGS_FIELDS, inResponseTo: original.getAttribute('InResponseTo')! }, ''),
      ).documentElement!;
      const forged = document.importNode(wrapper, true) as unknown as Element;
      forged.setAttribute('ID', original.getAttribute('ID')!);
      forged.appendChild(document.importNode(evil, true));
      const signature = first(original, DS, 'Signature').cloneNode(true) as Element;
      const stripped = original.cloneNode(true) as Element;
      stripped.removeChild(childNamed(stripped, DS, 'Signature'));
      if (placement === 'object') {
        const object = document.createElementNS(DS, 'ds:Object');
        object.appendChild(stripped);
        signature.appendChild(object);
        forged.insertBefore(signature, first(forged, SAMLP, 'Status'));
      } else {
        forged.insertBefore(signature, first(forged, SAMLP, 'Status'));
        forged.appendChild(stripped);
      }
      document.replaceChild(forged, original);
      await refusedDocument(sp, document);
    }
  });

  it('a comment in the signed name cannot shorten it to someone else’s', async () => {
    const sp = provider({ wantResponseSigned: false });
    const { fields } = await started(sp);
    const xml = signedResponse({ ...fields, nameId: 'root@acme.test.evil.test' }, key, {
      signResponse: false,
    }).replace('root@acme.test.evil.test</saml:NameID>', 'root@acme.test<!---->.evil.test</saml:NameID>');
    const identity = await sp.consume(toBase64(xml)).catch((error: unknown) => error);
    // Refused, or read whole: never `root@acme.test`.
    if (!(identity instanceof SamlRefusal))
      expect(identity).toMatchObject({ email: 'root@acme.test.evil.test' });
  });
});

const SETTINGS_FIELDS: ResponseFields = {
  idpEntityId: SETTINGS.idpEntityId,
  acsUrl: SETTINGS.acsUrl,
  audience: SETTINGS.spEntityId,
  inResponseTo: undefined,
  nameId: 'root@acme.test',
  attributes: {},
};

/** The signed assertion replaced by an evil one carrying its signature, the original (unsigned) in its Object. */
function carryingTheSignature(document: Document, evil: Element, options: { sameId: boolean }): void {
  const signed = first(document, SAML, 'Assertion');
  const outer = document.importNode(evil, true) as unknown as Element;
  if (options.sameId) outer.setAttribute('ID', signed.getAttribute('ID')!);
  const signature = first(signed, DS, 'Signature').cloneNode(true) as Element;
  const object = document.createElementNS(DS, 'ds:Object');
  const original = signed.cloneNode(true) as Element;
  original.removeChild(first(original, DS, 'Signature'));
  object.appendChild(original);
  signature.appendChild(object);
  outer.insertBefore(signature, first(outer, SAML, 'Subject'));
  signed.parentNode!.replaceChild(outer, signed);
}

function parse(xml: string): Document {
  return new DOMParser().parseFromString(xml, 'text/xml') as unknown as Document;
}

function first(node: Document | Element, ns: string, name: string): Element {
  const found = node.getElementsByTagNameNS(ns, name)[0];
  if (!found) throw new Error(`no ${name}`);
  return found;
}

function childNamed(parent: Element, ns: string, name: string): Element {
  const found = Array.from(parent.childNodes).find(
    (n) => n.nodeType === 1 && (n as Element).localName === name && (n as Element).namespaceURI === ns,
  );
  if (!found) throw new Error(`no child ${name}`);
  return found as Element;
}

async function refusedDocument(sp: SamlServiceProvider, document: Document) {
  const xml = new XMLSerializer().serializeToString(document as never);
  const result = await sp.consume(toBase64(xml)).catch((error: unknown) => error);
  expect(result).toBeInstanceOf(SamlRefusal);
}
