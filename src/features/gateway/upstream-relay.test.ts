import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  buildMessage,
  encodeEvent,
  streamEvents,
} from '../../../test/support/mock-anthropic/message-events.ts';
import { text } from '../../../test/support/mock-anthropic/script.ts';
import type { BodyEvents, RelaySource } from './dispatched-answer.ts';
import { MAX_UNFINISHED_BYTES, relayUpstreamBody } from './upstream-relay.ts';

/** An upstream body driven by the test: each call of `events` is one delivery from the parser. */
class ScriptedSource implements RelaySource {
  events!: BodyEvents;
  paused = false;
  destroyed = false;
  start(events: BodyEvents): void {
    this.events = events;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

/** The client's response as the relay uses it, recording each call; `full` makes writes report backpressure. */
class RecordingResponse extends EventEmitter {
  calls: string[] = [];
  full = false;
  write(chunk: Buffer | string): boolean {
    this.calls.push(`write ${chunk.toString()}`);
    return !this.full;
  }
  end(chunk?: Buffer | string): void {
    this.calls.push(chunk === undefined ? 'end' : `end ${chunk.toString()}`);
  }
  destroy(): void {
    this.calls.push('destroy');
  }
}

function relay(stream = true, clientGone = () => false) {
  const source = new ScriptedSource();
  const out = new RecordingResponse();
  const result = relayUpstreamBody(source, out as unknown as Writable, stream, clientGone);
  return { source, out, result };
}

/** A short answer's events, in the wire format. */
function answerEvents(): string[] {
  const body = {
    model: 'claude-sonnet-5',
    max_tokens: 100,
    messages: [{ role: 'user' as const, content: 'hi' }],
  };
  const reply = text('Forty-two.', { input_tokens: 10, output_tokens: 4 });
  return streamEvents(buildMessage(reply, body, { message: 'msg_1', turn: 1 })).map(encodeEvent);
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('relayUpstreamBody', () => {
  it('writes the chunks of one read together, before anything else runs', async () => {
    const { source, out } = relay();
    const [first, second, third] = answerEvents();
    source.events.data(Buffer.from(first!));
    source.events.data(Buffer.from(second!));
    expect(out.calls).toEqual([]);
    await Promise.resolve();
    expect(out.calls).toEqual([`write ${first}${second}`]);
    // A later read is a write of its own: nothing is held for what may follow.
    await turn();
    source.events.data(Buffer.from(third!));
    await Promise.resolve();
    expect(out.calls).toEqual([`write ${first}${second}`, `write ${third}`]);
  });

  it('ends with the last read in the same call, and meters the whole stream', async () => {
    const { source, out, result } = relay();
    const events = answerEvents();
    for (const event of events) source.events.data(Buffer.from(event));
    source.events.end();
    expect(out.calls).toEqual([`end ${events.join('')}`]);
    await Promise.resolve();
    expect(out.calls).toHaveLength(1);
    const relayed = await result;
    expect(relayed).toMatchObject({ complete: true, cut: false, malformed: undefined });
    expect(relayed.usage).toMatchObject({ input: 10, output: 4 });
  });

  it('passes on the events before a malformed one in the same read, then a clean error, not the broken chunk', async () => {
    const { source, out, result } = relay();
    const [first] = answerEvents();
    source.events.data(Buffer.from(first!));
    source.events.data(Buffer.from('event: content_block_delta\ndata: {"type":\n\n'));
    expect(out.calls[0]).toBe(`write ${first}`);
    expect(out.calls[1]).toMatch(/^end event: error\ndata: .*malformed event stream/);
    expect(out.calls).toHaveLength(2);
    expect(source.destroyed).toBe(true);
    await Promise.resolve();
    expect(out.calls).toHaveLength(2);
    expect((await result).malformed).toBeDefined();
  });

  it('writes what had come before a stream cut short, then the error event', async () => {
    const { source, out, result } = relay();
    const [first] = answerEvents();
    source.events.data(Buffer.from(first!));
    source.events.error(new Error('socket hang up'));
    expect(out.calls[0]).toBe(`write ${first}`);
    expect(out.calls[1]).toMatch(/^end event: error\n.*closed the stream before it finished/);
    expect(await result).toMatchObject({ complete: false, cut: true });
  });

  it('pauses the upstream when the client is slow and resumes it on drain', async () => {
    const { source, out } = relay(false);
    out.full = true;
    source.events.data(Buffer.from('{"id":'));
    expect(source.paused).toBe(true);
    out.full = false;
    out.emit('drain');
    expect(source.paused).toBe(false);
  });

  it('pauses a stream once the events of a read are written to a slow client, and resumes it on drain', async () => {
    const { source, out } = relay();
    const [first, second] = answerEvents();
    out.full = true;
    source.events.data(Buffer.from(first!));
    source.events.data(Buffer.from(second!));
    expect(source.paused).toBe(false);
    await Promise.resolve();
    expect(out.calls).toEqual([`write ${first}${second}`]);
    expect(source.paused).toBe(true);
    out.full = false;
    out.emit('drain');
    expect(source.paused).toBe(false);
  });

  it('writes nothing more once the client has left, even what had come in the same read', async () => {
    const { source, out, result } = relay(true, () => true);
    const [first] = answerEvents();
    source.events.data(Buffer.from(first!));
    source.events.error(new Error('The client closed the request.'));
    await Promise.resolve();
    expect(out.calls).toEqual(['destroy']);
    source.events.data(Buffer.from(first!));
    await Promise.resolve();
    expect(out.calls).toEqual(['destroy']);
    expect(await result).toMatchObject({ complete: false, cut: false });
  });

  it('holds an event a read only began until its end, but passes on one longer than the limit as it comes', async () => {
    const { source, out } = relay();
    const [first, second] = answerEvents();
    source.events.data(Buffer.from(first! + second!.slice(0, 10)));
    await Promise.resolve();
    expect(out.calls).toEqual([`write ${first}`]);
    source.events.data(Buffer.from(second!.slice(10)));
    await Promise.resolve();
    expect(out.calls).toEqual([`write ${first}`, `write ${second}`]);
    // A data line of 1.5 MB in 64 KB reads: held up to the limit, then written, and the upstream paused by
    // a full client as usual.
    out.calls = [];
    out.full = true;
    const piece = Buffer.alloc(64 * 1024, 'x');
    source.events.data(Buffer.from('data: {"type":"ping","pad":"'));
    for (let i = 0; i < 24 && !source.paused; i++) {
      source.events.data(piece);
      await Promise.resolve();
    }
    expect(out.calls.length).toBe(1);
    expect(out.calls[0]!.length).toBeGreaterThan(MAX_UNFINISHED_BYTES);
    expect(source.paused).toBe(true);
  });
});
