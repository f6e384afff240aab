import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrgConfig, RoleDefinition } from '../../config/policy-config.ts';
import { adminGrants, covers, pathTo, permits } from './admin-grants.ts';

const roles: Record<string, RoleDefinition> = {
  developer: { permissions: ['rules:read'], inherits: [] },
  'team-lead': { permissions: ['budgets:write', 'audit:read'], inherits: ['developer'] },
  finance: { permissions: ['budgets:*'], inherits: [] },
  admin: { permissions: ['*:*'], inherits: [] },
};

const org: OrgConfig = {
  tenant: { id: 'acme', name: 'Acme' },
  business_units: [
    {
      id: 'eng',
      name: 'Eng',
      teams: [
        { id: 'platform', name: 'P', members: [] },
        { id: 'payments', name: 'Pay', members: [] },
      ],
    },
    { id: 'data', name: 'Data', teams: [{ id: 'ml', name: 'ML', members: [] }] },
  ],
  groups: [
    {
      id: 'finance',
      idp_group: 'acme-finance',
      roles: ['finance'],
      bind_to: { level: 'business_unit', id: 'eng' },
    },
    { id: 'admins', idp_group: 'acme-admins', roles: ['admin'] },
  ],
  service_accounts: [],
  role_bindings: [
    { role: 'team-lead', at: { level: 'team', id: 'ml' }, subjects: ['bob@acme.test', 'service:ci'] },
  ],
  inheritance: {
    deny_overrides_allow: true,
    business_unit_overrides_general: true,
    security_policies_enforced: true,
  },
  budgets: [],
} as unknown as OrgConfig;

const user = (id: string, extra: Partial<Parameters<typeof adminGrants>[2]> = {}) =>
  adminGrants(org, roles, { type: 'user', id, roles: [], groups: [], teamId: 'platform', ...extra });
const team = (id: string) => pathTo(org, { level: 'team', id });

describe('admin grants', () => {
  it('hold at the node they are bound to and everything below it, nowhere else', () => {
    const lead = user('alice@acme.test', { roles: ['team-lead'] });
    expect(permits(lead, 'budgets:write', team('platform'))).toBe(true);
    expect(permits(lead, 'budgets:write', team('payments'))).toBe(false);
    expect(permits(lead, 'budgets:write', pathTo(org, { level: 'business_unit', id: 'eng' }))).toBe(false);
    expect(permits(lead, 'budgets:write', pathTo(org, { level: 'tenant' }))).toBe(false);
    // Inherited: a team lead is a developer.
    expect(permits(lead, 'rules:read', team('platform'))).toBe(true);
    expect(permits(lead, 'config:write', team('platform'))).toBe(false);
  });

  it('come from groups where they are bound and from role bindings', () => {
    const financier = user('fay@acme.test', { groups: ['finance'] });
    expect(permits(financier, 'budgets:read', team('payments'))).toBe(true);
    expect(permits(financier, 'budgets:read', team('ml'))).toBe(false);
    const bob = user('bob@acme.test');
    expect(permits(bob, 'audit:read', team('ml'))).toBe(true);
    expect(permits(bob, 'audit:read', team('platform'))).toBe(false);
    const ci = adminGrants(org, roles, {
      type: 'service_account',
      id: 'ci',
      roles: [],
      groups: [],
      teamId: null,
    });
    expect(permits(ci, 'budgets:write', team('ml'))).toBe(true);
    const admin = user('root@acme.test', { groups: ['admins'] });
    expect(permits(admin, 'keys:write', pathTo(org, { level: 'tenant' }))).toBe(true);
  });

  it('never grant what no role names (property)', () => {
    const permission = fc.tuple(
      fc.constantFrom('budgets', 'audit', 'config', 'keys', 'users'),
      fc.constantFrom('read', 'write'),
    );
    fc.assert(
      fc.property(permission, fc.constantFrom('platform', 'payments', 'ml'), ([resource, action], where) => {
        const wanted = `${resource}:${action}`;
        const nobody = user('nobody@acme.test');
        expect(permits(nobody, wanted, team(where))).toBe(false);
      }),
    );
  });

  it('match wildcards by resource and action', () => {
    expect(covers('budgets:*', 'budgets:write')).toBe(true);
    expect(covers('*:*', 'audit:read')).toBe(true);
    expect(covers('*:read', 'audit:read')).toBe(true);
    expect(covers('budgets:read', 'budgets:write')).toBe(false);
    expect(covers('audit:*', 'budgets:read')).toBe(false);
  });
});
