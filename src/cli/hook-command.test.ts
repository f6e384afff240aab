import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeIo } from '../../test/support/fake-io.ts';
import { hookCommand } from './hook-command.ts';

const EVENT = JSON.stringify({
  hook_event_name: 'PreToolUse',
  session_id: 's',
  cwd: '/p',
  tool_name: 'Read',
  tool_input: {},
});

describe('llm-rules hook', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  async function serve(
    handler: (req: IncomingMessage, body: string) => { status: number; body: string },
  ): Promise<string> {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const reply = handler(req, body);
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('forwards the event with the token and prints the answer', async () => {
    const seen: { auth?: string; path?: string; body?: string } = {};
    const url = await serve((req, body) => {
      Object.assign(seen, { auth: req.headers.authorization, path: req.url, body });
      return { status: 200, body: '{"hookSpecificOutput":{"permissionDecision":"deny"}}' };
    });
    const io = fakeIo({ env: { LLM_RULES_SERVER: url, LLM_RULES_TOKEN: 'llmr_x' }, stdin: EVENT });
    expect(await hookCommand([], io)).toBe(0);
    expect(seen).toEqual({ auth: 'Bearer llmr_x', path: '/v1/hooks/claude-code', body: EVENT });
    expect(io.out).toEqual(['{"hookSpecificOutput":{"permissionDecision":"deny"}}']);
  });

  it('fails closed with exit 2 when the server is unreachable', async () => {
    const io = fakeIo({ stdin: EVENT });
    expect(await hookCommand(['--server', 'http://127.0.0.1:9', '--timeout', '2s'], io)).toBe(2);
    expect(io.err[0]).toMatch(
      /^Blocked by LLM-RULES: the server at http:\/\/127\.0\.0\.1:9 could not be reached/,
    );
    expect(io.out).toEqual([]);
  });

  it('fails closed on a refused event, quoting the server', async () => {
    const url = await serve(() => ({
      status: 401,
      body: '{"type":"error","error":{"type":"authentication_error","message":"The API key was revoked."}}',
    }));
    const io = fakeIo({ stdin: EVENT });
    expect(await hookCommand(['--server', url], io)).toBe(2);
    expect(io.err[0]).toMatch(/the server refused the event: The API key was revoked\./);
  });

  it('fails open only when told to', async () => {
    const io = fakeIo({ stdin: EVENT });
    expect(await hookCommand(['--server', 'http://127.0.0.1:9', '--timeout', '2s', '--fail-open'], io)).toBe(
      0,
    );
    expect(io.err[0]).toMatch(/allowing because --fail-open is set/);
  });

  it('needs a server', async () => {
    await expect(hookCommand([], fakeIo({ stdin: EVENT }))).rejects.toThrow(
      /pass --server URL or set LLM_RULES_SERVER/,
    );
  });
});
