// What an upstream provider declares: how a client's request becomes the upstream's request, and how
// the upstream's answer becomes what a Messages API client expects (Bedrock frames its streams its own way).

import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { UpstreamConfig } from '../../../config/policy-config.ts';
import type { AppError } from '../../../core/errors/app-error.ts';

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

/** Told an upstream's own message that the client is not sent (it can name cloud accounts): the log's. */
export type UpstreamMessageReport = (upstreamMessage: string) => void;

/** An upstream's answer with its whole body, as the gateway read it. */
export interface WholeAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** An upstream's error answer (status 400 or above) with its whole body, as the gateway read it. */
export type ProviderErrorInput = WholeAnswer;

/** What the client is sent for an upstream's error answer, and what the operator's log is told of it. */
export interface ProviderError {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The upstream's own message, for the operator's log only: it can name cloud accounts, ARNs, projects. */
  upstreamMessage: string;
}

/**
 * What an upstream's answer to a count made its own way says: the request's input tokens, or the
 * refusal the client gets instead with the upstream's reason for the operator's log (it can name cloud
 * accounts).
 */
export type ProviderCount = { inputTokens: number } | { refusal: AppError; upstreamMessage: string };

export interface UpstreamProvider {
  readonly kind: string;
  /** Synchronous where nothing is awaited (the Anthropic API's): one promise and tick fewer a request. */
  buildRequest(input: ProviderRequestInput): ProviderRequest | Promise<ProviderRequest>;
  /** Turns a successful answer into the Messages API's own form; absent when it already is. */
  translateResponse?(response: ProviderResponse, report: UpstreamMessageReport): ProviderResponse;
  /** Turns an error answer into the Messages API's error envelope; absent when it is relayed unchanged. */
  translateError?(error: ProviderErrorInput): ProviderError;
  /**
   * Reads the answer to a `count_tokens` request that buildRequest turned into the upstream's own count
   * (Bedrock's CountTokens, Vertex's count-tokens), success or error, in place of the two hooks above;
   * absent when the upstream answers count_tokens as the Anthropic API does, and the answer is relayed
   * unchanged.
   */
  readCount?(answer: WholeAnswer, upstream: string): ProviderCount;
}
