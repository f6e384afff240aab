import { describe, expect, it } from 'vitest';
import type { ModelRuleConfig } from '../../config/policy-config.ts';
import { modelAccess } from './model-access.ts';

const rule = (scope: string, allow: string[] = [], deny: string[] = []): ModelRuleConfig => ({
  scope,
  allow,
  deny,
});
const ada = {
  businessUnitId: 'eng',
  teamId: 'web',
  userScope: 'user:ada@acme.test',
  groups: ['contractors'],
};

describe('model access', () => {
  it('allows every model when no allow list exists', () => {
    expect(modelAccess([], ada, 'claude-opus-5-5')).toEqual({ allowed: true });
    expect(modelAccess([rule('tenant', [], ['claude-3-*'])], ada, 'claude-sonnet-5')).toEqual({
      allowed: true,
    });
  });

  it('grants what any node on the path or any group allows, with date suffixes and patterns', () => {
    const rules = [
      rule('tenant', ['claude-haiku-*']),
      rule('team:web', ['claude-sonnet-5']),
      rule('team:data', ['claude-opus-5-5']),
    ];
    expect(modelAccess(rules, ada, 'claude-haiku-4-5-20251001').allowed).toBe(true);
    expect(modelAccess(rules, ada, 'claude-sonnet-5').allowed).toBe(true);
    expect(modelAccess(rules, ada, 'claude-opus-5-5')).toEqual({
      allowed: false,
      reason: 'not among the models allowed to you: claude-haiku-*, claude-sonnet-5',
    });
  });

  it('lets a deny anywhere on the path or in a group win over any allow', () => {
    const rules = [rule('tenant', ['*']), rule('group:contractors', [], ['claude-opus-*'])];
    expect(modelAccess(rules, ada, 'claude-opus-5-5')).toEqual({
      allowed: false,
      reason: 'denied for group:contractors (gateway.models)',
    });
    expect(modelAccess(rules, { ...ada, groups: [] }, 'claude-opus-5-5').allowed).toBe(true);
  });

  it('grants nothing to someone outside every allow list', () => {
    const rules = [rule('team:data', ['claude-sonnet-5'])];
    expect(modelAccess(rules, ada, 'claude-sonnet-5')).toEqual({
      allowed: false,
      reason: 'no model is allowed to you (gateway.models)',
    });
  });

  it('judges a Bedrock ARN by the model it names, and refuses one that names none while rules exist', () => {
    const rules = [rule('tenant', [], ['claude-opus-*'])];
    const profile =
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-1-20250805-v1:0';
    expect(modelAccess(rules, ada, profile)).toMatchObject({
      allowed: false,
      reason: 'denied for tenant (gateway.models)',
    });
    const opaque = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3';
    expect(modelAccess(rules, ada, opaque).allowed).toBe(false);
    expect(modelAccess([], ada, opaque).allowed).toBe(true);
  });
});
