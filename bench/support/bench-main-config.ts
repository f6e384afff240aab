// The parts of config.yaml a policy benchmark does not exercise, fixed, so a bench states only its
// agent profiles and policy.

import { defaultGatewayConfig } from '../../src/config/default-gateway-config.ts';
import type { MainConfig } from '../../src/config/policy-config.ts';

export function benchMainConfig(policy: Pick<MainConfig, 'agent_routing' | 'policy'>): MainConfig {
  return {
    security: {
      api_keys: { enabled: true, rotation_days: 90, key_storage: 'env' },
      sign_in: { access_token_ttl: '1h', session_max_age: '30d', signing_key_rotation: '30d' },
      console: { session_max_age: '12h', idle_timeout: '1h' },
    },
    multi_tenant: { enabled: false, isolation: 'strict', tenant_config_path: '.claude/tenants/{tenant_id}/' },
    // No tool-call limit in the way of a million decisions.
    limits: {
      max_context_tokens: 1,
      max_sessions_per_day: 1,
      max_tool_calls_per_session: 1e9,
      max_file_size: 1,
    },
    audit: { enabled: false, log_level: 'info', events: [], retention_days: 1 },
    gdpr: { enabled: false, data_retention_days: 1, auto_delete_expired: false, export_format: 'json' },
    gateway: defaultGatewayConfig(),
    caching: {
      context: { enabled: false, ttl_seconds: 0, max_size_mb: 1 },
      rules: { enabled: false, ttl_seconds: 0, max_size_mb: 1, preload: [] },
    },
    ...policy,
  };
}
