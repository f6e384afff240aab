// `llm-rules machines [--stale]`: the Claude Code sessions seen lately, each with the managed settings
// it reports running under, and whether those are what its developer was served (machine-status.ts).
import { systemClock } from '../core/clock/clock.ts';
import { parseDuration } from '../core/credentials/duration.ts';
import {
  type MachineStatus,
  machineStatus,
  needsAttention,
} from '../features/managed-settings/machine-status.ts';
import type { CliIo } from './cli-io.ts';
import { withStorage } from './open-storage.ts';
import { parseFlags, stringFlag } from './parse-flags.ts';

const USAGE = `llm-rules machines [--stale] [--since 24h] [--tenant T] [--json]
  (--data DIR; DATABASE_URL selects PostgreSQL)`;

const FLAGS = {
  data: { type: 'string' },
  tenant: { type: 'string' },
  since: { type: 'string' },
  stale: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

interface Row {
  tenant: string;
  principal: string;
  session: string;
  status: MachineStatus;
  checksum: string | null;
  client: string | null;
  lastSeen: string;
}

export async function machinesCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, FLAGS, USAGE);
  const since = parseDuration(stringFlag(values, 'since') ?? '24h', 'since');
  const now = systemClock.now();
  return withStorage(io, stringFlag(values, 'data'), async (storage) => {
    const wanted = stringFlag(values, 'tenant');
    const tenants = wanted ? [wanted] : (await storage.org.listTenants()).map((t) => t.id);
    const rows: Row[] = [];
    for (const tenant of tenants) {
      for (const session of await storage.machines.sessions(tenant, new Date(now.getTime() - since))) {
        const status = machineStatus(session, now);
        if (values.stale && !needsAttention(status)) continue;
        rows.push({
          tenant,
          principal: session.principalId,
          session: session.sessionId,
          status,
          checksum: session.checksum,
          client: session.userAgent,
          lastSeen: session.lastSeen.toISOString(),
        });
      }
    }
    io.stdout(values.json ? JSON.stringify(rows, null, 2) : table(rows, Boolean(values.stale)));
    // For scripts and CI: non-zero when --stale found something.
    return values.stale && rows.length > 0 ? 1 : 0;
  });
}

function table(rows: Row[], stale: boolean): string {
  if (rows.length === 0) return stale ? 'No stale or unmanaged sessions.' : 'No sessions seen.';
  const header = ['TENANT', 'USER', 'SESSION', 'STATUS', 'CHECKSUM', 'LAST SEEN', 'CLIENT'];
  const lines = rows.map((r) => [
    r.tenant,
    r.principal,
    r.session,
    r.status,
    r.checksum ? `${r.checksum.slice(0, 19)}…` : '-',
    r.lastSeen,
    r.client ?? '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [header, ...lines]
    .map((l) =>
      l
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
