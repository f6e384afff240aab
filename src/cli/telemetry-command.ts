// `llm-rules telemetry prune`: raw Claude Code telemetry past each tenant's gdpr.data_retention_days (or
// --days) archived a UTC day at a time to NDJSON (gzip), then deleted; minute rollups older than a week
// deleted; hour and day rollups stay. Meant for a daily
// cron job; running it twice, or on two machines, archives and deletes nothing twice.
import { resolve } from 'node:path';
import { systemClock } from '../core/clock/clock.ts';
import { tenantConfig } from '../features/bundles/tenant-config.ts';
import {
  MINUTE_ROLLUP_DAYS,
  pruneMinuteRollups,
  pruneTelemetry,
  retentionCutoff,
} from '../features/telemetry/telemetry-retention.ts';
import type { CliIo } from './cli-io.ts';
import { withStorage } from './open-storage.ts';
import { parseFlags, stringFlag, UsageError } from './parse-flags.ts';

const USAGE = `llm-rules telemetry prune (--archive DIR | --no-archive) [--tenant T] [--days N]
  (default --days: each tenant's gdpr.data_retention_days; --data DIR; DATABASE_URL selects PostgreSQL)`;

const FLAGS = {
  data: { type: 'string' },
  tenant: { type: 'string' },
  days: { type: 'string' },
  archive: { type: 'string' },
  'no-archive': { type: 'boolean' },
} as const;

export async function telemetryCommand(args: string[], io: CliIo): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'prune')
    throw new UsageError(`unknown telemetry action '${action ?? ''}'\n\nusage: ${USAGE}`);
  const { values } = parseFlags(rest, FLAGS, USAGE);
  const archive = stringFlag(values, 'archive');
  if (Boolean(archive) === Boolean(values['no-archive'])) {
    throw new UsageError(
      `say where archives go (--archive DIR), or --no-archive to delete without them\n\nusage: ${USAGE}`,
    );
  }
  const daysFlag = stringFlag(values, 'days');
  const days = daysFlag === undefined ? undefined : Number(daysFlag);
  if (days !== undefined && !(Number.isInteger(days) && days >= 1))
    throw new UsageError(`--days must be a whole number of days, at least 1\n\nusage: ${USAGE}`);
  const now = systemClock.now();
  return withStorage(io, stringFlag(values, 'data'), async (storage) => {
    const revision = await storage.bundles.activeRevision();
    const bundle = revision ? await storage.bundles.get(revision) : undefined;
    const wanted = stringFlag(values, 'tenant');
    const tenants = wanted ? [wanted] : (await storage.org.listTenants()).map((t) => t.id);
    for (const tenantId of tenants) {
      const retention =
        days ?? (bundle ? tenantConfig(bundle.content, tenantId)?.gdpr.data_retention_days : undefined);
      if (retention === undefined) {
        io.stdout(`tenant ${tenantId}: no gdpr.data_retention_days in the active policy; kept everything`);
        continue;
      }
      const pruned = await pruneTelemetry({
        store: storage.telemetry,
        tenantId,
        before: retentionCutoff(now, retention),
        archiveDir: archive ? resolve(io.cwd, archive) : null,
      });
      const minutes = await pruneMinuteRollups(storage.telemetry, tenantId, now);
      if (minutes > 0)
        io.stdout(
          `tenant ${tenantId}: removed ${minutes} minute rollups older than ${MINUTE_ROLLUP_DAYS} days`,
        );
      if (pruned.length === 0) io.stdout(`tenant ${tenantId}: nothing older than ${retention} days`);
      for (const p of pruned) {
        io.stdout(
          `tenant ${tenantId}: ${p.day}: ${p.file ? `archived ${p.archived} events to ${p.file}, ` : ''}deleted ${p.deleted}`,
        );
      }
    }
    return 0;
  });
}
