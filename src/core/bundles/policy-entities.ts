// Splits a PolicyConfig into named collections of entities (roles, agents, rules, budgets, ...), the
// units a plan reports as added, removed or changed.
import type { OrgConfig, PolicyConfig } from '../../config/policy-config.ts';

export type EntityCollections = Map<string, Map<string, unknown>>;

/** The order sections are printed in a plan. */
export const SECTION_ORDER = [
  'tenants',
  'roles',
  'agents',
  'rules',
  'agent definitions',
  'commands',
  'budgets',
  'limits',
  'business units',
  'teams',
  'users',
  'groups',
  'service accounts',
  'role bindings',
  'alerts',
  'alert channels',
  'settings',
  'context',
  'tests',
] as const;

export function policyEntities(config: PolicyConfig): EntityCollections {
  const sections: EntityCollections = new Map(
    SECTION_ORDER.map((name) => [name, new Map<string, unknown>()]),
  );
  const put = (section: (typeof SECTION_ORDER)[number], id: string, value: unknown) =>
    sections.get(section)!.set(id, value);

  for (const [name, role] of Object.entries(config.roles)) put('roles', name, role);
  for (const alert of config.alerts.alerts) put('alerts', alert.name, alert);
  for (const [name, channel] of Object.entries(config.alerts.channels)) put('alert channels', name, channel);
  for (const test of config.tests) put('tests', `${test.file}#${test.name}`, test);
  for (const agent of config.agents ?? []) put('agent definitions', agent.name, agent);
  for (const command of config.commands ?? []) put('commands', command.name, command);
  for (const doc of config.context ?? []) put('context', doc.path, doc);

  const tenants: {
    id: string;
    label: string;
    config: PolicyConfig['config'];
    org?: OrgConfig;
    rules: PolicyConfig['rules'];
  }[] = [
    {
      id: config.org.tenant.id,
      label: config.org.tenant.name,
      config: config.config,
      org: config.org,
      rules: config.rules,
    },
    ...config.tenants.map((t) => ({
      id: t.id,
      label: t.org?.tenant.name ?? t.id,
      config: t.config,
      org: t.org,
      rules: t.rules,
    })),
  ];
  for (const tenant of tenants) {
    const prefix = `${tenant.id}/`;
    put('tenants', tenant.id, { name: tenant.label });
    for (const [name, agent] of Object.entries(tenant.config.agent_routing))
      put('agents', prefix + name, agent);
    for (const rule of tenant.rules) put('rules', prefix + rule.id, rule);
    put('limits', tenant.id, tenant.config.limits);
    const { agent_routing: _agents, limits: _limits, ...settings } = tenant.config;
    for (const [section, value] of Object.entries(settings)) put('settings', prefix + section, value);
    if (tenant.org) addOrg(tenant.org, prefix, put);
  }
  for (const tenant of config.tenants) {
    for (const doc of tenant.context) put('context', `${tenant.id}/${doc.path}`, doc);
  }
  return sections;
}

function addOrg(
  org: OrgConfig,
  prefix: string,
  put: (section: (typeof SECTION_ORDER)[number], id: string, value: unknown) => void,
): void {
  for (const bu of org.business_units) {
    put('business units', prefix + bu.id, { name: bu.name, teams: bu.teams.map((t) => t.id) });
    for (const team of bu.teams) {
      put('teams', prefix + team.id, { name: team.name, business_unit: bu.id });
      for (const member of team.members) put('users', prefix + member.email, { ...member, team: team.id });
    }
  }
  for (const group of org.groups) put('groups', prefix + group.id, group);
  for (const account of org.service_accounts) put('service accounts', prefix + account.id, account);
  for (const budget of org.budgets) put('budgets', prefix + budget.id, budget);
  for (const binding of org.role_bindings) {
    const at = binding.at.id ? `${binding.at.level}:${binding.at.id}` : binding.at.level;
    put('role bindings', `${prefix}${binding.role}@${at}`, binding);
  }
  put('settings', `${prefix}inheritance`, org.inheritance);
}
