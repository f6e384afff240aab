// OTLP/HTTP ingest end to end in-process: the payloads Claude Code 2.1.330 sent, as JSON, gzip and
// protobuf, attributed to the token's developer and team, rolled up, never counted twice with the
// gateway, and never keeping a prompt.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerHandle } from '../src/server.ts';
import { readFixture } from './support/claude-code-fixtures.ts';
import { startExampleServer } from './support/example-server.ts';
import { encodeLogsRequest } from './support/otlp-protobuf-writer.ts';
import { usageRecord } from './support/usage-record.ts';

const LOGS = readFixture('otlp-logs.ndjson').trim();
const METRICS = readFixture('otlp-metrics.ndjson').trim();
const FIXTURE_SESSION = 'ac9eb29e-2fe6-4278-b4f4-9d6a4d13b3bf';
const DAY = { since: new Date('2026-11-21T00:00:00Z'), until: new Date('2026-11-23T00:00:00Z') };

describe('OTLP ingest', () => {
  let server: ServerHandle;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    ({ server, tokens } = await startExampleServer({ users: ['erin@acme.test', 'alice@acme.test'] }));
  });
  afterAll(async () => {
    await server?.close();
  });

  const post = (
    path: string,
    payload: string | Buffer,
    headers: Record<string, string> = {},
    who = 'erin@acme.test',
  ) =>
    server.app.inject({
      method: 'POST',
      url: path,
      headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json', ...headers },
      payload,
    });

  it('takes the captured logs and metrics and attributes them to the token, not to what the client says', async () => {
    const logs = await post('/v1/logs', LOGS);
    expect(logs.statusCode).toBe(200);
    expect(logs.json()).toEqual({});
    expect((await post('/v1/metrics', gzipSync(METRICS), { 'content-encoding': 'gzip' })).json()).toEqual({});

    const events = await server.storage.telemetry.events('acme', DAY);
    const requests = events.filter((e) => e.name === 'api_request');
    expect(requests).toHaveLength(2);
    // The fixture says team.id platform; erin's token says team payments, business unit engineering.
    expect(requests[0]).toMatchObject({
      userId: 'erin@acme.test',
      teamId: 'payments',
      businessUnitId: 'engineering',
      sessionId: FIXTURE_SESSION,
      model: 'claude-opus-5-5',
      inputTokens: 100,
      outputTokens: 7,
      costMicro: 540,
      gatewayMetered: false,
    });
    expect(requests[0]!.attributes).toMatchObject({ 'team.id': 'platform', cost_center: 'cc-1042' });
    expect(events.map((e) => e.name)).toEqual(
      expect.arrayContaining([
        'user_prompt',
        'tool_decision',
        'metric:session.count',
        'metric:active_time.total',
      ]),
    );
    // The prompt text (redacted here; present with OTEL_LOG_USER_PROMPTS=1) is never stored.
    expect(JSON.stringify(events)).not.toMatch(/REDACTED|prompt_text|"prompt"/);

    const [byTeam] = await server.storage.telemetry.rollups('acme', {
      granularity: 'day',
      ...DAY,
      groupBy: ['team'],
    });
    expect(byTeam).toMatchObject({
      key: { team: 'payments' },
      measures: {
        requests: 2,
        cost_micro: 1080,
        input_tokens: 200,
        prompts: 1,
        tool_decisions: 1,
        tool_rejects: 1,
        sessions: 1,
      },
    });
  });

  it('does not count a model call twice when our gateway metered its session', async () => {
    const session = 'gw-metered-session';
    await server.storage.usage.insert([
      usageRecord({ requestId: 'req-gw-1', at: new Date('2026-11-21T22:39:09.800Z'), sessionId: session }),
    ]);
    const sameCall = LOGS.replaceAll(FIXTURE_SESSION, session);
    expect((await post('/v1/logs', sameCall, {}, 'alice@acme.test')).statusCode).toBe(200);
    const flagged = (await server.storage.telemetry.events('acme', { ...DAY, name: 'api_request' })).filter(
      (e) => e.sessionId === session,
    );
    expect(flagged.map((e) => e.gatewayMetered)).toEqual([true, true]);
    const [platform] = await server.storage.telemetry.rollups('acme', {
      granularity: 'day',
      ...DAY,
      groupBy: ['team'],
      where: { team: ['platform'] },
    });
    // The gateway's one record, not the gateway's plus telemetry's three.
    expect(platform?.measures).toMatchObject({ requests: 1, cost_micro: 540 });
  });

  it('reads OTLP protobuf, answering in protobuf', async () => {
    const body = encodeLogsRequest({
      resource: { 'service.name': 'claude-code' },
      records: [
        {
          timeUnixNano: 1_795_300_749_828_000_000n,
          body: 'claude_code.api_request',
          attributes: {
            'event.name': 'api_request',
            'session.id': 'pb-session',
            model: 'claude-sonnet-5',
            input_tokens: 42,
            output_tokens: 8,
            cost_usd: 0.25,
          },
        },
      ],
    });
    const response = await post('/v1/logs', body, { 'content-type': 'application/x-protobuf' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-protobuf');
    expect(response.rawPayload.length).toBe(0);
    const [event] = (await server.storage.telemetry.events('acme', { ...DAY, name: 'api_request' })).filter(
      (e) => e.sessionId === 'pb-session',
    );
    expect(event).toMatchObject({
      model: 'claude-sonnet-5',
      inputTokens: 42,
      outputTokens: 8,
      costMicro: 250_000,
    });
    expect(event?.at.toISOString()).toBe('2026-11-21T22:39:09.828Z');
  });

  it('refuses what it cannot take, and says why', async () => {
    expect(
      (
        await server.app.inject({
          method: 'POST',
          url: '/v1/logs',
          headers: { 'content-type': 'application/json' },
          payload: LOGS,
        })
      ).statusCode,
    ).toBe(401);
    const broken = await post('/v1/logs', '{"resourceLogs": [');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.message).toMatch(/malformed OTLP JSON/);
    const truncated = await post('/v1/logs', Buffer.from([0x0a, 0x05, 0x0a]), {
      'content-type': 'application/x-protobuf',
    });
    expect(truncated.statusCode).toBe(400);
    expect((await post('/v1/logs', LOGS, { 'content-type': 'text/plain' })).statusCode).toBe(415);
    const cumulative = await post(
      '/v1/metrics',
      METRICS.replaceAll('"aggregationTemporality":1', '"aggregationTemporality":2'),
    );
    expect(cumulative.json()).toEqual({
      partialSuccess: {
        rejectedDataPoints: expect.stringMatching(/^[1-9]\d*$/),
        errorMessage: expect.stringMatching(/delta/),
      },
    });
  });
});
