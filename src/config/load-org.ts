// Loads an org/ directory (hierarchy, role matrix, budgets; YAML or JSON) and merges its files into one OrgConfig.

import { posix } from 'node:path';
import { displayPath, type LoadContext, listDir, readSource, topLevelMapping } from './config-files.ts';
import type { FieldPath } from './config-problem.ts';
import { didYouMean } from './did-you-mean.ts';
import { checkOrg, type LocatedOrg } from './org-checks.ts';
import type { BusinessUnitConfig, OrgConfig, TeamConfig } from './policy-config.ts';
import { type OrgFile, type OrgListKey, orgFileSchema, orgItemSchemas } from './schema/org-schema.ts';
import { positionOf, reportAt, type SourceFile } from './source-file.ts';
import { validateWith } from './zod-issues.ts';

const ORG_FILES = ['org', 'hierarchy', 'roles', 'budgets'];
const ORG_EXTENSIONS = ['yaml', 'yml', 'json'];

export interface OrgOptions {
  /** `org` or `tenants/<id>/org`. */
  rel: string;
  defaultTenant: { id: string; name: string };
  /** Known role names; undefined when permissions.yaml could not be read, so roles are not checked. */
  roles: readonly string[] | undefined;
  /** A tenant's org must name the tenant its directory is named after. */
  requiredTenantId?: string;
}

export async function loadOrg(ctx: LoadContext, options: OrgOptions): Promise<OrgConfig> {
  const files: { source: SourceFile; data: OrgFile }[] = [];
  const incomplete = new Set<string>();
  for (const entry of await listDir(ctx, options.rel)) {
    if (entry.name.startsWith('.')) continue;
    const rel = posix.join(options.rel, entry.name);
    const [base, ext] = splitName(entry.name);
    if (entry.isDir || !ORG_FILES.includes(base) || !ORG_EXTENSIONS.includes(ext)) {
      ctx.problems.whole(displayPath(ctx, rel), 'ignored: not an org file', {
        severity: 'warning',
        hint: `org/ reads ${ORG_FILES.map((name) => `${name}.yaml`).join(', ')} (or .yml / .json)`,
      });
      continue;
    }
    const source = await readSource(ctx, rel);
    const raw = source ? topLevelMapping(ctx, source) : undefined;
    const top = source && raw ? validateWith(orgFileSchema, raw, source, ctx.problems) : undefined;
    if (!source || !top) {
      for (const key of raw ? Object.keys(raw) : ['business_units', 'teams', 'groups', 'service_accounts'])
        incomplete.add(key);
      continue;
    }
    const data = { ...top } as OrgFile;
    for (const key of Object.keys(orgItemSchemas) as OrgListKey[]) {
      const schema = orgItemSchemas[key];
      const items = top[key].map((value, index) => {
        const item = validateWith(schema, value, source, ctx.problems, { basePath: [key, index] });
        if (!item) incomplete.add(key);
        return item;
      });
      (data as Record<OrgListKey, unknown[]>)[key] = items;
    }
    files.push({ source, data });
  }
  const located = mergeOrgFiles(ctx, files, options);
  // References into a file that failed to load would all look unknown: only check what loaded in full.
  checkOrg(ctx, located, {
    roles: options.roles,
    nodes: !incomplete.has('business_units') && !incomplete.has('teams'),
    groups: !incomplete.has('groups'),
    serviceAccounts: !incomplete.has('service_accounts'),
  });
  const required = options.requiredTenantId;
  if (required !== undefined && located.tenantAt && located.org.tenant.id !== required) {
    const { source, path } = located.tenantAt;
    reportAt(
      ctx.problems,
      source,
      path,
      `tenant id "${located.org.tenant.id}" differs from its directory name "${required}"`,
      {
        hint: `set tenant.id: ${required}, or rename the directory`,
      },
    );
  }
  return located.org;
}

function splitName(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  return dot === -1 ? [name, ''] : [name.slice(0, dot), name.slice(dot + 1)];
}

