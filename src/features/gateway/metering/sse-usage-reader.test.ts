import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildMessage,
  encodeEvent,
  streamEvents,
} from '../../../../test/support/mock-anthropic/message-events.ts';
import { text, toolUse } from '../../../../test/support/mock-anthropic/script.ts';
import { SseUsageReader, type StreamReading } from './sse-usage-reader.ts';

const body = {
  model: 'claude-sonnet-5',
  max_tokens: 100,
  messages: [{ role: 'user' as const, content: 'hello there' }],
};

function streamOf(
  reply = text('The answer is forty-two.', {
    input_tokens: 120,
    cache_read_input_tokens: 3000,
    cache_creation_input_tokens: 40,
    output_tokens: 17,
  }),
) {
  const message = buildMessage(reply, body, { message: 'msg_1', turn: 1 });
  return new TextEncoder().encode(streamEvents(message).map(encodeEvent).join(''));
}

function read(bytes: Uint8Array, cuts: number[] = []): SseUsageReader {
  const reader = new SseUsageReader();
  let from = 0;
  for (const at of [...cuts, bytes.length]) {
    reader.push(bytes.subarray(from, at));
    from = at;
  }
  reader.end();
  return reader;
}

/** Up to twelve cuts anywhere in the bytes (fast-check): the reading is `expected` for every one. */
function expectSameHoweverSplit(bytes: Uint8Array, expected: StreamReading): void {
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), (cuts) => {
      expect(
        read(
          bytes,
          [...cuts].sort((a, b) => a - b),
        ).reading(),
      ).toEqual(expected);
    }),
  );
}

