// Which headers cross the gateway, in each direction.

import type { IncomingHttpHeaders } from 'node:http';

/**
 * Not forwarded upstream: hop-by-hop headers, the client's credentials (ours, not the upstream's),
 * `host` and `content-length` (set for the new connection), and `accept-encoding`, so the upstream
 * answers uncompressed and the gateway can read usage from the bytes it relays.
 */
const NOT_UPSTREAM = new Set([
  'authorization',
  'x-api-key',
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  'accept-encoding',
  'cookie',
  'expect',
]);

export function upstreamRequestHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || NOT_UPSTREAM.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * Not relayed to the client: hop-by-hop headers, the body framing (Node re-frames what it sends), and the
 * upstream's rate-limit headers, which describe the organisation's quota at the upstream, not this
 * developer's (Claude Code would show them as the user's own; the gateway protocol says to strip them).
 */
const NOT_DOWNSTREAM = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
]);

export function clientResponseHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || NOT_DOWNSTREAM.has(name) || name.startsWith('anthropic-ratelimit-')) continue;
    out[name] = value;
  }
  return out;
}
