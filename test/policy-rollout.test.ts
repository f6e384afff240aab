// Safe roll-out of policy: a candidate in shadow is decided but not enforced (differences recorded),
// a canary is enforced for its share of users, promote makes it active, rollback undoes.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundlesService } from '../src/features/bundles/bundles-service.ts';
import { RolloutService } from '../src/features/bundles/rollout-service.ts';
import { shadowReport } from '../src/features/bundles/shadow-report.ts';
import type { ServerHandle } from '../src/server.ts';
import { startExampleServer } from './support/example-server.ts';
import { copyExampleConfig, tempDir } from './support/temp-dir.ts';

const CWD = '/home/dev/acme-app';

describe('shadow, canary, promote and rollback', () => {
  let server: ServerHandle;
  let work: Awaited<ReturnType<typeof tempDir>>;
  let base: string;
  let candidateDir: string;
  let token: string;
  let rollout: RolloutService;

  beforeAll(async () => {
    work = await tempDir();
    base = await copyExampleConfig(join(work.path, 'base'));
    candidateDir = await copyExampleConfig(join(work.path, 'candidate'));
    // The candidate also forbids editing legacy code, tenant-wide.
    const file = join(candidateDir, 'config.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(
      file,
      text.replace(/(\n\s+deny:\n)(\s+)- Read\(\.env\*\)/, '$1$2- Edit(src/legacy/**)\n$2- Read(.env*)'),
    );
    let tokens: Record<string, string>;
    ({ server, tokens } = await startExampleServer({ configDir: base, users: ['alice@acme.test'] }));
    token = tokens['alice@acme.test']!;
    rollout = new RolloutService(server.storage);
  });
  afterAll(async () => {
    await server?.close();
    await work?.remove();
  });

  async function editLegacy(): Promise<string | undefined> {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/hooks/claude-code',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        session_id: 'rollout',
        cwd: CWD,
        hook_event_name: 'PreToolUse',
        tool_name: 'Edit',
        tool_input: { file_path: `${CWD}/src/legacy/a.ts`, old_string: 'a', new_string: 'b' },
      },
    });
    return (response.json() as { hookSpecificOutput?: { permissionDecision?: string } }).hookSpecificOutput
      ?.permissionDecision;
  }
  const lastDecision = async () => (await server.storage.audit.list('acme', { event: 'decision' })).at(-1)!;

  it('in shadow, enforces the active bundle and records what the candidate would do', async () => {
    expect(await editLegacy()).toBe('allow');
    const tried = await rollout.try(candidateDir, {}, 'alice', 'shadow', 0);
    await server.bundle.refresh();
    expect(server.bundle.candidate()?.revision).toBe(tried.revision);
    expect(await editLegacy()).toBe('allow');
    expect((await lastDecision()).context).toMatchObject({
      outcome: 'allow',
      shadow: { revision: tried.revision, outcome: 'deny', would: 'would_deny' },
    });
    const report = await shadowReport(
      server.storage.audit,
      'acme',
      (await server.storage.bundles.candidate())!,
    );
    expect(report.differences).toEqual([{ change: 'Edit: allow → deny', count: 1 }]);
  });

  it('as a canary for everyone, enforces the candidate and records what the active bundle would have done', async () => {
    const tried = await rollout.try(candidateDir, {}, 'alice', 'canary', 100);
    await server.bundle.refresh();
    expect(await editLegacy()).toBe('deny');
    const record = await lastDecision();
    expect(record.bundleRevision).toBe(tried.revision);
    expect(record.context).toMatchObject({
      outcome: 'deny',
      canary: { revision: tried.revision, active_outcome: 'allow' },
    });
  });

  it('promotes the candidate to active, then rolls back to the bundle before it', async () => {
    const before = server.bundle.current()!.revision;
    const promoted = await rollout.promote('alice');
    await server.bundle.refresh();
    expect(server.bundle.current()?.revision).toBe(promoted.revision);
    expect(server.bundle.candidate()).toBeUndefined();
    expect(await editLegacy()).toBe('deny');
    expect((await lastDecision()).context.shadow).toBeUndefined();

    const rolledBack = await rollout.rollback('alice');
    expect(rolledBack).toMatchObject({ kind: 'reactivated', result: { revision: before } });
    await server.bundle.refresh();
    expect(await editLegacy()).toBe('allow');
    await expect(rollout.try(base, {}, 'alice', 'canary', 0)).rejects.toThrow(/whole percentage/);
    await expect(rollout.try(base, {}, 'alice', 'shadow', 0)).rejects.toThrow(/active bundle already/);
    await expect(rollout.promote('alice')).rejects.toThrow(/no candidate/);
    expect((await new BundlesService(server.storage).plan(base, {})).plan.changes).toEqual([]);
  });
});
