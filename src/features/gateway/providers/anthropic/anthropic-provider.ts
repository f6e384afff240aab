// The Anthropic API as an upstream: the same paths, headers and body as the client sent, with the
// gateway's own key in place of the developer's credential.

import type { IncomingHttpHeaders } from 'node:http';
import { upstreamRequestHeaders } from '../../forward-headers.ts';
import type { ProviderRequest, UpstreamProvider } from '../provider.ts';

export const anthropicProvider: UpstreamProvider = {
  kind: 'anthropic',
  buildRequest({ baseUrl, path, method, headers, body, secret }): ProviderRequest {
    const outgoing = upstreamRequestHeaders(headers as IncomingHttpHeaders);
    const apiKey = secret('api_key');
    if (apiKey !== undefined) outgoing['x-api-key'] = apiKey;
    return { path: joinPath(baseUrl.pathname, path), method, headers: outgoing, body };
  },
};

/** `https://proxy.example.com/anthropic` + `/v1/messages?beta=true`. */
export function joinPath(basePath: string, path: string): string {
  const base = basePath.endsWith('/') ? basePath.slice(0, -1) : basePath;
  return `${base}${path}`;
}
