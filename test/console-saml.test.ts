// Console sign-in with SAML 2.0, end to end over HTTP: the browser goes to the IdP with an AuthnRequest
// (Redirect binding), comes back with a signed response (POST binding), and is signed in only if the
// response answers the request this browser started. A response replayed, or carried to another
// browser, signs nobody in. The service provider's own checks are in saml-service-provider.test.ts.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/http/create-logger.ts';
import { resolveServerOptions } from '../src/http/server-options.ts';
import { type ServerHandle, startServer } from '../src/server.ts';
import { createStorage } from '../src/storage/create-storage.ts';
import { freePort } from './support/oidc-idp.ts';
import { makeSigningKey, startSamlIdp, type TestSamlIdp } from './support/saml-idp.ts';
import { copyExampleConfig, tempDir } from './support/temp-dir.ts';
import { hiddenField, TestBrowser } from './support/test-browser.ts';

let idp: TestSamlIdp;
let server: ServerHandle;
let work: Awaited<ReturnType<typeof tempDir>>;
let config: string;
let env: Record<string, string>;

beforeAll(async () => {
  work = await tempDir('llm-rules-saml-');
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const key = makeSigningKey(work.path);
  idp = await startSamlIdp({ key, audience: `${publicUrl}/console/saml/metadata` });
  env = { SAML_IDP_CERT: key.certificate };
  config = await copyExampleConfig(work.path);
  const yaml = await readFile(join(config, 'config.yaml'), 'utf8');
  await writeFile(
    join(config, 'config.yaml'),
    yaml.replace(
      'security:\n',
      `security:\n  saml:\n    entry_point: ${idp.ssoUrl}\n    idp_entity_id: ${idp.entityId}\n    idp_cert: \${SAML_IDP_CERT}\n  console:\n    login: saml\n`,
    ),
  );
  server = await startServer(
    resolveServerOptions([
      { name: 'test', values: { port, publicUrl, configDir: config, applyConfigOnStart: 'always' } },
    ]),
    { storage: await createStorage({ memory: true }), logger: createLogger('silent'), env },
  );
});

afterAll(async () => {
  await server?.close();
  await idp?.close();
  await work?.remove();
});

/** Up to the IdP's answer: the browser holds its login cookie, the test holds the form the IdP returned. */
async function toIdp(browser: TestBrowser, email: string, groups: string[] = []) {
  idp.signInAs(email, groups);
  const page = await browser.get(`${server.url}/console/login?return_to=/console/audit`);
  expect(new URL(page.url).origin).not.toBe(server.url);
  return hiddenField(page.body, 'SAMLResponse');
}

const post = (browser: TestBrowser, samlResponse: string) =>
  browser.submit(`${server.url}/console/saml/acs`, { SAMLResponse: samlResponse, RelayState: '' });

describe('console sign-in with SAML', () => {
  it('signs in the person the IdP vouches for, with their IdP groups mapped', async () => {
    const browser = new TestBrowser();
    const response = await toIdp(browser, 'root@acme.test', ['acme-platform-admins']);
    const landed = await post(browser, response);
    expect(new URL(landed.url).pathname).toBe('/console/audit');
    const session = JSON.parse((await browser.get(`${server.url}/console/session`)).body);
    expect(session).toMatchObject({ user: 'root@acme.test', method: 'saml' });
    expect(session.groups).toContain('platform-admins');
    // The session works on the admin API with root's roles.
    expect((await browser.fetch(`${server.url}/api/v1/tenants/acme/users`)).status).toBe(200);
  });

  it('refuses the same response twice', async () => {
    const browser = new TestBrowser();
    const response = await toIdp(browser, 'bob@acme.test');
    expect(new URL((await post(browser, response)).url).pathname).toBe('/console/audit');
    const again = await post(browser, response);
    expect(again.status).toBe(401);
    expect(again.body).toMatch(/already used/);
  });

  it('does not sign in a browser that did not start the sign-in', async () => {
    const victim = new TestBrowser();
    const captured = await toIdp(victim, 'bob@acme.test');
    // Another browser, with a sign-in of its own under way, and one with none.
    const attacker = new TestBrowser();
    await toIdp(attacker, 'alice@acme.test');
    const carried = await post(attacker, captured);
    expect(carried.status).toBe(400);
    expect(carried.body).toMatch(/another browser/);
    expect((await attacker.get(`${server.url}/console/session`)).status).toBe(401);
    const bare = new TestBrowser();
    const second = await toIdp(victim, 'bob@acme.test');
    expect((await post(bare, second)).status).toBe(400);
  });

  it('refuses someone the org does not know', async () => {
    const browser = new TestBrowser();
    const answer = await post(browser, await toIdp(browser, 'stranger@elsewhere.test'));
    expect(answer.status).toBe(401);
    expect(answer.body).toMatch(/not a member/);
  });

  it('serves its metadata for the IdP', async () => {
    const answer = await fetch(`${server.url}/console/saml/metadata`);
    expect(answer.headers.get('content-type')).toMatch(/samlmetadata\+xml/);
    expect(await answer.text()).toContain(`${server.url}/console/saml/acs`);
  });

  it('needs the public URL: SAML binds to fixed URLs, not to a request’s Host header', async () => {
    const other = await startServer(
      resolveServerOptions([
        { name: 'test', values: { port: 0, configDir: config, applyConfigOnStart: 'always' } },
      ]),
      { storage: await createStorage({ memory: true }), logger: createLogger('silent'), env },
    );
    try {
      const answer = await new TestBrowser().get(`${other.url}/console/login`);
      expect(answer.status).toBe(503);
      expect(answer.body).toMatch(/LLM_RULES_PUBLIC_URL/);
    } finally {
      await other.close();
    }
  });
});
