// Relays an upstream response body to the client's socket as it arrives, with backpressure, while a
// reader meters it. A broken event stream (malformed, or cut by the upstream) ends with an SSE `error`
// event, which Anthropic's SDKs turn into a clean API error, instead of a reset connection.

import type { Readable, Writable } from 'node:stream';
import type { TokenUsage } from '../../core/pricing/usage-cost.ts';
import type { BodyEvents, RelaySource } from './dispatched-answer.ts';
import { JsonUsageReader } from './metering/json-usage-reader.ts';
import { SseUsageReader } from './metering/sse-usage-reader.ts';
import { completeEventsEnd } from './sse-event-boundary.ts';

export interface RelayResult {
  usage: TokenUsage;
  model: string | undefined;
  /** The upstream finished the response (a stream: `message_stop`; a body: its last byte). */
  complete: boolean;
  /** The upstream's body failed part way (connection cut, idle timeout). */
  cut: boolean;
  malformed: string | undefined;
  upstreamError: string | undefined;
}

/** The most of an unfinished event held back (a Messages API event is a few hundred bytes). */
export const MAX_UNFINISHED_BYTES = 1024 * 1024;

function errorEvent(type: string, message: string): string {
  return `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type, message } })}\n\n`;
}

/**
 * Writes `upstream` to `out` (the client's response, its head already written) and settles, never
 * rejecting, when the upstream body has ended, failed or been abandoned.
 */
export function relayUpstreamBody(
  upstream: RelaySource,
  out: Writable,
  stream: boolean,
  isClientGone: () => boolean,
): Promise<RelayResult> {
  let resolve!: (result: RelayResult) => void;
  const result = new Promise<RelayResult>((r) => {
    resolve = r;
  });
  new Relay(upstream, out, stream, isClientGone, resolve).start();
  return result;
}

/**
 * One relay's state and steps. A class rather than a dozen closures over shared variables: it runs for
 * every request, and one object costs less to make than the closures and their context did. It is the
 * body's events (`data`, `end`, `error`) itself.
 */
class Relay implements BodyEvents {
  readonly #sse: SseUsageReader | undefined;
  readonly #json: JsonUsageReader | undefined;
  #cut = false;
  #settled = false;
  /**
   * The events of one read of the upstream's socket, written to the client together once the read is
   * parsed (a microtask, so before any other I/O: nothing waits). A streamed answer arrives as several
   * HTTP chunks in one read (one a `write` of the upstream); relayed one by one, each was a chunked write
   * of its own: a 305-event answer took about 40 % more CPU than it does now (bench/README.md). The bytes
   * are the same; only their framing into the client's chunks differs. Backpressure is applied when a
   * read's events are written: a full client buffer pauses the upstream at the first chunk after that
   * read, no longer at the chunk that filled it.
   */
  #pending: Buffer[] | undefined;
  /**
   * An event the reads so far only began is held until its end comes: were the stream cut now, the
   * client would otherwise get half an event run into the error event that follows, which no SSE parser
   * can read (the Anthropic SDKs fail on its JSON). A client cannot use a partial event before its end
   * anyway, and an event nearly always arrives whole in one read.
   */
  #unfinished: Buffer | undefined;
  readonly #flush = () => this.#flushPending();

  constructor(
    private readonly upstream: RelaySource,
    private readonly out: Writable,
    stream: boolean,
    private readonly isClientGone: () => boolean,
    private readonly resolve: (result: RelayResult) => void,
  ) {
    this.#sse = stream ? new SseUsageReader() : undefined;
    this.#json = stream ? undefined : new JsonUsageReader();
  }

