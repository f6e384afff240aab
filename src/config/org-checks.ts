// Cross-reference checks of a merged org: unique ids, known roles and groups, org refs that point at real nodes.

import type { LoadContext } from './config-files.ts';
import type { FieldPath } from './config-problem.ts';
import { didYouMean } from './did-you-mean.ts';
import type {
  BudgetConfig,
  BusinessUnitConfig,
  GroupConfig,
  OrgConfig,
  OrgMember,
  OrgRef,
  RoleBinding,
  ServiceAccountConfig,
  TeamConfig,
} from './policy-config.ts';
import { positionOf, reportAt, type SourceFile } from './source-file.ts';

export interface Located<T> {
  value: T;
  source: SourceFile;
  path: FieldPath;
}

/** The merged org plus where each item was written, so checks can point at it. */
export interface LocatedOrg {
  org: OrgConfig;
  tenantAt?: { source: SourceFile; path: FieldPath };
  businessUnits: Located<BusinessUnitConfig>[];
  teams: Located<TeamConfig>[];
  members: Located<OrgMember>[];
  groups: Located<GroupConfig>[];
  serviceAccounts: Located<ServiceAccountConfig>[];
  roleBindings: Located<RoleBinding>[];
  budgets: Located<BudgetConfig>[];
}

export interface OrgIndex {
  businessUnits: string[];
  teams: string[];
  users: string[];
}

export function indexOrg(org: OrgConfig): OrgIndex {
  const teams = org.business_units.flatMap((bu) => bu.teams);
  return {
    businessUnits: org.business_units.map((bu) => bu.id),
    teams: teams.map((team) => team.id),
    users: teams.flatMap((team) => team.members.map((member) => member.email)),
  };
}

/** Why `ref` points at nothing in the org, with a suggestion; undefined when it exists. */
export function missingRef(
  ref: OrgRef,
  index: OrgIndex,
): { message: string; hint?: string | undefined } | undefined {
  if (ref.level === 'tenant') return undefined;
  const known =
    ref.level === 'business_unit' ? index.businessUnits : ref.level === 'team' ? index.teams : index.users;
  const id = ref.id ?? '';
  if (known.includes(id)) return undefined;
  const label = ref.level.replace('_', ' ');
  return { message: `unknown ${label} "${id}"`, hint: didYouMean(id, known) };
}

export interface OrgCheckOptions {
  /** Known roles, or undefined to skip role checks. */
  roles: readonly string[] | undefined;
  /** Which kinds of reference target loaded in full (false when a file defining them failed to load). */
  nodes: boolean;
  groups: boolean;
  serviceAccounts: boolean;
}

