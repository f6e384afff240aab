// Test support: a small PolicyConfig (tenant acme: engineering/platform, payments; data/analytics) to decide against.

import { defaultGatewayConfig } from '../../config/default-gateway-config.ts';
import type { AgentProfile, PolicyConfig, PolicyRules } from '../../config/policy-config.ts';
import { compilePolicy } from './compile-policy.ts';
import type { CompiledPolicy } from './compiled-types.ts';
import type { DecisionInput, PolicyPrincipal } from './types.ts';

export function rules(partial: Partial<PolicyRules> = {}): PolicyRules {
  return { allow: [], ask: [], deny: [], security: false, ...partial };
}

export function profile(permissions: Partial<AgentProfile['permissions']>): AgentProfile {
  return {
    permissions: { tools: [], files: [], deny: [], commands: [], domains: [], mcp: [], ...permissions },
  };
}

export interface Levels {
  tenant?: Partial<PolicyRules>;
  businessUnit?: Partial<PolicyRules>;
  team?: Partial<PolicyRules>;
  user?: Partial<PolicyRules>;
  group?: Partial<PolicyRules>;
  role?: Partial<PolicyRules>;
  baseRole?: Partial<PolicyRules>;
  agents?: Record<string, AgentProfile>;
  decision?: 'deny' | 'ask' | 'defer';
  caseInsensitive?: boolean;
  denyOverridesAllow?: boolean;
  businessUnitOverridesGeneral?: boolean;
}

/** Alice is a `dev` (inheriting `base`) in engineering/platform and the `eng` group. */
export function testConfig(levels: Levels = {}): PolicyConfig {
  const opt = <T>(value: Partial<PolicyRules> | undefined, wrap: (r: PolicyRules) => T): T | object =>
    value ? wrap(rules(value)) : {};
  return {
    format_version: 1,
    config: {
      security: {
        api_keys: { enabled: true, rotation_days: 90, key_storage: 'env' },
        sign_in: { access_token_ttl: '1h', session_max_age: '30d', signing_key_rotation: '30d' },
        console: { session_max_age: '12h', idle_timeout: '1h' },
      },
      agent_routing: levels.agents ?? {
        developer: profile({ tools: ['*'], files: ['src/**'], commands: ['npm run test:*'] }),
      },
      multi_tenant: {
        enabled: false,
        isolation: 'strict',
        tenant_config_path: '.claude/tenants/{tenant_id}/',
      },
      limits: {
        max_context_tokens: 1000,
        max_sessions_per_day: 10,
        max_tool_calls_per_session: 100,
        max_file_size: 1000,
      },
      audit: { enabled: true, log_level: 'info', events: [], retention_days: 1 },
      gdpr: { enabled: false, data_retention_days: 1, auto_delete_expired: false, export_format: 'json' },
      gateway: defaultGatewayConfig(),
      caching: {
        context: { enabled: false, ttl_seconds: 0, max_size_mb: 1 },
        rules: { enabled: false, ttl_seconds: 0, max_size_mb: 1, preload: [] },
      },
      policy: {
        decision: levels.decision ?? 'deny',
        ...rules(levels.tenant),
        default_agent: 'developer',
        case_insensitive_paths: levels.caseInsensitive ?? false,
      },
    },
    roles: {
      base: { permissions: ['rules:read'], inherits: [], ...opt(levels.baseRole, (policy) => ({ policy })) },
      dev: { permissions: ['agents:*'], inherits: ['base'], ...opt(levels.role, (policy) => ({ policy })) },
      viewer: { permissions: ['agents:read'], inherits: [] },
    },
    alerts: { alerts: [], channels: {} },
    org: {
      tenant: { id: 'acme', name: 'Acme' },
      business_units: [
        {
          id: 'engineering',
          name: 'Engineering',
          ...opt(levels.businessUnit, (policy) => ({ policy })),
          teams: [
            {
              id: 'platform',
              name: 'Platform',
              ...opt(levels.team, (policy) => ({ policy })),
              members: [
                {
                  email: 'alice@acme.test',
                  roles: ['dev'],
                  groups: ['eng'],
                  ...opt(levels.user, (policy) => ({ policy })),
                },
              ],
            },
            { id: 'payments', name: 'Payments', members: [] },
          ],
        },
        { id: 'data', name: 'Data', teams: [{ id: 'analytics', name: 'Analytics', members: [] }] },
      ],
      groups: [
        { id: 'eng', idp_group: 'acme-eng', roles: [], ...opt(levels.group, (policy) => ({ policy })) },
      ],
      service_accounts: [],
      role_bindings: [],
      inheritance: {
        deny_overrides_allow: levels.denyOverridesAllow ?? true,
        business_unit_overrides_general: levels.businessUnitOverridesGeneral ?? true,
        security_policies_enforced: true,
      },
      budgets: [],
    },
    rules: [],
    tenants: [],
    tests: [],
  };
}

export function compileTest(levels: Levels = {}): CompiledPolicy {
  return compilePolicy(testConfig(levels), 'rev-test');
}

export const alice: PolicyPrincipal = {
  tenantId: 'acme',
  userId: 'alice@acme.test',
  roles: ['dev'],
  groups: ['eng'],
  businessUnitId: 'engineering',
  teamId: 'platform',
};

export function call(
  toolName: string,
  toolInput: Record<string, unknown>,
  extra: Partial<DecisionInput> = {},
): DecisionInput {
  return { principal: alice, toolName, toolInput, cwd: '/repo', home: '/home/alice', ...extra };
}
