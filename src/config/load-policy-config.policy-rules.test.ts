// policy: blocks at every org level: valid forms load into the bundle; mistakes are located precisely.

import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyConfig } from './load-policy-config.ts';
import {
  cleanupConfigTrees,
  errorsOf,
  onlyError,
  problemsOf,
  writeConfigTree,
} from './test-support/config-tree.ts';

afterAll(cleanupConfigTrees);

const HIERARCHY = `tenant: {id: acme, name: Acme}
business_units:
  - id: engineering
    policy: {allow: [Bash(git commit:*)]}
    teams:
      - id: platform
        policy:
          security: true
          deny: [Edit(infra/**)]
        members:
          - email: alice@acme.test
            roles: [developer]
            policy: {ask: [Bash(npm publish:*)]}
teams:
  - id: analytics
    business_unit: engineering
    policy: {deny: [WebFetch]}
groups:
  - id: eng
    idp_group: acme-eng
    roles: [developer]
    policy: {allow: [mcp__github__*]}
`;

describe('policy rules in the config', () => {
  it('loads rules at the tenant, business units, teams, members, groups and roles', async () => {
    const dir = writeConfigTree({
      'config.yaml': `policy:
  decision: ask
  default_agent: qa
  case_insensitive_paths: true
  security: true
  deny: [Read(.env*), "Bash(git push --force:*)"]
  ask: [Bash(git push:*)]
  allow: [WebFetch(domain:docs.acme.test)]
`,
      'permissions.yaml': `roles:
  developer: [agents:developer, rules:read]
  viewer:
    permissions: [rules:read]
    policy: {deny: [Edit, Write, Bash]}
`,
      'org/hierarchy.yaml': HIERARCHY,
    });
    const result = await loadPolicyConfig(dir, { env: {} });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const { config, org, roles } = result.config;
    expect(config.policy).toEqual({
      decision: 'ask',
      default_agent: 'qa',
      case_insensitive_paths: true,
      security: true,
      deny: ['Read(.env*)', 'Bash(git push --force:*)'],
      ask: ['Bash(git push:*)'],
      allow: ['WebFetch(domain:docs.acme.test)'],
    });
    expect(roles.viewer?.policy).toEqual({
      allow: [],
      ask: [],
      deny: ['Edit', 'Write', 'Bash'],
      security: false,
    });
    const engineering = org.business_units[0]!;
    expect(engineering.policy?.allow).toEqual(['Bash(git commit:*)']);
    expect(engineering.teams[0]?.policy).toEqual({
      allow: [],
      ask: [],
      deny: ['Edit(infra/**)'],
      security: true,
    });
    expect(engineering.teams[0]?.members[0]?.policy?.ask).toEqual(['Bash(npm publish:*)']);
    expect(engineering.teams[1]?.policy?.deny).toEqual(['WebFetch']);
    expect(org.groups[0]?.policy?.allow).toEqual(['mcp__github__*']);
  });

  it('reports an unknown tool in a tenant rule with its position and a did-you-mean', async () => {
    const error = await onlyError({ 'config.yaml': 'policy:\n  deny: [Read(.env), Reed(secrets/**)]\n' });
    expect(error).toMatchObject({
      file: 'config.yaml',
      line: 2,
      column: 22,
      path: 'policy.deny[1]',
      message: 'unknown tool "Reed" in permission rule "Reed(secrets/**)"',
      hint: 'did you mean "Read"?',
    });
  });

  it('reports a lowercase alias, which is not a permission rule', async () => {
    const error = await onlyError({ 'config.yaml': 'policy:\n  allow: [bash]\n' });
    expect(error).toMatchObject({ path: 'policy.allow[0]', message: '"bash" is not a permission rule' });
    expect(error.hint).toContain('Claude Code tool names');
  });

  it('reports a bare glob, suggesting the rule forms', async () => {
    const error = await onlyError({ 'config.yaml': 'policy:\n  deny: [".env*"]\n' });
    expect(error).toMatchObject({ path: 'policy.deny[0]', message: '".env*" is not a permission rule' });
    expect(error.hint).toBe('write Tool(specifier), e.g. Read(.env*) or Edit(.env*)');
  });

  it('reports a bad Bash rule and a bad WebFetch rule on a team', async () => {
    const errors = await errorsOf({
      'org/hierarchy.yaml': `tenant: {id: acme}
business_units:
  - id: eng
    teams:
      - id: platform
        policy:
          deny: ["Bash(git:* push)", WebFetch(x.com)]
`,
    });
    expect(errors).toMatchObject([
      {
        file: 'org/hierarchy.yaml',
        line: 7,
        path: 'business_units[0].teams[0].policy.deny[0]',
        message: '":*" may only end a command rule: "git:* push" in permission rule "Bash(git:* push)"',
      },
      {
        line: 7,
        path: 'business_units[0].teams[0].policy.deny[1]',
        message: 'WebFetch rules match a domain: "WebFetch(x.com)"',
        hint: 'write WebFetch(domain:example.com)',
      },
    ]);
  });

  it('reports an unknown key in a policy block, with a hint', async () => {
    const error = await onlyError({
      'permissions.yaml': 'roles:\n  viewer:\n    permissions: [rules:read]\n    policy: {denny: [Edit]}\n',
    });
    expect(error).toMatchObject({
      file: 'permissions.yaml',
      line: 4,
      path: 'roles.viewer.policy.denny',
      message: 'unknown key "denny"',
      hint: 'did you mean "deny"?',
    });
  });

  it('reports a security flag that is not a boolean', async () => {
    const error = await onlyError({ 'config.yaml': 'policy:\n  security: "yes"\n' });
    expect(error).toMatchObject({
      line: 2,
      path: 'policy.security',
      hint: 'write true or false without quotes',
    });
  });

  it('reports an invalid default_agent name', async () => {
    const error = await onlyError({ 'config.yaml': 'policy:\n  default_agent: Dev Bot\n' });
    expect(error).toMatchObject({
      line: 2,
      path: 'policy.default_agent',
      message: 'invalid agent name "Dev Bot"',
    });
  });

  it('warns when default_agent names no agent profile', async () => {
    const dir = writeConfigTree({
      'config.yaml': 'agent_routing:\n  developer: {}\npolicy:\n  default_agent: develper\n',
    });
    const result = await loadPolicyConfig(dir, { env: {} });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.warnings).toMatchObject([
      {
        line: 4,
        path: 'policy.default_agent',
        message: 'default agent "develper" has no profile in agent_routing',
        hint: 'did you mean "developer"?',
        severity: 'warning',
      },
    ]);
  });

  it('warns when a profile lists domains but grants no web tool', async () => {
    const problems = await problemsOf({
      'config.yaml': [
        'agent_routing:',
        '  developer:',
        '    permissions:',
        '      tools: [read, bash]',
        '      domains: [registry.npmjs.org]',
        '  researcher:',
        '    permissions:',
        '      tools: [read, web]',
        '      domains: [docs.acme.test]',
      ].join('\n'),
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'config.yaml',
        line: 5,
        path: 'agent_routing.developer.permissions.domains',
        severity: 'warning',
        message: 'agent "developer" lists domains but no web tool',
      }),
    ]);
  });
});
