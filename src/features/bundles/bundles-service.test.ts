import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyExampleConfig, tempDir } from '../../../test/support/temp-dir.ts';
import { manualClock } from '../../core/clock/clock.ts';
import { ConfigError } from '../../core/errors/app-error.ts';
import { createStorage } from '../../storage/create-storage.ts';
import type { Storage } from '../../storage/ports.ts';
import { BundlesService } from './bundles-service.ts';

describe('BundlesService', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let dir: string;
  let storage: Storage;
  let service: BundlesService;
  const clock = manualClock();

  beforeEach(async () => {
    work = await tempDir();
    dir = await copyExampleConfig(work.path);
    storage = await createStorage({ memory: true });
    await storage.migrate();
    service = new BundlesService(storage, clock);
  });
  afterEach(async () => {
    await storage.close();
    await work.remove();
  });

  it('applies a directory as the active bundle and syncs every tenant it declares', async () => {
    const result = await service.apply(dir, {}, 'alice');
    expect(result).toMatchObject({ changed: true, activeRevision: null });
    expect(result.revision).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(result.orgSync).sort()).toEqual(['acme', 'globex']);
    expect(result.orgSync.acme?.usersAdded).toBe(20);
    expect(await storage.bundles.history(5)).toEqual([
      { revision: result.revision, previousRevision: null, appliedBy: 'alice', appliedAt: clock.now() },
    ]);
  });

  it('records nothing when the same content is applied again, and plans no change', async () => {
    const first = await service.apply(dir, {}, 'alice');
    clock.advance(1000);
    const second = await service.apply(dir, {}, 'bob');
    expect(second).toMatchObject({
      changed: false,
      revision: first.revision,
      activeRevision: first.revision,
    });
    expect(await storage.bundles.history(5)).toHaveLength(1);
    expect((await service.plan(dir, {})).plan.changes).toEqual([]);
  });

  it('deprovisions the people of a tenant removed from the config', async () => {
    await service.apply(dir, {}, 'alice');
    const before = await storage.org.listUsers('globex');
    expect(before.length).toBeGreaterThan(0);
    await rm(join(dir, 'tenants/globex'), { recursive: true });
    const result = await service.apply(dir, {}, 'alice');
    expect(result.orgSync.globex?.usersDeprovisioned).toBe(before.length);
    expect((await storage.org.listUsers('globex')).every((u) => u.deprovisionedAt !== null)).toBe(true);
  });

  it('refuses an invalid directory with every problem, storing nothing', async () => {
    await writeFile(join(dir, 'config.yaml'), 'limits:\n  max_tool_calls: 5\n');
    const error = await service.apply(dir, {}, 'alice').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).details.problems).toEqual([
      expect.objectContaining({ file: join(dir, 'config.yaml'), line: 2, path: 'limits.max_tool_calls' }),
    ]);
    expect(await storage.bundles.activeRevision()).toBeNull();
    expect(await storage.org.listTenants()).toEqual([]);
  });

  it('records each activation as a config_change in every tenant it governs, and nothing for a no-op', async () => {
    const first = await service.apply(dir, {}, 'alice');
    await service.apply(dir, {}, 'alice');
    for (const tenant of ['acme', 'globex']) {
      const changes = await storage.audit.list(tenant, { event: 'config_change' });
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({
        user: 'alice',
        bundleRevision: first.revision,
        context: { revision: first.revision, previous_revision: null, added: first.plan.added, removed: 0 },
      });
    }
  });

  it('records each rule added, changed or removed as a rule_modification with its diff, in the chain it reaches', async () => {
    await service.apply(dir, {}, 'alice');
    const path = join(dir, 'rules/code-review.md');
    await writeFile(
      path,
      '# Code review checklist\n\n- Is there a test for the change?\n- Is the change under 400 lines?\n',
    );
    await rm(join(dir, 'rules/data-notebooks.md'));
    await writeFile(
      join(dir, 'tenants/globex/rules/globex-review.md'),
      '# Globex review\n\n- Two approvals.\n',
    );
    const second = await service.apply(dir, {}, 'bob');
    const ofSecond = async (tenant: string) =>
      (await storage.audit.list(tenant, { event: 'rule_modification' })).filter(
        (r) => r.bundleRevision === second.revision,
      );
    const acme = await ofSecond('acme');
    const byRule = Object.fromEntries(acme.map((r) => [r.context.rule, r]));
    expect(Object.keys(byRule).sort()).toEqual(['code-review', 'data-notebooks']);
    expect(byRule['code-review']).toMatchObject({
      user: 'bob',
      bundleRevision: second.revision,
      context: { change: 'changed', path: 'rules/code-review.md' },
    });
    const diff = String(byRule['code-review']!.context.diff);
    expect(diff).toContain('--- a/rules/code-review.md');
    expect(diff).toMatch(/^-Rules without frontmatter/m);
    expect(diff).toMatch(/^\+- Is the change under 400 lines\?$/m);
    expect(byRule['data-notebooks']!.context).toMatchObject({ change: 'removed' });
    // Isolation is strict in the example: the root's rules stay out of globex's chain, its own are there.
    const globex = await ofSecond('globex');
    expect(globex.map((r) => [r.context.rule, r.context.change])).toEqual([['globex-review', 'added']]);
  });
});
