// A small, complete PolicyConfig for unit tests that must not depend on the YAML loader.

import { defaultGatewayConfig } from '../../src/config/default-gateway-config.ts';
import type { PolicyConfig } from '../../src/config/policy-config.ts';

export function minimalPolicyConfig(overrides: Partial<PolicyConfig> = {}): PolicyConfig {
  return {
    format_version: 1,
    config: {
      security: {
        api_keys: { enabled: true, rotation_days: 90, key_storage: 'env' },
        sign_in: { access_token_ttl: '1h', session_max_age: '30d', signing_key_rotation: '30d' },
        console: { session_max_age: '12h', idle_timeout: '1h' },
      },
      agent_routing: {
        developer: {
          permissions: {
            tools: ['read', 'write'],
            files: ['src/**'],
            deny: ['.env*'],
            commands: ['npm run test:*'],
            domains: [],
            mcp: [],
          },
        },
      },
      multi_tenant: {
        enabled: false,
        isolation: 'strict',
        tenant_config_path: '.claude/tenants/{tenant_id}/',
      },
      limits: {
        max_context_tokens: 200_000,
        max_sessions_per_day: 1000,
        max_tool_calls_per_session: 100,
        max_file_size: 10_485_760,
      },
      audit: { enabled: true, log_level: 'info', events: ['tool_use'], retention_days: 365 },
      gdpr: { enabled: true, data_retention_days: 90, auto_delete_expired: true, export_format: 'json' },
      gateway: defaultGatewayConfig(),
      caching: {
        context: { enabled: true, ttl_seconds: 3600, max_size_mb: 500 },
        rules: { enabled: true, ttl_seconds: 86_400, max_size_mb: 50, preload: [] },
      },
      policy: { decision: 'deny' },
    },
    roles: {
      admin: { permissions: ['agents:*'], inherits: [] },
      developer: { permissions: ['rules:read'], inherits: [] },
    },
    alerts: { alerts: [], channels: {} },
    org: {
      tenant: { id: 'acme', name: 'Acme' },
      business_units: [
        {
          id: 'engineering',
          name: 'Engineering',
          teams: [
            {
              id: 'platform',
              name: 'Platform',
              members: [{ email: 'alice@acme.test', roles: ['developer'], groups: [] }],
            },
          ],
        },
      ],
      groups: [],
      service_accounts: [{ id: 'ci', roles: ['developer'] }],
      role_bindings: [],
      inheritance: {
        deny_overrides_allow: true,
        business_unit_overrides_general: true,
        security_policies_enforced: true,
      },
      budgets: [
        {
          id: 'acme-monthly',
          scope: { level: 'tenant' },
          monthly_budget: 1000,
          period: 'monthly',
          mode: 'pooled',
          alert_thresholds: [50, 80, 100],
        },
      ],
    },
    rules: [
      {
        id: 'conventions',
        path: 'rules/conventions.md',
        source: 'rules',
        frontmatter: {},
        body: '# Conventions\n',
      },
    ],
    tenants: [],
    tests: [],
    ...overrides,
  };
}
