import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../http/build-app.ts';
import { createLogger } from '../../http/create-logger.ts';
import { metricsRoutes } from './metrics-routes.ts';

const TOKEN = 'a-metrics-token-of-some-length';

describe('GET /metrics', () => {
  const apps: ReturnType<typeof buildApp>[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  function appWith(token: string | undefined) {
    const app = buildApp({ logger: createLogger('silent'), bodyLimit: 1024 });
    metricsRoutes(app, { scrape: async () => '# HELP up Up.\n# TYPE up gauge\nup 1\n', token });
    apps.push(app);
    return app;
  }

  it('with a token configured, refuses a scrape without it or with another, in the uniform error shape', async () => {
    const app = appWith(TOKEN);
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${TOKEN}x` }]) {
      const response = await app.inject({ method: 'GET', url: '/metrics', headers });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(response.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
      expect(response.body).not.toContain(TOKEN);
    }
  });

  it('with the token, answers the text exposition format', async () => {
    const response = await appWith(TOKEN).inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(response.body).toContain('up 1');
  });

  it('without a token configured, is open', async () => {
    const response = await appWith(undefined).inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
  });
});
