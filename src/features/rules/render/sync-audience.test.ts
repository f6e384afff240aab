import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG } from '../../../../test/support/temp-dir.ts';
import { loadPolicyConfig } from '../../../config/load-policy-config.ts';
import type { PolicyConfig } from '../../../config/policy-config.ts';
import { ValidationError } from '../../../core/errors/app-error.ts';
import { syncAudience } from './sync-audience.ts';

let acme: PolicyConfig;
beforeAll(async () => {
  const loaded = await loadPolicyConfig(EXAMPLE_CONFIG, { env: {} });
  if (!loaded.ok) throw new Error('the example config must load');
  acme = loaded.config;
});

const project = { repository: 'acme/web', techStacks: ['nextjs'] };

describe('syncAudience', () => {
  it("defaults to the root org's tenant and its default agent, with no team and no directory", () => {
    expect(syncAudience(acme, project)).toEqual({
      tenantId: 'acme',
      businessUnitId: null,
      teamId: null,
      agent: 'developer',
      repository: 'acme/web',
      techStacks: ['nextjs'],
      projectPath: null,
    });
  });

  it("derives a team's business unit from the org", () => {
    const audience = syncAudience(acme, { ...project, teamId: 'analytics' });
    expect(audience).toMatchObject({ teamId: 'analytics', businessUnitId: 'data' });
    expect(syncAudience(acme, { ...project, businessUnitId: 'data' })).toMatchObject({
      teamId: null,
      businessUnitId: 'data',
    });
  });

  it('names what is wrong: an unknown tenant, team or business unit, or a team outside the unit', () => {
    const fails = (choice: object, message: RegExp) =>
      expect(() => syncAudience(acme, { ...project, ...choice })).toThrow(message);
    fails({ tenantId: 'initech' }, /tenant 'initech' is not in the policy bundle \(tenants: acme, globex\)/);
    fails(
      { teamId: 'nope' },
      /team 'nope' is not in tenant acme \(teams: platform, payments, analytics, ml\)/,
    );
    fails({ businessUnitId: 'sales' }, /business unit 'sales' is not in tenant acme/);
    fails(
      { teamId: 'payments', businessUnitId: 'data' },
      /belongs to business unit 'engineering', not 'data'/,
    );
    expect(() => syncAudience(acme, { ...project, teamId: 'nope' })).toThrow(ValidationError);
  });

  it("uses another tenant's own org", () => {
    expect(syncAudience(acme, { ...project, tenantId: 'globex' })).toMatchObject({
      tenantId: 'globex',
      agent: 'developer',
    });
    expect(() => syncAudience(acme, { ...project, tenantId: 'globex', teamId: 'payments' })).toThrow(
      /not in tenant globex/,
    );
  });
});
