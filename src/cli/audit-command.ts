// `llm-rules audit verify|export|tail|prune`: check every tenant's hash chain, export records, follow new
// ones, apply retention.

import { isAuditEvent } from '../core/audit-chain/audit-record.ts';
import {
  AuditExportWriter,
  EXPORT_FORMATS,
  type ExportFormat,
} from '../features/audit/audit-export-format.ts';
import { applyAuditRetention, type RetentionResult } from '../features/audit/audit-retention.ts';
import { tailAudit } from '../features/audit/audit-tail.ts';
import { type TenantVerification, verifyAudit } from '../features/audit/audit-verification.ts';
import type { AuditQuery, Storage } from '../storage/ports.ts';
import type { CliIo } from './cli-io.ts';
import { actorFromEnv } from './environment.ts';
import { withStorage } from './open-storage.ts';
import { parseFlags, stringFlag, UsageError } from './parse-flags.ts';

const USAGE = `llm-rules audit verify [--tenant T]
       llm-rules audit export --tenant T [--since ISO] [--until ISO] [--event E] [--format ndjson|csv|json]
       llm-rules audit tail [--tenant T] [-n 20] [--follow] [--interval 1000]
       llm-rules audit prune [--tenant T] [--days N]   (default: each tenant's audit.retention_days)
  (all take --data DIR; DATABASE_URL selects PostgreSQL)`;

const FLAGS = {
  data: { type: 'string' },
  tenant: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  event: { type: 'string' },
  format: { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
  lines: { type: 'string', short: 'n' },
  interval: { type: 'string' },
  days: { type: 'string' },
} as const;

const EXPORT_PAGE = 5000;

/** `signal` stops `tail --follow`; the CLI passes one aborted by Ctrl-C. */
export async function auditCommand(args: string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseFlags(rest, FLAGS, USAGE);
  const flag = (name: keyof typeof FLAGS) => stringFlag(values, name);
  const tenant = flag('tenant');
  // Everything that can be checked without the store is checked before it is opened.
  switch (action) {
    case 'verify':
      return withStorage(io, flag('data'), (storage) => verify(storage, io, tenant));
    case 'export': {
      if (!tenant) throw new UsageError(`audit export needs --tenant T\n\nusage: ${USAGE}`);
      const format = (flag('format') ?? 'ndjson') as ExportFormat;
      if (!EXPORT_FORMATS.includes(format)) {
        throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}\n\nusage: ${USAGE}`);
      }
      const query: AuditQuery = {
        ...optionalDate('since', flag('since')),
        ...optionalDate('until', flag('until')),
        ...optionalEvent(flag('event')),
      };
      return withStorage(io, flag('data'), (storage) => exportRecords(storage, io, tenant, query, format));
    }
    case 'tail': {
      const lines = positiveInt('-n', flag('lines') ?? '20');
      const intervalMs = positiveInt('--interval', flag('interval') ?? '1000');
      const follow = values.follow === true;
      return withStorage(io, flag('data'), async (storage) => {
        const stop = signal ?? (follow ? interruptSignal() : undefined);
        await tailAudit(storage.audit, {
          tenants: async () => (tenant ? [tenant] : await storage.audit.tenants()),
          lines,
          follow,
          intervalMs,
          ...(stop ? { signal: stop } : {}),
          write: (text) => io.stdout(text),
        });
        return 0;
      });
    }
    case 'prune': {
      const days = flag('days') === undefined ? undefined : positiveInt('--days', flag('days')!);
      return withStorage(io, flag('data'), async (storage) => {
        const results = await applyAuditRetention(storage, {
          ...(tenant ? { tenants: [tenant] } : {}),
          ...(days !== undefined ? { days } : {}),
          actor: actorFromEnv(io.env),
        });
        for (const r of results) io.stdout(describeRetention(r));
        if (results.length === 0) io.stdout('No audit records.');
        return 0;
      });
    }
    default:
      throw new UsageError(`unknown audit action '${action ?? ''}'\n\nusage: ${USAGE}`);
  }
}

async function verify(storage: Storage, io: CliIo, tenant: string | undefined): Promise<number> {
  const results = await verifyAudit(storage.audit, tenant ? [tenant] : undefined);
  if (results.length === 0) {
    io.stdout('No audit records to verify.');
    return 0;
  }
  for (const result of results) io[result.verdict.ok ? 'stdout' : 'stderr'](describe(result));
  return results.every((r) => r.verdict.ok) ? 0 : 1;
}

function describe({ tenantId, verdict, checkpoint }: TenantVerification): string {
  if (verdict.ok) {
    const from = checkpoint ? ` (from the retention checkpoint at seq ${checkpoint.seq})` : '';
    return `✓ ${verdict.verified} records verified for tenant ${tenantId}${from}`;
  }
  const { seq, kind, message } = verdict.problem;
  return `✗ tenant ${tenantId}: record ${seq} ${kind.replace('_', ' ')} — ${message} (${verdict.verified} records before it verified)`;
}

function describeRetention(r: RetentionResult): string {
  if (r.days === undefined)
    return `tenant ${r.tenantId}: no audit.retention_days in the active bundle; kept everything`;
  if (r.removed === 0) return `tenant ${r.tenantId}: nothing older than ${r.days} days`;
  return `tenant ${r.tenantId}: removed ${r.removed} records older than ${r.days} days; the chain now starts after the checkpoint at seq ${r.checkpointSeq}`;
}

async function exportRecords(
  storage: Storage,
  io: CliIo,
  tenant: string,
  query: AuditQuery,
  format: ExportFormat,
): Promise<number> {
  const writer = new AuditExportWriter(format, (text) => io.stdout(text));
  let afterSeq: number | undefined;
  for (;;) {
    const page = await storage.audit.list(tenant, {
      ...query,
      ...(afterSeq !== undefined ? { afterSeq } : {}),
      limit: EXPORT_PAGE,
    });
    writer.add(page);
    if (page.length < EXPORT_PAGE) break;
    afterSeq = page.at(-1)!.seq;
  }
  writer.end();
  return 0;
}

function optionalDate(name: 'since' | 'until', text: string | undefined): Partial<AuditQuery> {
  if (text === undefined) return {};
  const date = new Date(text);
  if (!Number.isFinite(date.getTime())) {
    throw new UsageError(`--${name} '${text}' is not an ISO date or timestamp (e.g. 2026-01-31T00:00:00Z)`);
  }
  return { [name]: date };
}

function optionalEvent(text: string | undefined): Partial<AuditQuery> {
  if (text === undefined) return {};
  if (!isAuditEvent(text)) throw new UsageError(`--event '${text}' is not an audit event\n\nusage: ${USAGE}`);
  return { event: text };
}

function positiveInt(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new UsageError(`${name} must be a positive integer`);
  return value;
}

function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  return controller.signal;
}
