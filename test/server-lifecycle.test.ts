// Server lifecycle: graceful shutdown lets in-flight requests finish; TLS serves HTTPS; /readyz is
// 503 until a bundle is active.
import { request as httpsRequest } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/http/create-logger.ts';
import { resolveServerOptions } from '../src/http/server-options.ts';
import { type ServerHandle, startServer } from '../src/server.ts';
import { createStorage } from '../src/storage/create-storage.ts';
import { selfSigned } from './support/self-signed.ts';
import { tempDir } from './support/temp-dir.ts';

const silent = createLogger('silent');
const options = (values: Record<string, unknown> = {}) =>
  resolveServerOptions([{ name: 'test', values: { port: 0, logLevel: 'silent', ...values } }]);

describe('server lifecycle', () => {
  let server: ServerHandle | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('is not ready without an active bundle, and says what to do', async () => {
    server = await startServer(options(), { storage: await createStorage({ memory: true }), logger: silent });
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: 'not_ready',
      bundle: null,
      checks: { storage: 'ok', bundle: expect.stringMatching(/llm-rules apply/) },
    });
  });

  it('finishes in-flight requests on close and then refuses new connections', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => {};
    const requestStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    server = await startServer(options(), {
      storage: await createStorage({ memory: true }),
      logger: silent,
      extraRoutes: (app) =>
        app.get('/slow', async () => {
          started();
          await gate;
          return { finished: true };
        }),
    });
    const url = server.url;
    const inFlight = fetch(`${url}/slow`);
    await requestStarted;
    const closing = server.close();
    setTimeout(release, 200);
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ finished: true });
    await closing;
    server = undefined;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('serves HTTPS with the given certificate and key', async () => {
    const dir = await tempDir();
    try {
      const { certPath: cert, keyPath: key } = selfSigned(dir.path, '127.0.0.1');
      server = await startServer(options({ tlsCert: cert, tlsKey: key }), {
        storage: await createStorage({ memory: true }),
        logger: silent,
      });
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const { status, hsts } = await new Promise<{ status: number; hsts: unknown }>((resolve, reject) => {
        httpsRequest(`${server!.url}/healthz`, { rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, hsts: res.headers['strict-transport-security'] });
        })
          .on('error', reject)
          .end();
      });
      expect(status).toBe(200);
      expect(hsts).toMatch(/max-age=/);
    } finally {
      await dir.remove();
    }
  });
});
