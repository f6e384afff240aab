// Loads permissions.yaml: roles in either form, with unknown inherited roles and inheritance cycles reported.

import { findVariant, type LoadContext, readSource, topLevelMapping } from './config-files.ts';
import { didYouMean } from './did-you-mean.ts';
import type { RoleDefinition } from './policy-config.ts';
import { permissionsFileSchema, roleListSchema, roleObjectSchema } from './schema/roles-schema.ts';
import { reportAt, type SourceFile } from './source-file.ts';
import { validateWith } from './zod-issues.ts';

export interface LoadedRoles {
  roles: Record<string, RoleDefinition>;
  source: SourceFile | undefined;
  /** False when the file could not be read in full: references to roles are then not checked. */
  complete: boolean;
}

const ROLE_NAME = /^[a-z][a-z0-9_-]*$/;

export async function loadRoles(ctx: LoadContext): Promise<LoadedRoles> {
  const roles: Record<string, RoleDefinition> = {};
  const rel = await findVariant(ctx, '', 'permissions');
  if (rel === undefined) return { roles, source: undefined, complete: true };
  const source = await readSource(ctx, rel);
  const raw = source ? topLevelMapping(ctx, source) : undefined;
  if (!source || !raw) return { roles, source, complete: false };
  const file = validateWith(permissionsFileSchema, raw, source, ctx.problems);
  if (!file) return { roles, source, complete: false };
  for (const [name, value] of Object.entries(file.roles)) {
    const path = ['roles', name];
    if (!ROLE_NAME.test(name)) {
      reportAt(ctx.problems, source, path, `invalid role name "${name}"`, {
        target: 'key',
        hint: 'use lowercase letters, digits, - and _, starting with a letter',
      });
    }
    if (Array.isArray(value)) {
      const permissions = validateWith(roleListSchema, value, source, ctx.problems, { basePath: path });
      roles[name] = { permissions: permissions ?? [], inherits: [] };
    } else if (typeof value === 'object' && value !== null) {
      const role = validateWith(roleObjectSchema, value, source, ctx.problems, { basePath: path });
      // An invalid role still exists, so references to it are not reported as unknown too.
      roles[name] = role ?? {
        permissions: [],
        inherits: stringsOf((value as { inherits?: unknown }).inherits),
      };
    } else {
      reportAt(ctx.problems, source, path, `role "${name}" must be a list of permissions or a mapping`, {
        hint: 'e.g. developer: [rules:read] or developer: {permissions: [rules:read], inherits: [viewer]}',
      });
    }
  }
  checkInheritance(ctx, source, roles);
  return { roles, source, complete: true };
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function checkInheritance(ctx: LoadContext, source: SourceFile, roles: Record<string, RoleDefinition>): void {
  const names = Object.keys(roles);
  for (const [name, role] of Object.entries(roles)) {
    role.inherits.forEach((parent, index) => {
      if (roles[parent] === undefined) {
        reportAt(
          ctx.problems,
          source,
          ['roles', name, 'inherits', index],
          `role "${name}" inherits unknown role "${parent}"`,
          {
            hint: didYouMean(parent, names) ?? `known roles: ${names.join(', ')}`,
          },
        );
      }
    });
  }
  const reported = new Set<string>();
  for (const start of names.sort()) {
    const cycle = findCycle(start, roles);
    if (!cycle) continue;
    const key = [...cycle.slice(0, -1)].sort().join(',');
    if (reported.has(key)) continue;
    reported.add(key);
    const from = cycle[0]!;
    const index = roles[from]!.inherits.indexOf(cycle[1]!);
    reportAt(
      ctx.problems,
      source,
      ['roles', from, 'inherits', index],
      `role inheritance cycle: ${cycle.join(' → ')}`,
      {
        hint: 'remove one of the inherits entries so that no role inherits itself',
      },
    );
  }
}

/** A cycle through `start` (`[a, b, a]`), found depth-first over known roles. */
function findCycle(start: string, roles: Record<string, RoleDefinition>): string[] | undefined {
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (name === start && stack.length > 0) return [...stack, start];
    if (stack.includes(name)) return undefined;
    stack.push(name);
    for (const parent of roles[name]?.inherits ?? []) {
      const found = visit(parent);
      if (found) return found;
    }
    stack.pop();
    return undefined;
  };
  return visit(start);
}
