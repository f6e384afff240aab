// What one delivery attempt came to, whichever the channel.

export type SendResult =
  | { ok: true }
  | {
      ok: false;
      /** False when trying again cannot help (a 4xx refusal, a channel misconfigured). */
      retryable: boolean;
      /** Short and safe to store and show: never a secret, at most a few hundred characters. */
      error: string;
      /** The receiver asked to wait this long (429 with retry-after). */
      retryAfterMs?: number;
    };

export const MAX_ERROR_LENGTH = 500;

export function failure(error: string, retryable: boolean, retryAfterMs?: number): SendResult {
  const short = error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 1)}…` : error;
  return retryAfterMs === undefined
    ? { ok: false, retryable, error: short }
    : { ok: false, retryable, error: short, retryAfterMs };
}
