// Acceptance (issue 5): the real Claude Code signs in to LLM-RULES with its interactive `/login`
// (driven in a tmux terminal), the code is approved in a browser against a local OpenID provider, and
// then `claude -p` works through the gateway, fetches its managed settings, and has its tool calls
// decided and audited under the developer's name.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/http/create-logger.ts';
import { resolveServerOptions } from '../../src/http/server-options.ts';
import { type ServerHandle, startServer } from '../../src/server.ts';
import { CLAUDE_BIN, claudeAvailable, runClaude } from '../support/claude-code.ts';
import { type MockAnthropic, startMockAnthropic } from '../support/mock-anthropic/mock-anthropic.ts';
import { text, toolUse } from '../support/mock-anthropic/script.ts';
import { freePort, startTestIdp, type TestIdp, useTestIdp } from '../support/oidc-idp.ts';
import { copyExampleConfig, tempDir } from '../support/temp-dir.ts';
import { hiddenField, TestBrowser } from '../support/test-browser.ts';
import { TmuxTerminal, tmuxAvailable } from '../support/tmux-terminal.ts';
import { waitFor } from '../support/wait-for.ts';

const available = claudeAvailable() && tmuxAvailable();
if (!available) {
  console.warn(
    `SKIPPED e2e /login: needs Claude Code at ${CLAUDE_BIN} (npm install) and tmux (apt-get install tmux).`,
  );
}

