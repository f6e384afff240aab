// `llm-rules telemetry prune`: old days archived to gzip NDJSON and deleted, recent ones and the rollups kept.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyConfig } from '../../test/support/apply-config.ts';
import { fakeIo } from '../../test/support/fake-io.ts';
import { copyExampleConfig, tempDir } from '../../test/support/temp-dir.ts';
import { rollupIncrements } from '../core/analytics/rollup.ts';
import { telemetryEvent } from '../storage/contract/contract-fixtures.ts';
import { createStorage } from '../storage/create-storage.ts';
import { main } from './main.ts';

const DAY = 86_400_000;
const event = (at: Date, name: string) =>
  telemetryEvent({ at, name, userId: 'alice@acme.test', businessUnitId: 'engineering', teamId: 'platform' });

describe('llm-rules telemetry prune', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let data: string;
  const old = new Date(Math.floor(Date.now() / DAY) * DAY - 40 * DAY + 3_600_000);
  const recent = new Date();

  beforeAll(async () => {
    work = await tempDir();
    data = join(work.path, 'data');
    await applyConfig(data, await copyExampleConfig(work.path));
    const storage = await createStorage({ dataDir: data });
    try {
      const events = [event(old, 'api_request'), event(old, 'user_prompt'), event(recent, 'api_request')];
      const rollups = rollupIncrements(
        events.map((e) => ({
          at: e.at,
          dims: { business_unit: 'engineering', team: 'platform', user: e.userId, agent: '', model: 'm' },
          measures: { requests: 1 },
        })),
      );
      await storage.telemetry.ingest('acme', events, rollups);
    } finally {
      await storage.close();
    }
  });
  afterAll(async () => {
    await work?.remove();
  });

  it('archives the days past the retention, then deletes exactly those rows; a second run finds nothing', async () => {
    const io = fakeIo({ cwd: work.path });
    expect(
      await main(
        ['telemetry', 'prune', '--days', '30', '--tenant', 'acme', '--archive', 'archive', '--data', data],
        io,
      ),
    ).toBe(0);
    const label = old.toISOString().slice(0, 10);
    expect(io.out).toEqual([
      // The old events' minute row (both fell in one minute), past the week minute rollups are kept.
      'tenant acme: removed 1 minute rollups older than 7 days',
      `tenant acme: ${label}: archived 2 events to ${join(work.path, 'archive', 'acme', `${label}.ndjson.gz`)}, deleted 2`,
    ]);
    const lines = gunzipSync(await readFile(join(work.path, 'archive', 'acme', `${label}.ndjson.gz`)))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.tenant, l.name, l.at])).toEqual([
      ['acme', 'api_request', old.toISOString()],
      ['acme', 'user_prompt', old.toISOString()],
    ]);
    expect(await readdir(join(work.path, 'archive', 'acme'))).toEqual([`${label}.ndjson.gz`]);

    const storage = await createStorage({ dataDir: data });
    try {
      const left = await storage.telemetry.events('acme', {
        since: new Date(0),
        until: new Date(Date.now() + DAY),
      });
      expect(left.map((e) => e.at.toISOString())).toEqual([recent.toISOString()]);
      // The rollups still count the archived days.
      const [total] = await storage.telemetry.rollups('acme', {
        granularity: 'day',
        since: new Date(0),
        until: new Date(Date.now() + DAY),
        groupBy: [],
      });
      expect(total?.measures.requests).toBe(3);
    } finally {
      await storage.close();
    }
    const again = fakeIo({ cwd: work.path });
    await main(
      ['telemetry', 'prune', '--days', '30', '--tenant', 'acme', '--archive', 'archive', '--data', data],
      again,
    );
    expect(again.out).toEqual(['tenant acme: nothing older than 30 days']);
  });

  it('wants to be told where archives go, or that there are none', async () => {
    const io = fakeIo();
    expect(await main(['telemetry', 'prune', '--data', data], io)).not.toBe(0);
    expect(io.err.join('\n')).toMatch(/--archive DIR\), or --no-archive/);
  });
});
