import { describe, expect, it } from 'vitest';
import { minimalPolicyConfig } from '../../../test/support/minimal-policy-config.ts';
import { HOOK_EVENTS } from '../hooks/hook-input.ts';
import { denyMirror } from './deny-mirror.ts';
import { managedSettings } from './managed-settings.ts';

describe('managed settings from connect', () => {
  const settings = managedSettings({
    serverUrl: 'https://rules.acme.test/',
    tokenVariable: 'LLM_RULES_TOKEN',
    gatewayUrl: 'https://rules.acme.test',
    denyMirror: ['Read(**/.env*)', 'Read(**/.env*)'],
  }) as {
    hooks: Record<string, { matcher?: string; hooks: Record<string, unknown>[] }[]>;
    env: Record<string, string>;
    permissions: { deny: string[] };
    apiKeyHelper: string;
  };

  it('sends every hook event to the server over HTTP, failing closed, with the token from the environment', () => {
    expect(Object.keys(settings.hooks).sort()).toEqual([...HOOK_EVENTS].sort());
    expect(settings.hooks.PreToolUse).toEqual([
      {
        matcher: '*',
        hooks: [
          {
            type: 'http',
            url: 'https://rules.acme.test/v1/hooks/claude-code',
            headers: { Authorization: 'Bearer $LLM_RULES_TOKEN' },
            allowedEnvVars: ['LLM_RULES_TOKEN'],
            timeout: 10,
            onFailure: 'block',
          },
        ],
      },
    ]);
    expect(settings.hooks.SessionStart?.[0]?.matcher).toBeUndefined();
    // SessionStart runs command hooks only: the same POST, through curl, token from the environment.
    expect(settings.hooks.SessionStart?.[0]?.hooks[0]).toMatchObject({
      type: 'command',
      command: expect.stringMatching(
        /; curl .*"Authorization: Bearer \$LLM_RULES_TOKEN".* 'https:\/\/rules\.acme\.test\/v1\/hooks\/claude-code'$/,
      ),
    });
    expect(JSON.stringify(settings)).not.toMatch(/llmr_/);
  });

  it('routes model calls and telemetry to the server and only references the token', () => {
    expect(settings.env).toMatchObject({
      ANTHROPIC_BASE_URL: 'https://rules.acme.test',
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://rules.acme.test',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    expect(settings.apiKeyHelper).toBe('printenv LLM_RULES_TOKEN');
    expect(settings.permissions.deny).toEqual(['Read(**/.env*)']);
  });

  it('leaves the model endpoint alone without a gateway', () => {
    const noGateway = managedSettings({
      serverUrl: 'http://x',
      tokenVariable: 'T',
      gatewayUrl: null,
      denyMirror: [],
    }) as {
      env: Record<string, string>;
    };
    expect(noGateway.env.ANTHROPIC_BASE_URL).toBeUndefined();
  });
});

describe('deny mirror', () => {
  it('mirrors only the denies every agent shares, as Claude Code rules with gitignore-like paths', () => {
    const content = minimalPolicyConfig();
    const base = content.config.agent_routing.developer!;
    content.config.agent_routing.developer = {
      ...base,
      permissions: { ...base.permissions, deny: ['.env*', 'secrets/**', 'Bash(rm -rf:*)'] },
    };
    content.config.agent_routing.analyst = {
      ...base,
      permissions: { ...base.permissions, deny: ['.env*', 'secrets/**', 'Bash(rm -rf:*)', 'docs/**'] },
    };
    expect(denyMirror(content, 'acme')).toEqual([
      'Bash(rm -rf:*)',
      'Edit(**/.env*)',
      'Edit(./secrets/**)',
      'Read(**/.env*)',
      'Read(./secrets/**)',
    ]);
    expect(denyMirror(content, 'nobody')).toEqual([]);
  });
});
