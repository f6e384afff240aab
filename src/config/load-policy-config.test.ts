// Valid configs: the Acme example, the starter, defaults, env interpolation and tenant merging.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests exercise the literal ${VAR} syntax

import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyExampleConfig, tempDir } from '../../test/support/temp-dir.ts';
import { defaultGatewayConfig } from './default-gateway-config.ts';
import { type LoadResult, loadPolicyConfig } from './load-policy-config.ts';
import type { PolicyConfig } from './policy-config.ts';
import { writeStarterConfig } from './starter.ts';
import { cleanupConfigTrees, writeConfigTree } from './test-support/config-tree.ts';

afterAll(cleanupConfigTrees);

const EXAMPLE = join(import.meta.dirname, '../../examples/acme/.claude');

function configOf(result: LoadResult): PolicyConfig {
  if (!result.ok) throw new Error(`expected a valid config, got ${JSON.stringify(result.problems, null, 2)}`);
  return result.config;
}

describe('the Acme example', () => {
  it('validates with no errors and no warnings', async () => {
    const result = await loadPolicyConfig(EXAMPLE, { env: {} });
    expect(result.ok ? result.warnings : result.problems).toEqual([]);
  });

  it('produces the expected org, roles, agents, rules and tenants', async () => {
    const config = configOf(await loadPolicyConfig(EXAMPLE, { env: {} }));
    const teams = config.org.business_units.flatMap((bu) => bu.teams);
    const users = teams.flatMap((team) => team.members);
    expect(config.org.tenant).toEqual({ id: 'acme', name: 'Acme Corp' });
    expect(config.org.business_units.map((bu) => [bu.id, bu.teams.map((t) => t.id)])).toEqual([
      ['engineering', ['platform', 'payments']],
      ['data', ['analytics', 'ml']],
    ]);
    expect(users).toHaveLength(20);
    expect(users.find((u) => u.email === 'alice@acme.test')).toMatchObject({ roles: ['developer'] });
    expect(users.find((u) => u.email === 'victor@acme.test')).toMatchObject({ roles: ['viewer'] });
    expect(users.find((u) => u.email === 'root@acme.test')).toMatchObject({ roles: ['admin'] });
    expect(config.roles.admin).toEqual({
      permissions: ['agents:*', 'rules:*', 'analytics:*', 'config:*'],
      inherits: [],
    });
    expect(config.roles.developer?.permissions).toEqual([
      'agents:developer',
      'agents:qa',
      'rules:read',
      'analytics:read',
    ]);
    expect(config.roles['team-lead']?.inherits).toEqual(['developer']);
    expect(Object.keys(config.config.agent_routing)).toEqual(['developer', 'qa', 'analyst']);
    expect(config.config.agent_routing.developer?.permissions).toMatchObject({
      tools: ['read', 'write', 'search', 'bash', 'WebFetch'],
      files: ['src/**'],
    });
    expect(config.org.budgets.map((b) => b.scope.level)).toEqual([
      'tenant',
      'business_unit',
      'business_unit',
      'team',
      'team',
      'team',
      'user',
    ]);
    expect(config.org.service_accounts.map((s) => s.id)).toEqual(['ci']);
    expect(config.rules.map((r) => r.path)).toEqual([
      'rules-master/PROTOCOL_ENGINEERING.md',
      'rules-master/SECURITY_BASELINE.md',
      'rules-master/TECH_STACK_NEXTJS.md',
      'rules/code-review.md',
      'rules/data-notebooks.md',
      'rules/payments-pci.md',
      'rules/platform-conventions.md',
    ]);
    expect(config.rules[0]).toMatchObject({
      id: 'PROTOCOL_ENGINEERING',
      source: 'rules-master',
      title: 'Engineering protocol',
    });
    expect(config.rules[0]?.frontmatter).toEqual({
      applies_to: { business_units: ['engineering', 'data'] },
      priority: 100,
      preload: true,
    });
    expect(config.rules[0]?.body.trimStart().startsWith('# Engineering protocol')).toBe(true);
    expect(config.alerts.alerts.map((a) => a.condition)).toContain('daily_cost > $100');
    expect(config.alerts.alerts[3]?.scope).toEqual({ level: 'team', id: 'payments' });
    expect(config.config.multi_tenant.tenant_config_path).toBe('.claude/tenants/{tenant_id}/');
    // The issue asks for at least 40 cases covering every tool kind and the inheritance rules.
    expect(config.tests.length).toBeGreaterThanOrEqual(40);
    expect(new Set(config.tests.map((t) => t.file)).size).toBeGreaterThan(3);
    expect(config.tenants.map((t) => t.id)).toEqual(['globex']);
  });

  it('accepts budgets on its engineers group, pooled and per seat, normalized to group refs', async () => {
    const work = await tempDir('llm-rules-group-budgets-');
    try {
      const dir = await copyExampleConfig(work.path);
      await writeFile(
        join(dir, 'org/budgets.json'),
        JSON.stringify({
          budgets: [
            { id: 'engineers-pool', scope: 'group:engineers', amount: 500 },
            {
              id: 'engineers-seat',
              scope: { level: 'group', id: 'engineers' },
              amount: 50,
              mode: 'per_seat',
            },
          ],
        }),
      );
      const result = await loadPolicyConfig(dir, { env: {} });
      expect(result.ok ? result.warnings : result.problems).toEqual([]);
      expect(configOf(result).org.budgets.map((b) => [b.id, b.scope, b.mode])).toEqual([
        ['engineers-pool', { level: 'group', id: 'engineers' }, 'pooled'],
        ['engineers-seat', { level: 'group', id: 'engineers' }, 'per_seat'],
      ]);
    } finally {
      await work.remove();
    }
  });

  it('merges the globex tenant config over the root: mappings merge, lists replace', async () => {
    const config = configOf(await loadPolicyConfig(EXAMPLE, { env: {} }));
    const globex = config.tenants[0]!;
    expect(globex.config.limits).toEqual({
      ...config.config.limits,
      max_sessions_per_day: 20,
      max_context_tokens: 100000,
    });
    expect(globex.config.agent_routing.developer?.permissions.tools).toEqual(['read', 'write', 'search']);
    expect(globex.config.agent_routing.developer?.permissions.files).toEqual(['src/**']);
    expect(globex.config.agent_routing.qa).toEqual(config.config.agent_routing.qa);
    expect(globex.config.policy.decision).toBe('ask');
    expect(globex.config.gdpr.data_retention_days).toBe(90);
    expect(globex.org?.tenant).toEqual({ id: 'globex', name: 'Globex Corporation' });
    expect(globex.rules.map((r) => [r.id, r.source, r.path])).toEqual([
      ['globex-style', 'tenant', 'tenants/globex/rules/globex-style.md'],
    ]);
    expect(globex.context.map((c) => c.path)).toEqual([
      'tenants/globex/context/architecture.md',
      'tenants/globex/context/glossary.txt',
    ]);
  });

  it('interpolates environment variables, falling back to defaults', async () => {
    const withEnv = configOf(await loadPolicyConfig(EXAMPLE, { env: { OKTA_CLIENT_ID: 'from-env' } }));
    expect(withEnv.config.security.oauth?.client_id).toBe('from-env');
    const without = configOf(await loadPolicyConfig(EXAMPLE, { env: {} }));
    expect(without.config.security.oauth?.client_id).toBe('llm-rules-acme');
  });

  it('is deterministic', async () => {
    const a = configOf(await loadPolicyConfig(EXAMPLE, { env: {} }));
    const b = configOf(await loadPolicyConfig(EXAMPLE, { env: {} }));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});

describe('the starter', () => {
  it('validates cleanly', async () => {
    const root = mkdtempSync(join(tmpdir(), 'llm-rules-starter-'));
    try {
      const dir = join(root, '.claude');
      const written = await writeStarterConfig(dir);
      expect(written.map((file) => file.slice(dir.length + 1))).toEqual([
        'config.yaml',
        'permissions.yaml',
        'alerts.yaml',
        'org/hierarchy.yaml',
        'org/budgets.yaml',
        'rules/example-conventions.md',
        'tests/example.yaml',
      ]);
      const result = await loadPolicyConfig(dir, { env: {} });
      expect(result.ok ? result.warnings : result.problems).toEqual([]);
      expect(configOf(result).config.policy.decision).toBe('deny');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses to overwrite an existing config', async () => {
    const dir = writeConfigTree({});
    await expect(writeStarterConfig(dir)).rejects.toMatchObject({ name: 'ConflictError', status: 409 });
  });
});

describe('defaults and interpolation', () => {
  it('applies every default to a minimal config', async () => {
    const config = configOf(
      await loadPolicyConfig(writeConfigTree({ 'config.yaml': '', 'permissions.yaml': null }), { env: {} }),
    );
    expect(config.config).toEqual({
      security: {
        api_keys: { enabled: true, rotation_days: 90, key_storage: 'env' },
        sign_in: { access_token_ttl: '1h', session_max_age: '30d', signing_key_rotation: '30d' },
        console: { session_max_age: '12h', idle_timeout: '1h' },
      },
      agent_routing: {},
      multi_tenant: {
        enabled: false,
        isolation: 'strict',
        tenant_config_path: '.claude/tenants/{tenant_id}/',
      },
      limits: {
        max_context_tokens: 200000,
        max_sessions_per_day: 100,
        max_tool_calls_per_session: 500,
        max_file_size: 10485760,
      },
      audit: {
        enabled: true,
        log_level: 'info',
        events: [
          'agent_activation',
          'tool_use',
          'file_access',
          'rule_modification',
          'config_change',
          'prompt_submit',
          'session',
          'budget',
          'admin_action',
        ],
        retention_days: 365,
      },
      gdpr: { enabled: false, data_retention_days: 365, auto_delete_expired: false, export_format: 'json' },
      gateway: defaultGatewayConfig(),
      caching: {
        context: { enabled: true, ttl_seconds: 3600, max_size_mb: 100 },
        rules: { enabled: true, ttl_seconds: 3600, max_size_mb: 50, preload: [] },
      },
      policy: {
        decision: 'deny',
        allow: [],
        ask: [],
        deny: [],
        security: false,
        default_agent: 'developer',
        case_insensitive_paths: false,
      },
    });
    expect(config.org.tenant).toEqual({ id: 'default', name: 'Default' });
    expect(config.roles).toEqual({});
    expect(config.alerts).toEqual({ alerts: [], channels: {} });
  });

  it('fills agent permission lists and oauth scopes with defaults', async () => {
    const dir = writeConfigTree({
      'config.yaml':
        'security:\n  oauth: {provider: okta, client_id: a, client_secret: b}\nagent_routing:\n  dev: {}\n',
    });
    const config = configOf(await loadPolicyConfig(dir, { env: {} }));
    expect(config.config.security.oauth?.scopes).toEqual(['openid', 'profile', 'email']);
    expect(config.config.agent_routing.dev).toEqual({
      permissions: { tools: [], files: [], deny: [], commands: [], domains: [], mcp: [] },
    });
  });

  it('interpolates ${VAR}, ${VAR:-default} and the $${ escape', async () => {
    const dir = writeConfigTree({
      'config.yaml':
        'agent_routing:\n  dev:\n    description: "host ${HOST}, port ${PORT:-8080}, empty ${EMPTY:-fallback}, literal $${HOST}"\n',
    });
    const config = configOf(await loadPolicyConfig(dir, { env: { HOST: 'acme.test', EMPTY: '' } }));
    expect(config.config.agent_routing.dev?.description).toBe(
      'host acme.test, port 8080, empty fallback, literal ${HOST}',
    );
  });

  it('keeps substituted numbers and booleans typed in unquoted values', async () => {
    const dir = writeConfigTree({
      'config.yaml': 'limits:\n  max_file_size: ${MAX:-1024}\naudit:\n  enabled: ${AUDIT}\n',
    });
    const config = configOf(await loadPolicyConfig(dir, { env: { AUDIT: 'false' } }));
    expect(config.config.limits.max_file_size).toBe(1024);
    expect(config.config.audit.enabled).toBe(false);
  });

  it('normalizes org refs and defaults names to ids', async () => {
    const dir = writeConfigTree({
      'org/org.yaml':
        'tenant: {id: acme}\nbusiness_units: [{id: eng}]\nteams: [{id: web, business_unit: eng, members: [{email: a@acme.test}]}]\nbudgets:\n  - {id: a, scope: tenant, monthly_budget: 1}\n  - {id: b, scope: "user:a@acme.test", monthly_budget: 1}\n  - {id: c, scope: {level: team, id: web}, monthly_budget: 1}\n  - {id: d, scope: key:LaptopKey123, amount: 1}\n  - {id: e, scope: {level: key, id: DesktopKey45}, amount: 1}\n',
    });
    const config = configOf(await loadPolicyConfig(dir, { env: {} }));
    expect(config.org.tenant).toEqual({ id: 'acme', name: 'acme' });
    expect(config.org.business_units).toEqual([
      {
        id: 'eng',
        name: 'eng',
        teams: [{ id: 'web', name: 'web', members: [{ email: 'a@acme.test', roles: [], groups: [] }] }],
      },
    ]);
    expect(config.org.budgets.map((b) => [b.scope, b.alert_thresholds])).toEqual([
      [{ level: 'tenant' }, [50, 80, 100]],
      [{ level: 'user', id: 'a@acme.test' }, [50, 80, 100]],
      [{ level: 'team', id: 'web' }, [50, 80, 100]],
      // Keys live in the database: accepted without an existence check.
      [{ level: 'key', id: 'LaptopKey123' }, [50, 80, 100]],
      [{ level: 'key', id: 'DesktopKey45' }, [50, 80, 100]],
    ]);
  });

  it('warns when tenants exist but multi-tenancy is off', async () => {
    const result = await loadPolicyConfig(writeConfigTree({ 'tenants/globex/context/a.md': 'x' }), {
      env: {},
    });
    expect(result.ok && result.warnings.map((w) => w.message)).toEqual([
      'tenants/ defines 1 tenant(s) but multi_tenant.enabled is false',
    ]);
  });
});
