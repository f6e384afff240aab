// Bad config.yaml files: each problem must come back with its exact file, position, field path and message.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests exercise the literal ${VAR} syntax

import { afterAll, describe, expect, it } from 'vitest';
import { cleanupConfigTrees, errorsOf, onlyError } from './test-support/config-tree.ts';

afterAll(cleanupConfigTrees);

const agent = (permissions: string) =>
  `agent_routing:\n  developer:\n    permissions:\n${permissions
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n')}\n`;

describe('config.yaml problems', () => {
  it('reports an unknown key at the key, with did-you-mean', async () => {
    const error = await onlyError({ 'config.yaml': agent('tool: [read]') });
    expect(error).toMatchObject({
      file: 'config.yaml',
      line: 4,
      column: 7,
      path: 'agent_routing.developer.permissions.tool',
      message: 'unknown key "tool"',
      hint: 'did you mean "tools"?',
    });
  });

  it('reports an unknown top-level section with did-you-mean', async () => {
    const error = await onlyError({
      'config.yaml': 'policy:\n  decision: deny\nlimit:\n  max_context_tokens: 5\n',
    });
    expect(error).toMatchObject({
      line: 3,
      column: 1,
      path: 'limit',
      message: 'unknown key "limit"',
      hint: 'did you mean "limits"?',
    });
  });

  it('reports a wrong type with a hint for sizes written with units', async () => {
    const error = await onlyError({ 'config.yaml': 'limits:\n  max_file_size: 10MB\n' });
    expect(error).toMatchObject({
      file: 'config.yaml',
      line: 2,
      column: 18,
      path: 'limits.max_file_size',
      message: 'expected a number, got string "10MB"',
      hint: 'write bytes as an integer, e.g. 10485760 for 10 MB',
    });
  });

  it('refuses an upstream provider that is not built yet, naming the ones that are', async () => {
    const error = await onlyError({
      'config.yaml': 'gateway:\n  upstreams:\n    - name: az\n      provider: azure\n',
    });
    expect(error).toMatchObject({ file: 'config.yaml', line: 4, path: 'gateway.upstreams[0].provider' });
    expect(error.hint).toMatch(/allowed values: anthropic, bedrock, vertex/);
  });

  it('names what a bedrock upstream is missing', async () => {
    const error = await onlyError({
      'config.yaml':
        'gateway:\n  upstreams:\n    - { name: aws, provider: bedrock, region: us-east-1, aws_access_key_id: AKID }\n',
    });
    expect(error).toMatchObject({ line: 3, path: 'gateway.upstreams[0].aws_secret_access_key' });
    expect(error.message).toBe('a bedrock upstream needs "aws_secret_access_key"');
  });

  it('points at console.login when the IdP it names is not configured', async () => {
    const error = await onlyError({ 'config.yaml': 'security:\n  console:\n    login: saml\n' });
    expect(error).toMatchObject({ file: 'config.yaml', line: 3, path: 'security.console.login' });
    expect(error.message).toBe('console.login "saml" needs a security.saml section');
  });

  it('names a SAML section’s missing certificate', async () => {
    const error = await onlyError({
      'config.yaml':
        'security:\n  saml:\n    entry_point: https://idp.test/sso\n    idp_entity_id: https://idp.test\n',
    });
    expect(error).toMatchObject({ file: 'config.yaml', path: 'security.saml.idp_cert' });
  });

  it('reports an upstream base_url that is not an http(s) URL', async () => {
    const error = await onlyError({
      'config.yaml':
        'gateway:\n  upstreams:\n    - name: a\n      provider: anthropic\n      base_url: ftp://x\n',
    });
    expect(error).toMatchObject({ line: 5, path: 'gateway.upstreams[0].base_url' });
  });

  it('reports a non-integer where an integer is required', async () => {
    const error = await onlyError({ 'config.yaml': 'audit:\n  retention_days: 1.5\n' });
    expect(error).toMatchObject({
      line: 2,
      column: 19,
      path: 'audit.retention_days',
      message: 'expected an integer, got number 1.5',
    });
  });

  it('reports a number below its minimum', async () => {
    const error = await onlyError({ 'config.yaml': 'limits:\n  max_sessions_per_day: 0\n' });
    expect(error).toMatchObject({
      line: 2,
      column: 25,
      path: 'limits.max_sessions_per_day',
      message: 'must be ≥ 1, got 0',
    });
  });

  it('reports a bad enum value with the allowed values', async () => {
    const error = await onlyError({ 'config.yaml': 'multi_tenant:\n  isolation: stric\n' });
    expect(error).toMatchObject({
      line: 2,
      column: 14,
      path: 'multi_tenant.isolation',
      message: 'invalid value string "stric"',
      hint: 'did you mean "strict"? allowed values: strict, shared_rules, shared_context',
    });
  });

  it('reports a bad default decision', async () => {
    const error = await onlyError({ 'config.yaml': 'policy:\n  decision: allow\n' });
    expect(error).toMatchObject({ path: 'policy.decision', message: 'invalid value string "allow"' });
    expect(error.hint).toContain('deny, ask, defer');
  });

  it('reports an unknown tool in a list, pointing at the item', async () => {
    const error = await onlyError({ 'config.yaml': agent('tools: [read, write, serch]') });
    expect(error).toMatchObject({
      line: 4,
      column: 28,
      path: 'agent_routing.developer.permissions.tools[2]',
      message: 'unknown tool "serch"',
      hint: 'did you mean "search"?',
    });
  });

  it('accepts Claude Code tool names and MCP wildcards', async () => {
    expect(
      await errorsOf({
        'config.yaml': agent('tools: [Read, MultiEdit, WebFetch, Task, mcp__github__*, mcp__jira]'),
      }),
    ).toEqual([]);
  });

  it('reports a glob that does not compile', async () => {
    const error = await onlyError({ 'config.yaml': agent('files:\n  - src/**\n  - src/{a,b') });
    expect(error).toMatchObject({
      line: 6,
      column: 11,
      path: 'agent_routing.developer.permissions.files[1]',
      message: 'invalid glob "src/{a,b": Missing closing: "}"',
    });
  });

  it('reports unbalanced parentheses in a permission rule', async () => {
    const error = await onlyError({ 'config.yaml': agent("deny: ['Read(./.env']") });
    expect(error).toMatchObject({
      line: 4,
      column: 14,
      path: 'agent_routing.developer.permissions.deny[0]',
      message: 'unbalanced parentheses in permission rule "Read(./.env"',
      hint: 'write it as Read(<pattern>)',
    });
  });

  it('reports an unknown tool in a permission rule', async () => {
    const error = await onlyError({ 'config.yaml': agent("deny: ['Raed(./secrets/**)']") });
    expect(error).toMatchObject({
      path: 'agent_routing.developer.permissions.deny[0]',
      hint: 'did you mean "Read"?',
    });
    expect(error.message).toBe('unknown tool "Raed" in permission rule "Raed(./secrets/**)"');
  });

  it('reports a WebFetch rule without domain:', async () => {
    const error = await onlyError({ 'config.yaml': agent("deny: ['WebFetch(https://x.test)']") });
    expect(error).toMatchObject({ message: 'WebFetch rules match a domain: "WebFetch(https://x.test)"' });
  });

  it('accepts valid permission rules', async () => {
    const files =
      "files: ['Read(./.env)', 'Edit(src/**)', 'Bash(npm run test:*)', 'WebFetch(domain:x.com)', Bash]";
    expect(await errorsOf({ 'config.yaml': agent(files) })).toEqual([]);
  });

  it('reports a command rule with :* in the middle', async () => {
    const error = await onlyError({ 'config.yaml': agent("commands: ['npm run:* test']") });
    expect(error).toMatchObject({
      line: 4,
      column: 18,
      path: 'agent_routing.developer.permissions.commands[0]',
      message: '":*" may only end a command rule: "npm run:* test"',
    });
  });

  it('reports a domain written as a URL', async () => {
    const error = await onlyError({ 'config.yaml': agent('domains: [docs.acme.test, https://x.test/path]') });
    expect(error).toMatchObject({
      path: 'agent_routing.developer.permissions.domains[1]',
      message: 'invalid domain "https://x.test/path"',
      hint: 'write the hostname only, without scheme or path (e.g. docs.acme.test)',
    });
  });

  it('reports a missing required key at its parent', async () => {
    const error = await onlyError({
      'config.yaml': 'security:\n  oauth:\n    provider: okta\n    client_id: x\n',
    });
    expect(error).toMatchObject({
      line: 2,
      column: 3,
      path: 'security.oauth.client_secret',
      message: 'missing required key "client_secret"',
    });
  });

  it('reports a list where a mapping is expected', async () => {
    const error = await onlyError({ 'config.yaml': 'caching:\n  rules: [a, b]\n' });
    expect(error).toMatchObject({
      line: 2,
      column: 10,
      path: 'caching.rules',
      message: 'expected a mapping, got a list',
    });
  });

  it('reports a string where a list is expected, with a hint', async () => {
    const error = await onlyError({ 'config.yaml': agent('tools: read') });
    expect(error).toMatchObject({
      message: 'expected a list, got string "read"',
      hint: 'write a list: [read] or one "- item" per line',
    });
  });

  it('reports a YAML syntax error at the position the parser gives', async () => {
    const error = await onlyError({
      'config.yaml': 'limits:\n  max_context_tokens: [1, 2\npolicy:\n  decision: deny\n',
    });
    expect(error).toMatchObject({ file: 'config.yaml', line: 3, column: 1, path: '' });
    expect(error.message).toMatch(/^YAML syntax error: /);
  });

  it('reports a duplicate key as a YAML error', async () => {
    const error = await onlyError({ 'config.yaml': 'policy:\n  decision: deny\npolicy:\n  decision: ask\n' });
    expect(error).toMatchObject({
      line: 3,
      column: 1,
      message: 'YAML syntax error: Map keys must be unique',
    });
  });

  it('reports a missing environment variable where it is written, naming it', async () => {
    const error = await onlyError({
      'config.yaml':
        'security:\n  oauth:\n    provider: okta\n    client_id: acme\n    client_secret: "secret-${OKTA_SECRET}"\n',
    });
    expect(error).toMatchObject({
      file: 'config.yaml',
      line: 5,
      column: 28,
      path: 'security.oauth.client_secret',
      message: 'environment variable OKTA_SECRET is not set',
      hint: 'set OKTA_SECRET, or give a default: ${OKTA_SECRET:-value}',
    });
  });

  it('reports a missing config.yaml with a hint to run init', async () => {
    const error = await onlyError({ 'config.yaml': null });
    expect(error).toMatchObject({ file: 'config.yaml', line: 0, column: 0, message: 'missing config.yaml' });
    expect(error.hint).toContain('llm-rules init');
  });

  it('reports a top level that is not a mapping', async () => {
    const error = await onlyError({ 'config.yaml': '- a\n- b\n' });
    expect(error).toMatchObject({
      line: 1,
      column: 1,
      message: 'expected a mapping (key: value) at the top level',
    });
  });

  it('reports an invalid agent name', async () => {
    const error = await onlyError({ 'config.yaml': 'agent_routing:\n  Dev Bot:\n    description: x\n' });
    expect(error).toMatchObject({
      line: 2,
      column: 3,
      path: 'agent_routing["Dev Bot"]',
      message: 'invalid agent name "Dev Bot"',
    });
  });
});
