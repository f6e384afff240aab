// The HTTP edge of the mock: reading and recording requests, writing JSON, SSE and Anthropic-shaped errors.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { encodeEvent } from './message-events.ts';
import type { AnthropicErrorBody, MessagesRequestBody, StreamEvent } from './wire-types.ts';

/**
 * `main`: the agent loop, answered from the script. `subagent`: a subagent's loop (it carries
 * `x-claude-code-agent-id`); `side`: any other `/v1/messages` call (titles, summaries, quota
 * probes). Both are answered by `sideReply` without touching the script.
 */
export type RequestKind = 'main' | 'subagent' | 'side' | 'count_tokens' | 'models' | 'hello' | 'unknown';

export interface RecordedRequest {
  seq: number;
  method: string;
  /** Path and query as sent, e.g. `/v1/messages?beta=true`. */
  url: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or undefined when there was none or it was not a JSON object. */
  body: MessagesRequestBody | undefined;
  rawBody: string;
  kind: RequestKind;
  /** For `main` requests: the script turn that answered it. */
  turn?: number;
  status: number;
}

/** What the router decided to send; `json: undefined` sends no body (HEAD). */
export type MockResponse =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: 200; events: StreamEvent[] };

export function errorResponse(
  status: number,
  errorType: string,
  message: string,
  headers?: Record<string, string>,
): MockResponse {
  // request_id is filled in by writeResponse, which knows it.
  const body: Omit<AnthropicErrorBody, 'request_id'> = { type: 'error', error: { type: errorType, message } };
  return headers ? { status, json: body, headers } : { status, json: body };
}

export function writeResponse(res: ServerResponse, response: MockResponse, requestId: string): void {
  res.setHeader('request-id', requestId);
  if ('events' in response) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    // One write per event, so clients see a real stream rather than one buffered body.
    for (const event of response.events) {
      if (res.destroyed) return;
      res.write(encodeEvent(event));
    }
    res.end();
    return;
  }
  const json = isErrorBody(response.json) ? { ...response.json, request_id: requestId } : response.json;
  res.writeHead(response.status, { 'content-type': 'application/json', ...response.headers });
  res.end(json === undefined ? undefined : JSON.stringify(json));
}

function isErrorBody(value: unknown): value is Omit<AnthropicErrorBody, 'request_id'> {
  return typeof value === 'object' && value !== null && 'type' in value && value.type === 'error';
}

export async function readRequest(req: IncomingMessage, seq: number): Promise<RecordedRequest> {
  const raw = await readBody(req);
  const url = req.url ?? '/';
  let body: MessagesRequestBody | undefined;
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : undefined;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      body = parsed as MessagesRequestBody;
    }
  } catch {
    body = undefined;
  }
  return {
    seq,
    method: req.method ?? 'GET',
    url,
    path: new URL(url, 'http://mock').pathname,
    headers: req.headers,
    body,
    rawBody: raw,
    kind: 'unknown',
    status: 0,
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const data = Buffer.concat(chunks);
  switch (req.headers['content-encoding']) {
    case 'gzip':
      return gunzipSync(data).toString('utf8');
    case 'deflate':
      return inflateSync(data).toString('utf8');
    case 'br':
      return brotliDecompressSync(data).toString('utf8');
    default:
      return data.toString('utf8');
  }
}

/** Anthropic accepts `x-api-key` or `Authorization: Bearer`; returns the problem, if any. */
export function authProblem(headers: IncomingHttpHeaders, expected: string | undefined): string | undefined {
  const apiKey = headers['x-api-key'];
  const bearer = /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1];
  const given = typeof apiKey === 'string' ? apiKey : bearer;
  if (given === undefined) return 'x-api-key header is required';
  if (expected !== undefined && given !== expected) return 'invalid x-api-key';
  return undefined;
}
