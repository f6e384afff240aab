// An upstream answer read through undici's dispatch API, for `/v1/messages`: its body goes from undici's
// parser to whoever relays it, with no Readable stream in between (the stream machinery cost about a
// tenth of the gateway's CPU a request: bench/README.md). Headers resolve the promise; the body is held
// until `start` is called, so nothing is lost between the answer and its relay. It is held as the chunks
// that came, not by pausing the parser: a pause and its resume cost undici 1–3 µs a request, and an answer
// nearly always arrives whole in the read that brought its head. Past EARLY_LIMIT held bytes (a large
// body, or a retried answer waiting to be discarded) the parser is paused, so memory stays bounded.

import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { UpstreamCancel } from './upstream-cancel.ts';

/** Where a relayed body goes: each chunk, then its end or why it failed. */
export interface BodyEvents {
  data(chunk: Buffer): void;
  end(): void;
  error(error: Error): void;
}

/** A response body that can be relayed with backpressure (a dispatched answer, or a Readable adapted). */
export interface RelaySource {
  start(events: BodyEvents): void;
  pause(): void;
  resume(): void;
  /** Stops reading: the upstream request is abandoned (its `error` follows unless it had finished). */
  destroy(): void;
}

export interface DispatchedResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: DispatchedAnswer;
}

/** A discarded body larger than this is not worth reading to keep its connection: the request is aborted. */
const MAX_DISCARD_BYTES = 256 * 1024;
/** Held before `start` past this, the body pauses the upstream until it is started. */
export const EARLY_LIMIT = 64 * 1024;

class AbandonedError extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'AbortError';
  }
}

export class DispatchedAnswer implements Dispatcher.DispatchHandler, RelaySource {
  #controller: Dispatcher.DispatchController | undefined;
  #events: BodyEvents | undefined;
  /** Chunks that came before `start`, replayed to the relay when it starts. */
  #early: Buffer[] | undefined;
  #earlyBytes = 0;
  /** Paused because EARLY_LIMIT bytes were held before `start`. */
  #earlyPaused = false;
  #ended = false;
  #failure: Error | undefined;
  #answered = false;
  #relayPaused = false;
  #discarding: { bytes: number; done: () => void } | undefined;
  readonly #answer: (response: DispatchedResponse) => void;
  readonly #fail: (error: Error) => void;
  readonly #cancel: UpstreamCancel;
  readonly #onCancel = () => this.#controller?.abort(new AbandonedError('The client closed the request.'));

  constructor(
    answer: (response: DispatchedResponse) => void,
    fail: (error: Error) => void,
    cancel: UpstreamCancel,
  ) {
    this.#answer = answer;
    this.#fail = fail;
    this.#cancel = cancel;
    cancel.watch(this.#onCancel);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#cancel.aborted) this.#onCancel();
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    // An informational answer (103 Early Hints, 102 Processing) is not the answer: the real one follows.
    if (statusCode < 200) return;
    this.#answered = true;
    this.#answer({ statusCode, headers, body: this });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const discarding = this.#discarding;
    if (discarding) {
      discarding.bytes += chunk.length;
      if (discarding.bytes > MAX_DISCARD_BYTES) controller.abort(new AbandonedError('discarded'));
      return;
    }
    if (this.#events) {
      this.#events.data(chunk);
      return;
    }
    if (this.#early) this.#early.push(chunk);
    else this.#early = [chunk];
    this.#earlyBytes += chunk.length;
    if (this.#earlyBytes > EARLY_LIMIT && !this.#earlyPaused) {
      this.#earlyPaused = true;
      controller.pause();
    }
  }

  onResponseEnd(): void {
    this.#ended = true;
    this.#finish();
    if (this.#discarding) this.#discarding.done();
    else this.#events?.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#finish();
    if (!this.#answered) {
      this.#fail(error);
      return;
    }
    this.#failure = error;
    if (this.#discarding) this.#discarding.done();
    else this.#events?.error(error);
  }

  start(events: BodyEvents): void {
    // The held chunks are replayed before `events` is set, so that an error the replay itself causes (the
    // relay destroying the body part way) is told once, after the replay, with no chunk after it.
    for (let early = this.#early; early && !this.#failure; early = this.#early) {
      this.#early = undefined;
      for (const chunk of early) {
        if (this.#failure) break;
        events.data(chunk);
      }
    }
    this.#early = undefined;
    this.#events = events;
    if (this.#failure) events.error(this.#failure);
    else if (this.#ended) events.end();
    // Unless the relay paused while the early chunks were replayed (its client is slow). A JSON answer's
    // relay can; an event stream's writes, and so its pause, come in a microtask after this, and undici
    // honours that pause at the next chunk.
    else if (this.#earlyPaused && !this.#relayPaused) this.resume();
  }

  // Not once the answer is over: undici's resume is the connection's, which may by then carry another
  // request, paused by its own reader.
  pause(): void {
    this.#relayPaused = true;
    if (!this.#ended && !this.#failure) this.#controller?.pause();
  }

  resume(): void {
    this.#relayPaused = false;
    this.#earlyPaused = false;
    if (!this.#ended && !this.#failure) this.#controller?.resume();
  }

  destroy(): void {
    if (!this.#ended && !this.#failure)
      this.#controller?.abort(new AbandonedError('The relay stopped reading.'));
  }

  /** Reads the rest and throws it away (a retried answer), so the connection can be reused. */
  discard(): Promise<void> {
    if (this.#ended || this.#failure) return Promise.resolve();
    return new Promise((done) => {
      // The bytes already held count: the next chunk past MAX_DISCARD_BYTES aborts (onResponseData).
      this.#discarding = { bytes: this.#earlyBytes, done };
      this.#early = undefined;
      this.#controller?.resume();
    });
  }

  #finish(): void {
    this.#cancel.unwatch(this.#onCancel);
  }
}

/** Sends one request through `pool`'s dispatch API; settles with the answer's head, or the error before it. */
export function dispatchUpstream(
  pool: Dispatcher,
  options: Dispatcher.DispatchOptions,
  cancel: UpstreamCancel,
): Promise<DispatchedResponse> {
  return new Promise((answer, fail) => {
    if (cancel.aborted) {
      fail(new AbandonedError('The client closed the request.'));
      return;
    }
    pool.dispatch(options, new DispatchedAnswer(answer, fail, cancel));
  });
}
