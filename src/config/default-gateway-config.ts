// The gateway section a config.yaml without `gateway:` gets: the Anthropic API, keyed by ANTHROPIC_API_KEY.

import type { GatewayConfig, UpstreamConfig } from './policy-config.ts';

export function defaultAnthropicUpstream(): UpstreamConfig {
  return {
    name: 'anthropic',
    provider: 'anthropic',
    base_url: 'https://api.anthropic.com',
    api_key: '${ANTHROPIC_API_KEY}',
    timeout_ms: 600_000,
    idle_timeout_ms: 300_000,
    connections: 128,
    retries: 2,
  };
}

export function defaultGatewayConfig(): GatewayConfig {
  return {
    upstreams: [defaultAnthropicUpstream()],
    rate_limits: [],
    models: [],
    prices: {},
    budgets_unavailable: 'fail_closed',
    max_request_bytes: 33_554_432,
  };
}
