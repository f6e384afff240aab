// Bedrock streams a response as AWS event-stream frames (binary: lengths, headers, payload, CRCs), each
// `chunk` carrying one Messages API event as base64 JSON. This turns them back into the SSE a Messages
// API client reads, frame by frame as they arrive; an `exception` frame becomes an SSE `error` event.
// Bedrock sends no pings, so one is made during silences: a long thinking pause would otherwise trip the
// idle timeouts of the client and of proxies between.

import { Transform, type TransformCallback } from 'node:stream';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { loggable } from '../cloud-errors.ts';
import type { UpstreamMessageReport } from '../provider.ts';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** Bedrock's exception names, as the Messages API's error types. */
const ERROR_TYPES: Record<string, string> = {
  throttlingException: 'rate_limit_error',
  serviceUnavailableException: 'overloaded_error',
  modelStreamErrorException: 'api_error',
  validationException: 'invalid_request_error',
  internalServerException: 'api_error',
};

/** Silence after which a ping is sent, and again after each further such silence. */
export const PING_EVERY_MS = 10_000;
/** The Anthropic API's own ping, byte for byte. */
const PING = 'event: ping\ndata: {"type": "ping"}\n\n';

function sse(type: string, json: string): string {
  return `event: ${type}\ndata: ${json}\n\n`;
}

function header(headers: Record<string, { value: unknown }>, name: string): string | undefined {
  const value = headers[name]?.value;
  return typeof value === 'string' ? value : undefined;
}

/**
 * `report` is told the message of an exception frame: like Bedrock's error answers (cloud-errors.ts), it
 * can name the AWS account or an ARN, so the client's error event says only which exception it was.
 */
export function eventStreamToSse(report: UpstreamMessageReport, pingEveryMs = PING_EVERY_MS): Transform {
  let pending: Buffer = Buffer.alloc(0);
  // Restarted by every event sent, so a ping fills only a silence; unref'd, it keeps no process alive.
  const pinger = setInterval(() => translator.push(PING), pingEveryMs).unref();
  const translator = new Transform({
    flush(done: TransformCallback) {
      clearInterval(pinger);
      done();
    },
    destroy(error, done) {
      clearInterval(pinger);
      done(error);
    },
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      try {
        // A frame starts with its total length; decode every complete frame, keep the rest.
        while (pending.length >= 4) {
          const total = pending.readUInt32BE(0);
          if (pending.length < total) break;
          const message = codec.decode(pending.subarray(0, total));
          pending = pending.subarray(total);
          const kind = header(message.headers, ':message-type');
          const payload = toUtf8(message.body);
          if (kind === 'event' && header(message.headers, ':event-type') === 'chunk') {
            const bytes = (JSON.parse(payload) as { bytes?: string }).bytes ?? '';
            const json = Buffer.from(bytes, 'base64').toString('utf8');
            const type = (JSON.parse(json) as { type?: string }).type ?? 'message';
            this.push(sse(type, json));
            pinger.refresh();
          } else if (kind === 'exception' || kind === 'error') {
            const name =
              header(message.headers, ':exception-type') ?? header(message.headers, ':error-code') ?? 'error';
            const text = (() => {
              try {
                return (JSON.parse(payload) as { message?: string }).message ?? payload;
              } catch {
                return payload;
              }
            })();
            report(loggable(`${name}: ${text}`));
            const generic = `Amazon Bedrock ended the stream with ${name}; its reason is in the gateway's log (ask the gateway's operator).`;
            const error = { type: ERROR_TYPES[name] ?? 'api_error', message: generic };
            this.push(sse('error', JSON.stringify({ type: 'error', error })));
          }
        }
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
  return translator;
}
