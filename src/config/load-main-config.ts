// Loads config.yaml (root, and each tenant's override merged onto it) into a MainConfig.

import { posix } from 'node:path';
import { displayPath, findVariant, type LoadContext, readSource, topLevelMapping } from './config-files.ts';
import { deepMerge } from './deep-merge.ts';
import type { MainConfig } from './policy-config.ts';
import { mainConfigSchema } from './schema/main-config-schema.ts';
import type { SourceFile } from './source-file.ts';
import { validateWith } from './zod-issues.ts';

export interface LoadedMainConfig {
  /** The raw (interpolated) mapping, which tenant overrides are merged onto. */
  raw: Record<string, unknown>;
  config: MainConfig | undefined;
  source: SourceFile | undefined;
}

export async function loadMainConfig(ctx: LoadContext): Promise<LoadedMainConfig> {
  const rel = await findVariant(ctx, '', 'config');
  if (rel === undefined) {
    ctx.problems.whole(displayPath(ctx, 'config.yaml'), 'missing config.yaml', {
      hint: 'every .claude/ config needs a config.yaml; run `llm-rules init` to create a starter',
    });
    return { raw: {}, config: undefined, source: undefined };
  }
  const source = await readSource(ctx, rel);
  const raw = source ? topLevelMapping(ctx, source) : undefined;
  if (!source || !raw) return { raw: {}, config: undefined, source };
  return { raw, config: validateWith(mainConfigSchema, raw, source, ctx.problems), source };
}

/** A tenant's config.yaml deep-merged over the root's raw config; problems are reported in the tenant file. */
export async function loadTenantMainConfig(
  ctx: LoadContext,
  root: LoadedMainConfig,
  tenantRel: string,
): Promise<MainConfig | undefined> {
  const rel = await findVariant(ctx, tenantRel, 'config');
  if (rel === undefined) return root.config;
  const source = await readSource(ctx, rel);
  const raw = source ? topLevelMapping(ctx, source) : undefined;
  if (!source || !raw) return undefined;
  const before = ctx.problems.items.length;
  const merged = deepMerge(root.raw, raw);
  // Issues in values the tenant did not write belong to the root file, which reports them itself.
  const config = validateWith(mainConfigSchema, merged, source, ctx.problems, { onlyWhereWritten: true });
  if (config === undefined && root.config !== undefined && ctx.problems.items.length === before) {
    ctx.problems.whole(source.file, `the merged configuration of ${posix.basename(tenantRel)} is invalid`);
  }
  return config;
}
