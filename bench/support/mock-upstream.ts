// The lean upstream the gateway benches run against: a fixed Messages API answer, or its events written
// one by one (a long answer when the request's max_tokens is LONG_MAX_TOKENS). It does as little as a
// server can, so the figures are the gateways', not its.

import { once } from 'node:events';
import { createServer, type Server } from 'node:http';

export const MESSAGE = JSON.stringify({
  id: 'msg_bench',
  type: 'message',
  role: 'assistant',
  model: 'claude-haiku-4-5',
  content: [{ type: 'text', text: 'The answer is 42.' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 8 },
});

export const EVENTS = [
  {
    type: 'message_start',
    message: {
      ...JSON.parse(MESSAGE),
      content: [],
      stop_reason: null,
      usage: { input_tokens: 12, output_tokens: 1 },
    },
  },
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'ping' },
  ...['The answer', ' is', ' 42.'].map((text) => ({
    type: 'content_block_delta',
    index: 0,
    delta: { type: 'text_delta', text },
  })),
  { type: 'content_block_stop', index: 0 },
  {
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: 8 },
  },
  { type: 'message_stop' },
].map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);

/** Events in the long answer: a real one streams a delta every few tokens, so hundreds of them. */
const LONG_DELTAS = 300;
/** The request that asks the mock for the long answer (its max_tokens is the marker). */
export const LONG_MAX_TOKENS = 4096;

/** The long answer: the short one's frame around LONG_DELTAS deltas of a few words each. */
export const LONG_EVENTS = [
  EVENTS[0]!,
  EVENTS[1]!,
  ...Array.from({ length: LONG_DELTAS }, (_, i) => {
    const delta = { type: 'text_delta', text: ` step ${i}: the "answer" is 42` };
    const event = { type: 'content_block_delta', index: 0, delta };
    return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
  }),
  ...EVENTS.slice(-3),
];

/** A lean upstream: a fixed message, or its events written one by one. */
export function startUpstream(): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      // Without the opening quote: a needle starting with a byte as common as '"' is slow to search for
      // in a large body, and inside a string the quote before `:` would be escaped anyway.
      const stream = Buffer.concat(chunks).includes('stream":true');
      if (!stream) {
        response.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(MESSAGE),
        });
        response.end(MESSAGE);
        return;
      }
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
      });
      const long = Buffer.concat(chunks).includes(`max_tokens":${LONG_MAX_TOKENS}`);
      for (const event of long ? LONG_EVENTS : EVENTS) response.write(event);
      response.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  return once(server, 'listening').then(() => server);
}
