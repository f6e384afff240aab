// The acme example against real Claude Code 2.1.330 PreToolUse payloads and the acceptance cases.

import { beforeAll, describe, expect, it } from 'vitest';
import { hookEventFixtures } from '../../../test/support/claude-code-fixtures.ts';
import { loadPolicyConfig } from '../../config/load-policy-config.ts';
import { compilePolicy } from './compile-policy.ts';
import type { CompiledPolicy } from './compiled-types.ts';
import { decide } from './decide.ts';
import type { PolicyPrincipal } from './types.ts';

interface HookEvent {
  hook_event_name: string;
  cwd: string;
  tool_name?: string;
  tool_input?: Record<string, unknown>;
  agent_type?: string;
}

const alice: PolicyPrincipal = {
  tenantId: 'acme',
  userId: 'alice@acme.test',
  roles: ['developer'],
  groups: ['engineers'],
  businessUnitId: 'engineering',
  teamId: 'platform',
};

let policy: CompiledPolicy;

beforeAll(async () => {
  const loaded = await loadPolicyConfig('examples/acme/.claude', { env: {} });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  expect(loaded.warnings).toEqual([]);
  policy = compilePolicy(loaded.config, 'acme-example');
});

describe('the acme example against real Claude Code hook payloads', () => {
  const events = (hookEventFixtures() as unknown as HookEvent[]).filter(
    (event) => event.hook_event_name === 'PreToolUse',
  );

  it('has PreToolUse events to check', () => {
    expect(events.length).toBeGreaterThan(0);
  });

  it('denies the fixture Read of .env, naming the security rule', () => {
    const read = events.find(
      (e) => e.tool_name === 'Read' && String(e.tool_input?.file_path).endsWith('/.env'),
    );
    expect(read).toBeDefined();
    const decision = decide(policy, {
      principal: alice,
      toolName: read!.tool_name!,
      toolInput: read!.tool_input!,
      cwd: read!.cwd,
      ...(read!.agent_type ? { agent: read!.agent_type } : {}),
    });
    expect(decision.outcome).toBe('deny');
    expect(decision.reason).toBe(
      'Read of .env denied by rule tenant:acme/deny[0] "Read(.env*)" (security policy)',
    );
    expect(decision.revision).toBe('acme-example');
  });

  it('decides every fixture PreToolUse without error', () => {
    for (const event of events) {
      const decision = decide(policy, {
        principal: alice,
        toolName: event.tool_name ?? '',
        toolInput: event.tool_input ?? {},
        cwd: event.cwd,
      });
      expect(decision.reason).not.toContain('internal error');
    }
  });

  it.each([
    ['alice@acme.test', 'Bash', { command: 'cat .env' }, 'deny'],
    ['alice@acme.test', 'Bash', { command: 'echo x && cat .env' }, 'deny'],
    ['alice@acme.test', 'Edit', { file_path: 'src/app.ts' }, 'allow'],
    ['victor@acme.test', 'Edit', { file_path: 'src/app.ts' }, 'deny'],
    ['alice@acme.test', 'Bash', { command: 'git push --force origin main' }, 'deny'],
    ['alice@acme.test', 'Bash', { command: 'git push origin main' }, 'ask'],
    ['alice@acme.test', 'Bash', { command: 'git commit -m wip' }, 'allow'],
    ['frank@acme.test', 'Edit', { file_path: 'services/payments/charge.ts' }, 'ask'],
    ['frank@acme.test', 'Edit', { file_path: 'infra/staging/main.tf' }, 'deny'],
    ['frank@acme.test', 'Bash', { command: 'npm publish' }, 'ask'],
  ])('%s %s %j → %s', (user, tool, input, expected) => {
    const principal: PolicyPrincipal =
      user === 'victor@acme.test'
        ? {
            tenantId: 'acme',
            userId: user,
            roles: ['viewer'],
            groups: [],
            businessUnitId: 'data',
            teamId: 'analytics',
          }
        : user === 'frank@acme.test'
          ? { ...alice, userId: user, teamId: 'payments' }
          : alice;
    const decision = decide(policy, {
      principal,
      toolName: tool,
      toolInput: input,
      cwd: '/home/dev/acme-app',
    });
    expect(decision.outcome, decision.reason).toBe(expected);
  });
});
