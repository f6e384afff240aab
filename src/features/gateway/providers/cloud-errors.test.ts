// A cloud upstream's error answers as the client gets them: the status's error type, a message that
// names no account, and the upstream's message kept for the log.

import { describe, expect, it } from 'vitest';
import { cloudErrorAnswer, errorType, loggable } from './cloud-errors.ts';

const NONE = () => undefined;

function answerFor(status: number, body: unknown, headers: Record<string, string> = {}) {
  const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const answer = cloudErrorAnswer('Amazon Bedrock', { status, headers, body: raw }, NONE);
  return {
    ...answer,
    json: JSON.parse(answer.body.toString('utf8')) as { error: { type: string; message: string } },
  };
}

describe('cloud upstream errors', () => {
  it('gives each status the Messages API error type', () => {
    expect(
      [400, 403, 404, 408, 413, 422, 424, 429, 500, 503, 529].map((status) => [status, errorType(status)]),
    ).toEqual([
      [400, 'invalid_request_error'],
      [403, 'permission_error'],
      [404, 'not_found_error'],
      [408, 'api_error'],
      [413, 'request_too_large'],
      [422, 'invalid_request_error'],
      [424, 'api_error'],
      [429, 'rate_limit_error'],
      [500, 'api_error'],
      [503, 'api_error'],
      [529, 'overloaded_error'],
    ]);
  });

  it("keeps the upstream's message for the log only, and retry-after of its headers", () => {
    const answer = answerFor(
      503,
      [{ error: { code: 503, message: 'Project 123456789012 is unavailable', status: 'UNAVAILABLE' } }],
      { 'retry-after': '3', 'x-amzn-requestid': 'r-1' },
    );
    expect(answer.status).toBe(503);
    expect(answer.json.error.type).toBe('api_error');
    expect(answer.json.error.message).not.toContain('123456789012');
    expect(answer.upstreamMessage).toBe('Project 123456789012 is unavailable');
    expect(answer.headers).toEqual({ 'retry-after': '3', 'content-type': 'application/json' });
  });

  it('answers an upstream 401 (the gateway credentials refused) with 502 api_error', () => {
    const answer = answerFor(401, { message: 'The security token included in the request is invalid.' });
    expect(answer.status).toBe(502);
    expect(answer.json.error.type).toBe('api_error');
  });

  it("relays a 413 in Anthropic's envelope, but not a 500 in it, nor a body that is not JSON", () => {
    const envelope = (type: string, message: string) => ({ type: 'error', error: { type, message } });
    const large = answerFor(413, envelope('request_too_large', 'Request exceeds the maximum size'));
    expect(large.json.error).toEqual({
      type: 'request_too_large',
      message: 'Request exceeds the maximum size',
    });
    const failed = answerFor(500, envelope('api_error', 'project acme-ai: internal'));
    expect(failed.json.error.message).not.toContain('acme-ai');
    const html = answerFor(502, '<html>Bad gateway at 10.0.0.7</html>');
    expect(html.json.error).toMatchObject({ type: 'api_error' });
    expect(html.upstreamMessage).toBe('<html>Bad gateway at 10.0.0.7</html>');
  });

  it('leaves credentials out of what is logged: a signed request, a session token, a bearer token', () => {
    const token = 'IQoJb3JpZ2luX2VjEXAMPLEsessiontoken';
    const signatureError =
      'The request signature we calculated does not match the signature you provided. Check your AWS ' +
      'Secret Access Key and signing method.\n\nThe Canonical String for this request should have been\n' +
      `'POST\n/model/x/invoke\n\nhost:bedrock-runtime.us-east-1.amazonaws.com\nx-amz-security-token:${token}\n'` +
      "\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20261207T000000Z'";
    const logged = answerFor(403, { message: signatureError }).upstreamMessage;
    expect(logged).toContain('does not match the signature you provided');
    expect(logged).not.toContain(token);
    expect(logged).not.toContain('String-to-Sign');
    expect(loggable(`denied: X-Amz-Security-Token=${token}&x=1, Authorization: Bearer ya29.secret`)).toBe(
      'denied: X-Amz-Security-Token=[redacted]&x=1, Authorization: Bearer [redacted]',
    );
    expect(
      loggable('got AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261207/us-east-1/bedrock, Signature=abc1'),
    ).toBe('got AWS4-HMAC-SHA256 Credential=[redacted], Signature=[redacted]');
    // Account ids and ARNs are what the operator needs: they stay.
    expect(loggable('arn:aws:bedrock:us-east-1:123456789012:x')).toBe(
      'arn:aws:bedrock:us-east-1:123456789012:x',
    );
  });

  it("answers 502 for AWS refusing the gateway's own credentials, 403 for a model access refusal", () => {
    const unknownKey = answerFor(
      403,
      { message: 'The security token included in the request is invalid.' },
      { 'x-amzn-errortype': 'UnrecognizedClientException:http://internal.amazon.com/coral/' },
    );
    expect([unknownKey.status, unknownKey.json.error.type]).toEqual([502, 'api_error']);
    const denied = answerFor(
      403,
      { message: "You don't have access to the model" },
      { 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/coral/' },
    );
    expect([denied.status, denied.json.error.type]).toEqual([403, 'permission_error']);
  });
});
