// An upstream's error answer rewritten by its provider (a cloud upstream's message can name the
// organisation's accounts): read whole, the client is sent the provider's envelope and the operator's
// log gets the upstream's message. Providers without the hook (the Anthropic API) are relayed unchanged.

import type { IncomingHttpHeaders } from 'node:http';
import type { BodyEvents, RelaySource } from './dispatched-answer.ts';
import type { PriceWarnings } from './gateway-prices.ts';
import type { UpstreamProvider } from './providers/provider.ts';

/** More than any error body holds; only its message is read, so a larger one is cut here. */
const MAX_ERROR_BYTES = 64 * 1024;

export interface ErrorAnswer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  source: RelaySource;
}

/** Who asked, for the log line: no prompt, no credential. */
export interface ErrorContext {
  upstream: string;
  requestId: string;
}

export async function translatedErrorAnswer(
  translate: NonNullable<UpstreamProvider['translateError']>,
  answer: ErrorAnswer,
  logger: PriceWarnings,
  context: ErrorContext,
): Promise<ErrorAnswer> {
  const body = await readWhole(answer.source, MAX_ERROR_BYTES);
  const error = translate({ status: answer.statusCode, headers: answer.headers, body });
  logger.warn(
    {
      ...context,
      upstreamStatus: answer.statusCode,
      status: error.status,
      upstreamMessage: error.upstreamMessage,
    },
    'the upstream answered with an error',
  );
  return { statusCode: error.status, headers: error.headers, source: bufferSource(error.body) };
}

/** The body's bytes up to `limit`; a body that fails part way gives what had come (its message, if any). */
export function readWhole(source: RelaySource, limit: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => resolve(Buffer.concat(chunks));
    source.start({
      data(chunk) {
        if (size >= limit) return;
        chunks.push(chunk);
        size += chunk.length;
        if (size < limit) return;
        done();
        source.destroy();
      },
      end: done,
      error: done,
    });
  });
}

/** A body already in memory, relayed as an upstream's would be. */
function bufferSource(body: Buffer): RelaySource {
  return {
    start(events: BodyEvents) {
      events.data(body);
      events.end();
    },
    // Nothing is left to hold back or stop: the whole body went in the one `data`.
    pause() {},
    resume() {},
    destroy() {},
  };
}