describe.skipIf(!available)('Claude Code signs in with /login', () => {
  let idp: TestIdp;
  let mock: MockAnthropic;
  let server: ServerHandle;
  let work: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    const port = await freePort();
    idp = await startTestIdp({ redirectUri: `http://127.0.0.1:${port}/oauth/callback` });
    idp.accounts.set('alice@acme.test', { email: 'alice@acme.test', groups: ['acme-engineering'] });
    idp.signInAs('alice@acme.test');
    // The first main request reads .env (which the policy denies), the rest finish.
    mock = await startMockAnthropic({
      script: [toolUse('Read', { file_path: '.env' }), text('Done.')],
      fallback: text('Done.'),
    });
    work = await tempDir('llm-rules-login-');
    const config = await copyExampleConfig(work.path);
    await useTestIdp(config, idp, ['openid', 'email', 'groups', 'offline_access']);
    server = await startServer(
      resolveServerOptions([
        {
          name: 'test',
          values: {
            port,
            configDir: config,
            applyConfigOnStart: 'always',
            upstreamUrl: mock.url,
            dataDir: join(work.path, 'data'),
          },
        },
      ]),
      { logger: createLogger('silent'), env: { ANTHROPIC_API_KEY: 'k', TEST_IDP_SECRET: idp.clientSecret } },
    );
  });

  afterAll(async () => {
    await server?.close();
    await mock?.close();
    await idp?.close();
    await work?.remove();
  });

  /** The developer's browser: open the verification page, continue to the IdP, come back. */
  async function approve(userCode: string) {
    const browser = new TestBrowser();
    const page = await browser.get(`${server.url}/device?user_code=${userCode}`);
    const done = await browser.submit(`${server.url}/device`, {
      user_code: hiddenField(page.body, 'user_code'),
      csrf: hiddenField(page.body, 'csrf'),
    });
    expect(done.status).toBe(200);
  }

  it('signs in interactively, then runs headless through the gateway under the developer’s name', async () => {
    const home = join(work.path, 'home');
    const project = join(work.path, 'project');
    await mkdir(join(home, '.claude'), { recursive: true });
    await mkdir(project, { recursive: true });
    await writeFile(join(project, '.env'), 'API_SECRET=hunter2\n');
    // On a machine without managed settings, Claude Code honours the gateway pin from user settings.
    await writeFile(
      join(home, '.claude/settings.json'),
      JSON.stringify({ forceLoginMethod: 'gateway', forceLoginGatewayUrl: server.url }),
    );
    const terminal = await TmuxTerminal.start({
      command: [CLAUDE_BIN],
      cwd: project,
      env: {
        HOME: home,
        DISABLE_TELEMETRY: '1',
        DISABLE_AUTOUPDATER: '1',
        IS_SANDBOX: '1',
        PATH: process.env.PATH ?? '',
      },
    });
    try {
      // Each screen of the first start and of the gateway sign-in, answered as a developer would.
      const deadline = Date.now() + 90_000;
      let approved = false;
      for (;;) {
        if (Date.now() > deadline) throw new Error(`no prompt after sign-in:\n${await terminal.screen()}`);
        const { found, screen } = await terminal.waitFor(
          [
            'Choose the text style',
            'Enter to connect',
            'Trust gateway',
            /Code:\s+[A-Z]{4}-[A-Z]{4}/,
            'Signed in to Cloud gateway as alice@acme.test',
            'Connected to Cloud gateway',
            'Security notes',
            'Yes, I trust this folder',
            'Yes, I trust these settings',
            'auto mode on',
            '? for shortcuts',
          ],
          30_000,
        );
        if (found === 'Choose the text style' || found === 'Enter to connect') await terminal.keys('Enter');
        else if (found === 'Trust gateway' || found === 'Signed in to Cloud gateway as alice@acme.test') {
          // "Yes" sits above the default "No, cancel login".
          await terminal.keys('Up', 'Enter');
        } else if (found instanceof RegExp) {
          if (!approved) {
            await approve(/Code:\s+([A-Z]{4}-[A-Z]{4})/.exec(screen)![1]!);
            approved = true;
          }
        } else if (found === 'Connected to Cloud gateway' || found === 'Security notes')
          await terminal.keys('Enter');
        else if (found === 'Yes, I trust this folder') await terminal.keys('Down', 'Enter');
        else if (found === 'Yes, I trust these settings') {
          // The dialog ignores keys for a moment after it appears; its options also answer to their number.
          await new Promise((r) => setTimeout(r, 1_500));
          await terminal.keys('1');
        } else break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(approved).toBe(true);
    } finally {
      await terminal.keys('C-c', 'C-c').catch(() => {});
      await terminal.close();
    }
    const credentials = JSON.parse(await readFile(join(home, '.claude/.credentials.json'), 'utf8'));
    expect(credentials.enterpriseGateway).toMatchObject({ url: server.url, email: 'alice@acme.test' });

    const before = mock.mainRequests().length;
    const run = await runClaude({
      prompt: 'read the env file',
      cwd: project,
      home,
      skipPermissions: true,
      timeoutMs: 90_000,
    });
    expect(run.result?.is_error).toBe(false);
    expect(mock.mainRequests().length).toBeGreaterThan(before);

    await server.audit.flush();
    await server.usage.flush();
    const session = run.result!.session_id;
    const decisions = (await server.storage.audit.list('acme', { event: 'decision' })).filter(
      (r) => r.sessionId === session,
    );
    expect(decisions.length).toBeGreaterThan(0);
    expect(decisions.every((r) => r.user === 'alice@acme.test')).toBe(true);
    expect(decisions.map((d) => [d.context.tool, d.context.outcome])).toContainEqual(['Read', 'deny']);
    const usage = (await server.storage.usage.list('acme')).filter((u) => u.sessionId === session);
    expect(usage.length).toBeGreaterThan(0);
    expect(usage.every((u) => u.principal.id === 'alice@acme.test' && u.keyId?.startsWith('sis_'))).toBe(
      true,
    );
    // Its telemetry came too (the served settings point OTLP here with alice's hook credential), and the
    // model calls it reports are flagged as already metered by the gateway, not counted twice.
    const window = { since: new Date(Date.now() - 3_600_000), until: new Date(Date.now() + 60_000) };
    await waitFor(
      async () =>
        (await server.storage.telemetry.events('acme', { ...window, name: 'api_request' })).some(
          (e) => e.sessionId === session,
        ),
      15_000,
      100,
    );
    const reported = (
      await server.storage.telemetry.events('acme', { ...window, name: 'api_request' })
    ).filter((e) => e.sessionId === session);
    expect(reported.every((e) => e.userId === 'alice@acme.test' && e.gatewayMetered)).toBe(true);
  }, 240_000);
});
