// A scriptable stand-in for the Anthropic API that Claude Code can run against offline.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  authProblem,
  errorResponse,
  type MockResponse,
  type RecordedRequest,
  type RequestKind,
  readRequest,
  writeResponse,
} from './http-io.ts';
import { buildMessage, inputTokens, streamEvents } from './message-events.ts';
import { ScriptCursor, type ScriptedReply, type ScriptStep, text } from './script.ts';
import type { MessagesRequestBody, RequestContentBlock, RequestMessage } from './wire-types.ts';

export type { RecordedRequest, RequestKind } from './http-io.ts';

export interface MockAnthropicOptions {
  script?: ScriptStep[];
  /** What main requests get once the script is used up; `text('Done.')` by default. */
  fallback?: ScriptedReply;
  /** What side and subagent requests get; `text('OK')` by default. */
  sideReply?: (body: MessagesRequestBody) => ScriptedReply;
  /** Decides what counts as the agent loop; `isAgentLoopRequest` by default. */
  isMainRequest?: (body: MessagesRequestBody, headers: IncomingHttpHeaders) => boolean;
  /** When set, any other key (x-api-key or Bearer) gets 401 authentication_error. */
  apiKey?: string;
  models?: string[];
}

export interface MockAnthropic {
  url: string;
  /** Every request in arrival order, with the response status it got. */
  requests: RecordedRequest[];
  mainRequests(): RecordedRequest[];
  sideRequests(): RecordedRequest[];
  subagentRequests(): RecordedRequest[];
  /** Every `tool_result` block in the last main request's conversation, oldest first. */
  toolResults(): RequestContentBlock[];
  /** How many main requests arrived after the script had run out. */
  exhausted(): number;
  setScript(script: ScriptStep[]): void;
  close(): Promise<void>;
}

export function hasTools(body: MessagesRequestBody): boolean {
  return Array.isArray(body.tools) && body.tools.length > 0;
}

/**
 * The default test for the agent loop: the request offers tools and is not a subagent's
 * (subagent requests carry `x-claude-code-agent-id`). Side calls such as title generation or
 * quota probes offer no tools.
 */
export function isAgentLoopRequest(body: MessagesRequestBody, headers: IncomingHttpHeaders): boolean {
  return hasTools(body) && headers['x-claude-code-agent-id'] === undefined;
}

export function toolResultsOf(messages: RequestMessage[] | undefined): RequestContentBlock[] {
  const results: RequestContentBlock[] = [];
  for (const message of messages ?? []) {
    if (message.role !== 'user' || typeof message.content === 'string') continue;
    for (const block of message.content) if (block.type === 'tool_result') results.push(block);
  }
  return results;
}

/** The text of a tool_result, whether its content is a string or a list of text blocks. */
export function toolResultText(block: RequestContentBlock): string {
  if (typeof block.content === 'string') return block.content;
  if (!Array.isArray(block.content)) return '';
  return block.content
    .map((part: unknown) =>
      typeof part === 'object' && part !== null && 'text' in part && typeof part.text === 'string'
        ? part.text
        : '',
    )
    .join('');
}

const DEFAULT_MODELS = ['claude-opus-5-5', 'claude-sonnet-5', 'claude-haiku-4-5'];

export async function startMockAnthropic(options: MockAnthropicOptions = {}): Promise<MockAnthropic> {
  const fallback = options.fallback ?? text('Done.');
  const sideReply = options.sideReply ?? (() => text('OK'));
  const isMain = options.isMainRequest ?? isAgentLoopRequest;
  const models = options.models ?? DEFAULT_MODELS;
  let cursor = new ScriptCursor(options.script ?? [], fallback);
  const requests: RecordedRequest[] = [];
  let seq = 0;

  function route(record: RecordedRequest): MockResponse {
    const { method, path } = record;
    if (path === '/api/hello') {
      record.kind = 'hello';
      if (method !== 'GET' && method !== 'HEAD')
        return errorResponse(405, 'invalid_request_error', 'Method not allowed');
      return { status: 200, json: method === 'HEAD' ? undefined : { message: 'hello' } };
    }
    if (path === '/v1/models' || path.startsWith('/v1/models/')) {
      record.kind = 'models';
      if (method !== 'GET') return errorResponse(405, 'invalid_request_error', 'Method not allowed');
      return modelsResponse(path, models);
    }
    if (path !== '/v1/messages' && path !== '/v1/messages/count_tokens') {
      return errorResponse(404, 'not_found_error', 'Not found');
    }
    if (method !== 'POST') return errorResponse(405, 'invalid_request_error', 'Method not allowed');
    const problem = authProblem(record.headers, options.apiKey);
    if (problem) return errorResponse(401, 'authentication_error', problem);
    const body = record.body;
    if (!body || !Array.isArray(body.messages)) {
      return errorResponse(400, 'invalid_request_error', 'messages: Field required');
    }
    if (path === '/v1/messages/count_tokens') {
      record.kind = 'count_tokens';
      return { status: 200, json: { input_tokens: inputTokens(body) } };
    }
    if (typeof body.max_tokens !== 'number') {
      return errorResponse(400, 'invalid_request_error', 'max_tokens: Field required');
    }
    return messagesResponse(record, body);
  }

  function messagesResponse(record: RecordedRequest, body: MessagesRequestBody): MockResponse {
    let answer: ScriptedReply;
    let turn = 0;
    if (isMain(body, record.headers)) {
      record.kind = 'main';
      const next = cursor.next(body);
      turn = next.turn;
      record.turn = turn;
      if (next.entry.kind === 'error') {
        const { status, errorType, message, headers } = next.entry;
        return errorResponse(status, errorType, message, headers);
      }
      answer = next.entry;
    } else {
      record.kind = record.headers['x-claude-code-agent-id'] === undefined ? 'side' : 'subagent';
      answer = sideReply(body);
    }
    const message = buildMessage(answer, body, { message: `msg_mock_${record.seq}`, turn });
    return body.stream === true
      ? { status: 200, events: streamEvents(message) }
      : { status: 200, json: message };
  }

  const server = createServer((req, res) => {
    seq += 1;
    const requestId = `req_mock_${String(seq).padStart(6, '0')}`;
    readRequest(req, seq).then(
      (record) => {
        requests.push(record);
        const response = route(record);
        record.status = response.status;
        writeResponse(res, response, requestId);
      },
      (error: unknown) =>
        writeResponse(
          res,
          errorResponse(400, 'invalid_request_error', `unreadable body: ${error}`),
          requestId,
        ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const byKind = (kind: RequestKind) => () => requests.filter((request) => request.kind === kind);
  const mainRequests = byKind('main');
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    mainRequests,
    sideRequests: byKind('side'),
    subagentRequests: byKind('subagent'),
    toolResults: () => toolResultsOf(mainRequests().at(-1)?.body?.messages),
    exhausted: () => cursor.exhausted,
    setScript(script) {
      cursor = new ScriptCursor(script, fallback);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function modelsResponse(path: string, models: string[]): MockResponse {
  const info = (id: string) => ({ type: 'model', id, display_name: id, created_at: '2026-01-01T00:00:00Z' });
  if (path === '/v1/models') {
    return {
      status: 200,
      json: { data: models.map(info), has_more: false, first_id: models[0], last_id: models.at(-1) },
    };
  }
  const id = decodeURIComponent(path.slice('/v1/models/'.length));
  return models.includes(id)
    ? { status: 200, json: info(id) }
    : errorResponse(404, 'not_found_error', `model: ${id}`);
}