describe('SseUsageReader', () => {
  it('takes input usage from message_start and the final output from message_delta', () => {
    expect(read(streamOf()).reading()).toEqual({
      model: 'claude-sonnet-5',
      usage: { input: 120, output: 17, cacheWrite5m: 40, cacheWrite1h: 0, cacheRead: 3000 },
      complete: true,
      upstreamError: undefined,
      malformed: undefined,
    });
  });

  it('reads the same however the bytes are split, even inside a multi-byte character', () => {
    const bytes = streamOf(text('naïve café ✓ — ünïcödé', { output_tokens: 9 }));
    expectSameHoweverSplit(bytes, read(bytes).reading());
  });

  it('reads CRLF line ends, comments, other fields and values without their space as the SSE format allows', () => {
    const lf = new TextDecoder().decode(streamOf());
    const variant = lf
      .replaceAll('data: ', 'data:')
      .replaceAll('event: ', ': a comment\nid: 7\nevent:')
      .replaceAll('\n', '\r\n');
    const bytes = new TextEncoder().encode(variant);
    expect(read(bytes, [3, 50, 51, 400]).reading()).toEqual(read(streamOf()).reading());
  });

  it('reads lone CR line ends, and CRLF split between chunks, the same however the bytes are split', () => {
    const lf = new TextDecoder().decode(streamOf());
    const whole = read(streamOf()).reading();
    for (const ending of ['\r', '\r\n'])
      expectSameHoweverSplit(new TextEncoder().encode(lf.replaceAll('\n', ending)), whole);
  });

  it('takes the LF after a CR that ended the last chunk as the rest of one line end, not an empty line', () => {
    // Two data lines of one event, joined by a newline into one JSON object; an empty line between them
    // would dispatch each alone, neither of them JSON.
    const reader = new SseUsageReader();
    for (const piece of [
      'event: message_delta\r\ndata: {"type":"message_delta",\r',
      '\ndata: "usage":{"output_tokens":5}}\r',
      '\n\r',
      '\n',
    ])
      reader.push(new TextEncoder().encode(piece));
    reader.end();
    expect(reader.reading().malformed).toBeUndefined();
    expect(reader.reading().usage.output).toBe(5);
  });

  it('drops a byte-order mark before the first line, however the bytes are split', () => {
    // Without `event:` lines, the first line is message_start's data: a mark left on it would lose it.
    const text = new TextDecoder().decode(streamOf()).replace(/^event: .*\n/gm, '');
    const plain = new TextEncoder().encode(text);
    const marked = new Uint8Array([0xef, 0xbb, 0xbf, ...plain]);
    expect(read(plain).reading().usage.input).toBe(120);
    expect(read(marked).reading()).toEqual(read(plain).reading());
    expect(read(marked, [1, 2, 3]).reading()).toEqual(read(plain).reading());
  });

  it('splits cache writes by lifetime when the upstream does', () => {
    const reader = new SseUsageReader();
    reader.push(
      new TextEncoder().encode(
        `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { model: 'm', usage: { input_tokens: 5, cache_creation_input_tokens: 100, cache_creation: { ephemeral_5m_input_tokens: 30, ephemeral_1h_input_tokens: 70 }, output_tokens: 1 } } })}\n\n`,
      ),
    );
    reader.end();
    expect(reader.reading().usage).toMatchObject({ cacheWrite5m: 30, cacheWrite1h: 70 });
  });

  it('bills a stream cut short at least what it streamed (four characters a token)', () => {
    const bytes = streamOf(
      toolUse('Write', { file_path: '/x', content: 'y'.repeat(400) }, { text: 'Writing now' }),
    );
    const cutAt = new TextDecoder().decode(bytes).indexOf('event: message_delta');
    const reading = read(bytes.subarray(0, cutAt)).reading();
    expect(reading.complete).toBe(false);
    expect(reading.usage.input).toBeGreaterThan(0);
    // The tool input JSON alone is over 400 characters.
    expect(reading.usage.output).toBeGreaterThanOrEqual(100);
  });

  it('notices an upstream error event and a malformed stream', () => {
    const reader = new SseUsageReader();
    reader.push(
      new TextEncoder().encode(
        'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
      ),
    );
    reader.end();
    expect(reader.reading().upstreamError).toBe('overloaded_error');

    const broken = new SseUsageReader();
    broken.push(new TextEncoder().encode('event: message_start\ndata: {"type":"message_start", oops\n\n'));
    broken.end();
    expect(broken.reading().malformed).toMatch(/message_start/);
  });

  it('reads events whole or line by line alike: usage, and the name of a malformed event, however split', () => {
    const good = streamOf();
    const broken = new TextEncoder().encode(
      `${new TextDecoder().decode(good).split('event: message_delta')[0]}event: message_delta\ndata: {"type":"message_delta",}\n\n`,
    );
    const whole = read(broken).reading();
    expect(whole.malformed).toBe('an event "message_delta" whose data is not a JSON object');
    expectSameHoweverSplit(broken, whole);
    // An event with a field between its name and data is read by lines, from where the whole events stop.
    const mixed = new TextEncoder().encode(
      new TextDecoder().decode(good).replace('event: ping\n', 'event: ping\nid: 7\n'),
    );
    expect(read(mixed).reading()).toEqual(read(good).reading());
    // The floor billed for a malformed stream is what streamed before the broken event, counted once.
    const deltas = new TextDecoder().decode(good).split('event: message_delta')[0]!;
    const beforeBreak = read(new TextEncoder().encode(deltas));
    expect(whole.usage.output).toBe(beforeBreak.reading().usage.output);
    expectSameHoweverSplit(mixed, read(good).reading());
  });

  it('counts content deltas read without a parse as a parse does, and still finds a broken one', () => {
    const deltas = ['plain', 'with "quotes" and\nnew lines \u00e9', 'x'.repeat(5_000)].map(
      (piece) =>
        `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } })}\n\n`,
    );
    const reading = read(new TextEncoder().encode(deltas.join(''))).reading();
    expect(reading.malformed).toBeUndefined();
    // Cut before any usage: the floor is the content streamed, four characters a token.
    const chars = 5 + 'with "quotes" and\nnew lines \u00e9'.length + 5_000;
    expect(reading.usage.output).toBe(Math.ceil(chars / 4));

    // A raw control character is not JSON: the parse, which the delta falls back to, refuses it.
    const broken = read(
      new TextEncoder().encode(
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\u0001b"}}\n\n',
      ),
    );
    expect(broken.reading().malformed).toMatch(/content_block_delta/);
  });

  it('passes the frame events as the API writes them without a parse, and still finds a broken one', () => {
    const frame = [
      { type: 'ping' },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_stop', index: 12 },
      { type: 'message_stop' },
    ].map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    const reading = read(new TextEncoder().encode(frame.join(''))).reading();
    expect(reading.malformed).toBeUndefined();
    expect(reading.complete).toBe(true);
    expect(reading.usage.output).toBe(0);

    // Near misses are left to the parse, which refuses them.
    for (const data of [
      '{"type":"ping"',
      '{"type":"ping}',
      '{"type":"ping"}}',
      '{"type":"content_block_stop","index":01}',
      '{"type":"content_block_stop","index":0"}',
      '{"type":"message_stop"',
    ]) {
      const broken = read(new TextEncoder().encode(`event: x\ndata: ${data}\n\n`));
      expect(broken.reading().malformed, data).toBeDefined();
    }
  });
});
