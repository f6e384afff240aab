// People signing in to the console against a real OpenID Connect provider (oidc-provider): the
// session cookie's attributes, the admin API used with it (roles still apply; changes need the CSRF
// token and this origin), logout, deprovisioning, refusals, and the break-glass admin: off by
// default, throttled, and audited on every attempt.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundlesService } from '../src/features/bundles/bundles-service.ts';
import { hashBreakGlassPassword } from '../src/features/console-auth/break-glass.ts';
import { createLogger } from '../src/http/create-logger.ts';
import { resolveServerOptions } from '../src/http/server-options.ts';
import { type ServerHandle, startServer } from '../src/server.ts';
import { createStorage } from '../src/storage/create-storage.ts';
import { freePort, startTestIdp, type TestIdp, useTestIdp } from './support/oidc-idp.ts';
import { copyExampleConfig, tempDir } from './support/temp-dir.ts';
import { hiddenField, TestBrowser } from './support/test-browser.ts';

const ENV = { TEST_IDP_SECRET: 'idp-client-secret' };
const BREAK_GLASS_PASSWORD = 'correct horse battery staple 42';

let idp: TestIdp;
let server: ServerHandle;
let work: Awaited<ReturnType<typeof tempDir>>;
let config: string;

beforeAll(async () => {
  const port = await freePort();
  idp = await startTestIdp({
    redirectUri: `http://127.0.0.1:${port}/oauth/callback`,
    moreRedirectUris: [`http://127.0.0.1:${port}/console/callback`],
  });
  for (const [email, groups] of [
    ['bob@acme.test', ['acme-engineering']],
    ['alice@acme.test', ['acme-engineering']],
    ['carol@acme.test', ['acme-engineering']],
    ['stranger@elsewhere.test', []],
  ] as const) {
    idp.accounts.set(email, { email, groups: [...groups] });
  }
  work = await tempDir('llm-rules-console-');
  config = await copyExampleConfig(work.path);
  await useTestIdp(config, idp, ['openid', 'email', 'groups']);
  server = await startServer(
    resolveServerOptions([
      {
        name: 'test',
        values: {
          port,
          configDir: config,
          applyConfigOnStart: 'always',
          breakGlassHash: await hashBreakGlassPassword(BREAK_GLASS_PASSWORD),
        },
      },
    ]),
    { storage: await createStorage({ memory: true }), logger: createLogger('silent'), env: ENV },
  );
});

afterAll(async () => {
  await server?.close();
  await idp?.close();
  await work?.remove();
});

interface SessionView {
  user: string;
  method: string;
  break_glass: boolean;
  roles: string[];
  groups: string[];
  csrf_token: string;
}

/** A person signs in through the IdP; the browser ends where the console sent it. */
async function signIn(email: string, returnTo = '/console/budgets') {
  const browser = new TestBrowser();
  idp.signInAs(email);
  const landed = await browser.get(`${server.url}/console/login?return_to=${encodeURIComponent(returnTo)}`);
  return { browser, landed };
}

async function sessionOf(browser: TestBrowser): Promise<SessionView> {
  const answer = await browser.get(`${server.url}/console/session`);
  expect(answer.status).toBe(200);
  return JSON.parse(answer.body) as SessionView;
}

const INCREASE = { budget: 'platform-team', amount_usd: 50, reason: 'release week' };

