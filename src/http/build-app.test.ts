import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, NotFoundError, ValidationError } from '../core/errors/app-error.ts';
import { buildApp } from './build-app.ts';
import { createLogger } from './create-logger.ts';

function appWithRoutes() {
  const app = buildApp({ logger: createLogger('silent'), bodyLimit: 1024 });
  app.get('/missing', async () => {
    throw new NotFoundError('key', 'abc');
  });
  app.post('/validated', async (request) => {
    const parsed = z.object({ name: z.string() }).safeParse(request.body);
    if (!parsed.success) throw new ValidationError('name: expected a string', { field: 'name' });
    return { ok: true };
  });
  app.get('/config', async () => {
    throw new ConfigError('bad config', { problems: [{ file: 'config.yaml', line: 1 }] });
  });
  app.get('/boom', async () => {
    throw new Error('database password is hunter2');
  });
  return app;
}

describe('the HTTP edge', () => {
  let app: ReturnType<typeof appWithRoutes>;
  afterEach(async () => {
    await app.close();
  });

  it('maps AppErrors to their status and the uniform error body', async () => {
    app = appWithRoutes();
    const response = await app.inject({ method: 'GET', url: '/missing' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      type: 'error',
      error: { type: 'not_found_error', message: "key 'abc' was not found.", details: { key: 'abc' } },
    });
  });

  it('names the field of a validation error', async () => {
    app = appWithRoutes();
    const response = await app.inject({ method: 'POST', url: '/validated', payload: { name: 3 } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      type: 'invalid_request_error',
      details: { field: 'name' },
    });
  });

  it('rejects malformed JSON and oversized bodies with clear errors', async () => {
    app = appWithRoutes();
    const malformed = await app.inject({
      method: 'POST',
      url: '/validated',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.type).toBe('invalid_request_error');
    const large = await app.inject({
      method: 'POST',
      url: '/validated',
      payload: { name: 'x'.repeat(2000) },
    });
    expect(large.statusCode).toBe(413);
    expect(large.json().error).toMatchObject({
      type: 'request_too_large',
      message: expect.stringMatching(/max_file_size/),
    });
  });

  it('hides internal error messages behind the request id', async () => {
    app = appWithRoutes();
    const response = await app.inject({ method: 'GET', url: '/boom', headers: { 'x-request-id': 'req-42' } });
    expect(response.statusCode).toBe(500);
    expect(response.json().error.message).toBe('Internal error; quote request id req-42 when reporting it.');
    expect(response.body).not.toContain('hunter2');
    expect(response.headers['x-request-id']).toBe('req-42');
  });

  it('answers unknown routes with 404 in the same shape, and sets security headers', async () => {
    app = appWithRoutes();
    const response = await app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toEqual({ type: 'not_found_error', message: 'No route for GET /nope.' });
    expect(response.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('generates a request id when the incoming one is unsafe', async () => {
    app = appWithRoutes();
    const response = await app.inject({
      method: 'GET',
      url: '/nope',
      headers: { 'x-request-id': 'bad id\n' },
    });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never logs the sign-in codes and tokens a query string can carry', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => lines.push(line) });
    app = buildApp({ logger, bodyLimit: 1024 });
    app.get('/oauth/callback', async () => ({ ok: true }));
    await app.inject({
      method: 'GET',
      url: '/oauth/callback?code=AUTHCODE123&state=STATE456&iss=https%3A%2F%2Fidp',
    });
    await app.inject({ method: 'GET', url: '/device?user_code=WDJB-MJHT' });
    const logged = lines.join('\n');
    expect(logged).toContain('/oauth/callback?code=[redacted]&state=[redacted]&iss=');
    for (const secret of ['AUTHCODE123', 'STATE456', 'WDJB-MJHT']) expect(logged).not.toContain(secret);
  });
});
