import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../core/bundles/canonical-json.ts';
import { loadPolicyConfig } from './load-policy-config.ts';
import { resolveSecret } from './resolve-secret.ts';
import { cleanupConfigTrees, writeConfigTree } from './test-support/config-tree.ts';

const OAUTH = (secret: string) =>
  `security:\n  oauth:\n    provider: okta\n    client_id: \${OKTA_CLIENT_ID}\n    client_secret: ${secret}\n    scopes: [openid]\n`;

afterEach(cleanupConfigTrees);

describe('secret fields', () => {
  it('keep their ${VAR} reference in the loaded config, while other fields are substituted', async () => {
    const dir = writeConfigTree({ 'config.yaml': OAUTH('${OKTA_CLIENT_SECRET}') });
    const result = await loadPolicyConfig(dir, {
      env: { OKTA_CLIENT_ID: 'acme-id', OKTA_CLIENT_SECRET: 's3cr3t-value' },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.config.security.oauth).toMatchObject({
      client_id: 'acme-id',
      client_secret: '${OKTA_CLIENT_SECRET}',
    });
    expect(canonicalJson(result.config)).not.toContain('s3cr3t-value');
  });

  it('still require the variable to be set (or defaulted) at validation time', async () => {
    const dir = writeConfigTree({ 'config.yaml': OAUTH('${OKTA_CLIENT_SECRET}') });
    const result = await loadPolicyConfig(dir, { env: { OKTA_CLIENT_ID: 'acme-id' } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toMatchObject({
      line: 5,
      path: 'security.oauth.client_secret',
      message: 'environment variable OKTA_CLIENT_SECRET is not set',
    });
  });

  it('warn when written in plain text', async () => {
    const dir = writeConfigTree({ 'config.yaml': OAUTH('hunter2') });
    const result = await loadPolicyConfig(dir, { env: { OKTA_CLIENT_ID: 'acme-id' } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toEqual([
      expect.objectContaining({
        line: 5,
        column: 20,
        path: 'security.oauth.client_secret',
        severity: 'warning',
        message: 'a secret is written in plain text',
      }),
    ]);
  });

  it('resolve from the using process environment, with a clear error when unset', () => {
    expect(
      resolveSecret('${OKTA_CLIENT_SECRET}', { OKTA_CLIENT_SECRET: 'v' }, 'security.oauth.client_secret'),
    ).toBe('v');
    expect(resolveSecret('${X:-fallback}', {}, 'f')).toBe('fallback');
    expect(() => resolveSecret('${OKTA_CLIENT_SECRET}', {}, 'security.oauth.client_secret')).toThrow(
      'security.oauth.client_secret: environment variable OKTA_CLIENT_SECRET is not set',
    );
  });
});
