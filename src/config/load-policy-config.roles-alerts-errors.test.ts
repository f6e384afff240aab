// Bad permissions.yaml and alerts.yaml files: unknown and cyclic roles, bad permissions, conditions, channels.

import { afterAll, describe, expect, it } from 'vitest';
import { cleanupConfigTrees, errorsOf, onlyError } from './test-support/config-tree.ts';

afterAll(cleanupConfigTrees);

const HIERARCHY = `tenant: {id: acme, name: Acme}
business_units:
  - id: engineering
    teams:
      - id: platform
        members:
          - email: alice@acme.test
            roles: [developer]
`;

describe('permissions.yaml problems', () => {
  it('reports a role inheriting an unknown role, with did-you-mean', async () => {
    const error = await onlyError({
      'permissions.yaml':
        'roles:\n  viewer: [rules:read]\n  lead:\n    permissions: [budgets:read]\n    inherits: [veiwer]\n',
    });
    expect(error).toMatchObject({
      file: 'permissions.yaml',
      line: 5,
      column: 16,
      path: 'roles.lead.inherits[0]',
      message: 'role "lead" inherits unknown role "veiwer"',
      hint: 'did you mean "viewer"?',
    });
  });

  it('reports an inheritance cycle with its path, once', async () => {
    const error = await onlyError({
      'permissions.yaml':
        'roles:\n  a:\n    inherits: [b]\n  b:\n    inherits: [c]\n  c:\n    inherits: [a]\n',
    });
    expect(error).toMatchObject({
      line: 3,
      column: 16,
      path: 'roles.a.inherits[0]',
      message: 'role inheritance cycle: a → b → c → a',
    });
  });

  it('reports a role inheriting itself', async () => {
    const error = await onlyError({ 'permissions.yaml': 'roles:\n  a:\n    inherits: [a]\n' });
    expect(error.message).toBe('role inheritance cycle: a → a');
  });

  it('reports a malformed permission string', async () => {
    const error = await onlyError({ 'permissions.yaml': 'roles:\n  admin: [agents:*, rules]\n' });
    expect(error).toMatchObject({
      line: 2,
      column: 21,
      path: 'roles.admin[1]',
      message: 'invalid permission "rules"',
      hint: 'write resource:action, e.g. rules:read or agents:*',
    });
  });

  it('reports an unknown permission resource with did-you-mean', async () => {
    const error = await onlyError({ 'permissions.yaml': 'roles:\n  admin: [agent:*]\n' });
    expect(error).toMatchObject({
      message: 'unknown resource "agent" in permission "agent:*"',
      hint: 'did you mean "agents"?',
    });
  });

  it('reports an unknown key in a role object', async () => {
    const error = await onlyError({ 'permissions.yaml': 'roles:\n  lead:\n    permission: [rules:read]\n' });
    expect(error).toMatchObject({
      line: 3,
      column: 5,
      path: 'roles.lead.permission',
      hint: 'did you mean "permissions"?',
    });
  });
});

describe('alerts.yaml problems', () => {
  it('reports a malformed condition', async () => {
    const error = await onlyError({
      'alerts.yaml': 'alerts:\n  - name: cost\n    condition: daily_cost over 100\n    action: page\n',
    });
    expect(error).toMatchObject({
      file: 'alerts.yaml',
      line: 3,
      column: 16,
      path: 'alerts[0].condition',
      message: 'invalid alert condition "daily_cost over 100"',
    });
  });

  it('reports a condition mixing $ and %', async () => {
    const error = await onlyError({
      'alerts.yaml': 'alerts:\n  - name: cost\n    condition: daily_cost > $5%\n    action: page\n',
    });
    expect(error.message).toBe(
      'a condition value cannot be both dollars and a percentage: "daily_cost > $5%"',
    );
  });

  it('reports an action that names no channel, with did-you-mean, even next to other problems', async () => {
    const errors = await errorsOf({
      'alerts.yaml':
        'alerts:\n  - name: ctx\n    condition: context_usage > 90%\n    severity: urgent\n    action: opps\nchannels:\n  ops: {type: webhook, url: "https://hooks.test/x"}\n',
    });
    expect(errors).toEqual([
      expect.objectContaining({
        line: 4,
        column: 15,
        path: 'alerts[0].severity',
        message: 'invalid value string "urgent"',
      }),
      expect.objectContaining({
        line: 5,
        column: 13,
        path: 'alerts[0].action',
        message: 'action "opps" names no channel',
        hint: 'did you mean "ops"?',
      }),
    ]);
  });

  it('reports an email channel without recipients', async () => {
    const error = await onlyError({ 'alerts.yaml': 'channels:\n  finance:\n    type: email\n' });
    expect(error).toMatchObject({
      line: 3,
      column: 11,
      path: 'channels.finance.type',
      message: 'an email channel needs "to" (a list of addresses)',
    });
  });

  it('reports an alert scope pointing at an unknown team', async () => {
    const error = await onlyError({
      'org/hierarchy.yaml': HIERARCHY,
      'alerts.yaml':
        'alerts:\n  - name: c\n    condition: daily_cost > $5\n    action: x\n    scope: team:platfrom\n',
    });
    expect(error).toMatchObject({
      line: 5,
      column: 12,
      path: 'alerts[0].scope',
      message: 'unknown team "platfrom"',
      hint: 'did you mean "platform"?',
    });
  });
});
