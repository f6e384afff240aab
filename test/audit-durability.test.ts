// A decision is acknowledged only once its audit record is committed: kill -9 the server under load
// and every acknowledged decision is still in the (verifying) chain.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTenantAudit } from '../src/features/audit/audit-verification.ts';
import { BundlesService } from '../src/features/bundles/bundles-service.ts';
import { KeysService } from '../src/features/keys/keys-service.ts';
import { createStorage } from '../src/storage/create-storage.ts';
import { cleanEnv, startServe } from './support/run-cli.ts';
import { EXAMPLE_CONFIG, tempDir } from './support/temp-dir.ts';

describe('audit durability', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let data: string;
  let token: string;

  beforeAll(async () => {
    work = await tempDir();
    data = join(work.path, 'data');
    const storage = await createStorage({ dataDir: data });
    await storage.migrate();
    await new BundlesService(storage).apply(EXAMPLE_CONFIG, {}, 'test');
    token = (
      await new KeysService(storage).create({
        tenantId: 'acme',
        principal: { type: 'user', id: 'alice@acme.test' },
      })
    ).plaintext;
    await storage.close();
  });
  afterAll(async () => {
    await work.remove();
  });

  it('loses no acknowledged decision when the server is killed with SIGKILL under load', async () => {
    const server = await startServe(['--data', data, '--port', '0', '--log-level', 'error'], {
      env: cleanEnv(),
    });
    const acknowledged: string[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const id = `toolu_${w}_${i}`;
        try {
          const response = await fetch(`${server.url}/v1/hooks/claude-code`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              session_id: `kill-${w}`,
              cwd: '/home/dev/acme-app',
              hook_event_name: 'PreToolUse',
              tool_name: 'Read',
              tool_input: { file_path: `/home/dev/acme-app/src/file-${i}.ts` },
              tool_use_id: id,
            }),
          });
          const answer = (await response.json()) as { hookSpecificOutput?: unknown };
          if (response.ok && answer.hookSpecificOutput) acknowledged.push(id);
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = Array.from({ length: 16 }, (_, w) => worker(w));
    while (acknowledged.length < 300) await new Promise((resolve) => setTimeout(resolve, 10));
    server.child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    expect(await server.exited).toBeNull(); // killed by the signal, no clean shutdown

    const storage = await createStorage({ dataDir: data });
    try {
      const recorded = new Set(
        (await storage.audit.list('acme', { event: 'decision', limit: 100_000 })).map(
          (r) => r.context.tool_use_id,
        ),
      );
      const lost = acknowledged.filter((id) => !recorded.has(id));
      expect(lost).toEqual([]);
      expect((await verifyTenantAudit(storage.audit, 'acme')).verdict).toMatchObject({ ok: true });
    } finally {
      await storage.close();
    }
  }, 60_000);
});
