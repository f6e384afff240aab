// alerts.yaml's delivery settings: channel secrets, SMTP, budget alerts and timing, and the errors they raise.

import { afterAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../core/bundles/canonical-json.ts';
import { loadPolicyConfig } from './load-policy-config.ts';
import {
  cleanupConfigTrees,
  errorsOf,
  onlyError,
  problemsOf,
  writeConfigTree,
} from './test-support/config-tree.ts';

afterAll(cleanupConfigTrees);

const FULL = `evaluation_interval: 15s
smtp:
  host: smtp.acme.test
  port: 2525
  username: alerts
  password: \${SMTP_PASSWORD}
  from: LLM-RULES <alerts@acme.test>
budget_alerts:
  action: finance
  severity: critical
alerts:
  - name: errors
    condition: error_rate > 5%
    for: 5m
    renotify: 1h
    action: pager
channels:
  hook:
    type: webhook
    url: https://hooks.acme.test/llm-rules
    secret: \${HOOK_SECRET}
  pager:
    type: pagerduty
    routing_key: \${PD_KEY}
  finance:
    type: email
    to: [finance@acme.test]
    smtp: {port: 465, secure: true}
`;

const ENV = { SMTP_PASSWORD: 'smtp-pw-value', HOOK_SECRET: 'hook-secret-value', PD_KEY: 'pd-key-value' };

describe('alerts.yaml delivery settings', () => {
  it('loads every setting, keeping secrets as their ${VAR} references', async () => {
    const dir = writeConfigTree({ 'alerts.yaml': FULL });
    const result = await loadPolicyConfig(dir, { env: ENV });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toEqual([]);
    expect(result.config.alerts).toEqual({
      evaluation_interval: '15s',
      smtp: {
        host: 'smtp.acme.test',
        port: 2525,
        username: 'alerts',
        password: '${SMTP_PASSWORD}',
        from: 'LLM-RULES <alerts@acme.test>',
      },
      budget_alerts: { action: 'finance', severity: 'critical' },
      alerts: [
        {
          name: 'errors',
          condition: 'error_rate > 5%',
          severity: 'warning',
          for: '5m',
          renotify: '1h',
          action: 'pager',
        },
      ],
      channels: {
        hook: { type: 'webhook', url: 'https://hooks.acme.test/llm-rules', secret: '${HOOK_SECRET}' },
        pager: { type: 'pagerduty', routing_key: '${PD_KEY}' },
        finance: { type: 'email', to: ['finance@acme.test'], smtp: { port: 465, secure: true } },
      },
    });
    const bundle = canonicalJson(result.config);
    for (const value of Object.values(ENV)) expect(bundle).not.toContain(value);
  });

  it('warns about a signing secret written in plain text', async () => {
    const problems = await problemsOf({
      'alerts.yaml':
        'channels:\n  hook:\n    type: webhook\n    url: https://h.test/x\n    secret: hunter2\n',
    });
    expect(problems).toEqual([
      expect.objectContaining({
        line: 5,
        path: 'channels.hook.secret',
        severity: 'warning',
        message: 'a secret is written in plain text',
      }),
    ]);
  });

  it('requires a routing key on a pagerduty channel', async () => {
    const error = await onlyError({ 'alerts.yaml': 'channels:\n  pager:\n    type: pagerduty\n' });
    expect(error).toMatchObject({
      file: 'alerts.yaml',
      line: 3,
      column: 11,
      path: 'channels.pager.type',
      message: 'a pagerduty channel needs a "routing_key" (the integration key of an Events API v2 service)',
      hint: 'routing_key: ${PAGERDUTY_ROUTING_KEY}',
    });
  });

  it('names a field that does not apply to the channel type, at its key', async () => {
    const error = await onlyError({
      'alerts.yaml': 'channels:\n  team:\n    type: slack\n    url: https://h.test/x\n    secret: ${S:-x}\n',
    });
    expect(error).toMatchObject({
      line: 5,
      column: 5,
      path: 'channels.team.secret',
      message: '"secret" does not apply to a slack channel',
      hint: 'a slack channel takes: url',
    });
  });

  it('reports a URL that is not absolute http(s)', async () => {
    const error = await onlyError({
      'alerts.yaml': 'channels:\n  hook:\n    type: webhook\n    url: hooks.acme.test/x\n',
    });
    expect(error).toMatchObject({
      line: 4,
      column: 10,
      path: 'channels.hook.url',
      message: 'invalid URL "hooks.acme.test/x"',
    });
  });

  it('requires SMTP host and sender for an email channel, from the file or the channel', async () => {
    const missing = await onlyError({
      'alerts.yaml': 'channels:\n  finance:\n    type: email\n    to: [f@acme.test]\n',
    });
    expect(missing).toMatchObject({
      line: 3,
      path: 'channels.finance.type',
      message: 'an email channel needs SMTP settings: "host" and "from"',
    });
    const partial = await onlyError({
      'alerts.yaml':
        'smtp: {host: smtp.acme.test}\nchannels:\n  finance:\n    type: email\n    to: [f@acme.test]\n',
    });
    expect(partial.message).toBe('an email channel needs SMTP settings: "from"');
    expect(
      await errorsOf({
        'alerts.yaml':
          'smtp: {host: smtp.acme.test}\nchannels:\n  finance:\n    type: email\n    to: [f@acme.test]\n    smtp: {from: a@acme.test}\n',
      }),
    ).toEqual([]);
  });

  it('reports SMTP typos and a malformed sender where they are written', async () => {
    const errors = await errorsOf({
      'alerts.yaml': 'smtp:\n  host: smtp.acme.test\n  usernme: alerts\n  from: Alerts <nobody>\n',
    });
    expect(errors).toEqual([
      expect.objectContaining({
        line: 3,
        path: 'smtp.usernme',
        message: 'unknown key "usernme"',
        hint: 'did you mean "username"?',
      }),
      expect.objectContaining({ line: 4, path: 'smtp.from', message: 'invalid sender "Alerts <nobody>"' }),
    ]);
  });

  it('checks that budget alerts go to a channel', async () => {
    const error = await onlyError({
      'alerts.yaml':
        'budget_alerts:\n  action: finanse\nchannels:\n  finance: {type: webhook, url: "https://h.test/x"}\n',
    });
    expect(error).toMatchObject({
      line: 2,
      column: 11,
      path: 'budget_alerts.action',
      message: 'action "finanse" names no channel',
      hint: 'did you mean "finance"?',
    });
  });

  it('bounds the re-notify and evaluation intervals', async () => {
    const errors = await errorsOf({
      'alerts.yaml':
        'evaluation_interval: 2h\nalerts:\n  - name: c\n    condition: daily_cost > $5\n    action: x\n    renotify: 10s\n',
    });
    expect(errors.map((e) => [e.line, e.path, e.message])).toEqual([
      [1, 'evaluation_interval', 'must be between 1s and 1h, got "2h"'],
      [6, 'alerts[0].renotify', 'must be between 1m and 30d, got "10s"'],
    ]);
  });

  it('adds nothing to a file without the new settings, so existing bundles keep their revisions', async () => {
    const dir = writeConfigTree({
      'alerts.yaml': 'alerts:\n  - name: c\n    condition: daily_cost > $5\n    action: x\n',
    });
    const result = await loadPolicyConfig(dir, { env: {} });
    expect(result.ok && result.config.alerts).toEqual({
      alerts: [{ name: 'c', condition: 'daily_cost > $5', severity: 'warning', action: 'x' }],
      channels: {},
    });
  });
});
