// OTLP/HTTP receiver: `POST /v1/logs` and `POST /v1/metrics`, JSON or protobuf, optionally gzip, with the
// same credentials as the hooks (Claude Code sends them through OTEL_EXPORTER_OTLP_HEADERS or
// otelHeadersHelper). Answers as OTLP/HTTP says: the request's encoding, an empty message on success,
// `partialSuccess` naming what was rejected.

import { gunzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthenticationError, ValidationError } from '../../core/errors/app-error.ts';
import { presentedCredential } from '../../http/presented-credential.ts';
import { decodeLogsRequest, decodeMetricsRequest } from './otlp-protobuf.ts';
import type { OtlpLogsRequest, OtlpMetricsRequest } from './otlp-types.ts';
import { ProtobufError } from './protobuf-reader.ts';
import type { IngestResult, TelemetryService } from './telemetry-service.ts';

const BODY_LIMIT = 16 * 1024 * 1024;
/** A gzip body may not expand past this (a small body must not become a large allocation). */
const MAX_INFLATED = 64 * 1024 * 1024;
const PROTOBUF = 'application/x-protobuf';

export function otlpRoutes(app: FastifyInstance, deps: { telemetry: TelemetryService }): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      ['application/json', PROTOBUF],
      { parseAs: 'buffer', bodyLimit: BODY_LIMIT },
      (_r, body, done) => done(null, body),
    );
    scope.post('/v1/logs', { bodyLimit: BODY_LIMIT }, (request, reply) =>
      receive(request, reply, deps.telemetry, 'logs'),
    );
    scope.post('/v1/metrics', { bodyLimit: BODY_LIMIT }, (request, reply) =>
      receive(request, reply, deps.telemetry, 'metrics'),
    );
  });
}

async function receive(
  request: FastifyRequest,
  reply: FastifyReply,
  telemetry: TelemetryService,
  signal: 'logs' | 'metrics',
): Promise<unknown> {
  const credential = presentedCredential(request.headers);
  if (!credential) {
    throw new AuthenticationError(
      'No LLM-RULES token was sent: set OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <token>".',
    );
  }
  const who = await telemetry.authenticate(credential);
  const protobuf = String(request.headers['content-type'] ?? '').startsWith(PROTOBUF);
  const body = inflate(request.body as Buffer, request.headers['content-encoding']);
  let result: IngestResult;
  try {
    if (signal === 'logs') {
      const decoded: OtlpLogsRequest = protobuf ? decodeLogsRequest(body) : parseJson(body);
      result = await telemetry.ingestLogs(who, decoded);
    } else {
      const decoded: OtlpMetricsRequest = protobuf ? decodeMetricsRequest(body) : parseJson(body);
      result = await telemetry.ingestMetrics(who, decoded);
    }
  } catch (error) {
    if (error instanceof ProtobufError)
      throw new ValidationError(`malformed OTLP protobuf: ${error.message}`, { field: 'body' });
    throw error;
  }
  const rejectedField = signal === 'logs' ? 'rejectedLogRecords' : 'rejectedDataPoints';
  if (protobuf) {
    reply.header('content-type', PROTOBUF);
    return partialSuccessProtobuf(result);
  }
  return result.rejected > 0
    ? { partialSuccess: { [rejectedField]: String(result.rejected), errorMessage: result.reason ?? '' } }
    : {};
}

function inflate(body: Buffer, encoding: string | string[] | undefined): Buffer {
  const value = String(encoding ?? 'identity').toLowerCase();
  if (value === 'identity' || value === '') return body;
  if (value !== 'gzip')
    throw new ValidationError(`content-encoding ${value} is not supported (use gzip or none)`, {
      field: 'content-encoding',
    });
  try {
    return gunzipSync(body, { maxOutputLength: MAX_INFLATED });
  } catch (error) {
    throw new ValidationError(`the gzip body could not be inflated (${(error as Error).message})`, {
      field: 'body',
    });
  }
}

function parseJson<T>(body: Buffer): T {
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as T;
  } catch (error) {
    throw new ValidationError(`malformed OTLP JSON: ${(error as Error).message}`, { field: 'body' });
  }
}

/** ExportLogsServiceResponse / ExportMetricsServiceResponse: empty, or partial_success (field 1). */
function partialSuccessProtobuf(result: IngestResult): Buffer {
  if (result.rejected === 0) return Buffer.alloc(0);
  const message = Buffer.from(result.reason ?? '', 'utf8');
  const inner = Buffer.concat([
    Buffer.from([0x08]),
    varint(result.rejected),
    Buffer.from([0x12]),
    varint(message.length),
    message,
  ]);
  return Buffer.concat([Buffer.from([0x0a]), varint(inner.length), inner]);
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let value = n;
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  bytes.push(value);
  return Buffer.from(bytes);
}
