// Bedrock's CountTokens as the gateway asks it: the foundation model counted, the InvokeModel body Bedrock
// takes for a count, and its answer read as input tokens or a 501 whose reason stays in the log.

import { describe, expect, it } from 'vitest';
import type { UpstreamConfig } from '../../../../config/policy-config.ts';
import { AppError } from '../../../../core/errors/app-error.ts';
import {
  bedrockCount,
  countedInvokeBody,
  countTokensRequest,
  foundationModelId,
} from './bedrock-count-tokens.ts';

const config: UpstreamConfig = {
  name: 'aws',
  provider: 'bedrock',
  region: 'us-east-1',
  aws_access_key_id: 'AKIDEXAMPLE',
  base_url: 'https://bedrock-runtime.us-east-1.amazonaws.com',
  timeout_ms: 1000,
  idle_timeout_ms: 1000,
  connections: 1,
  retries: 0,
};

const input = {
  baseUrl: new URL(config.base_url),
  path: '/v1/messages/count_tokens',
  method: 'POST',
  headers: {},
  body: undefined,
  config,
  secret: () => 'secret',
};

const messages = [{ role: 'user', content: 'hi' }];

describe('Bedrock CountTokens', () => {
  it('counts a cross-region inference profile on its foundation model', () => {
    for (const geography of ['us', 'eu', 'apac', 'us-gov', 'global', 'jp']) {
      expect(foundationModelId(`${geography}.anthropic.claude-sonnet-4-5-20250929-v1:0`)).toBe(
        'anthropic.claude-sonnet-4-5-20250929-v1:0',
      );
    }
    expect(foundationModelId('anthropic.claude-haiku-4-5-20251001-v1:0')).toBe(
      'anthropic.claude-haiku-4-5-20251001-v1:0',
    );
  });

  it('refuses an ARN (an application inference profile) with 501 before anything is signed', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3';
    const refusal = await countTokensRequest(input, arn, { messages }, []).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({
      status: 501,
      code: 'not_supported',
      headers: { 'x-should-retry': 'false' },
    });
    expect((refusal as AppError).message).not.toContain('123456789012');
  });

  it('signs a POST of the base64 invoke body to /model/{foundation id}/count-tokens', async () => {
    const request = await countTokensRequest(input, 'us.anthropic.claude-sonnet-4-5-v1:0', { messages }, []);
    expect(request.path).toBe('/model/anthropic.claude-sonnet-4-5-v1%3A0/count-tokens');
    expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 .*\/us-east-1\/bedrock\/aws4_request/);
    const payload = JSON.parse(request.body!.toString('utf8')) as {
      input: { invokeModel: { body: string } };
    };
    expect(Object.keys(payload)).toEqual(['input']);
    expect(JSON.parse(Buffer.from(payload.input.invokeModel.body, 'base64').toString('utf8'))).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 1,
      messages,
    });
  });

  it('sets max_tokens above the thinking budget and keeps only the betas Bedrock counts with', () => {
    const body = {
      messages,
      thinking: { type: 'enabled', budget_tokens: 10_000 },
      anthropic_beta: ['claude-code-20250219', 'token-efficient-tools-2025-02-19'],
      metadata: { user_id: 'u' },
    };
    expect(countedInvokeBody(body, ['claude-code-20250219', 'context-1m-2025-08-07'])).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      anthropic_beta: ['claude-code-20250219'],
      max_tokens: 10_001,
      messages,
      thinking: body.thinking,
    });
    expect(countedInvokeBody({ messages, thinking: { type: 'adaptive' } }, []).max_tokens).toBe(1);
  });

  it("reads Bedrock's inputTokens, and anything else as a 501 with Bedrock's reason for the log", () => {
    const answer = (status: number, body: string) => ({ status, headers: {}, body: Buffer.from(body) });
    expect(bedrockCount(answer(200, '{"inputTokens":42}'), 'aws')).toEqual({ inputTokens: 42 });
    for (const [status, body, logged] of [
      [400, '{"message":"The provided model doesn\'t support counting tokens."}', /support counting tokens/],
      [403, '{"Message":"denied for account 123456789012"}', /123456789012/],
      [200, '{"inputTokens":-1}', /without inputTokens/],
      [200, 'not json', /without inputTokens: not json/],
    ] as const) {
      const count = bedrockCount(answer(status, body), 'aws');
      if ('inputTokens' in count) throw new Error(`counted ${body}`);
      expect(count.refusal).toMatchObject({ status: 501, code: 'not_supported' });
      expect(count.refusal.message).toMatch(/upstream "aws" \(Bedrock\)/);
      expect(count.refusal.message).not.toMatch(/counting|123456789012|inputTokens/);
      expect(count.upstreamMessage).toMatch(logged);
    }
  });
});
