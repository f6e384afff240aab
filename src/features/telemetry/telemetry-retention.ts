// Raw telemetry past its retention: each whole UTC day is written to `<dir>/<tenant>/<YYYY-MM-DD>.ndjson.gz`
// (one event per line, fsynced, renamed into place), and only then are exactly the rows written deleted,
// so an event that arrives late for an old day is never dropped unarchived. Rollups are kept.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { dayLabel, dayNumber } from '../../storage/telemetry-day.ts';
import type { TelemetryStore } from '../../storage/telemetry-port.ts';

const PAGE = 5_000;
const DAY_MS = 86_400_000;

export interface PrunedDay {
  day: string;
  archived: number;
  deleted: number;
  file: string | null;
}

/** The first day kept: days before it are past `retentionDays` (today counts as one). */
export function retentionCutoff(now: Date, retentionDays: number): number {
  return dayNumber(new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - (retentionDays - 1) * DAY_MS));
}

export async function pruneTelemetry(options: {
  store: TelemetryStore;
  tenantId: string;
  before: number;
  /** Where archives go; null deletes without archiving. */
  archiveDir: string | null;
}): Promise<PrunedDay[]> {
  const { store, tenantId } = options;
  const out: PrunedDay[] = [];
  for (const day of await store.eventDays(tenantId, options.before)) {
    const label = dayLabel(day);
    let lastSeq = 0;
    let count = 0;
    let file: string | null = null;
    if (options.archiveDir) {
      const dir = join(options.archiveDir, tenantId);
      await mkdir(dir, { recursive: true });
      file = join(dir, `${label}.ndjson.gz`);
      const temporary = `${file}.${process.pid}.tmp`;
      try {
        const gzip = createGzip();
        const sink = createWriteStream(temporary, { mode: 0o600 });
        gzip.pipe(sink);
        for (;;) {
          const page = await store.dayEvents(tenantId, day, { afterSeq: lastSeq, limit: PAGE });
          for (const { seq, event } of page) {
            if (
              !gzip.write(
                `${JSON.stringify({ tenant: tenantId, seq, ...event, at: event.at.toISOString() })}\n`,
              )
            )
              await once(gzip, 'drain');
            lastSeq = seq;
            count++;
          }
          if (page.length < PAGE) break;
        }
        gzip.end();
        await once(sink, 'close');
        // On disk before the rows it holds are deleted.
        const handle = await open(temporary, 'r');
        await handle.sync();
        await handle.close();
        await rename(temporary, file);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    } else {
      for (;;) {
        const page = await store.dayEvents(tenantId, day, { afterSeq: lastSeq, limit: PAGE });
        for (const { seq } of page) {
          lastSeq = seq;
          count++;
        }
        if (page.length < PAGE) break;
      }
    }
    const deleted = count > 0 ? await store.dropDay(tenantId, day, lastSeq) : 0;
    out.push({ day: label, archived: options.archiveDir ? count : 0, deleted, file });
  }
  return out;
}

/** Minute rollups serve the last hours (alerts, 2-day minute queries); after this they go. */
export const MINUTE_ROLLUP_DAYS = 7;

export function pruneMinuteRollups(store: TelemetryStore, tenantId: string, now: Date): Promise<number> {
  return store.pruneRollups(tenantId, 'minute', new Date(now.getTime() - MINUTE_ROLLUP_DAYS * DAY_MS));
}
