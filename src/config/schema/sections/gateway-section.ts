// `gateway:` in config.yaml: the LLM gateway's upstreams and price overrides.

import { z } from 'zod';
import { defaultAnthropicUpstream } from '../../default-gateway-config.ts';
import { idSchema } from '../common-schemas.ts';

/** Dollars per million tokens; cache figures default from the input price (×1.25, ×2, ×0.1). */
const priceSchema = z.strictObject({
  input: z.number().min(0),
  output: z.number().min(0),
  cache_write_5m: z.number().min(0).optional(),
  cache_write_1h: z.number().min(0).optional(),
  cache_read: z.number().min(0).optional(),
});

const upstreamSchema = z
  .strictObject({
    name: idSchema,
    provider: z.enum(['anthropic', 'bedrock', 'vertex']),
    /** Bedrock and Vertex: the region. Bedrock: the AWS credentials (secret parts as `${ENV}` references). */
    region: z
      .string()
      .regex(/^[a-z]+(-[a-z0-9]+)+$/, 'expected a region such as us-east-1 (AWS) or us-east5 (Google)')
      .optional(),
    aws_access_key_id: z.string().min(1).optional(),
    aws_secret_access_key: z.string().min(1).optional(),
    aws_session_token: z.string().min(1).optional(),
    /** Vertex: the Google Cloud project, and a service-account key (JSON) as an `${ENV}` reference; without
     * one, the server's application default credentials. */
    project_id: z.string().min(1).optional(),
    service_account_secret: z.string().min(1).optional(),
    /** Model ids as clients send them, mapped to the upstream's ids (Bedrock: `anthropic.<model>-v1:0` by default). */
    model_ids: z.record(z.string().min(1), z.string().min(1)).optional(),
    base_url: z.url({ protocol: /^https?$/ }).default('https://api.anthropic.com'),
    /** A `${ENV}` reference, resolved from the server's environment when a request is forwarded. */
    api_key: z.string().min(1).optional(),
    /** Longest wait for the upstream's response headers. */
    timeout_ms: z.int().min(1).default(600_000),
    /** Longest silence in a response body (a stream sends pings well within this). */
    idle_timeout_ms: z.int().min(1).default(300_000),
    /** Keep-alive connections to this upstream. */
    connections: z.int().min(1).max(1024).default(128),
    /** Retries of a 429 / 5xx / 529 answer or a failed connection, before anything reached the client. */
    retries: z.int().min(0).max(10).default(2),
  })
  .superRefine((upstream, ctx) => {
    const required =
      upstream.provider === 'bedrock'
        ? (['region', 'aws_access_key_id', 'aws_secret_access_key'] as const)
        : upstream.provider === 'vertex'
          ? (['region', 'project_id'] as const)
          : [];
    for (const field of required) {
      if (upstream[field] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `a ${upstream.provider} upstream needs "${field}"`,
        });
      }
    }
  });

/** Limits for each key, user, team or tenant (each one separately), per minute and at once. */
const rateLimitSchema = z
  .strictObject({
    scope: z.enum(['key', 'user', 'team', 'tenant']),
    requests_per_minute: z.int().min(1).optional(),
    /** Input and output tokens together; input is counted as estimated before forwarding, corrected after. */
    tokens_per_minute: z.int().min(1).optional(),
    /** Requests in flight at once. */
    concurrent: z.int().min(1).optional(),
  })
  .refine((r) => r.requests_per_minute ?? r.tokens_per_minute ?? r.concurrent, {
    message: 'a rate limit needs requests_per_minute, tokens_per_minute or concurrent',
  });

/** Model ids or patterns with `*` (`claude-sonnet-*`), matched against the id without its date suffix. */
const modelPatterns = z.array(z.string().min(1)).default([]);

/** Who a model rule is for: an org node (`team:platform`, `tenant` …) or an IdP group (`group:contractors`). */
const modelRuleSchema = z.strictObject({
  scope: z
    .string()
    .regex(
      /^(tenant|(business_unit|team|user|group):.+)$/,
      'expected tenant, business_unit:<id>, team:<id>, user:<email> or group:<id>',
    ),
  allow: modelPatterns,
  deny: modelPatterns,
});

export const gatewaySection = z
  .strictObject({
    upstreams: z
      .array(upstreamSchema)
      .min(1)
      .default(() => [defaultAnthropicUpstream()]),
    /** Per model id (without its date suffix); overrides the built-in table. */
    prices: z.record(z.string().min(1), priceSchema).default({}),
    /** For models neither table knows; default: the dearest built-in price. */
    unknown_model_price: priceSchema.optional(),
    rate_limits: z.array(rateLimitSchema).default([]),
    /**
     * Which models each part of the org may use. With no `allow` anywhere on a caller's path every model
     * is allowed; otherwise a model must match an `allow` of the tenant, their business unit, team, user
     * or one of their groups, and no `deny` of any of them (deny wins).
     */
    models: z.array(modelRuleSchema).default([]),
    /**
     * When the budget store cannot be read: `fail_closed` refuses the request with the protocol's 429
     * `fetch_error` (budgets are enforced); `fail_open` forwards it with no budget, its cost recorded in its
     * usage record but charged to no budget.
     */
    budgets_unavailable: z.enum(['fail_closed', 'fail_open']).default('fail_closed'),
    /** Largest request body the gateway accepts (the Messages API's own limit is 32 MB). */
    max_request_bytes: z.int().min(1024).default(33_554_432),
  })
  .prefault({});
