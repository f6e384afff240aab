// Issue 7's targets: OTLP log ingest on SQLite (≥ 5,000 records/s) through `POST /v1/logs` over loopback
// HTTP, beside a baseline of the same rows written with one prepared INSERT each (the storage floor);
// and a 30-day analytics query over the rollups of 10 million events (< 200 ms) on SQLite and, with
// DATABASE_URL, PostgreSQL, beside a baseline of `SELECT count(*)` over the same rows.
import { join } from 'node:path';
import { type RollupContribution, rollupIncrements } from '../src/core/analytics/rollup.ts';
import { createLogger } from '../src/http/create-logger.ts';
import { resolveServerOptions } from '../src/http/server-options.ts';
import { type ServerHandle, startServer } from '../src/server.ts';
import { type CreateStorageOptions, createStorage } from '../src/storage/create-storage.ts';
import { SQL_BACKENDS } from '../test/support/sql-backends.ts';
import { EXAMPLE_CONFIG } from '../test/support/temp-dir.ts';
import { benchTempDir } from './bench-temp-dir.ts';
import { measure, report, type Stats } from './measure.ts';
import { startBenchServer } from './support/bench-server.ts';
import { loadWith } from './support/http-load.ts';

const RECORDS_PER_EXPORT = 100;
const EXPORTS = 1_000;
const TARGET_RECORDS_PER_SEC = 5_000;
const TARGET_QUERY_MS = 200;
const EVENTS = 10_000_000;
const DAYS = 30;
const USERS = 1_000;
const TEAMS = 50;
const MODELS = ['claude-opus-5-5', 'claude-sonnet-5', 'claude-haiku-5'];
const WORK_HOURS = 10;

const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

/** One OTLP/JSON export as Claude Code sends it: api_request, tool_decision and user_prompt events. */
function logsExport(i: number): string {
  const attr = (key: string, value: string | number) => ({
    key,
    value: typeof value === 'number' ? { intValue: value } : { stringValue: value },
  });
  const records = Array.from({ length: RECORDS_PER_EXPORT }, (_, j) => {
    const kind = ['api_request', 'tool_decision', 'user_prompt'][j % 3]!;
    const common = [
      attr('session.id', `bench-${i % 64}`),
      attr('event.name', kind),
      attr('event.sequence', j),
    ];
    const extra =
      kind === 'api_request'
        ? [
            attr('model', MODELS[j % 3]!),
            attr('input_tokens', 1200),
            attr('output_tokens', 300),
            attr('cost_usd_micros', 5400),
            attr('duration_ms', 900),
          ]
        : kind === 'tool_decision'
          ? [attr('tool_name', 'Read'), attr('decision', j % 10 === 0 ? 'reject' : 'accept')]
          : [attr('prompt_length', 120)];
    return {
      timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
      body: { stringValue: `claude_code.${kind}` },
      attributes: [...common, ...extra],
    };
  });
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [attr('service.name', 'claude-code'), attr('team.id', 'platform')] },
        scopeLogs: [{ scope: { name: 'com.anthropic.claude_code.events' }, logRecords: records }],
      },
    ],
  });
}

async function ingest(): Promise<void> {
  const dir = await benchTempDir();
  const { server, key: plaintext } = await startBenchServer(dir.path);
  try {
    const warmUp = 50;
    const bodies = Array.from({ length: warmUp + EXPORTS }, (_, i) => logsExport(i));
    const result = await loadWith(
      {
        name: `POST /v1/logs, ${RECORDS_PER_EXPORT} records an export`,
        url: server.url,
        method: 'POST',
        path: '/v1/logs',
        headers: { authorization: `Bearer ${plaintext}`, 'content-type': 'application/json' },
        bodies,
      },
      { warmUp, total: EXPORTS, concurrency: 8 },
    );
    const failed = result.answers.filter((a) => !a.startsWith('200 ')).length;
    if (failed > 0)
      throw new Error(`${failed} exports failed: ${result.answers.find((a) => !a.startsWith('200 '))}`);
    const stored = (
      await server.storage.telemetry.events('acme', {
        since: new Date(Date.now() - 3_600_000),
        until: new Date(Date.now() + 60_000),
      })
    ).length;
    if (stored !== (warmUp + EXPORTS) * RECORDS_PER_EXPORT) throw new Error(`stored ${stored} records`);
    const recordsPerSec = result.stats.opsPerSec * RECORDS_PER_EXPORT;
    const baseline = await plainInserts(join(dir.path, 'data'));
    report(
      'OTLP log ingest, SQLite (server over loopback, audit writer thread)',
      [{ ...result.stats, name: `${result.stats.name} (exports)` }, baseline],
      [
        `ingest: ${recordsPerSec.toLocaleString('en')} log records/s (target ≥ ${TARGET_RECORDS_PER_SEC.toLocaleString('en')}): ${verdict(recordsPerSec >= TARGET_RECORDS_PER_SEC)}`,
        `baseline: one prepared INSERT per record into telemetry_events, ${baseline.opsPerSec.toLocaleString('en')} records/s, no HTTP, parsing, mapping or rollups`,
        `every record stored: ${stored.toLocaleString('en')}`,
      ].join('\n'),
    );
  } finally {
    await server.close();
    await dir.remove();
  }
}

