// `llm-rules audit export|tail|verify` in-process on SQLite: formats, filters, follow, retention, usage errors.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIo } from '../../../test/support/fake-io.ts';
import { copyExampleConfig, tempDir } from '../../../test/support/temp-dir.ts';
import { auditCommand } from '../../cli/audit-command.ts';
import { UsageError } from '../../cli/parse-flags.ts';
import { createStorage } from '../../storage/create-storage.ts';
import type { Storage } from '../../storage/ports.ts';
import { BundlesService } from '../bundles/bundles-service.ts';
import { AuditLog } from './audit-log.ts';

const T0 = Date.UTC(2026, 0, 1);
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

describe('llm-rules audit', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let data: string;
  let storage: Storage;

  const run = async (...args: string[]) => {
    const io = fakeIo();
    const code = await auditCommand([...args, '--data', data], io);
    return { code, out: io.out.join('\n'), err: io.err.join('\n') };
  };

  beforeAll(async () => {
    dir = await tempDir();
    data = join(dir.path, 'data');
    storage = await createStorage({ dataDir: data });
    await storage.migrate();
    const log = new AuditLog(storage.audit);
    for (let i = 0; i < 6; i++) {
      await log.record('acme', {
        timestamp: at(i),
        event: i % 2 ? 'tool_use' : 'decision',
        user: 'ada@acme.test',
        sessionId: 's-1',
        context: { i, note: i === 1 ? 'comma, "quote"' : 'plain' },
      });
    }
    await log.record('globex', { timestamp: at(0), event: 'auth', context: {} });
  });

  afterAll(async () => {
    await storage.close();
    await dir.remove();
  });

  it('exports NDJSON in the guide format, filtered by time and event', async () => {
    const { code, out } = await run(
      'export',
      '--tenant',
      'acme',
      '--since',
      at(1).toISOString(),
      '--until',
      at(5).toISOString(),
    );
    expect(code).toBe(0);
    const rows = out.split('\n').map((line) => JSON.parse(line));
    expect(rows.map((r) => r.seq)).toEqual([2, 3, 4, 5]);
    expect(Object.keys(rows[0])).toEqual([
      'tenant',
      'seq',
      'timestamp',
      'event',
      'user',
      'agent',
      'session_id',
      'bundle_revision',
      'context',
      'prev_hash',
      'hash',
    ]);
    expect(rows[0]).toMatchObject({ tenant: 'acme', timestamp: at(1).toISOString(), session_id: 's-1' });
    const decisions = await run('export', '--tenant', 'acme', '--event', 'decision', '--format', 'json');
    expect(JSON.parse(decisions.out).map((r: { seq: number }) => r.seq)).toEqual([1, 3, 5]);
  });

  it('exports CSV with a header and quoted cells', async () => {
    const { out } = await run('export', '--tenant', 'acme', '--format', 'csv');
    const lines = out.split('\n');
    expect(lines[0]).toBe(
      'tenant,seq,timestamp,event,user,agent,session_id,bundle_revision,context,prev_hash,hash',
    );
    expect(lines).toHaveLength(7);
    expect(lines[2]).toContain(',"{""i"":1,""note"":""comma, \\""quote\\""""}",');
  });

  it('exports an empty JSON array for a tenant without records', async () => {
    expect((await run('export', '--tenant', 'nobody', '--format', 'json')).out).toBe('[\n]');
  });

  it('checks its arguments before opening storage', async () => {
    const fresh = join(dir.path, 'never-created');
    const attempt = (...args: string[]) => auditCommand([...args, '--data', fresh], fakeIo());
    await expect(attempt('export')).rejects.toThrow(/needs --tenant/);
    await expect(attempt('export', '--tenant', 'a', '--format', 'xml')).rejects.toThrow(/--format must be/);
    await expect(attempt('export', '--tenant', 'a', '--since', 'yesterday')).rejects.toThrow(
      /not an ISO date/,
    );
    await expect(attempt('export', '--tenant', 'a', '--event', 'nope')).rejects.toThrow(/not an audit event/);
    await expect(attempt('tail', '-n', '0')).rejects.toBeInstanceOf(UsageError);
    await expect(attempt('shred')).rejects.toThrow(/unknown audit action 'shred'/);
    expect(existsSync(fresh)).toBe(false);
  });

  it('tails the last records of every tenant, then follows new ones until stopped', async () => {
    const { out } = await run('tail', '-n', '2');
    expect(out.split('\n')).toEqual([
      expect.stringMatching(/^2026-01-01T00:04:00.000Z acme #5 decision user=ada@acme.test session=s-1 \{/),
      expect.stringMatching(/^2026-01-01T00:05:00.000Z acme #6 tool_use /),
      '2026-01-01T00:00:00.000Z globex #1 auth {}',
    ]);

    const io = fakeIo();
    const stop = new AbortController();
    const following = auditCommand(
      ['tail', '--tenant', 'globex', '--follow', '--interval', '20', '--data', data],
      io,
      stop.signal,
    );
    await new Promise((resolve) => setTimeout(resolve, 60));
    await new AuditLog(storage.audit).record('globex', { timestamp: at(9), event: 'session', context: {} });
    const deadline = Date.now() + 2000;
    while (!io.out.join('\n').includes('#2') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    stop.abort();
    expect(await following).toBe(0);
    expect(io.out.join('\n')).toContain('2026-01-01T00:09:00.000Z globex #2 session {}');
  });

  it('verifies from the retention checkpoint once old records are removed', async () => {
    const dataDir = join(dir.path, 'retention');
    const own = await createStorage({ dataDir });
    await own.migrate();
    const log = new AuditLog(own.audit);
    for (let i = 0; i < 5; i++) await log.record('acme', { timestamp: at(i), event: 'tool_use' });
    expect(await own.audit.deleteBefore('acme', at(3))).toBe(3);
    await own.close();
    const io = fakeIo();
    expect(await auditCommand(['verify', '--data', dataDir], io)).toBe(0);
    expect(io.out).toEqual(['✓ 2 records verified for tenant acme (from the retention checkpoint at seq 3)']);
  });

  it('prunes by --days, or by each tenant’s audit.retention_days, and the rest still verifies', async () => {
    const dataDir = join(dir.path, 'prune');
    const own = await createStorage({ dataDir });
    await own.migrate();
    const log = new AuditLog(own.audit);
    const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);
    for (const d of [800, 740, 400, 100, 1])
      await log.record('acme', { timestamp: daysAgo(d), event: 'auth' });
    await log.record('elsewhere', { timestamp: daysAgo(800), event: 'auth' });
    const configDir = await copyExampleConfig(join(dir.path, 'prune-config'));
    await new BundlesService(own).apply(configDir, {}, 'test');
    await own.close();

    const prune = async (...args: string[]) => {
      const io = fakeIo({ env: { LLM_RULES_ACTOR: 'ops@acme.test' } });
      expect(await auditCommand(['prune', ...args, '--data', dataDir], io)).toBe(0);
      return io.out;
    };
    // acme keeps 730 days (examples/acme); a tenant without config is kept whole. The apply above
    // added a config_change and one rule_modification per rule to acme's and globex's chains.
    expect(await prune()).toEqual([
      'tenant acme: removed 2 records older than 730 days; the chain now starts after the checkpoint at seq 2',
      'tenant elsewhere: no audit.retention_days in the active bundle; kept everything',
      // globex's chain holds only the records of the apply above.
      'tenant globex: nothing older than 730 days',
    ]);
    expect(await prune('--tenant', 'acme', '--days', '200')).toEqual([
      'tenant acme: removed 1 records older than 200 days; the chain now starts after the checkpoint at seq 3',
    ]);
    const io = fakeIo();
    expect(await auditCommand(['verify', '--tenant', 'acme', '--data', dataDir], io)).toBe(0);
    // 2 recent auth records, the config_change, 7 rule_modifications (acme's rules) and 2 audit_retention.
    expect(io.out).toEqual([
      '✓ 12 records verified for tenant acme (from the retention checkpoint at seq 3)',
    ]);
    const exported = fakeIo();
    await auditCommand(
      ['export', '--tenant', 'acme', '--event', 'admin_action', '--data', dataDir],
      exported,
    );
    expect(
      exported.out
        .join('\n')
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toMatchObject([
      { user: 'ops@acme.test', context: { action: 'audit_retention', removed: 2, checkpoint_seq: 2 } },
      { user: 'ops@acme.test', context: { action: 'audit_retention', removed: 1, checkpoint_seq: 3 } },
    ]);
  });

  it('says so when there is nothing to verify', async () => {
    const io = fakeIo();
    expect(await auditCommand(['verify', '--data', join(dir.path, 'empty')], io)).toBe(0);
    expect(io.out).toEqual(['No audit records to verify.']);
  });
});