describe('console sign-in with OpenID Connect', () => {
  it('signs a member in and returns to where they were going, with a locked-down session cookie', async () => {
    const browser = new TestBrowser();
    idp.signInAs('bob@acme.test');
    const start = await fetch(`${server.url}/console/login?return_to=/console/budgets`, {
      redirect: 'manual',
    });
    expect(start.status).toBe(303);
    expect(new URL(start.headers.get('location')!).origin).toBe(idp.issuer);
    const landed = await browser.get(`${server.url}/console/login?return_to=/console/budgets`);
    // The console itself is not served yet: what matters is the hop back to the path asked for.
    expect(new URL(landed.url).pathname).toBe('/console/budgets');
    const session = await sessionOf(browser);
    expect(session).toMatchObject({ user: 'bob@acme.test', method: 'oidc', break_glass: false });
    expect(session.roles).toContain('team-lead');
    expect(session.groups).toContain('engineers');
    expect(session.csrf_token).toMatch(/^[\w-]{43}$/);
  });

  it('sets the session cookie HttpOnly and SameSite=Lax, and the CSRF cookie readable by the page', async () => {
    const trace = await captureCallbackCookies('bob@acme.test');
    const session = trace.find((c) => c.startsWith('llmr_console='))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(session).toMatch(/Path=\//);
    const csrf = trace.find((c) => c.startsWith('llmr_console_csrf='))!;
    expect(csrf).not.toMatch(/HttpOnly/);
    expect(csrf).toMatch(/SameSite=Strict/);
  });

  it('never sends the browser to another origin after sign-in', async () => {
    for (const returnTo of ['//evil.test/x', 'https://evil.test/', '/\\evil.test', 'javascript:alert(1)']) {
      const { landed } = await signIn('bob@acme.test', returnTo);
      expect(new URL(landed.url).origin).toBe(server.url);
      expect(new URL(landed.url).pathname).toBe('/console/');
    }
  });

  it('uses the admin API with the session: reads as the person, changes only with the CSRF token from this origin', async () => {
    const { browser } = await signIn('bob@acme.test');
    const { csrf_token } = await sessionOf(browser);
    const api = (path: string, init: RequestInit = {}) => browser.fetch(`${server.url}${path}`, init);
    expect((await api('/api/v1/tenants/acme/budgets')).status).toBe(200);
    // Bob is a team lead, not a tenant administrator: the session carries his roles, nothing more.
    expect((await api('/api/v1/tenants/acme/users')).status).toBe(403);
    expect((await api('/api/v1/tenants/globex/budgets')).status).toBe(404);
    const post = (headers: Record<string, string>) =>
      api('/api/v1/tenants/acme/budget-increases', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(INCREASE),
      });
    const noToken = await post({});
    expect(noToken.status).toBe(403);
    expect(await noToken.json()).toMatchObject({ error: { message: expect.stringMatching(/x-csrf-token/) } });
    expect((await post({ 'x-csrf-token': 'A'.repeat(43) })).status).toBe(403);
    expect((await post({ 'x-csrf-token': csrf_token, origin: 'https://evil.test' })).status).toBe(403);
    const made = await post({ 'x-csrf-token': csrf_token, origin: server.url });
    expect(made.status).toBe(201);
    await server.audit.flush();
    const actions = await server.storage.audit.list('acme', { event: 'admin_action' });
    expect(actions.at(-1)).toMatchObject({
      user: 'bob@acme.test',
      context: { action: 'budget_increase_requested', via: 'console' },
    });
  });

  it('logs out: the session ends everywhere, and logout itself needs the CSRF token', async () => {
    const { browser } = await signIn('bob@acme.test');
    const { csrf_token } = await sessionOf(browser);
    const copied = browser.cookieHeader(server.url);
    expect((await browser.fetch(`${server.url}/console/logout`, { method: 'POST' })).status).toBe(403);
    const out = await browser.fetch(`${server.url}/console/logout`, {
      method: 'POST',
      headers: { 'x-csrf-token': csrf_token },
    });
    expect(out.status).toBe(204);
    expect((await browser.get(`${server.url}/console/session`)).status).toBe(401);
    // The cookie copied before logout is worth nothing after it.
    const replayed = await fetch(`${server.url}/api/v1/tenants/acme/budgets`, {
      headers: { cookie: copied },
    });
    expect(replayed.status).toBe(401);
    await server.audit.flush();
    const auth = await server.storage.audit.list('acme', { event: 'auth' });
    expect(auth.map((r) => r.context.action)).toEqual(
      expect.arrayContaining(['console_sign_in', 'console_sign_out']),
    );
  });

  it('refuses someone the org does not know, and a callback from another browser', async () => {
    const { landed } = await signIn('stranger@elsewhere.test');
    expect(landed.status).toBe(401);
    expect(landed.body).toMatch(/not a member/);
    const browser = new TestBrowser();
    expect((await browser.get(`${server.url}/console/session`)).status).toBe(401);
    const elsewhere = await new TestBrowser().get(`${server.url}/console/callback?code=x&state=y`);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body).toMatch(/another browser/);
  });

  it('ends the session of a member taken out of the org', async () => {
    const { browser } = await signIn('carol@acme.test');
    await sessionOf(browser);
    const hierarchy = join(config, 'org/hierarchy.yaml');
    const before = await readFile(hierarchy, 'utf8');
    await writeFile(hierarchy, before.replace(/ {10}- \{ email: carol@acme\.test.*\n/, ''));
    try {
      await new BundlesService(server.storage).apply(config, ENV, 'test');
      await server.bundle.refresh();
      expect((await browser.get(`${server.url}/console/session`)).status).toBe(401);
    } finally {
      await writeFile(hierarchy, before);
      await new BundlesService(server.storage).apply(config, ENV, 'test');
      await server.bundle.refresh();
    }
  });
});

