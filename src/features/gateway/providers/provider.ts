// What an upstream provider declares: how a client's request becomes the upstream's request, and how
// the upstream's answer becomes what a Messages API client expects (Bedrock frames its streams its own way).

import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { UpstreamConfig } from '../../../config/policy-config.ts';
import { ValidationError } from '../../../core/errors/app-error.ts';

/** The upstream config fields that hold secrets (kept as `${ENV}` references until used). */
export type SecretField =
  | 'api_key'
  | 'aws_secret_access_key'
  | 'aws_session_token'
  | 'service_account_secret';

export interface ProviderRequestInput {
  /** The upstream base URL: origin and path prefix. */
  baseUrl: URL;
  /** The client's path and query, `/v1/messages?beta=true`. */
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: Buffer | undefined;
  config: UpstreamConfig;
  /** Resolves a secret field of the upstream's config (`api_key`, `aws_secret_access_key` …) when used. */
  secret(field: SecretField): string | undefined;
}

export interface ProviderRequest {
  path: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

export interface ProviderResponse {
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

export interface UpstreamProvider {
  readonly kind: string;
  buildRequest(input: ProviderRequestInput): Promise<ProviderRequest>;
  /** Turns a successful answer into the Messages API's own form; absent when it already is. */
  translateResponse?(response: ProviderResponse): ProviderResponse;
}

/**
 * The client's body as an object, for a provider that rewrites it (Bedrock, Vertex). The gateway reads
 * only the top level of a body before forwarding it (ADR 0012), so nested content that is not JSON
 * shows here first: a client error (400, our refusal), never this upstream failing, which would count
 * against its circuit breaker and pause it for every caller.
 */
export function clientBodyObject(body: Buffer | undefined): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body?.toString('utf8') ?? '{}');
  } catch (error) {
    throw new ValidationError(`The body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError('The body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}
