// Loads tenants/<id>/: the tenant's config override, its own org, rules and context documents.

import { posix } from 'node:path';
import { displayPath, type LoadContext, listDir } from './config-files.ts';
import { didYouMean } from './did-you-mean.ts';
import { loadContextDocuments } from './load-definitions.ts';
import { type LoadedMainConfig, loadTenantMainConfig } from './load-main-config.ts';
import { loadOrg } from './load-org.ts';
import { checkDuplicateRuleIds, type LocatedRule, loadRules } from './load-rules.ts';
import type { TenantConfig } from './policy-config.ts';

const TENANT_ID = /^[a-z0-9][a-z0-9-]*$/;
const TENANT_ENTRIES = ['config.yaml', 'config.yml', 'org', 'rules', 'context'];

export interface LoadedTenant {
  tenant: TenantConfig;
  rules: LocatedRule[];
}

export async function loadTenants(
  ctx: LoadContext,
  root: LoadedMainConfig,
  roles: readonly string[] | undefined,
  rootTenantId: string,
): Promise<LoadedTenant[]> {
  const out: LoadedTenant[] = [];
  for (const entry of await listDir(ctx, 'tenants')) {
    if (entry.name.startsWith('.')) continue;
    const rel = posix.join('tenants', entry.name);
    if (!entry.isDir) {
      ctx.problems.whole(displayPath(ctx, rel), 'ignored: tenants/ holds one directory per tenant', {
        severity: 'warning',
      });
      continue;
    }
    if (!TENANT_ID.test(entry.name)) {
      const suggestion = entry.name
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, '-')
        .replace(/^-+|-+$/g, '');
      ctx.problems.whole(displayPath(ctx, rel), `invalid tenant directory name "${entry.name}"`, {
        hint: `tenant ids are lowercase letters, digits and -; rename it to "${suggestion || 'tenant'}"`,
      });
      continue;
    }
    if (entry.name === rootTenantId) {
      ctx.problems.whole(displayPath(ctx, rel), `tenant "${entry.name}" is already the root org's tenant`, {
        hint: 'the root .claude/ config is one tenant; give this directory another id',
      });
      continue;
    }
    const loaded = await loadTenant(ctx, root, roles, entry.name, rel);
    if (loaded) out.push(loaded);
  }
  return out;
}

async function loadTenant(
  ctx: LoadContext,
  root: LoadedMainConfig,
  roles: readonly string[] | undefined,
  id: string,
  rel: string,
): Promise<LoadedTenant | undefined> {
  for (const entry of await listDir(ctx, rel)) {
    if (!entry.name.startsWith('.') && !TENANT_ENTRIES.includes(entry.name)) {
      ctx.problems.whole(
        displayPath(ctx, posix.join(rel, entry.name)),
        'ignored: not part of a tenant directory',
        {
          severity: 'warning',
          hint:
            didYouMean(entry.name, TENANT_ENTRIES) ?? `a tenant directory holds ${TENANT_ENTRIES.join(', ')}`,
        },
      );
    }
  }
  const config = await loadTenantMainConfig(ctx, root, rel);
  const entries = await listDir(ctx, rel);
  let org: TenantConfig['org'];
  if (entries.some((entry) => entry.name === 'org' && entry.isDir)) {
    org = await loadOrg(ctx, {
      rel: posix.join(rel, 'org'),
      defaultTenant: { id, name: id },
      roles,
      requiredTenantId: id,
    });
  }
  const rules = await loadRules(ctx, posix.join(rel, 'rules'), 'tenant');
  checkDuplicateRuleIds(ctx, rules);
  const context = await loadContextDocuments(ctx, posix.join(rel, 'context'));
  if (!config) return undefined;
  const tenant: TenantConfig = { id, config, rules: rules.map((item) => item.rule), context };
  if (org) tenant.org = org;
  return { tenant, rules };
}