/** The storage floor: the same number of rows, one prepared INSERT each, in transactions of one export. */
async function plainInserts(dataDir: string): Promise<Stats> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dataDir, 'llm-rules.db'));
  const insert = db.prepare(
    `insert into telemetry_events (tenant_id, day, at, name, user_id, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_micro, gateway_metered, attributes)
     values ('acme', 20261206, ?, 'api_request', 'alice@acme.test', 1200, 300, 0, 0, 5400, 0, '{}')`,
  );
  const batch = db.transaction((n: number) => {
    for (let i = 0; i < n; i++) insert.run(Date.now());
  });
  const stats = await measure('baseline: prepared INSERT, 100 rows a transaction', EXPORTS / 5, () =>
    batch(RECORDS_PER_EXPORT),
  );
  db.close();
  return {
    ...stats,
    opsPerSec: stats.opsPerSec * RECORDS_PER_EXPORT,
    name: `${stats.name} (records/s in ops/s)`,
  };
}

/** Day and hour rollups of EVENTS synthetic events: 1,000 users in 50 teams, three models, 30 days. */
function* rollupBatches(until: Date): Generator<RollupContribution[]> {
  const perCell = Math.round(EVENTS / (DAYS * USERS * MODELS.length * WORK_HOURS));
  for (let d = 0; d < DAYS; d++) {
    const day = new Date(until.getTime() - (d + 1) * 86_400_000);
    for (let u = 0; u < USERS; u++) {
      const batch: RollupContribution[] = [];
      for (const model of MODELS)
        for (let h = 0; h < WORK_HOURS; h++) {
          batch.push({
            at: new Date(day.getTime() + (8 + h) * 3_600_000),
            dims: {
              business_unit: `bu-${u % 5}`,
              team: `team-${u % TEAMS}`,
              user: `user-${u}@acme.test`,
              agent: u % 3 === 0 ? 'qa' : 'developer',
              model,
            },
            measures: {
              requests: perCell,
              input_tokens: perCell * 1200,
              output_tokens: perCell * 300,
              cost_micro: perCell * 5400,
              tool_decisions: perCell * 2,
              tool_rejects: 1,
              prompts: perCell,
            },
          });
        }
      yield batch;
    }
  }
}

async function analyticsQuery(
  name: string,
  storageOptions: CreateStorageOptions,
  dir: string,
): Promise<void> {
  const storage = await createStorage(storageOptions);
  await storage.migrate();
  let server: ServerHandle | undefined;
  try {
    const until = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000);
    const started = performance.now();
    for (const batch of rollupBatches(until)) {
      // Only the day and hour rows: the minute rows of a month would add nothing a day query reads.
      await storage.telemetry.ingest(
        'acme',
        [],
        rollupIncrements(batch).filter((r) => r.granularity !== 'minute'),
      );
    }
    const loadSeconds = (performance.now() - started) / 1000;
    server = await startServer(
      resolveServerOptions([
        {
          name: 'bench',
          values: { port: 0, configDir: EXAMPLE_CONFIG, applyConfigOnStart: 'always', dataDir: dir },
        },
      ]),
      { storage, logger: createLogger('silent'), env: {} },
    );
    const key = (
      await server.keys.create({
        tenantId: 'acme',
        principal: { type: 'user', id: 'root@acme.test' },
        scopes: ['admin:read'],
      })
    ).plaintext;
    const from = new Date(until.getTime() - DAYS * 86_400_000).toISOString();
    const url = `/api/v1/tenants/acme/analytics/usage?from=${from}&to=${until.toISOString()}&group_by=team`;
    const ask = async () => {
      const response = await server!.app.inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${key}` },
      });
      if (response.statusCode !== 200)
        throw new Error(`analytics answered ${response.statusCode}: ${response.body}`);
      return response.json() as { rows: unknown[]; totals: { requests: number } };
    };
    const first = await ask();
    const query = await measure(`${name}: 30 days by team (API)`, 20, ask);
    const baseline = await measure(`${name}: baseline count(*) of the day rows`, 20, () =>
      storage.telemetry.rollups('acme', { granularity: 'day', since: new Date(from), until, groupBy: [] }),
    );
    report(
      `Analytics query, ${name}`,
      [query, baseline],
      [
        `events summarised: ${first.totals.requests.toLocaleString('en')} model calls (of ${EVENTS.toLocaleString('en')} synthetic events); ${first.rows.length} teams; rollups loaded in ${loadSeconds.toFixed(0)} s`,
        `30-day query p50 ${(query.p50Us / 1000).toFixed(1)} ms, p99 ${(query.p99Us / 1000).toFixed(1)} ms (target < ${TARGET_QUERY_MS} ms): ${verdict(query.p99Us / 1000 < TARGET_QUERY_MS)}`,
      ].join('\n'),
    );
  } finally {
    if (server) await server.close();
    else await storage.close();
  }
}

export async function run(): Promise<void> {
  await ingest();
  const dir = await benchTempDir();
  try {
    await analyticsQuery('SQLite', { dataDir: join(dir.path, 'sqlite') }, join(dir.path, 'sqlite'));
    const postgres = SQL_BACKENDS.find((b) => b.name === 'PostgreSQL')!;
    if (postgres.enabled) {
      const database = await postgres.create('bench_analytics');
      try {
        await analyticsQuery('PostgreSQL', database.options, join(dir.path, 'pg'));
      } finally {
        await database.cleanup();
      }
    } else console.log('\nPostgreSQL analytics query skipped: DATABASE_URL is not set.');
  } finally {
    await dir.remove();
  }
}
