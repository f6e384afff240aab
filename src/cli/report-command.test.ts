// `llm-rules report`: the month's executive summary from the store, as markdown and JSON.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyConfig } from '../../test/support/apply-config.ts';
import { fakeIo } from '../../test/support/fake-io.ts';
import { copyExampleConfig, tempDir } from '../../test/support/temp-dir.ts';
import { usageRecord } from '../../test/support/usage-record.ts';
import { AuditLog } from '../features/audit/audit-log.ts';
import { createStorage } from '../storage/create-storage.ts';
import { main } from './main.ts';

const call = (
  requestId: string,
  at: string,
  teamId: string,
  businessUnitId: string,
  user: string,
  costUsd: number,
) =>
  usageRecord({
    requestId,
    at: new Date(at),
    teamId,
    businessUnitId,
    principal: { type: 'user', id: user },
    sessionId: `s-${user}`,
    tokens: { input: 1000, output: 100, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 },
    costMicro: costUsd * 1_000_000,
    latencyMs: 900.5,
  });

describe('llm-rules report', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let data: string;

  beforeAll(async () => {
    work = await tempDir();
    data = join(work.path, 'data');
    await applyConfig(data, await copyExampleConfig(work.path));
    const storage = await createStorage({ dataDir: data });
    try {
      await storage.usage.insert([
        call('r1', '2026-11-03T10:00:00Z', 'platform', 'engineering', 'alice@acme.test', 120),
        call('r2', '2026-11-20T10:00:00Z', 'payments', 'engineering', 'erin@acme.test', 80),
        call('r3', '2026-11-21T10:00:00Z', 'analytics', 'data', 'judy@acme.test', 25.5),
        // October and December are other reports.
        call('r4', '2026-10-31T23:59:00Z', 'platform', 'engineering', 'alice@acme.test', 999),
        call('r5', '2026-12-01T00:00:00Z', 'platform', 'engineering', 'alice@acme.test', 999),
      ]);
      const audit = new AuditLog(storage.audit);
      const at = new Date('2026-11-10T09:00:00Z');
      await audit.record('acme', {
        event: 'decision',
        timestamp: at,
        user: 'alice@acme.test',
        context: { outcome: 'deny' },
      });
      await audit.record('acme', {
        event: 'decision',
        timestamp: at,
        user: 'alice@acme.test',
        context: { outcome: 'allow' },
      });
      await audit.record('acme', {
        event: 'prompt_blocked',
        timestamp: at,
        user: 'erin@acme.test',
        context: {},
      });
      await audit.close();
    } finally {
      await storage.close();
    }
  });
  afterAll(async () => {
    await work?.remove();
  });

  it('writes the month as markdown and JSON: cost by business unit and team, incidents, budget variance', async () => {
    const io = fakeIo({ cwd: work.path });
    expect(await main(['report', '--period', '2026-11', '--data', data, '--out', 'reports'], io)).toBe(0);
    const base = join(work.path, 'reports', 'llm-rules-report-acme-2026-11');
    const report = JSON.parse(await readFile(`${base}.json`, 'utf8'));
    expect(report.cost.total_usd).toBe(225.5);
    expect(report.cost.by_business_unit).toEqual([
      { name: 'engineering', cost_usd: 200, requests: 2, tokens: 2200 },
      { name: 'data', cost_usd: 25.5, requests: 1, tokens: 1100 },
    ]);
    expect(report.cost.by_team.map((t: { name: string }) => t.name)).toEqual([
      'platform',
      'payments',
      'analytics',
    ]);
    expect(report.adoption).toMatchObject({ active_users: 3, model_calls: 3 });
    expect(report.security).toMatchObject({ denied_tool_calls: 1, asked_tool_calls: 0, blocked_prompts: 1 });
    // A past month: the budgets as they stood at its end; platform spent $120 of $5,000.
    const platform = report.budgets.find((b: { budget: string }) => b.budget === 'platform-team');
    expect(platform.forecast).toMatchObject({ spent_usd: 120, forecast_usd: 120, variance_usd: -4880 });
    const markdown = await readFile(`${base}.md`, 'utf8');
    expect(markdown).toMatch(/^# Acme Corp: AI coding agents, 2026-11/);
    expect(markdown).toContain('| engineering | $200.00 | 2 | 2,200 |');
    expect(markdown).toContain('1 tool calls denied');
    expect(io.out.join('\n')).toMatch(
      /Wrote .*llm-rules-report-acme-2026-11\.md and .*\.json \(225\.50 USD, 3 active developers\)/,
    );
  });

  it('names what is wrong: the period, the tenant', async () => {
    const bad = fakeIo();
    expect(await main(['report', '--period', 'November', '--data', data], bad)).not.toBe(0);
    expect(bad.err.join('\n')).toMatch(/--period: expected a month as YYYY-MM, got "November"/);
    const nobody = fakeIo();
    expect(
      await main(['report', '--period', '2026-11', '--tenant', 'initech', '--data', data], nobody),
    ).not.toBe(0);
    expect(nobody.err.join('\n')).toMatch(/no tenant "initech"/);
  });
});
