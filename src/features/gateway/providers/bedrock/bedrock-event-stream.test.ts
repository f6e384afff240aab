// Bedrock's event stream as SSE: pings fill the silences Bedrock leaves (it sends none of its own).

import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eventStreamToSse, PING_EVERY_MS } from './bedrock-event-stream.ts';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const PING = 'event: ping\ndata: {"type": "ping"}\n\n';

/** One `chunk` frame carrying a Messages API event, as Bedrock sends it. */
function chunk(event: Record<string, unknown>): Buffer {
  const bytes = Buffer.from(JSON.stringify(event)).toString('base64');
  const string = (value: string) => ({ type: 'string' as const, value });
  return Buffer.from(
    codec.encode({
      headers: {
        ':event-type': string('chunk'),
        ':content-type': string('application/json'),
        ':message-type': string('event'),
      },
      body: fromUtf8(JSON.stringify({ bytes })),
    }),
  );
}

function translated() {
  const sse = eventStreamToSse(() => {});
  const out: string[] = [];
  sse.on('data', (data: Buffer) => out.push(data.toString('utf8')));
  return { sse, out, pings: () => out.filter((text) => text === PING).length };
}

describe('eventStreamToSse pings', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends a ping after each 10 s of silence, counted from the last event', async () => {
    const { sse, out, pings } = translated();
    sse.write(chunk({ type: 'message_start', message: { id: 'msg_1' } }));
    await vi.advanceTimersByTimeAsync(PING_EVERY_MS - 1);
    expect(pings()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(pings()).toBe(1);
    // An event restarts the count: the next ping comes a full silence after it.
    await vi.advanceTimersByTimeAsync(PING_EVERY_MS / 2);
    sse.write(chunk({ type: 'content_block_stop', index: 0 }));
    await vi.advanceTimersByTimeAsync(PING_EVERY_MS - 1);
    expect(pings()).toBe(1);
    await vi.advanceTimersByTimeAsync(1 + PING_EVERY_MS);
    expect(pings()).toBe(3);
    expect(out[0]).toMatch(/^event: message_start\n/);
  });

  it('sends no ping once the stream has ended or been destroyed', async () => {
    const ended = translated();
    ended.sse.end(chunk({ type: 'message_stop' }));
    const destroyed = translated();
    destroyed.sse.destroy();
    await vi.advanceTimersByTimeAsync(3 * PING_EVERY_MS);
    expect(ended.pings()).toBe(0);
    expect(ended.out).toEqual(['event: message_stop\ndata: {"type":"message_stop"}\n\n']);
    expect(destroyed.pings()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
