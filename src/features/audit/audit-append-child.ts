// A second process for the audit tests: `<dataDir> <tenant> <batches> <batchSize> <startAtEpochMs>`
// appends through its own SQLite connection and prints the seqs it was given, as JSON.

import { createSqliteStorage } from '../../storage/sqlite/sqlite-storage.ts';

const [dataDir, tenant, batches, batchSize, startAt] = process.argv.slice(2);
if (!dataDir || !tenant)
  throw new Error('usage: audit-append-child.ts <dataDir> <tenant> <batches> <batchSize> <startAt>');
const storage = createSqliteStorage({ dataDir });
// Lets the parent start several children on the same instant, whatever their start-up times.
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt ?? 0) - Date.now())));
const seqs: number[] = [];
try {
  for (let b = 0; b < Number(batches); b++) {
    const records = await storage.audit.append(
      tenant,
      Array.from({ length: Number(batchSize) }, (_, i) => ({
        timestamp: new Date(),
        event: 'tool_use' as const,
        user: null,
        agent: null,
        sessionId: `pid-${process.pid}`,
        bundleRevision: null,
        context: { b, i },
      })),
    );
    seqs.push(...records.map((r) => r.seq));
  }
  process.stdout.write(JSON.stringify(seqs));
} finally {
  await storage.close();
}