  start(): void {
    const { upstream, out } = this;
    upstream.start(this);
    out.on('drain', () => upstream.resume());
    out.on('close', () => {
      // The client went away: stop reading the upstream.
      if (!this.#settled) upstream.destroy();
    });
  }

  data(chunk: Buffer): void {
    if (this.#settled) return;
    const sse = this.#sse;
    if (!sse) {
      // A JSON answer is not written event by event: it comes whole or a socket read at a time.
      this.#json!.push(chunk);
      if (!this.out.write(chunk)) this.upstream.pause();
      return;
    }
    sse.push(chunk);
    const malformed = sse.malformed;
    if (malformed) {
      // The chunk holding the broken event is not passed on; the client gets a clean error instead.
      this.#writeCompleteEvents();
      this.out.end(errorEvent('api_error', `The upstream sent a malformed event stream (${malformed}).`));
      this.#settle(false);
      this.upstream.destroy();
      return;
    }
    if (this.#pending) this.#pending.push(chunk);
    else {
      this.#pending = [chunk];
      queueMicrotask(this.#flush);
    }
  }

  end(): void {
    // The upstream finished: every byte it sent goes on, an event it left unfinished too.
    const read = this.#takePending();
    const unfinished = this.#unfinished;
    const last = unfinished && read ? Buffer.concat([unfinished, read]) : (read ?? unfinished);
    this.#unfinished = undefined;
    if (last) this.out.end(last);
    else this.out.end();
    this.#settle(true);
  }

  error(error: Error): void {
    if (this.#settled) return;
    if (this.isClientGone()) {
      this.#pending = undefined;
      this.out.destroy();
    } else {
      this.#cut = true;
      if (this.#sse) {
        this.#writeCompleteEvents();
        this.out.end(errorEvent('api_error', cutMessage(error)));
      }
      // A body cut short: the client's connection is closed before the length it was promised.
      else this.out.destroy();
    }
    this.#settle(false);
  }

  #settle(ended: boolean): void {
    if (this.#settled) return;
    this.#settled = true;
    const cut = this.#cut;
    // Fields written out rather than spread: this runs at the end of every request.
    const sse = this.#sse;
    if (sse) {
      sse.end();
      const reading = sse.reading();
      this.resolve({
        usage: reading.usage,
        model: reading.model,
        complete: reading.complete && !cut,
        cut,
        malformed: reading.malformed,
        upstreamError: reading.upstreamError,
      });
    } else {
      const reading = this.#json!.reading();
      this.resolve({
        usage: reading.usage,
        model: reading.model,
        complete: ended && !cut && !reading.malformed,
        cut,
        malformed: reading.malformed,
        upstreamError: undefined,
      });
    }
  }

  #takePending(): Buffer | undefined {
    const chunks = this.#pending;
    this.#pending = undefined;
    if (!chunks) return undefined;
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  }

  #takeCompleteEvents(): Buffer | undefined {
    const read = this.#takePending();
    if (!read) return undefined;
    const held = this.#unfinished;
    const bytes = held ? Buffer.concat([held, read]) : read;
    const end = completeEventsEnd(bytes, held ? held.length : 0);
    // An event this long is not held: it goes on as it comes, so that memory stays bounded and the
    // client's backpressure still reaches the upstream (a cut inside it is then relayed as before).
    if (end === 0 && bytes.length > MAX_UNFINISHED_BYTES) {
      this.#unfinished = undefined;
      return bytes;
    }
    this.#unfinished = end < bytes.length ? bytes.subarray(end) : undefined;
    return end > 0 ? bytes.subarray(0, end) : undefined;
  }

  #flushPending(): void {
    const body = this.#takeCompleteEvents();
    if (!body || this.#settled) return;
    try {
      if (!this.out.write(body)) this.upstream.pause();
    } catch {
      // Not expected of a response given bytes; were it to happen in this microtask, it would otherwise
      // be uncaught and end the process. This request fails instead, metered as cut short or abandoned.
      this.out.destroy();
      this.upstream.destroy();
    }
  }

  /** The complete events that had come, written before the stream's error event (an unfinished one is dropped). */
  #writeCompleteEvents(): void {
    const body = this.#takeCompleteEvents();
    this.#unfinished = undefined;
    if (body) this.out.write(body);
  }
}

/** Why a stream ended early, as its error event tells the client. */
function cutMessage(error: Error): string {
  // undici's idle timeout (gateway.upstreams[].idle_timeout_ms): the gateway, not the upstream, ended it.
  if ((error as { code?: unknown }).code === 'UND_ERR_BODY_TIMEOUT')
    return 'The upstream sent nothing for too long, so the gateway closed the stream; try again.';
  return 'The upstream closed the stream before it finished.';
}

/** A Readable (undici's `request` body, a translated stream) as a relay source. */
export function readableSource(readable: Readable): RelaySource {
  return {
    start(events: BodyEvents) {
      let over = false;
      readable.on('data', (chunk: Buffer) => events.data(chunk));
      readable.once('end', () => {
        over = true;
        events.end();
      });
      readable.once('error', (error: Error) => {
        over = true;
        events.error(error);
      });
      // Destroyed without an error (the relay stopped it, or the client left): not an end.
      readable.once('close', () => {
        if (!over) events.error(new Error('The upstream body closed before it ended.'));
      });
    },
    pause: () => readable.pause(),
    resume: () => readable.resume(),
    destroy: () => readable.destroy(),
  };
}
