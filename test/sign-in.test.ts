// Claude Code's sign-in through LLM-RULES against a real OpenID Connect provider (oidc-provider): the
// device flow as the gateway protocol describes it, approval in a browser federated to the IdP, the
// access token at work on the gateway, refresh, revocation, and deprovisioning in the org and at the IdP.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/core/bundles/canonical-json.ts';
import { BundlesService } from '../src/features/bundles/bundles-service.ts';
import { machineStatus } from '../src/features/managed-settings/machine-status.ts';
import { createLogger } from '../src/http/create-logger.ts';
import { resolveServerOptions } from '../src/http/server-options.ts';
import { type ServerHandle, startServer } from '../src/server.ts';
import { createStorage } from '../src/storage/create-storage.ts';
import { type MockAnthropic, startMockAnthropic } from './support/mock-anthropic/mock-anthropic.ts';
import { freePort, startTestIdp, type TestIdp } from './support/oidc-idp.ts';
import { copyExampleConfig, tempDir } from './support/temp-dir.ts';
import { hiddenField, TestBrowser } from './support/test-browser.ts';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const ENV = { ANTHROPIC_API_KEY: 'k', TEST_IDP_SECRET: 'idp-client-secret' };

interface Metadata {
  device_authorization_endpoint: string;
  token_endpoint: string;
  revocation_endpoint: string;
}
interface DeviceAnswer {
  device_code: string;
  user_code: string;
  verification_uri_complete: string;
}
interface TokenAnswer {
  expires_in: number;
  access_token: string;
  refresh_token: string;
  email: string;
}

let idp: TestIdp;
let mock: MockAnthropic;
let server: ServerHandle;
let work: Awaited<ReturnType<typeof tempDir>>;
let config: string;

beforeAll(async () => {
  const port = await freePort();
  idp = await startTestIdp({ redirectUri: `http://127.0.0.1:${port}/oauth/callback` });
  idp.accounts.set('alice@acme.test', {
    email: 'alice@acme.test',
    groups: ['acme-engineering', 'acme-contractors'],
  });
  idp.accounts.set('stranger@elsewhere.test', { email: 'stranger@elsewhere.test', groups: [] });
  mock = await startMockAnthropic({ isMainRequest: () => true });
  work = await tempDir('llm-rules-sign-in-');
  config = await copyExampleConfig(work.path);
  const yaml = await readFile(join(config, 'config.yaml'), 'utf8');
  await writeFile(
    join(config, 'config.yaml'),
    yaml.replace(
      / {2}oauth:\n( {4}.*\n)+/,
      `  oauth:\n    provider: oidc\n    issuer: ${idp.issuer}\n    client_id: ${idp.clientId}\n    client_secret: \${TEST_IDP_SECRET}\n    scopes: [openid, email, groups, offline_access]\n  sign_in:\n    login_notice: Use your Acme account.\n`,
    ),
  );
  server = await startServer(
    resolveServerOptions([
      {
        name: 'test',
        values: { port, configDir: config, applyConfigOnStart: 'always', upstreamUrl: mock.url },
      },
    ]),
    { storage: await createStorage({ memory: true }), logger: createLogger('silent'), env: ENV },
  );
});

afterAll(async () => {
  await server?.close();
  await mock?.close();
  await idp?.close();
  await work?.remove();
});

const form = (url: string, fields: Record<string, string>) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'claude-code/2.1.330' },
    body: new URLSearchParams(fields).toString(),
  });

/** Claude Code's side up to the browser: discovery, then a device authorization. */
async function startLogin() {
  const metadata = (await (
    await fetch(`${server.url}/.well-known/oauth-authorization-server`)
  ).json()) as Metadata;
  const device = (await (
    await form(metadata.device_authorization_endpoint, { surface: 'claude_code' })
  ).json()) as DeviceAnswer;
  return { metadata, device };
}