describe('the break-glass admin', () => {
  async function breakGlass(browser: TestBrowser, password: string) {
    const form = await browser.get(`${server.url}/console/break-glass`);
    expect(form.status).toBe(200);
    return browser.submit(`${server.url}/console/break-glass`, {
      password,
      csrf: hiddenField(form.body, 'csrf'),
    });
  }

  it('signs in with the password, holds every permission in the root tenant, and every step is audited', async () => {
    const browser = new TestBrowser();
    const landed = await breakGlass(browser, BREAK_GLASS_PASSWORD);
    expect(new URL(landed.url).pathname).toBe('/console/');
    const session = await sessionOf(browser);
    expect(session).toMatchObject({ user: 'break-glass', method: 'break-glass', break_glass: true });
    expect((await browser.fetch(`${server.url}/api/v1/bundles`)).status).toBe(200);
    const made = await browser.fetch(`${server.url}/api/v1/tenants/acme/budget-increases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf_token },
      body: JSON.stringify(INCREASE),
    });
    expect(made.status).toBe(201);
    await server.audit.flush();
    const auth = await server.storage.audit.list('acme', { event: 'auth' });
    expect(auth.at(-1)).toMatchObject({
      user: 'break-glass',
      context: { action: 'break_glass_sign_in', severity: 'critical' },
    });
    const actions = await server.storage.audit.list('acme', { event: 'admin_action' });
    expect(actions.at(-1)).toMatchObject({ user: 'break-glass', context: { via: 'console' } });
  });

  it('refuses a wrong password (audited), a form without its CSRF cookie, and throttles guessing', async () => {
    const browser = new TestBrowser();
    const wrong = await breakGlass(browser, 'not the password at all');
    expect(wrong.status).toBe(401);
    await server.audit.flush();
    const auth = await server.storage.audit.list('acme', { event: 'auth' });
    expect(auth.at(-1)).toMatchObject({
      context: { action: 'break_glass_refused', reason: 'wrong_password' },
    });
    const forged = await fetch(`${server.url}/console/break-glass`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ password: BREAK_GLASS_PASSWORD, csrf: 'x' }).toString(),
    });
    expect(forged.status).toBe(403);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await breakGlass(browser, `guess ${i}`)).status);
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses[4]).toBe(429);
    // Even the right password waits out the minute once the address is throttled.
    expect((await breakGlass(browser, BREAK_GLASS_PASSWORD)).status).toBe(429);
  });

  it('is off without a hash: no form, no sign-in', async () => {
    const other = await startServer(
      resolveServerOptions([
        { name: 'test', values: { port: 0, configDir: config, applyConfigOnStart: 'always' } },
      ]),
      { storage: await createStorage({ memory: true }), logger: createLogger('silent'), env: ENV },
    );
    try {
      expect((await fetch(`${other.url}/console/break-glass`)).status).toBe(404);
      const post = await fetch(`${other.url}/console/break-glass`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'password=x',
      });
      expect(post.status).toBe(404);
    } finally {
      await other.close();
    }
  });

  it('refuses to start with a malformed hash, naming the variable', async () => {
    await expect(
      startServer(
        resolveServerOptions([
          { name: 'test', values: { port: 0, configDir: config, breakGlassHash: 'plaintext-password' } },
        ]),
        { storage: await createStorage({ memory: true }), logger: createLogger('silent'), env: ENV },
      ),
    ).rejects.toThrow(/LLM_RULES_BREAK_GLASS_HASH/);
  });
});

/** The Set-Cookie lines of a sign-in's last hop (the callback), as the server sent them. */
async function captureCallbackCookies(email: string): Promise<string[]> {
  idp.signInAs(email);
  const browser = new TestBrowser();
  let lines: string[] = [];
  browser.onResponse = (url, headers) => {
    if (new URL(url).pathname === '/console/callback') lines = headers.getSetCookie();
  };
  await browser.get(`${server.url}/console/login`);
  return lines;
}
