// `audit tail`: the latest records of each tenant as one line each, then (with follow) new ones as they come.

import type { AuditRecord } from '../../core/audit-chain/audit-record.ts';
import type { AuditStore, TenantId } from '../../storage/ports.ts';

export interface TailOptions {
  tenants: () => Promise<TenantId[]>;
  lines: number;
  follow: boolean;
  intervalMs: number;
  /** Stops following (Ctrl-C in the CLI). */
  signal?: AbortSignal;
  write(text: string): void;
}

export function formatAuditLine(r: AuditRecord): string {
  const subject = [
    r.user && `user=${r.user}`,
    r.agent && `agent=${r.agent}`,
    r.sessionId && `session=${r.sessionId}`,
  ].filter(Boolean);
  return [
    r.timestamp.toISOString(),
    r.tenantId,
    `#${r.seq}`,
    r.event,
    ...subject,
    JSON.stringify(r.context),
  ].join(' ');
}

export async function tailAudit(audit: AuditStore, options: TailOptions): Promise<void> {
  const seen = new Map<TenantId, number>();
  const emit = (records: AuditRecord[]) => {
    if (records.length > 0) options.write(records.map(formatAuditLine).join('\n'));
  };
  for (const tenantId of await options.tenants()) {
    const head = await audit.head(tenantId);
    const afterSeq = Math.max(0, (head?.seq ?? 0) - options.lines);
    const records = await audit.list(tenantId, { afterSeq });
    emit(records);
    seen.set(tenantId, records.at(-1)?.seq ?? afterSeq);
  }
  while (options.follow && !options.signal?.aborted) {
    await sleep(options.intervalMs, options.signal);
    if (options.signal?.aborted) break;
    // New tenants appear in the loop too: they start from their first record.
    for (const tenantId of await options.tenants()) {
      const records = await audit.list(tenantId, { afterSeq: seen.get(tenantId) ?? 0, limit: 1000 });
      emit(records);
      if (records.length > 0) seen.set(tenantId, records.at(-1)!.seq);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
