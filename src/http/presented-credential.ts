// Reads the credential a client presents: Claude Code sends ANTHROPIC_AUTH_TOKEN as
// `Authorization: Bearer`, ANTHROPIC_API_KEY as `x-api-key`, and an apiKeyHelper's output as both.
import type { IncomingHttpHeaders } from 'node:http';

export function presentedCredential(headers: IncomingHttpHeaders): string | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim()) return apiKey.trim();
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1]!.trim();
  }
  return undefined;
}