export function checkOrg(ctx: LoadContext, located: LocatedOrg, options: OrgCheckOptions): void {
  const index = indexOrg(located.org);
  checkUnique(ctx, located.businessUnits, (bu) => bu.id, 'id', 'business unit id');
  checkUnique(ctx, located.teams, (team) => team.id, 'id', 'team id');
  checkUnique(ctx, located.members, (member) => member.email.toLowerCase(), 'email', 'user email');
  checkUnique(ctx, located.groups, (group) => group.id, 'id', 'group id');
  checkUnique(ctx, located.serviceAccounts, (account) => account.id, 'id', 'service account id');
  checkUnique(ctx, located.budgets, (budget) => budget.id, 'id', 'budget id');

  const roles = options.roles;
  const groupIds = located.org.groups.map((group) => group.id);
  const serviceIds = located.org.service_accounts.map((account) => account.id);
  const checkRoles = (item: Located<{ roles: string[] }>) => {
    item.value.roles.forEach((role, i) => {
      checkRole(ctx, item.source, [...item.path, 'roles', i], role, roles);
    });
  };
  for (const member of located.members) {
    checkRoles(member);
    member.value.groups.forEach((group, i) => {
      if (options.groups && !groupIds.includes(group)) {
        reportAt(ctx.problems, member.source, [...member.path, 'groups', i], `unknown group "${group}"`, {
          hint: didYouMean(group, groupIds) ?? 'define it under groups: in an org file',
        });
      }
    });
  }
  for (const group of located.groups) {
    checkRoles(group);
    if (group.value.bind_to)
      checkRef(ctx, group.source, [...group.path, 'bind_to'], group.value.bind_to, index);
  }
  for (const account of located.serviceAccounts) {
    checkRoles(account);
    const team = account.value.team;
    if (team !== undefined && options.nodes && !index.teams.includes(team)) {
      reportAt(ctx.problems, account.source, [...account.path, 'team'], `unknown team "${team}"`, {
        hint: didYouMean(team, index.teams),
      });
    }
  }
  for (const binding of located.roleBindings) {
    checkRole(ctx, binding.source, [...binding.path, 'role'], binding.value.role, roles);
    if (options.nodes) checkRef(ctx, binding.source, [...binding.path, 'at'], binding.value.at, index);
    binding.value.subjects.forEach((subject, i) => {
      const problem = missingSubject(subject, index, groupIds, serviceIds, options);
      if (problem)
        reportAt(ctx.problems, binding.source, [...binding.path, 'subjects', i], problem.message, problem);
    });
  }
  for (const budget of located.budgets) {
    const scope = budget.value.scope;
    const path = [...budget.path, 'scope'];
    if (scope.level === 'group') {
      if (options.groups && !groupIds.includes(scope.id)) {
        reportAt(ctx.problems, budget.source, path, `unknown group "${scope.id}"`, {
          hint: didYouMean(scope.id, groupIds) ?? 'define it under groups: in an org file',
        });
      }
      continue;
    }
    // Keys live in the database, not in the config: a key budget's key cannot be checked here.
    if (options.nodes && scope.level !== 'key') checkRef(ctx, budget.source, path, scope, index);
  }
}

function checkUnique<T>(
  ctx: LoadContext,
  items: Located<T>[],
  keyOf: (value: T) => string,
  field: string,
  label: string,
): void {
  const first = new Map<string, Located<T>>();
  for (const item of items) {
    const key = keyOf(item.value);
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, item);
      continue;
    }
    const at = positionOf(earlier.source, [...earlier.path, field]);
    reportAt(ctx.problems, item.source, [...item.path, field], `duplicate ${label} "${key}"`, {
      hint: `first defined at ${earlier.source.file}:${at.line}:${at.column}`,
    });
  }
}

export function checkRole(
  ctx: LoadContext,
  source: SourceFile,
  path: FieldPath,
  role: string,
  roles: readonly string[] | undefined,
): void {
  if (roles === undefined || roles.includes(role)) return;
  reportAt(ctx.problems, source, path, `unknown role "${role}"`, {
    hint:
      didYouMean(role, roles) ??
      (roles.length > 0
        ? `roles in permissions.yaml: ${roles.join(', ')}`
        : 'define roles in permissions.yaml'),
  });
}

export function checkRef(
  ctx: LoadContext,
  source: SourceFile,
  path: FieldPath,
  ref: OrgRef,
  index: OrgIndex,
): void {
  const problem = missingRef(ref, index);
  if (problem) reportAt(ctx.problems, source, path, problem.message, { hint: problem.hint });
}

function missingSubject(
  subject: string,
  index: OrgIndex,
  groups: string[],
  services: string[],
  options: OrgCheckOptions,
): { message: string; hint?: string | undefined } | undefined {
  if (subject.startsWith('group:')) {
    const id = subject.slice('group:'.length);
    return !options.groups || groups.includes(id)
      ? undefined
      : { message: `unknown group "${id}"`, hint: didYouMean(id, groups) };
  }
  if (subject.startsWith('service:')) {
    const id = subject.slice('service:'.length);
    return !options.serviceAccounts || services.includes(id)
      ? undefined
      : { message: `unknown service account "${id}"`, hint: didYouMean(id, services) };
  }
  if (!subject.includes('@')) {
    return {
      message: `invalid subject "${subject}"`,
      hint: 'a subject is a user email, group:<id> or service:<id>',
    };
  }
  return index.users.includes(subject)
    ? undefined
    : { message: `unknown user "${subject}"`, hint: didYouMean(subject, index.users) };
}
