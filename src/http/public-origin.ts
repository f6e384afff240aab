// The base URL people and clients reach this server at: `publicUrl` when set (behind a proxy, its
// public https URL), else the request's own scheme and Host. No trailing slash.
export function publicOrigin(
  request: { headers: { host?: string | undefined } },
  options: { publicUrl: string | undefined; tls: boolean },
): string {
  const origin =
    options.publicUrl ?? `${options.tls ? 'https' : 'http'}://${request.headers.host ?? 'localhost'}`;
  return origin.replace(/\/$/, '');
}
