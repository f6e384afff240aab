// What an upstream provider declares: how a client's request becomes the upstream's request.
// (Bedrock and Vertex also translate model ids and decode their stream framing; see issue 4.)

import type { IncomingHttpHeaders } from 'node:http';

export interface ProviderRequestInput {
  /** The upstream base URL's path, `''` or `/prefix`. */
  basePath: string;
  /** The client's path and query, `/v1/messages?beta=true`. */
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: Buffer | undefined;
  /** The upstream credential, resolved from the server's environment; undefined when none is configured. */
  apiKey: string | undefined;
}

export interface ProviderRequest {
  path: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

export interface UpstreamProvider {
  readonly kind: string;
  buildRequest(input: ProviderRequestInput): ProviderRequest;
}
