// POSTs a channel's JSON body and classifies the answer: 2xx delivered; 408, 429 and 5xx (or no answer) worth
// retrying; any other status a refusal that retrying will not change.
import { VERSION } from '../../../version.ts';
import { failure, type SendResult } from './send-result.ts';

export const HTTP_TIMEOUT_MS = 10_000;

export interface HttpPost {
  url: string;
  body: string;
  headers?: Record<string, string>;
}

export async function postJson(request: HttpPost, timeoutMs = HTTP_TIMEOUT_MS): Promise<SendResult> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': `llm-rules/${VERSION}`,
        ...request.headers,
      },
      body: request.body,
      // A webhook that redirects is misconfigured; following it could post alerts somewhere unexpected.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return failure(describeFetchError(error, timeoutMs), true);
  }
  const text = (await response.text().catch(() => '')).trim();
  if (response.status >= 200 && response.status < 300) return { ok: true };
  const error = `HTTP ${response.status}${text ? `: ${text.slice(0, 300)}` : ''}`;
  if (response.status >= 300 && response.status < 400)
    return failure(
      `${error} (redirect to ${response.headers.get('location') ?? '?'}; use the final URL)`,
      false,
    );
  const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
  return failure(error, retryable, retryAfterMs(response.headers.get('retry-after')));
}

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${timeoutMs / 1000} s`;
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
