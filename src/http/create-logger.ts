// The process logger: structured pino JSON; credentials are redacted wherever they could appear.
import pino, { type Logger } from 'pino';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.plaintext',
  '*.password',
  '*.client_secret',
];

/** Query parameters that carry a secret for a moment (an authorization code, a user code, a token). */
const SECRET_PARAMS =
  /([?&](?:code|state|user_code|device_code|token|refresh_token|access_token|id_token|ticket|SAMLRequest|SAMLResponse)=)[^&#]*/gi;

/** A URL as it may be logged: sign-in codes and tokens in its query replaced. */
export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(SECRET_PARAMS, '$1[redacted]');
}

interface LoggableRequest {
  method?: string;
  url?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remoteAddress?: string };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: {
        req: (req: LoggableRequest) => ({
          method: req.method,
          url: redactUrl(req.url),
          host: req.headers?.host,
          remoteAddress: req.ip ?? req.socket?.remoteAddress,
        }),
      },
    },
    destination,
  );
}