/** The developer's side: open the page, check the code, continue to the IdP and come back. */
async function approveInBrowser(verificationUriComplete: string) {
  const browser = new TestBrowser();
  const page = await browser.get(verificationUriComplete);
  return browser.submit(`${server.url}/device`, {
    user_code: hiddenField(page.body, 'user_code'),
    csrf: hiddenField(page.body, 'csrf'),
  });
}

async function signIn(email: string) {
  const { metadata, device } = await startLogin();
  idp.signInAs(email);
  const approved = await approveInBrowser(device.verification_uri_complete);
  expect(approved.status).toBe(200);
  const token = await bodyOf<TokenAnswer>(
    await form(metadata.token_endpoint, { grant_type: DEVICE_GRANT, device_code: device.device_code }),
  );
  return { metadata, device, token };
}

async function bodyOf<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

const ask = (token: string) =>
  fetch(`${server.url}/v1/messages?beta=true`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
    },
    body: JSON.stringify({
      model: 'claude-sonnet-5',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    }),
  });

describe('sign-in for Claude Code', () => {
  it('publishes the protocol metadata and a device authorization as Claude Code expects it', async () => {
    const { metadata, device } = await startLogin();
    expect(metadata).toMatchObject({
      device_authorization_endpoint: `${server.url}/oauth/device_authorization`,
      token_endpoint: `${server.url}/oauth/token`,
      revocation_endpoint: `${server.url}/oauth/revoke`,
      grant_types_supported: [DEVICE_GRANT, 'refresh_token'],
    });
    expect(metadata).not.toHaveProperty('authorization_endpoint');
    expect(device.device_code.length).toBeGreaterThanOrEqual(43);
    expect(device.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(device).toMatchObject({
      verification_uri: `${server.url}/device`,
      verification_uri_complete: `${server.url}/device?user_code=${device.user_code}`,
      expires_in: 600,
      interval: 5,
      login_notice: 'Use your Acme account.',
    });
    const pending = await form(metadata.token_endpoint, {
      grant_type: DEVICE_GRANT,
      device_code: device.device_code,
    });
    expect(pending.status).toBe(400);
    expect(await pending.json()).toEqual({
      error: 'authorization_pending',
      error_description: expect.any(String),
    });
    const tooSoon = await form(metadata.token_endpoint, {
      grant_type: DEVICE_GRANT,
      device_code: device.device_code,
    });
    expect((await bodyOf<{ error: string }>(tooSoon)).error).toBe('slow_down');
  });

  it('signs a developer in through the IdP; the token works on the gateway under their name, with their IdP groups', async () => {
    const { token } = await signIn('alice@acme.test');
    expect(token).toMatchObject({ token_type: 'Bearer', email: 'alice@acme.test' });
    expect(token.expires_in).toBeGreaterThanOrEqual(3598);
    expect(token.expires_in).toBeLessThanOrEqual(3600);
    expect(token.refresh_token).toMatch(/^llmr_rt_/);
    const [, payload] = token.access_token.split('.');
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toMatchObject({
      sub: 'alice@acme.test',
      tid: 'acme',
      sid: expect.stringMatching(/^sis_/),
    });
    const answer = await ask(token.access_token);
    expect(answer.status).toBe(200);
    await answer.arrayBuffer();
    const whoami = await bodyOf<unknown>(
      await fetch(`${server.url}/api/v1/whoami`, {
        headers: { authorization: `Bearer ${token.access_token}` },
      }),
    );
    expect(whoami).toMatchObject({ tenant: 'acme', principal: { type: 'user', id: 'alice@acme.test' } });
    await server.usage.flush();
    const record = (await server.storage.usage.list('acme')).at(-1);
    expect(record).toMatchObject({
      principal: { type: 'user', id: 'alice@acme.test' },
      keyId: expect.stringMatching(/^sis_/),
    });
  });

  it('redeems a device code once', async () => {
    const { metadata, device } = await signIn('alice@acme.test');
    const again = await form(metadata.token_endpoint, {
      grant_type: DEVICE_GRANT,
      device_code: device.device_code,
    });
    expect(again.status).toBe(400);
    expect((await bodyOf<{ error: string }>(again)).error).toBe('invalid_grant');
  });

  it('refuses someone the IdP knows but the org does not, and says why', async () => {
    const { metadata, device } = await startLogin();
    idp.signInAs('stranger@elsewhere.test');
    const page = await approveInBrowser(device.verification_uri_complete);
    expect(page.status).toBe(401);
    expect(page.body).toContain('not a member of any team in LLM-RULES');
    const token = await form(metadata.token_endpoint, {
      grant_type: DEVICE_GRANT,
      device_code: device.device_code,
    });
    expect((await bodyOf<{ error: string }>(token)).error).toBe('access_denied');
  });

  it('denies the code when the person cancels at the IdP', async () => {
    const { metadata, device } = await startLogin();
    idp.signInAs(undefined);
    const page = await approveInBrowser(device.verification_uri_complete);
    expect(page.status).toBe(400);
    const token = await form(metadata.token_endpoint, {
      grant_type: DEVICE_GRANT,
      device_code: device.device_code,
    });
    expect((await bodyOf<{ error: string }>(token)).error).toBe('access_denied');
  });

  it('refreshes once per refresh token, asking the IdP again, and revokes on sign-out', async () => {
    const { metadata, token } = await signIn('alice@acme.test');
    const refreshed = await form(metadata.token_endpoint, {
      grant_type: 'refresh_token',
      refresh_token: token.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    const next = await bodyOf<TokenAnswer>(refreshed);
    expect(next.refresh_token).not.toBe(token.refresh_token);
    expect((await ask(next.access_token)).status).toBe(200);
    const reused = await form(metadata.token_endpoint, {
      grant_type: 'refresh_token',
      refresh_token: token.refresh_token,
    });
    expect(reused.status).toBe(401);
    expect((await bodyOf<{ error: string }>(reused)).error).toBe('invalid_grant');

    const revoked = await form(metadata.revocation_endpoint, { token: next.access_token });
    expect(revoked.status).toBe(200);
    // Revocation through this instance applies within the authenticator's few seconds of trust.
    await new Promise((r) => setTimeout(r, 5_100));
    const after = await ask(next.access_token);
    expect(after.status).toBe(401);
    expect(after.headers.get('x-should-retry')).toBe('false');
    const afterRefresh = await form(metadata.token_endpoint, {
      grant_type: 'refresh_token',
      refresh_token: next.refresh_token,
    });
    expect(afterRefresh.status).toBe(401);
  }, 20_000);

  it('ends the sign-in of a user the IdP no longer accepts at the next refresh', async () => {
    idp.accounts.set('bob@acme.test', { email: 'bob@acme.test', groups: ['acme-engineering'] });
    const { metadata, token } = await signIn('bob@acme.test');
    idp.accounts.delete('bob@acme.test');
    const refreshed = await form(metadata.token_endpoint, {
      grant_type: 'refresh_token',
      refresh_token: token.refresh_token,
    });
    expect(refreshed.status).toBe(401);
    expect((await bodyOf<{ error: string }>(refreshed)).error).toBe('invalid_grant');
  });

  it('gives a deprovisioned developer 401 with x-should-retry: false on their next request', async () => {
    idp.accounts.set('carol@acme.test', { email: 'carol@acme.test', groups: [] });
    const { metadata, token } = await signIn('carol@acme.test');
    expect((await ask(token.access_token)).status).toBe(200);
    const hierarchy = join(config, 'org/hierarchy.yaml');
    const before = await readFile(hierarchy, 'utf8');
    await writeFile(hierarchy, before.replace(/ *- \{ email: carol@acme\.test.*\n/, ''));
    try {
      await new BundlesService(server.storage).apply(config, ENV, 'test');
      await new Promise((r) => setTimeout(r, 5_100));
      const answer = await ask(token.access_token);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('x-should-retry')).toBe('false');
      expect((await bodyOf<{ error: { message: string } }>(answer)).error.message).toContain(
        'no longer a member',
      );
      const refreshed = await form(metadata.token_endpoint, {
        grant_type: 'refresh_token',
        refresh_token: token.refresh_token,
      });
      expect(refreshed.status).toBe(401);
    } finally {
      await writeFile(hierarchy, before);
      await new BundlesService(server.storage).apply(config, ENV, 'test');
    }
  }, 20_000);

  it('refuses a tampered or foreign token and an unsigned one', async () => {
    const { token } = await signIn('alice@acme.test');
    const [header, payload, signature] = token.access_token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'root@acme.test' })).toString('base64url');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${payload}.`;
    for (const bad of [
      `${header}.${forged}.${signature}`,
      `${unsigned}x`,
      `${header}.${payload}.${signature!.slice(0, -4)}AAAA`,
    ]) {
      const answer = await ask(bad);
      expect(answer.status).toBe(401);
    }
  });

  it('serves the developer their managed settings with the protocol checksum, ETag and 304', async () => {
    const { token } = await signIn('alice@acme.test');
    const get = (headers: Record<string, string> = {}) =>
      fetch(`${server.url}/managed/settings`, {
        headers: { authorization: `Bearer ${token.access_token}`, ...headers },
      });
    const first = await get();
    expect(first.status).toBe(200);
    const document = await bodyOf<{ uuid: string; checksum: string; settings: Record<string, unknown> }>(
      first,
    );
    expect(document.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(document.checksum).toBe(
      `sha256:${createHash('sha256').update(canonicalJson(document.settings)).digest('hex')}`,
    );
    expect(first.headers.get('etag')).toBe(`"${document.checksum}"`);
    expect(document.settings).toMatchObject({
      allowManagedHooksOnly: true,
      env: { CLAUDE_CODE_GATEWAY_HINT_HEADERS: '1' },
      permissions: { deny: expect.arrayContaining(['Read(**/.env*)']) },
    });
    const unchanged = await get({ 'if-none-match': `"${document.checksum}"` });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('etag')).toBe(`"${document.checksum}"`);
    expect((await get({ 'if-none-match': '*' })).status).toBe(200);
    expect((await get({ 'if-none-match': '"sha256:other"' })).status).toBe(200);
    expect((await fetch(`${server.url}/managed/settings`)).status).toBe(401);
  });

  it('ties hook calls to the developer through the credential in their settings, and to nothing else', async () => {
    const { token } = await signIn('alice@acme.test');
    const document = await bodyOf<{
      settings: { hooks: Record<string, { hooks: { url?: string; headers?: Record<string, string> }[] }[]> };
    }>(
      await fetch(`${server.url}/managed/settings`, {
        headers: { authorization: `Bearer ${token.access_token}` },
      }),
    );
    const hook = document.settings.hooks.PreToolUse![0]!.hooks[0]!;
    expect(hook.url).toBe(`${server.url}/v1/hooks/claude-code`);
    const credential = hook.headers!.Authorization!.replace('Bearer ', '');
    expect(credential).toMatch(/^llmr_hk_/);
    const sessionId = `session-${Date.now()}`;
    const event = {
      session_id: sessionId,
      transcript_path: '/tmp/t.jsonl',
      cwd: '/home/dev/acme-app',
      hook_event_name: 'PreToolUse',
      tool_name: 'Read',
      tool_input: { file_path: '/home/dev/acme-app/.env' },
      tool_use_id: 'toolu_1',
    };
    const hookCall = (bearer: string) =>
      fetch(`${server.url}/v1/hooks/claude-code`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify(event),
      });
    const decided = await hookCall(credential);
    expect(decided.status).toBe(200);
    expect(await decided.json()).toMatchObject({ hookSpecificOutput: { permissionDecision: 'deny' } });
    await server.audit.flush();
    const records = await server.storage.audit.list('acme', { event: 'decision' });
    expect(records.find((r) => r.sessionId === sessionId)).toMatchObject({ user: 'alice@acme.test' });
    // The same credential carries the developer's telemetry (OTEL_EXPORTER_OTLP_HEADERS in the settings).
    const otlpHeaders = (document.settings as unknown as { env: Record<string, string> }).env
      .OTEL_EXPORTER_OTLP_HEADERS;
    expect(otlpHeaders).toBe(`Authorization=Bearer ${credential}`);
    const telemetry = await fetch(`${server.url}/v1/logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceLogs: [
          {
            scopeLogs: [
              {
                logRecords: [
                  {
                    timeUnixNano: `${Date.now()}000000`,
                    body: { stringValue: 'claude_code.user_prompt' },
                    attributes: [{ key: 'session.id', value: { stringValue: sessionId } }],
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(telemetry.status).toBe(200);
    const [prompt] = await server.storage.telemetry.events('acme', {
      since: new Date(Date.now() - 60_000),
      until: new Date(Date.now() + 60_000),
      name: 'user_prompt',
    });
    expect(prompt).toMatchObject({ userId: 'alice@acme.test', sessionId });
    // Good for hooks and telemetry only; a forged one is refused (a hook answers in its own terms: a deny, with why).
    expect((await ask(credential)).status).toBe(401);
    const forged = await hookCall(`${credential.slice(0, -3)}abc`);
    expect(await forged.json()).toMatchObject({
      hookSpecificOutput: {
        permissionDecision: 'deny',
        permissionDecisionReason: expect.stringContaining('hook credential is not valid'),
      },
    });
  });

  it('records which settings each session reports running under, for machines --stale', async () => {
    const { token } = await signIn('alice@acme.test');
    const document = await bodyOf<{ checksum: string }>(
      await fetch(`${server.url}/managed/settings`, {
        headers: { authorization: `Bearer ${token.access_token}` },
      }),
    );
    const session = (name: string) => `${name}-${Date.now()}`;
    const [current, edited, older] = [session('current'), session('edited'), session('older')];
    const send = async (sessionId: string, checksum?: string) => {
      const answer = await fetch(`${server.url}/v1/messages?beta=true`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token.access_token}`,
          'content-type': 'application/json',
          'anthropic-version': '2023-06-01',
          'x-claude-code-session-id': sessionId,
          'user-agent': 'claude-cli/2.1.330 (external, cli)',
          ...(checksum ? { 'x-claude-code-managed-settings-checksum': checksum } : {}),
        },
        body: JSON.stringify({
          model: 'claude-sonnet-5',
          max_tokens: 10,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      });
      await answer.arrayBuffer();
    };
    await send(current, document.checksum);
    await send(edited, 'sha256:0000');
    await send(older);
    await server.machineReports.flush();
    const seen = await server.storage.machines.sessions('acme', new Date(Date.now() - 60_000));
    const status = (id: string) => {
      const found = seen.find((s) => s.sessionId === id)!;
      return machineStatus(found, new Date());
    };
    expect([status(current), status(edited), status(older)]).toEqual(['current', 'unknown', 'missing']);
    expect(seen.find((s) => s.sessionId === current)).toMatchObject({
      principalId: 'alice@acme.test',
      userAgent: 'claude-cli/2.1.330 (external, cli)',
    });
  });

  it('limits wrong codes per address on the verification page, never right ones', async () => {
    const browser = new TestBrowser();
    let page = await browser.get(`${server.url}/device`);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      // Each answer is the page again, with a fresh form token.
      const csrf = hiddenField(page.body, 'csrf');
      page = await browser.submit(`${server.url}/device`, { user_code: 'BBBB-BBBB', csrf });
      statuses.push(page.status);
    }
    expect(statuses).toEqual([...Array(10).fill(400), 429]);
  });
});
