// A raw route keeps the HTTP edge's conventions: request ids, security headers, the uniform error body,
// body limits, and `connection: close` once shutdown begins; everything else still reaches Fastify.
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../core/errors/app-error.ts';
import { buildApp } from './build-app.ts';
import { createLogger } from './create-logger.ts';
import { readBody } from './raw-routes.ts';

async function serve() {
  const app = buildApp({ logger: createLogger('silent'), bodyLimit: 1024 });
  app.rawRoutes.add('POST', '/raw', async ({ req, res, baseHeaders }) => {
    const body = await readBody(req, 16, 'test.limit');
    if (body.toString() === 'refuse') throw new ValidationError('refused on purpose', { field: 'body' });
    if (body.toString() === 'crash') throw new Error('secret detail');
    res.writeHead(200, { ...baseHeaders(), 'content-type': 'text/plain' });
    res.end(`got ${body.length}`);
  });
  app.get('/fastify', async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}` };
}

describe('raw routes', () => {
  let served: Awaited<ReturnType<typeof serve>> | undefined;
  afterEach(async () => {
    await served?.app.close();
    served = undefined;
  });

  it('answers with the request id and the security headers, whatever the query string', async () => {
    served = await serve();
    const answer = await fetch(`${served.url}/raw?beta=true`, {
      method: 'POST',
      body: 'hello',
      headers: { 'x-request-id': 'req-42' },
    });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('got 5');
    expect(answer.headers.get('x-request-id')).toBe('req-42');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const fastify = await fetch(`${served.url}/fastify`);
    expect(await fastify.json()).toEqual({ ok: true });
  });

  it('maps errors to the uniform body and never leaks an unexpected error', async () => {
    served = await serve();
    const refused = await fetch(`${served.url}/raw`, { method: 'POST', body: 'refuse' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'refused on purpose', details: { field: 'body' } },
    });
    const crashed = await fetch(`${served.url}/raw`, { method: 'POST', body: 'crash' });
    expect(crashed.status).toBe(500);
    const text = await crashed.text();
    expect(text).not.toContain('secret detail');
    expect(JSON.parse(text).error.message).toContain(crashed.headers.get('x-request-id')!);
  });

  it('refuses a body over the limit with 413, naming the setting', async () => {
    served = await serve();
    const answer = await fetch(`${served.url}/raw`, { method: 'POST', body: 'x'.repeat(17) });
    expect(answer.status).toBe(413);
    expect(await answer.json()).toMatchObject({
      error: { type: 'request_too_large', message: expect.stringContaining('test.limit') },
    });
  });

  it('asks clients to close their connection once shutdown begins', async () => {
    served = await serve();
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    served.app.rawRoutes.add('POST', '/slow', async ({ res, baseHeaders }) => {
      await held;
      res.writeHead(200, baseHeaders());
      res.end();
    });
    const answer = fetch(`${served.url}/slow`, { method: 'POST', body: '' });
    await new Promise((r) => setTimeout(r, 50));
    const closing = served.app.close();
    await new Promise((r) => setTimeout(r, 20));
    release();
    expect((await answer).headers.get('connection')).toBe('close');
    await closing;
    served = undefined;
  });
});