function mergeOrgFiles(
  ctx: LoadContext,
  files: { source: SourceFile; data: OrgFile }[],
  options: OrgOptions,
): LocatedOrg {
  const located: LocatedOrg = {
    org: emptyOrgConfig(options.defaultTenant),
    businessUnits: [],
    teams: [],
    members: [],
    groups: [],
    serviceAccounts: [],
    roleBindings: [],
    budgets: [],
  };
  let tenantFrom: SourceFile | undefined;
  let inheritanceFrom: SourceFile | undefined;
  for (const { source, data } of files) {
    if (data.tenant) {
      if (tenantFrom) reportTwice(ctx, source, ['tenant'], tenantFrom);
      else {
        tenantFrom = source;
        located.org.tenant = { id: data.tenant.id, name: data.tenant.name ?? data.tenant.id };
        located.tenantAt = { source, path: ['tenant', 'id'] };
      }
    }
    if (data.inheritance) {
      if (inheritanceFrom) reportTwice(ctx, source, ['inheritance'], inheritanceFrom);
      else {
        inheritanceFrom = source;
        located.org.inheritance = data.inheritance;
      }
    }
    data.business_units.forEach((unit, index) => {
      if (!unit) return;
      const bu: BusinessUnitConfig = { id: unit.id, name: unit.name ?? unit.id, teams: [] };
      if (unit.policy) bu.policy = unit.policy;
      located.org.business_units.push(bu);
      located.businessUnits.push({ value: bu, source, path: ['business_units', index] });
      unit.teams.forEach((team, teamIndex) => {
        addTeam(located, bu, team, source, ['business_units', index, 'teams', teamIndex]);
      });
    });
    data.groups.forEach((value, index) => {
      if (!value) return;
      located.org.groups.push(value);
      located.groups.push({ value, source, path: ['groups', index] });
    });
    data.service_accounts.forEach((value, index) => {
      if (!value) return;
      located.org.service_accounts.push(value);
      located.serviceAccounts.push({ value, source, path: ['service_accounts', index] });
    });
    data.role_bindings.forEach((value, index) => {
      if (!value) return;
      located.org.role_bindings.push(value);
      located.roleBindings.push({ value, source, path: ['role_bindings', index] });
    });
    data.budgets.forEach((value, index) => {
      if (!value) return;
      located.org.budgets.push(value);
      located.budgets.push({ value, source, path: ['budgets', index] });
    });
  }
  // Flat teams attach after every file's business units are known, so files may be in any order.
  for (const { source, data } of files) {
    data.teams.forEach((team, index) => {
      if (!team) return;
      const bu = located.org.business_units.find((unit) => unit.id === team.business_unit);
      if (!bu) {
        const known = located.org.business_units.map((unit) => unit.id);
        reportAt(
          ctx.problems,
          source,
          ['teams', index, 'business_unit'],
          `team "${team.id}" is in unknown business unit "${team.business_unit}"`,
          {
            hint:
              didYouMean(team.business_unit, known) ??
              (known.length > 0 ? `business units: ${known.join(', ')}` : 'define it under business_units'),
          },
        );
        return;
      }
      addTeam(located, bu, team, source, ['teams', index]);
    });
  }
  return located;
}

function addTeam(
  located: LocatedOrg,
  bu: BusinessUnitConfig,
  team: {
    id: string;
    name?: string | undefined;
    members: TeamConfig['members'];
    policy?: TeamConfig['policy'] | undefined;
  },
  source: SourceFile,
  path: FieldPath,
): void {
  const value: TeamConfig = { id: team.id, name: team.name ?? team.id, members: team.members };
  if (team.policy) value.policy = team.policy;
  bu.teams.push(value);
  located.teams.push({ value, source, path });
  team.members.forEach((member, index) => {
    located.members.push({ value: member, source, path: [...path, 'members', index] });
  });
}

function reportTwice(ctx: LoadContext, source: SourceFile, path: FieldPath, first: SourceFile): void {
  const at = positionOf(first, path, 'key');
  reportAt(ctx.problems, source, path, `"${String(path[0])}" is defined in more than one org file`, {
    target: 'key',
    hint: `first defined at ${first.file}:${at.line}:${at.column}; keep one`,
  });
}

/** The org of a tenant that declares none: no people, the safe inheritance rules. */
export function emptyOrgConfig(tenant: OrgConfig['tenant']): OrgConfig {
  return {
    tenant: { ...tenant },
    business_units: [],
    groups: [],
    service_accounts: [],
    role_bindings: [],
    inheritance: {
      deny_overrides_allow: true,
      business_unit_overrides_general: true,
      security_policies_enforced: true,
    },
    budgets: [],
  };
}
