// Which headers cross the gateway, in each direction.

import type { IncomingHttpHeaders } from 'node:http';

/** Hop-by-hop headers and the body framing: they describe one connection, and Node sets its own. */
const CONNECTION_HEADERS = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
];

/**
 * Not forwarded upstream: the connection's own headers, the client's credentials (ours, not the
 * upstream's), `host`, `cookie`, `expect`, and `accept-encoding`, so the upstream answers uncompressed
 * and the gateway can read usage from the bytes it relays.
 */
const NOT_UPSTREAM = new Set([
  ...CONNECTION_HEADERS,
  'authorization',
  'x-api-key',
  'host',
  'accept-encoding',
  'cookie',
  'expect',
]);

export function upstreamRequestHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  // for…in rather than Object.entries: on every request, and entries makes an array per header.
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || NOT_UPSTREAM.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * Not relayed to the client: the connection's own headers, and (below) the upstream's rate-limit
 * headers, which describe the organisation's quota at the upstream, not this developer's (Claude Code
 * would show them as the user's own; the gateway protocol says to strip them).
 */
const NOT_DOWNSTREAM = new Set(CONNECTION_HEADERS);

export function clientResponseHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  return copyClientResponseHeaders(headers, {});
}

/** clientResponseHeaders, added to `out` (the response head being built) rather than a new object. */
export function copyClientResponseHeaders<T extends Record<string, unknown>>(
  headers: Record<string, string | string[] | undefined>,
  out: T,
): T & Record<string, string | string[]> {
  const into = out as Record<string, unknown>;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || NOT_DOWNSTREAM.has(name) || name.startsWith('anthropic-ratelimit-')) continue;
    into[name] = value;
  }
  return out as T & Record<string, string | string[]>;
}
