// The mock Anthropic API speaks the wire format Claude Code expects: checked here over HTTP without Claude Code.
import { afterEach, describe, expect, it } from 'vitest';
import { type MockAnthropic, startMockAnthropic } from './mock-anthropic.ts';
import { apiError, text, toolUse, turnIndex } from './script.ts';
import type { AnthropicMessage, StreamEvent } from './wire-types.ts';

const HEADERS = {
  'content-type': 'application/json',
  'x-api-key': 'sk-test',
  'anthropic-version': '2023-06-01',
};
const TOOLS = [{ name: 'Read', input_schema: { type: 'object' } }];

let mock: MockAnthropic | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

function post(path: string, body: unknown, headers: Record<string, string> = HEADERS): Promise<Response> {
  return fetch(`${mock!.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
}

async function readEvents(response: Response): Promise<StreamEvent[]> {
  const raw = await response.text();
  return raw
    .split('\n\n')
    .filter((frame) => frame.trim())
    .map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      const event = JSON.parse(dataLine!.slice('data: '.length)) as StreamEvent;
      expect(eventLine).toBe(`event: ${event.type}`);
      return event;
    });
}

const conversation = (assistantTurns: number) => {
  const messages: { role: 'user' | 'assistant'; content: string }[] = [{ role: 'user', content: 'go' }];
  for (let n = 0; n < assistantTurns; n++) {
    messages.push({ role: 'assistant', content: `turn ${n}` }, { role: 'user', content: 'next' });
  }
  return { model: 'claude-opus-5-5', max_tokens: 100, tools: TOOLS, messages };
};

describe('mock Anthropic API', () => {
  it('streams a tool_use turn as message_start, block start/deltas/stop, ping, message_delta, message_stop', async () => {
    mock = await startMockAnthropic({
      script: [toolUse('Read', { file_path: '/p/.env' }, { text: 'Looking.' })],
    });
    const response = await post('/v1/messages?beta=true', { ...conversation(0), stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readEvents(response);
    expect(events[0]?.type).toBe('message_start');
    expect(events.at(-2)?.type).toBe('message_delta');
    expect(events.at(-1)?.type).toBe('message_stop');
    expect(events.some((event) => event.type === 'ping')).toBe(true);
    const start = events[0] as Extract<StreamEvent, { type: 'message_start' }>;
    expect(Object.keys(start.message.usage).sort()).toEqual([
      'cache_creation_input_tokens',
      'cache_read_input_tokens',
      'input_tokens',
      'output_tokens',
    ]);
    let textOut = '';
    let json = '';
    for (const event of events) {
      if (event.type !== 'content_block_delta') continue;
      if (event.delta.type === 'text_delta') textOut += event.delta.text;
      else json += event.delta.partial_json;
    }
    expect(textOut).toBe('Looking.');
    expect(JSON.parse(json)).toEqual({ file_path: '/p/.env' });
    const delta = events.at(-2) as Extract<StreamEvent, { type: 'message_delta' }>;
    expect(delta.delta.stop_reason).toBe('tool_use');
    expect(delta.usage.input_tokens).toBe(start.message.usage.input_tokens);
    expect(delta.usage.output_tokens).toBeGreaterThan(1);
  });

  it('answers without stream as one JSON message, and picks the script step by assistant turns', async () => {
    mock = await startMockAnthropic({ script: [toolUse('Read', { file_path: 'a' }), text('second')] });
    const first = (await (await post('/v1/messages', conversation(0))).json()) as AnthropicMessage;
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toEqual([
      { type: 'tool_use', id: 'toolu_mock_0_0', name: 'Read', input: { file_path: 'a' } },
    ]);
    const again = (await (await post('/v1/messages', conversation(0))).json()) as AnthropicMessage;
    expect(again.content).toEqual(first.content);
    const second = (await (await post('/v1/messages', conversation(1))).json()) as AnthropicMessage;
    expect(second).toMatchObject({ stop_reason: 'end_turn', content: [{ type: 'text', text: 'second' }] });
    const beyond = (await (await post('/v1/messages', conversation(5))).json()) as AnthropicMessage;
    expect(beyond.content).toEqual([{ type: 'text', text: 'Done.' }]);
    expect(mock.exhausted()).toBe(1);
    expect(mock.mainRequests().map((request) => request.turn)).toEqual([0, 0, 1, 5]);
  });

  it('answers requests without tools as side requests, leaving the script alone', async () => {
    mock = await startMockAnthropic({ script: [text('main reply')] });
    const side = { model: 'claude-haiku-4-5', max_tokens: 1, messages: [{ role: 'user', content: 'quota' }] };
    const sideReply = (await (await post('/v1/messages', side)).json()) as AnthropicMessage;
    expect(sideReply.content).toEqual([{ type: 'text', text: 'OK' }]);
    const agent = await post('/v1/messages', conversation(0), { ...HEADERS, 'x-claude-code-agent-id': 'a1' });
    expect(((await agent.json()) as AnthropicMessage).content).toEqual([{ type: 'text', text: 'OK' }]);
    const main = (await (await post('/v1/messages', conversation(0))).json()) as AnthropicMessage;
    expect(main.content).toEqual([{ type: 'text', text: 'main reply' }]);
    expect(mock.requests.map((request) => request.kind)).toEqual(['side', 'subagent', 'main']);
  });

  it('serves scripted errors once each before the reply of their turn', async () => {
    mock = await startMockAnthropic({
      script: [apiError(529, 'overloaded_error', 'Overloaded', { 'x-should-retry': 'true' }), text('after')],
    });
    const failed = await post('/v1/messages', conversation(0));
    expect(failed.status).toBe(529);
    expect(failed.headers.get('x-should-retry')).toBe('true');
    expect(await failed.json()).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
      request_id: failed.headers.get('request-id'),
    });
    const retried = (await (await post('/v1/messages', conversation(0))).json()) as AnthropicMessage;
    expect(retried.content).toEqual([{ type: 'text', text: 'after' }]);
  });

  it('rejects what Anthropic rejects, in Anthropic error shape', async () => {
    mock = await startMockAnthropic({ apiKey: 'sk-test' });
    const cases: [Promise<Response>, number, string][] = [
      [
        post('/v1/messages', conversation(0), { 'content-type': 'application/json' }),
        401,
        'authentication_error',
      ],
      [
        post('/v1/messages', conversation(0), { ...HEADERS, 'x-api-key': 'wrong' }),
        401,
        'authentication_error',
      ],
      [post('/v1/messages', { model: 'm', max_tokens: 1 }), 400, 'invalid_request_error'],
      [post('/v1/messages', { model: 'm', messages: [] }), 400, 'invalid_request_error'],
      [post('/v1/nothing', {}), 404, 'not_found_error'],
      [fetch(`${mock.url}/v1/messages`), 405, 'invalid_request_error'],
    ];
    for (const [pending, status, type] of cases) {
      const response = await pending;
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: { type: string } }).error.type).toBe(type);
    }
  });

  it('serves the probe, models and count_tokens endpoints', async () => {
    mock = await startMockAnthropic();
    expect((await fetch(`${mock.url}/api/hello`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${mock.url}/api/hello`)).status).toBe(200);
    const models = (await (await fetch(`${mock.url}/v1/models`, { headers: HEADERS })).json()) as {
      data: { id: string; type: string }[];
    };
    expect(models.data.map((model) => model.type)).toEqual(['model', 'model', 'model']);
    const count = await post('/v1/messages/count_tokens?beta=true', conversation(1));
    expect(((await count.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(0);
    expect(mock.requests.map((request) => request.kind)).toEqual([
      'hello',
      'hello',
      'models',
      'count_tokens',
    ]);
  });

  it('counts consecutive assistant messages as one turn', () => {
    expect(
      turnIndex([
        { role: 'user', content: 'go' },
        { role: 'assistant', content: 'thinking' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'Read', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'x' }] },
      ]),
    ).toBe(1);
  });
});
